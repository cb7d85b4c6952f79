// LSL Pro — progressive enhancement only: without this file every button submits the form and
// the server does the same thing (recopie, copy of the constat, toggles kept as checkboxes).
(function () {
  "use strict";

  // The division select submits its form on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-lsl-auto]")) { event.target.form.submit(); }
  });

  function majCompteur(area) {
    var out = document.getElementById(area.dataset.compteur);
    if (out) { out.textContent = area.value.length; }
  }

  document.addEventListener("click", function (event) {
    // « Recopie »: the last bilan's level of each competence into the year's column.
    var recopie = event.target.closest("[data-lsl-recopie]");
    if (recopie) {
      event.preventDefault();
      recopie.form.querySelectorAll("select[data-recopie]").forEach(function (select) {
        select.value = select.dataset.recopie;
      });
      return;
    }
    // « Copier le constat du bilan » into the chef-d'œuvre appreciation (already cut to 300).
    var constat = event.target.closest("[data-lsl-constat]");
    if (constat) {
      event.preventDefault();
      var cible = document.getElementById(constat.dataset.lslCible);
      if (cible) {
        cible.value = constat.dataset.lslConstat;
        majCompteur(cible);
        cible.focus();
      }
    }
  });

  // Optional parts (PFMP, chef-d'œuvre): their fields are shown when the part is activated.
  function majPartie(partie) {
    var bascule = document.getElementById(partie.dataset.lslPartie);
    if (bascule) { partie.hidden = !bascule.checked; }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox]")) {
      document.querySelectorAll("[data-lsl-partie='" + event.target.id + "']").forEach(majPartie);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-lsl-partie]").forEach(majPartie);
  });
})();
