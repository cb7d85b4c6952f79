// Grilles CCF: progressive enhancement only (every form also submits without JavaScript).
(function () {
  "use strict";
  // The chooser (épreuve, session, division) reloads the list when a choice changes.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches("select[data-ccf-auto]") && select.form) {
      // Another session has other Terminale divisions: let the server choose the first one.
      if (select.name === "session") {
        var division = select.form.querySelector("select[name=division]");
        if (division) { division.disabled = true; }
      }
      select.form.submit();
    }
  });
  // Highlight the chosen level cell of a criterion row as soon as it is chosen.
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches(".ccf-grille input[type=radio]")) { return; }
    var row = radio.closest("tr");
    row.querySelectorAll(".ccf-case").forEach(function (cell) {
      cell.classList.toggle("ccf-choisie", cell.contains(radio));
    });
    compterPositionnes(radio.closest("table.ccf-grille"));
  });
  // « n / N positionnés »: one criterion = one radio group (its name); counted on every tick,
  // written in the caption and in the aria-live line above the grid (#ccf-progression).
  function compterPositionnes(table) {
    if (!table) { return; }
    var groupes = {};
    table.querySelectorAll("input[type=radio]").forEach(function (r) {
      groupes[r.name] = groupes[r.name] || r.checked;
    });
    var n = Object.keys(groupes).filter(function (nom) { return groupes[nom]; }).length;
    document.querySelectorAll("[data-ccf-positionnes]").forEach(function (el) {
      if (el.textContent !== String(n)) { el.textContent = String(n); }
    });
    var legende = table.querySelector("caption[data-ccf-legende]");
    if (legende) { legende.textContent = legende.dataset.ccfLegende.replace("%n", String(n)); }
  }
})();
