"""Small helpers shared by every module's views and services."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

URL_MAX = 1000


def appliquer_service(form, action):
    """Run a service call; its ValidationError becomes errors of `form` (field errors on their
    field when the form has it, others on the form). Returns the result, or None on error."""
    try:
        return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for champ, erreurs in exc.error_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            form.add_error(None, exc)
        return None


def messages_erreur(request, exc: ValidationError) -> None:
    """Show every message of a service's ValidationError as a flash message."""
    for message in exc.messages:
        messages.error(request, message)


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
