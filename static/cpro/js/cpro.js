// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Navigation menus are <details>: keep one open at a time, close on outside click or Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".nav-principale details[open]").forEach(function (d) {
      if (!d.contains(event.target)) { d.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll(".nav-principale details[open]").forEach(function (d) {
        d.removeAttribute("open");
        d.querySelector("summary").focus();
      });
    }
  });
  // Live character counters: <textarea data-max="300" data-compteur="id-of-output">.
  function majCompteur(area) {
    var out = document.getElementById(area.dataset.compteur);
    if (out) { out.textContent = area.value.length; }
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-compteur]")) { majCompteur(event.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-compteur]").forEach(majCompteur);
  });
})();
