// Positioning grid: keyboard entry, one shared menu of levels and autosave (HTMX).
// Each cell is a <button class="saisie"> (its accessible name: learner – criterion : level).
// The grid is one tab stop (roving tabindex); arrows move, 1–4 / N set a level, Suppr or
// Retour arrière clear the cell, Entrée / Espace or a click open the menu (a listbox: arrows,
// Entrée, Échap closes it and gives the focus back). Without JavaScript the page points to the
// "Saisie sans JavaScript" form (?formulaire=1), which has a <select> per cell.
(function () {
  "use strict";
  var NIVEAUX = { "1": "1", "2": "2", "3": "3", "4": "4", "n": "NE", "N": "NE" };
  var enCours = {};   // cell id → true while its save is in flight
  var suivant = {};   // cell id → the value to send once the current save is done
  var courante = null;  // id of the button holding the grid's tab stop
  var ouvertPour = null;  // id of the button whose menu is open
  var fermeLe = 0;  // when the menu was last closed (a keyboard click right after is ignored)

  function table() { return document.querySelector("table.grille-saisie"); }
  function menu() { return document.getElementById("grille-menu"); }

  function lignes(t) { return Array.prototype.slice.call(t.querySelectorAll("tbody tr.ligne")); }

  function estBouton(el) { return el && el.matches && el.matches("table.grille-saisie button.saisie"); }

  // Roving tabindex: only two buttons change, whatever the size of the grid.
  function rendreCourante(btn) {
    if (!btn) { return; }
    if (courante && courante !== btn.id) {
      var ancien = document.getElementById(courante);
      if (ancien) { ancien.setAttribute("tabindex", "-1"); }
    }
    btn.setAttribute("tabindex", "0");
    courante = btn.id;
  }

  function deplacer(btn, dl, dc) {
    var td = btn.closest("td");
    var tr = td.closest("tr");
    var rows = lignes(table());
    var r = rows.indexOf(tr) + dl;
    var c = Array.prototype.indexOf.call(tr.cells, td) + dc;
    if (r < 0 || r >= rows.length) { return; }
    var cellule = rows[r].cells[c];
    var cible = cellule && cellule.querySelector("button.saisie");
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

  function enregistrer(btn, valeur) {
    var t = table();
    var td = btn.closest("td");
    var id = td.id;  // cel-<apprenant>-<critère>
    if (enCours[id]) { suivant[id] = valeur; return; }
    enCours[id] = true;
    td.classList.add("en-cours");
    var cle = id.split("-");
    var fini = function () {
      enCours[id] = false;
      if (Object.prototype.hasOwnProperty.call(suivant, id)) {
        var v = suivant[id];
        delete suivant[id];
        var b = document.querySelector("#" + id + " button.saisie");
        if (b && (b.value || "") !== v) { enregistrer(b, v); }
      }
    };
    htmx.ajax("POST", t.dataset.saisirUrl, {
      target: "#" + id,
      swap: "outerHTML",
      values: { apprenant: cle[1], critere: cle[2], niveau: valeur }
    }).then(fini, function () {
      marquerErreur(document.getElementById(id), "Non enregistré : réseau indisponible.");
      fini();
    });
  }

  function commenter(area) {
    var t = table();
    htmx.ajax("POST", t.dataset.commenterUrl, {
      target: "#com-" + area.dataset.apprenant,
      swap: "outerHTML",
      values: { apprenant: area.dataset.apprenant, commentaire: area.value }
    });
  }

  // --- the shared menu of levels (role=listbox, aria-activedescendant) ----------------------

  function options() {
    var m = menu();
    return m ? Array.prototype.slice.call(m.querySelectorAll("[role=option]")) : [];
  }

  function activer(option) {
    var m = menu();
    if (!m || !option) { return; }
    options().forEach(function (o) { o.classList.toggle("active", o === option); });
    m.setAttribute("aria-activedescendant", option.id);
  }

  function active() {
    var m = menu();
    var id = m && m.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function ouvrirMenu(btn) {
    var m = menu();
    if (!m) { return; }
    var valeur = btn.value || "";
    var choisie = null;
    options().forEach(function (o) {
      var oui = o.dataset.niveau === valeur;
      o.setAttribute("aria-selected", oui ? "true" : "false");
      if (oui) { choisie = o; }
    });
    var nom = btn.getAttribute("aria-label") || "";
    var fin = nom.lastIndexOf(" : ");
    m.setAttribute("aria-label", "Niveau : " + (fin > 0 ? nom.slice(0, fin) : nom));
    ouvertPour = btn.id;
    btn.setAttribute("aria-expanded", "true");
    m.hidden = false;
    placer(m, btn);
    activer(choisie || options()[0]);
    m.focus();
  }

  // Below the cell (above it near the bottom of the window), inside the window; through the
  // CSSOM (a style attribute would break the Content-Security-Policy).
  function placer(m, btn) {
    var r = btn.getBoundingClientRect();
    var gauche = Math.min(r.left, window.innerWidth - m.offsetWidth - 4);
    var haut = r.bottom + 2;
    if (haut + m.offsetHeight > window.innerHeight) { haut = r.top - m.offsetHeight - 2; }
    m.style.left = Math.max(4, gauche) + "px";
    m.style.top = Math.max(4, haut) + "px";
  }

  function fermerMenu(rendreFocus) {
    var m = menu();
    if (m) { m.hidden = true; }
    var btn = ouvertPour && document.getElementById(ouvertPour);
    ouvertPour = null;
    fermeLe = Date.now();
    if (btn) {
      btn.setAttribute("aria-expanded", "false");
      if (rendreFocus) { btn.focus(); }
    }
    return btn;
  }

  function choisir(valeur) {
    var btn = fermerMenu(true);
    if (btn) { enregistrer(btn, valeur); }
  }

  function toucheMenu(event) {
    var k = event.key;
    var liste = options();
    var i = liste.indexOf(active());
    if (k === "ArrowDown" || k === "ArrowUp") {
      event.preventDefault();
      var j = Math.max(0, Math.min(liste.length - 1, i + (k === "ArrowDown" ? 1 : -1)));
      activer(liste[j]);
    } else if (k === "Home" || k === "End") {
      event.preventDefault();
      activer(liste[k === "Home" ? 0 : liste.length - 1]);
    } else if (k === "Enter" || k === " ") {
      event.preventDefault();
      if (i >= 0) { choisir(liste[i].dataset.niveau); }
    } else if (k === "Escape") {
      event.preventDefault();
      fermerMenu(true);
    } else if (k === "Tab") {
      event.preventDefault();
      fermerMenu(true);
    } else if (Object.prototype.hasOwnProperty.call(NIVEAUX, k)) {
      event.preventDefault();
      choisir(NIVEAUX[k]);
    } else if (k === "Delete" || k === "Backspace") {
      event.preventDefault();
      choisir("");
    }
  }

  // --- events ---------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (el.id === "grille-menu") { toucheMenu(event); return; }
    if (!estBouton(el)) { return; }
    var k = event.key;
    if (k === "ArrowLeft") { event.preventDefault(); deplacer(el, 0, -1); }
    else if (k === "ArrowRight") { event.preventDefault(); deplacer(el, 0, 1); }
    else if (k === "ArrowUp") { event.preventDefault(); deplacer(el, -1, 0); }
    else if (k === "ArrowDown") { event.preventDefault(); deplacer(el, 1, 0); }
    else if (k === "Enter" || k === " ") { event.preventDefault(); ouvrirMenu(el); }
    else if (Object.prototype.hasOwnProperty.call(NIVEAUX, k)) {
      event.preventDefault();
      enregistrer(el, NIVEAUX[k]);
    } else if (k === "Delete" || k === "Backspace") {
      event.preventDefault();
      enregistrer(el, "");
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("#grille-menu [role=option]");
    if (option) { choisir(option.dataset.niveau); return; }
    var btn = event.target.closest && event.target.closest("table.grille-saisie button.saisie");
    if (!btn) { return; }
    // A click the keyboard makes right after a choice (Espace released on the button).
    if (event.detail === 0 && Date.now() - fermeLe < 300) { return; }
    if (ouvertPour === btn.id) { fermerMenu(true); } else { rendreCourante(btn); ouvrirMenu(btn); }
  });

  // A press outside the open menu closes it (the focus goes where the user pressed).
  document.addEventListener("mousedown", function (event) {
    var m = menu();
    if (!ouvertPour || !m || m.contains(event.target)) { return; }
    if (event.target.closest && event.target.closest("#" + ouvertPour)) { return; }
    fermerMenu(false);
  });

  // The menu is placed in the window: when the page scrolls or the window changes size it
  // follows its cell, and closes once the cell is out of sight (the focus, if it was in the
  // menu, goes back to the cell).
  function suivreCellule() {
    var m = menu();
    var btn = ouvertPour && document.getElementById(ouvertPour);
    if (!m || !btn) { return; }
    var r = btn.getBoundingClientRect();
    if (r.bottom < 0 || r.top > window.innerHeight || r.right < 0 || r.left > window.innerWidth) {
      fermerMenu(document.activeElement === m);
    } else {
      placer(m, btn);
    }
  }
  window.addEventListener("resize", suivreCellule);
  document.addEventListener("scroll", suivreCellule, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("table.grille-saisie td.commentaire textarea")) { commenter(el); }
  });

  document.addEventListener("focusin", function (event) {
    if (estBouton(event.target)) { rendreCourante(event.target); }
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
    ouvertPour = null;
    if (!t) { return; }
    courante = null;
    rendreCourante(t.querySelector("button.saisie"));
  }

  document.addEventListener("DOMContentLoaded", initialiser);
  // After a cell swap the new button gets the tab stop back if it held it; after a whole-grid
  // swap (row/column fill) start again.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "grille-zone") { initialiser(); return; }
    var btn = target && target.id && document.querySelector("#" + target.id + " button.saisie");
    if (!btn) { return; }
    if (btn.id === courante || document.activeElement === btn) { rendreCourante(btn); }
  });
})();
