"""Resources of a fiche (scénario, évaluation): link and title rules, the upload and link
forms of the Ressources tab, the download of a stored file; and the deletion of stored files
once their rows are gone (also used by the RGPD erasure and the PFMP book)."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect

from cpro.erreurs_vues import appliquer_service

URL_MAX = 1000


def valider_lien(url: str) -> str:
    """A resource link: http or https only, at most URL_MAX characters. Returns it stripped;
    raises ValidationError({"url": <French message>})."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "L'adresse du lien est obligatoire."})
    if len(url) > URL_MAX:
        raise ValidationError({"url": f"L'adresse ne peut pas dépasser {URL_MAX} caractères."})
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValidationError(
            {"url": "Seules les adresses commençant par http:// ou https:// sont acceptées."}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": "Cette adresse n'est pas valide."}) from exc
    return url


RESSOURCE_TITRE_MAX = 255


def titre_ressource(titre: str, defaut: str = "") -> str:
    """The title of a resource (file or link): stripped, `defaut` when empty, at most
    RESSOURCE_TITRE_MAX characters; raises ValidationError({"titre": …})."""
    titre = (titre or "").strip() or defaut.strip()
    if not titre:
        raise ValidationError({"titre": "Le titre de la ressource est obligatoire."})
    if len(titre) > RESSOURCE_TITRE_MAX:
        raise ValidationError(
            {"titre": f"Le titre ne peut pas dépasser {RESSOURCE_TITRE_MAX} caractères."}
        )
    return titre


def supprimer_fichiers_apres_commit(*noms: str, storage) -> None:
    """Delete stored files once the deletion of their rows is committed (never before: a
    rolled-back deletion keeps its files)."""
    noms = [n for n in noms if n]
    if noms:

        def supprimer():
            for nom in noms:
                storage.delete(nom)

        transaction.on_commit(supprimer)


# --- resources of scénarios and évaluations (same tab, same rules) ---------------------------


class FichierForm(forms.Form):
    titre = forms.CharField(
        label="Titre (facultatif)", required=False, max_length=RESSOURCE_TITRE_MAX
    )
    fichier = forms.FileField(
        label="Fichier",
        error_messages={
            "required": "Choisissez un fichier à déposer.",
            "empty": "Le fichier est vide.",
            "invalid": "Ce fichier n'a pas pu être lu.",
        },
    )


class LienForm(forms.Form):
    titre = forms.CharField(
        label="Titre (facultatif)", required=False, max_length=RESSOURCE_TITRE_MAX
    )
    url = forms.CharField(
        label="Adresse (http:// ou https://)",
        max_length=URL_MAX,
        error_messages={"required": "L'adresse du lien est obligatoire."},
        widget=forms.URLInput,
    )


def ajouter_ressource(request, objet, services, url_retour: str):
    """The POST of a resources tab (`action=fichier`: upload, `action=lien`): validates the form,
    calls `services.ajouter_fichier` / `services.ajouter_lien` on `objet`, their errors shown on
    the form. Returns (fichier_form, lien_form, redirect to `url_retour` once added, else None)."""
    action = request.POST.get("action") if request.method == "POST" else None
    fichier_form = FichierForm(
        request.POST if action == "fichier" else None,
        request.FILES if action == "fichier" else None,
        prefix="f",
    )
    lien_form = LienForm(request.POST if action == "lien" else None, prefix="l")
    if action == "fichier" and fichier_form.is_valid():
        d = fichier_form.cleaned_data
        if appliquer_service(
            fichier_form,
            lambda: services.ajouter_fichier(
                objet, titre=d["titre"], fichier=d["fichier"], par=request.user
            ),
        ):
            messages.success(request, "Le fichier est ajouté aux ressources.")
            return fichier_form, lien_form, redirect(url_retour)
    elif action == "lien" and lien_form.is_valid():
        d = lien_form.cleaned_data
        if appliquer_service(
            lien_form,
            lambda: services.ajouter_lien(objet, titre=d["titre"], url=d["url"], par=request.user),
        ):
            messages.success(request, "Le lien est ajouté aux ressources.")
            return fichier_form, lien_form, redirect(url_retour)
    return fichier_form, lien_form, None


def telecharger_ressource(ressource) -> FileResponse:
    """A file resource as an attachment (nosniff), never under a public URL; a link or a
    missing file → 404. The caller has checked who may read it."""
    if ressource.type != "FICHIER" or not ressource.fichier:
        raise Http404("Ce n'est pas un fichier")
    try:
        fichier = ressource.fichier.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable") from exc
    response = FileResponse(
        fichier,
        as_attachment=True,
        filename=ressource.nom_fichier or ressource.fichier.name.rsplit("/", 1)[-1],
        content_type=ressource.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
