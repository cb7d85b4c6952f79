// Book apprenant — progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  var PHOTOS = ["jpg", "jpeg", "png", "webp"];
  var VIDEOS = ["mp4", "webm", "mov"];

  function extension(nom) {
    var i = nom.lastIndexOf(".");
    return i < 0 ? "" : nom.slice(i + 1).toLowerCase();
  }

  function mo(octets) {
    return (octets / (1024 * 1024)).toFixed(1).replace(".", ",") + " Mo";
  }

  // Selected files: list them and warn before sending what the server would refuse.
  function resumer(input) {
    var sortie = input.form && input.form.querySelector(".book-selection");
    if (!sortie) {
      sortie = document.createElement("p");
      sortie.className = "book-selection discret";
      sortie.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", sortie);
    }
    var fichiers = Array.prototype.slice.call(input.files || []);
    var maxPhoto = parseInt(input.dataset.maxPhoto || "0", 10);
    var maxVideo = parseInt(input.dataset.maxVideo || "0", 10);
    var problemes = [];
    fichiers.forEach(function (f) {
      var ext = extension(f.name);
      if (PHOTOS.indexOf(ext) >= 0) {
        if (maxPhoto && f.size > maxPhoto) { problemes.push(f.name + " dépasse " + mo(maxPhoto)); }
      } else if (VIDEOS.indexOf(ext) >= 0) {
        if (maxVideo && f.size > maxVideo) { problemes.push(f.name + " dépasse " + mo(maxVideo)); }
      } else {
        problemes.push(f.name + " n'est pas une photo ou une vidéo acceptée");
      }
    });
    sortie.hidden = fichiers.length === 0;
    sortie.classList.toggle("erreur", problemes.length > 0);
    sortie.textContent = fichiers.length + " fichier" + (fichiers.length > 1 ? "s" : "") +
      " choisi" + (fichiers.length > 1 ? "s" : "") +
      (problemes.length ? " — attention : " + problemes.join(" ; ") + "." : ".");
  }

  document.addEventListener("change", function (event) {
    var cible = event.target;
    if (cible.matches("input[type=file][name=fichiers]")) { resumer(cible); }
  });
})();
