// Confirmation before an irreversible action (validate, lock, unlock, delete, revoke): a modal
// <dialog> instead of acting on the first click. Progressive enhancement: without JavaScript
// (or without <dialog>) the form submits directly, and the server checks everything anyway.
//
//   <button type="submit" data-confirmer="Valider ce bilan ? …">Enregistrer et valider</button>
//   <form method="post" data-confirmer="Supprimer ce média ?"> (or the older data-confirm)
//   data-confirmer-bouton="Valider le bilan": label of the dialog's confirm button (default:
//   the text of the button that was pressed).
//
// The dialog is keyboard accessible (focus on "Annuler", Tab stays inside, Escape cancels)
// and gives the focus back to the button that opened it. Works with HTMX forms: the submit
// event is held in the capture phase, before htmx sees it, and submitted again once confirmed.
(function () {
  "use strict";
  if (typeof window.HTMLDialogElement !== "function") { return; }

  var dialogue = null, texte = null, confirmer = null, annuler = null;
  var en_attente = null; // {form, submitter}
  var confirme = null; // the form being resubmitted after confirmation

  function construire() {
    dialogue = document.createElement("dialog");
    dialogue.className = "confirmation";
    dialogue.id = "confirmation";
    dialogue.setAttribute("aria-labelledby", "confirmation-titre");
    dialogue.setAttribute("aria-describedby", "confirmation-texte");
    var titre = document.createElement("h2");
    titre.id = "confirmation-titre";
    titre.textContent = "Confirmation";
    texte = document.createElement("p");
    texte.id = "confirmation-texte";
    var barre = document.createElement("div");
    barre.className = "barre-actions";
    annuler = document.createElement("button");
    annuler.type = "button";
    annuler.className = "bouton secondaire";
    annuler.textContent = "Annuler";
    confirmer = document.createElement("button");
    confirmer.type = "button";
    confirmer.className = "bouton danger";
    annuler.addEventListener("click", function () { terminer(false); });
    confirmer.addEventListener("click", function () { terminer(true); });
    // Escape (or the browser) closed the dialog: a cancel. The close event is queued, not
    // dispatched at once: by the time it arrives the dialog may have been reopened by a quick
    // keypress (input events go first under load), so it only cancels a dialog still closed;
    // the buttons settle the pending action synchronously in terminer().
    dialogue.addEventListener("close", function () {
      if (!dialogue.open && en_attente) { terminer(false); }
    });
    barre.appendChild(annuler);
    barre.appendChild(confirmer);
    dialogue.appendChild(titre);
    dialogue.appendChild(texte);
    dialogue.appendChild(barre);
    document.body.appendChild(dialogue);
  }

  function libelle(element) {
    return (element && (element.dataset.confirmerBouton || element.textContent.trim())) || "Confirmer";
  }

  function ouvrir(form, submitter, question) {
    if (!dialogue) { construire(); }
    en_attente = { form: form, submitter: submitter };
    texte.textContent = question;
    confirmer.textContent = submitter ? libelle(submitter) : libelle(form.querySelector("[type=submit]"));
    if (form.dataset.confirmerBouton) { confirmer.textContent = form.dataset.confirmerBouton; }
    dialogue.showModal();
    annuler.focus();
  }

  function terminer(confirmee) {
    var action = en_attente;
    en_attente = null;
    if (dialogue.open) { dialogue.close(); }
    if (!action) { return; }
    if (confirmee && action.form.isConnected) {
      confirme = action.form;
      try {
        if (action.form.requestSubmit) {
          action.form.requestSubmit(action.submitter || undefined);
        } else {
          action.form.submit();
        }
      } finally {
        confirme = null;
      }
      return;
    }
    var retour = action.submitter || action.form.querySelector("[type=submit]");
    if (retour && retour.isConnected) { retour.focus(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form === confirme) { return; }
    var submitter = event.submitter || null;
    var question = (submitter && submitter.dataset.confirmer) ||
      form.dataset.confirmer || form.dataset.confirm;
    if (!question) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ouvrir(form, submitter, question);
  }, true);
})();
