// Portfolio pages: progressive enhancement only (every form works without this file).
(function () {
  "use strict";
  // <button data-confirmer="Question ?">: asked by confirmation.js (a <dialog>, every page).
  // Characters left under a limited textarea: <p data-compteur-pour="id_texte">.
  function maj(sortie, zone) {
    var max = parseInt(zone.getAttribute("maxlength"), 10);
    if (!max) { return; }
    var reste = max - zone.value.length;
    sortie.textContent = reste + " caractère" + (Math.abs(reste) > 1 ? "s" : "") + " restant" + (Math.abs(reste) > 1 ? "s" : "") + " sur " + max + ".";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-compteur-pour]").forEach(function (sortie) {
      var zone = document.getElementById(sortie.dataset.compteurPour);
      if (!zone) { return; }
      sortie.setAttribute("aria-live", "polite");
      maj(sortie, zone);
      zone.addEventListener("input", function () { maj(sortie, zone); });
    });
  });
})();
