// Progressive enhancement only: without this file the « Afficher » button submits the choice.
(function () {
  "use strict";
  // Changing the division or the learner shows the new choice at once. A new division
  // drops the learner, so that the page opens on that division's first learner.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[data-bilans-auto]")) { return; }
    var form = select.form;
    if (select.name === "division") {
      var apprenant = form.querySelector("select[name=apprenant]");
      if (apprenant) { apprenant.disabled = true; }
    }
    form.submit();
  });
})();
