// Dashboards: progressive enhancement only. Without this file the filters are plain GET
// forms with an "Afficher" button and every cell is reachable with Tab.
(function () {
  "use strict";

  // Selects and radios of a [data-tb-auto] form submit on change (the button stays).
  // A select with data-tb-reinit="apprenant" clears that field first (a new division).
  document.addEventListener("change", function (event) {
    var champ = event.target;
    var form = champ.closest && champ.closest("form[data-tb-auto]");
    if (!form || !(champ.matches("select") || champ.matches("input[type=radio]"))) { return; }
    var reinit = champ.dataset.tbReinit;
    if (reinit && form.elements[reinit]) { form.elements[reinit].value = ""; }
    form.submit();
  });

  // Inside a dashboard table the cells form one tab stop; arrows move between them.
  function cellules(table) { return Array.prototype.slice.call(table.querySelectorAll(".tb-cel")); }

  function activer(table, cible) {
    cellules(table).forEach(function (c) { c.setAttribute("tabindex", c === cible ? "0" : "-1"); });
    cible.focus();
  }

  function voisine(table, cel, dx, dy) {
    var box = cel.getBoundingClientRect();
    var cx = box.left + box.width / 2, cy = box.top + box.height / 2;
    var meilleure = null, score = Infinity;
    cellules(table).forEach(function (c) {
      if (c === cel) { return; }
      var b = c.getBoundingClientRect();
      var x = b.left + b.width / 2 - cx, y = b.top + b.height / 2 - cy;
      if ((dx && Math.sign(x) !== dx) || (dy && Math.sign(y) !== dy)) { return; }
      if (dx && Math.abs(y) > box.height) { return; }
      if (dy && Math.abs(x) > box.width * 2) { return; }
      var d = Math.abs(x) + Math.abs(y);
      if (d < score) { score = d; meilleure = c; }
    });
    return meilleure;
  }

  var FLECHES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  document.addEventListener("keydown", function (event) {
    var cel = event.target;
    if (!cel.classList || !cel.classList.contains("tb-cel") || !FLECHES[event.key]) { return; }
    var table = cel.closest("table");
    var cible = voisine(table, cel, FLECHES[event.key][0], FLECHES[event.key][1]);
    if (cible) { event.preventDefault(); activer(table, cible); cible.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.tb").forEach(function (table) {
      var toutes = cellules(table);
      toutes.forEach(function (c, i) { c.setAttribute("tabindex", i === 0 ? "0" : "-1"); });
    });
  });
})();
