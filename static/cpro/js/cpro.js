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
  // Provenance tooltips (static/cpro/css/provenance.css) show on hover and focus without
  // script; Escape hides the one under focus or pointer (WCAG 1.4.13, dismissible) until the
  // focus or the pointer leaves it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll(".provenance:hover, .provenance:focus-within").forEach(function (p) {
      p.classList.add("provenance-fermee");
    });
  });
  function rouvrir(event) {
    var p = event.target.closest && event.target.closest(".provenance");
    if (p && !p.contains(event.relatedTarget)) { p.classList.remove("provenance-fermee"); }
  }
  document.addEventListener("focusout", rouvrir);
  document.addEventListener("mouseout", rouvrir);
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
