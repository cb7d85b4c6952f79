// Positioning grid: keyboard entry and autosave (HTMX). Without this file the grid is a plain
// form of <select>s with an "Enregistrer" button, which keeps working.
(function () {
  "use strict";
  var NIVEAUX = { "1": "1", "2": "2", "3": "3", "4": "4", "n": "NE", "N": "NE" };
  var enCours = {};   // cell id → true while its save is in flight
  var suivant = {};   // cell id → the value to send once the current save is done

  function table() { return document.querySelector("table.grille-saisie"); }

  function lignes(t) { return Array.prototype.slice.call(t.querySelectorAll("tbody tr.ligne")); }

  function selects(tr) { return Array.prototype.slice.call(tr.querySelectorAll("select.saisie")); }

  // Roving tabindex: the grid is one tab stop; arrows move inside it.
  function rendreCourante(sel) {
    var t = table();
    if (!t) { return; }
    t.querySelectorAll("select.saisie").forEach(function (s) {
      s.setAttribute("tabindex", s === sel ? "0" : "-1");
    });
  }

  function deplacer(sel, dl, dc) {
    var t = table();
    var tr = sel.closest("tr");
    var rows = lignes(t);
    var r = rows.indexOf(tr) + dl;
    var c = selects(tr).indexOf(sel) + dc;
    if (r < 0 || r >= rows.length) { return; }
    var cible = selects(rows[r])[c];
    if (cible) { rendreCourante(cible); cible.focus(); }
  }

  function marquerErreur(td, texte) {
    if (!td) { return; }
    td.classList.remove("en-cours");
    td.classList.add("cellule-erreur");
    var etat = td.querySelector(".etat");
    if (!etat) {
      etat = document.createElement("span");
      td.appendChild(etat);
    }
    etat.className = "etat etat-erreur";
    etat.setAttribute("role", "alert");
    etat.textContent = texte;
  }

  function enregistrer(sel) {
    var t = table();
    var td = sel.closest("td");
    var id = td.id;
    if (enCours[id]) { suivant[id] = sel.value; return; }
    enCours[id] = true;
    td.classList.add("en-cours");
    var fini = function () {
      enCours[id] = false;
      if (Object.prototype.hasOwnProperty.call(suivant, id)) {
        var v = suivant[id];
        delete suivant[id];
        var s = document.querySelector("#" + id + " select.saisie");
        if (s && s.value !== v) { s.value = v; }
        if (s) { enregistrer(s); }
      }
    };
    htmx.ajax("POST", t.dataset.saisirUrl, {
      target: "#" + id,
      swap: "outerHTML",
      values: { apprenant: td.dataset.apprenant, critere: td.dataset.critere, niveau: sel.value }
    }).then(fini, function () { marquerErreur(document.getElementById(id), "Non enregistré : réseau indisponible."); fini(); });
  }

  function commenter(area) {
    var t = table();
    htmx.ajax("POST", t.dataset.commenterUrl, {
      target: "#com-" + area.dataset.apprenant,
      swap: "outerHTML",
      values: { apprenant: area.dataset.apprenant, commentaire: area.value }
    });
  }

  document.addEventListener("keydown", function (event) {
    var sel = event.target;
    if (!sel.matches || !sel.matches("table.grille-saisie select.saisie")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var k = event.key;
    if (k === "ArrowLeft") { event.preventDefault(); deplacer(sel, 0, -1); }
    else if (k === "ArrowRight") { event.preventDefault(); deplacer(sel, 0, 1); }
    else if (k === "ArrowUp") { event.preventDefault(); deplacer(sel, -1, 0); }
    else if (k === "ArrowDown") { event.preventDefault(); deplacer(sel, 1, 0); }
    else if (Object.prototype.hasOwnProperty.call(NIVEAUX, k)) {
      event.preventDefault();
      sel.value = NIVEAUX[k];
      enregistrer(sel);
    } else if (k === "Delete" || k === "Backspace") {
      event.preventDefault();
      sel.value = "";
      enregistrer(sel);
    }
  });

  // Mouse (or native select keyboard) changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("table.grille-saisie select.saisie")) { enregistrer(el); }
    else if (el.matches("table.grille-saisie td.commentaire textarea")) { commenter(el); }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("table.grille-saisie select.saisie")) {
      rendreCourante(event.target);
    }
  });

  // 422 answers carry the cell (or grid) in its error state: show them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("td.cellule, td.commentaire")) {
      var status = event.detail.xhr.status;
      marquerErreur(target, status === 403
        ? "Non enregistré : vous ne pouvez pas modifier cette grille."
        : "Non enregistré (erreur " + status + ").");
    }
  });

  function initialiser() {
    var t = table();
    if (!t) { return; }
    var form = t.closest("form");
    if (form) { form.classList.add("grille-js"); }
    var courant = t.querySelector("select.saisie[tabindex='0']") || t.querySelector("select.saisie");
    rendreCourante(courant);
  }

  document.addEventListener("DOMContentLoaded", initialiser);
  // After a cell swap keep one tab stop; after a whole-grid swap (row/column fill) start again.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "grille-zone") { initialiser(); return; }
    var active = document.activeElement;
    var t = table();
    if (!t) { return; }
    if (active && active.matches && active.matches("select.saisie")) { rendreCourante(active); }
    else {
      var sel = document.querySelector("#" + (target && target.id) + " select.saisie");
      if (sel && t.querySelectorAll("select.saisie[tabindex='0']").length > 0) { sel.setAttribute("tabindex", "-1"); }
    }
  });
})();
