// « Copier le lien »: <button data-copier="id-of-a-readonly-field" data-copier-statut="id">,
// hidden until this script runs (without JavaScript the field stays there to copy by hand).
// The clipboard API when the page may use it; otherwise the field is selected and the
// browser's copy command tried. The result is announced in the aria-live status.
(function () {
  "use strict";

  function annoncer(bouton, texte) {
    var statut = document.getElementById(bouton.dataset.copierStatut);
    if (!statut) { return; }
    // Emptied first so that a second « Lien copié » is announced again.
    statut.textContent = "";
    window.setTimeout(function () { statut.textContent = texte; }, 50);
  }

  function selectionner(champ) {
    champ.focus();
    champ.select();
    champ.setSelectionRange(0, champ.value.length);
  }

  function repli(bouton, champ) {
    selectionner(champ);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    annoncer(bouton, ok ? "Lien copié" : "Le lien est sélectionné : copiez-le avec Ctrl+C (ou ⌘+C).");
  }

  function init() {
    document.querySelectorAll("button[data-copier]").forEach(function (bouton) {
      var champ = document.getElementById(bouton.dataset.copier);
      if (!champ) { return; }
      bouton.hidden = false;
      bouton.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(champ.value).then(function () {
            annoncer(bouton, "Lien copié");
          }, function () { repli(bouton, champ); });
        } else {
          repli(bouton, champ);
        }
      });
    });
    // Selecting the whole link on focus helps those who copy by hand.
    document.querySelectorAll("input[readonly][id]").forEach(function (champ) {
      if (document.querySelector("button[data-copier='" + champ.id + "']")) {
        champ.addEventListener("focus", function () { champ.select(); });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
