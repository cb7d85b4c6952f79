// Scénarios pédagogiques, progressive enhancement only: every action also works as a plain
// form (the "Monter" / "Descendre" buttons replace drag and drop without JavaScript).
(function () {
  "use strict";

  // <form data-confirm="Question ?">: asked by confirmation.js (a <dialog>, every page).

  function jeton() {
    var input = document.querySelector("#sc-csrf input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function annoncer(texte) {
    var statut = document.getElementById("sc-ordre-statut");
    if (statut) { statut.textContent = texte; }
  }

  // Drag and drop inside one container (<ol class="sc-liste" data-ordonner-url>): on drop,
  // the new order of the whole container is posted; the server validates and renumbers it.
  var glisse = null;
  var ordreInitial = "";

  function liste(el) { return el && el.closest("ol.sc-liste[data-ordonner-url]"); }

  function ordre(ol) {
    return Array.prototype.map.call(ol.querySelectorAll(":scope > li.sc-item"), function (li) {
      return li.dataset.id;
    }).join(",");
  }

  function enregistrer(ol) {
    var body = new URLSearchParams();
    body.append("niveau", ol.dataset.niveau);
    body.append("dossier", ol.dataset.dossier || "");
    ol.querySelectorAll(":scope > li.sc-item").forEach(function (li) {
      body.append("ids", li.dataset.id);
    });
    fetch(ol.dataset.ordonnerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": jeton(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      if (response.ok) {
        annoncer("Nouvel ordre enregistré pour toute l'équipe.");
        return;
      }
      return response.text().then(function (texte) {
        annoncer(texte || "L'ordre n'a pas pu être enregistré.");
        window.setTimeout(function () { window.location.reload(); }, 1500);
      });
    }).catch(function () {
      annoncer("L'ordre n'a pas pu être enregistré : vérifiez votre connexion.");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li.sc-item[draggable=true]");
    if (!li || !liste(li)) { return; }
    glisse = li;
    ordreInitial = ordre(liste(li));
    li.classList.add("sc-glisse");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.id);
  });

  document.addEventListener("dragover", function (event) {
    if (!glisse) { return; }
    var cible = event.target.closest && event.target.closest("li.sc-item");
    if (!cible || cible === glisse || liste(cible) !== liste(glisse)) { return; }
    event.preventDefault();
    var rect = cible.getBoundingClientRect();
    var apres = event.clientY > rect.top + rect.height / 2;
    cible.parentNode.insertBefore(glisse, apres ? cible.nextSibling : cible);
  });

  document.addEventListener("drop", function (event) {
    if (glisse) { event.preventDefault(); }
  });

  document.addEventListener("dragend", function () {
    if (!glisse) { return; }
    var ol = liste(glisse);
    glisse.classList.remove("sc-glisse");
    glisse = null;
    if (ol && ordre(ol) !== ordreInitial) { enregistrer(ol); }
  });

  // « Actions » menus (<details class="sc-actions">): one open at a time, closed by a click
  // outside or by Escape, which returns the focus to the menu's summary.
  function fermer(details, rendreFocus) {
    details.removeAttribute("open");
    if (rendreFocus) { details.querySelector("summary").focus(); }
  }

  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.sc-actions[open], details.sc-renommer[open]").forEach(function (d) {
      if (!d.contains(event.target)) { fermer(d, false); }
    });
  });

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (!d.matches || !d.matches("details.sc-actions") || !d.open) { return; }
    document.querySelectorAll("details.sc-actions[open]").forEach(function (autre) {
      if (autre !== d) { fermer(autre, false); }
    });
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var d = event.target.closest && event.target.closest("details.sc-actions[open], details.sc-renommer[open]");
    if (d) {
      event.preventDefault();
      fermer(d, true);
    }
  });

  // After a move (or any action on one scénario) the server redirects to #scenario-<pk>: the
  // focus goes back to that row, described by the confirmation message.
  function focaliserLigne() {
    var m = /^#(scenario-\d+)$/.exec(window.location.hash);
    var ligne = m && document.getElementById(m[1]);
    if (!ligne || !ligne.matches("li.sc-item")) { return; }
    var messages = document.querySelector("main .messages");
    if (messages) {
      messages.id = messages.id || "sc-messages";
      ligne.setAttribute("aria-describedby", messages.id);
    }
    ligne.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focaliserLigne);
  } else {
    focaliserLigne();
  }
})();
