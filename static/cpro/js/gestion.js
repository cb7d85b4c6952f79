// Administration pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  // <form data-confirm="Question ?">: ask before submitting a sensitive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // <select data-auto-submit>: submit the filter form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-auto-submit]") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });
})();
