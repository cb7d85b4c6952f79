// Small screens: the menu button of the header shows or hides the navigation and the personal
// links (templates/base.html). Without this file the button stays hidden and everything shows.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var bouton = document.querySelector(".bandeau .menu-bouton");
    if (!bouton) { return; }
    var bandeau = bouton.closest(".bandeau");
    document.documentElement.classList.add("menu-js");
    bouton.hidden = false;
    function basculer(ouvrir) {
      bandeau.classList.toggle("menu-ouvert", ouvrir);
      bouton.setAttribute("aria-expanded", ouvrir ? "true" : "false");
    }
    bouton.addEventListener("click", function () {
      basculer(bouton.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bouton.getAttribute("aria-expanded") === "true"
          && !bandeau.querySelector("details[open]")) {
        basculer(false);
        bouton.focus();
      }
    });
  });
})();
