// Administration pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  // <form data-confirm="Question ?">: asked by confirmation.js (a <dialog>, every page).
  // <select data-auto-submit>: submit the filter form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-auto-submit]") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });
})();
