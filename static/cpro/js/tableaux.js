// Dashboards: progressive enhancement only. Without this file the filters are plain GET
// forms with an "Afficher" button, « Afficher les années antérieures » is a plain link and
// every cell is reachable with Tab (its level is in its accessible text, its évaluation in
// the column header or in its aria-describedby).
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

  // The tooltip: one element for the whole page, filled from the évaluation's description
  // (the column header of the full view, the aria-describedby target of the compact view)
  // and the cell's own level text. Shown on hover and on focus, closed by Escape.
  var bulle = null, source = null;

  function infobulle() {
    if (!bulle) {
      bulle = document.createElement("div");
      bulle.className = "tb-infobulle";
      bulle.id = "tb-infobulle";
      bulle.setAttribute("role", "tooltip");
      bulle.hidden = true;
      document.body.appendChild(bulle);
    }
    return bulle;
  }

  function description(el) {
    if (el.matches("th.tb-col")) {
      var entete = el.querySelector(".visuellement-cache");
      return entete ? entete.textContent : "";
    }
    var ref = el.getAttribute("aria-describedby");
    var desc = ref && document.getElementById(ref);
    var texte = desc ? desc.textContent : "";
    var td = !desc && el.closest("td");
    var table = td && td.closest("table");
    if (td && table && table.tHead && table.tHead.rows.length > 1) {
      // Full view: the body row starts with its <th>; the second header row holds one <th>
      // per column (the first header cell spans both header rows).
      var th = table.tHead.rows[1].cells[td.cellIndex - 1];
      var cache = th && th.querySelector(".visuellement-cache");
      texte = cache ? cache.textContent : "";
    }
    var niveau = el.querySelector(".visuellement-cache");
    if (!niveau) { return texte; }
    return texte + " – " + niveau.textContent.trim() + libelle(el);
  }

  // The level's label, from the page's legend ({% legende_maitrise %}: one source).
  function libelle(el) {
    for (var i = 0; i < el.classList.length; i++) {
      var css = el.classList[i];
      if (css.indexOf("lvl-") === 0 && css !== "lvl-ne") {
        var legende = document.querySelector(".legende .lvl." + css);
        return legende && legende.title ? " : " + legende.title : "";
      }
    }
    return "";
  }

  function montrer(el) {
    var texte = description(el);
    if (!texte) { return; }
    var b = infobulle();
    b.textContent = texte;
    b.hidden = false;
    source = el;
    var box = el.getBoundingClientRect();
    var marge = 8, largeur = document.documentElement.clientWidth;
    b.style.left = "0px";
    b.style.top = "0px";
    var w = b.offsetWidth, h = b.offsetHeight;
    var left = Math.min(Math.max(marge, box.left + box.width / 2 - w / 2), largeur - w - marge);
    var top = box.bottom + 6;
    if (top + h > window.innerHeight - marge && box.top - h - 6 > marge) { top = box.top - h - 6; }
    b.style.left = Math.max(marge, left) + "px";
    b.style.top = top + "px";
  }

  function cacher() {
    if (bulle) { bulle.hidden = true; }
    source = null;
  }

  function cible(event) {
    var el = event.target;
    return el && el.closest ? el.closest(".tb .tb-cel, .tb th.tb-col") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var el = cible(event);
    if (el && el !== source) { montrer(el); }
  });
  document.addEventListener("mouseout", function (event) {
    var el = cible(event);
    if (el && el === source && !el.contains(event.relatedTarget) && document.activeElement !== el) { cacher(); }
  });
  document.addEventListener("focusin", function (event) {
    var el = cible(event);
    if (el) { montrer(el); } else { cacher(); }
  });
  document.addEventListener("focusout", function (event) {
    if (cible(event) === source) { cacher(); }
  });
  // The table scrolls in its region: the tooltip follows its cell.
  window.addEventListener("scroll", function () { if (source) { montrer(source); } }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bulle && !bulle.hidden) { cacher(); return; }
    var cel = event.target;
    if (!cel.classList || !cel.classList.contains("tb-cel") || !FLECHES[event.key]) { return; }
    var table = cel.closest("table");
    var suivante = voisine(table, cel, FLECHES[event.key][0], FLECHES[event.key][1]);
    if (suivante) {
      event.preventDefault();
      activer(table, suivante);
      suivante.scrollIntoView({ block: "nearest", inline: "nearest" });
      montrer(suivante);
    }
  });

  function initialiser(racine) {
    racine.querySelectorAll("table.tb").forEach(function (table) {
      cellules(table).forEach(function (c, i) { c.setAttribute("tabindex", i === 0 ? "0" : "-1"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initialiser(document); });
  // « Afficher les années antérieures » swaps the data in place (HTMX).
  document.addEventListener("htmx:afterSettle", function () { cacher(); initialiser(document); });
})();
