"""Book apprenant pages. Views are thin: gate → permission → accessor (queries_book) → form →
service (services_book) → redirect or render.

The module exists only once the DDFPT has activated it: `book_active_requis` (on every view of
urls_book.py, tested over the whole URL list) answers a French 403 page otherwise.
"""

import os
import re
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse
from pfmp import queries_book as queries
from pfmp import services_book as services
from pfmp.forms_book import (
    CommentaireForm,
    ExportForm,
    MediasForm,
    NouvellePublicationForm,
    PublicationForm,
)

MESSAGE_INACTIF = (
    "Le book apprenant n'est pas activé dans votre établissement. Le DDFPT peut l'activer."
)
CHAMPS_PUBLICATION = (
    "titre",
    "description",
    "situation",
    "lieu",
    "date",
    "taches",
    "competences",
    "mise_en_avant",
)


def book_active_requis(view):
    """403 with a French explanation while the establishment has not activated the book."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.etablissement.book_active:
            return render(
                request, "pfmp/book/inactif.html", {"message": MESSAGE_INACTIF}, status=403
            )
        return view(request, *args, **kwargs)

    wrapped.cpro_book = True
    return wrapped


def _exiger_lecture(request) -> None:
    """Learners (their own book) and the team (their learners' books) read publications."""
    if not ({perms.MON_BOOK, perms.VOIR_BOOK} & request.cpro_perms):
        raise PermissionDenied


def _referentiel(apprenant) -> dict:
    diplome = apprenant.division.diplome if apprenant.division_id else None
    return queries.referentiel_groupe(diplome)


def _url_publication(request, publication, ancre: str = "") -> str:
    url = etab_reverse(request, "pfmp:book_publication", pk=publication.pk)
    return f"{url}#{ancre}" if ancre else url


# --- the learner's book ----------------------------------------------------------------------


@require_GET
@book_active_requis
@permission_requise(perms.MON_BOOK)
def mon_book(request: HttpRequest) -> HttpResponse:
    apprenant = queries.apprenant_connecte(request)
    publications = list(queries.publications_du_book(apprenant))
    return render(
        request,
        "pfmp/book/mon_book.html",
        {
            "apprenant": apprenant,
            "publications": publications,
            "nb_mises_en_avant": sum(p.mise_en_avant for p in publications),
            "limites": services.limites(),
            "export_form": ExportForm(),
            "proprietaire": True,
        },
    )


@require_http_methods(["GET", "POST"])
@book_active_requis
@permission_requise(perms.MON_BOOK)
def publication_creer(request: HttpRequest) -> HttpResponse:
    apprenant = queries.apprenant_connecte(request)
    form = NouvellePublicationForm(
        request.POST or None, request.FILES or None, **_referentiel(apprenant)
    )
    if request.method == "POST" and form.is_valid():
        champs = {k: form.cleaned_data[k] for k in CHAMPS_PUBLICATION}
        publication = appliquer_service(
            form,
            lambda: services.creer_publication(
                apprenant, par=request.user, fichiers=form.cleaned_data["fichiers"], **champs
            ),
        )
        if publication is not None:
            messages.success(request, f"« {publication.titre} » est publiée dans votre book.")
            return redirect(_url_publication(request, publication))
    return render(
        request,
        "pfmp/book/formulaire.html",
        {"form": form, "publication": None, "limites": services.limites()},
    )


@require_http_methods(["GET", "POST"])
@book_active_requis
@permission_requise(perms.MON_BOOK)
def publication_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    publication = queries.ma_publication(request, pk)
    initial = {k: getattr(publication, k) for k in CHAMPS_PUBLICATION[:5]}
    initial["mise_en_avant"] = publication.mise_en_avant
    initial["taches"] = list(publication.taches.all())
    initial["competences"] = list(publication.competences.all())
    form = PublicationForm(
        request.POST or None, initial=initial, **_referentiel(publication.apprenant)
    )
    if request.method == "POST" and form.is_valid():
        champs = {k: form.cleaned_data[k] for k in CHAMPS_PUBLICATION}
        if appliquer_service(
            form, lambda: services.modifier_publication(publication, par=request.user, **champs)
        ):
            messages.success(request, "Publication enregistrée.")
            return redirect(_url_publication(request, publication))
    return render(
        request,
        "pfmp/book/formulaire.html",
        {"form": form, "publication": publication, "limites": services.limites()},
    )


@require_http_methods(["GET", "POST"])
@book_active_requis
@permission_requise(perms.MON_BOOK)
def publication_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    publication = queries.ma_publication(request, pk)
    if request.method == "POST":
        titre = publication.titre
        services.supprimer_publication(publication, par=request.user)
        messages.success(request, f"« {titre} » a été supprimée de votre book.")
        return redirect(etab_reverse(request, "pfmp:mon_book"))
    return render(
        request,
        "pfmp/book/supprimer.html",
        {
            "publication": publication,
            "nb_medias": len(publication.medias.all()),
            "nb_commentaires": publication.commentaires.count(),
        },
    )


@require_http_methods(["GET", "POST"])
@book_active_requis
@permission_requise(perms.MON_BOOK)
def publication_medias(request: HttpRequest, pk: int) -> HttpResponse:
    publication = queries.ma_publication(request, pk)
    form = MediasForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ajoutes = appliquer_service(
            form,
            lambda: services.ajouter_medias(
                publication,
                form.cleaned_data["fichiers"],
                par=request.user,
                legende=form.cleaned_data["legende"],
            ),
        )
        if ajoutes:
            n = len(ajoutes)
            messages.success(
                request, f"{n} fichier{'s' if n > 1 else ''} ajouté{'s' if n > 1 else ''}."
            )
            return redirect(etab_reverse(request, "pfmp:book_medias", pk=publication.pk))
    medias = list(publication.medias.all())
    return render(
        request,
        "pfmp/book/medias.html",
        {
            "publication": publication,
            "medias": medias,
            "form": form,
            "limites": services.limites(),
            "place": max(0, services.limites()["medias"] - len(medias)),
        },
    )


@require_POST
@book_active_requis
@permission_requise(perms.MON_BOOK)
def media_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    media = queries.mon_media(request, pk)
    publication_id = media.publication_id
    services.supprimer_media(media, par=request.user)
    messages.success(request, "Le fichier a été retiré de la publication.")
    return redirect(etab_reverse(request, "pfmp:book_medias", pk=publication_id))


# --- reading (learner and team) --------------------------------------------------------------


@require_GET
@book_active_requis
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    _exiger_lecture(request)
    pub = queries.publication_pour(request, pk)
    peut_commenter = services.peut_commenter(request.membership)
    return render(
        request,
        "pfmp/book/publication.html",
        {
            "publication": pub,
            "apprenant": pub.apprenant,
            "proprietaire": perms.MON_BOOK in request.cpro_perms,
            "peut_commenter": peut_commenter,
            "commentaire_form": CommentaireForm() if peut_commenter else None,
        },
    )


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _morceaux(fichier, reste: int, taille: int = 64 * 1024):
    """Stream `reste` bytes from the current position (a video is never loaded in memory)."""
    try:
        while reste > 0:
            bloc = fichier.read(min(taille, reste))
            if not bloc:
                break
            reste -= len(bloc)
            yield bloc
    finally:
        fichier.close()


def _reponse_media(request, media) -> HttpResponse:
    """The stored file with its stored content type, inline, never sniffed. Honours a single
    byte range (mobile browsers need it to play videos)."""
    try:
        fichier = media.fichier.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Fichier introuvable") from exc
    taille = media.fichier.size
    nom = f"{media.type.lower()}-{media.pk}{os.path.splitext(media.fichier.name)[1]}"
    plage = _RANGE.match(request.headers.get("Range", ""))
    if plage and (plage[1] or plage[2]):
        if plage[1]:
            debut = int(plage[1])
            fin = min(int(plage[2]), taille - 1) if plage[2] else taille - 1
        else:
            debut, fin = max(0, taille - int(plage[2])), taille - 1
        if debut > fin or debut >= taille:
            fichier.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{taille}"
            return response
        fichier.seek(debut)
        response = StreamingHttpResponse(
            _morceaux(fichier, fin - debut + 1), status=206, content_type=media.content_type
        )
        response["Content-Length"] = str(fin - debut + 1)
        response["Content-Range"] = f"bytes {debut}-{fin}/{taille}"
        response["Content-Disposition"] = f'inline; filename="{nom}"'
    else:
        response = FileResponse(
            fichier, as_attachment=False, filename=nom, content_type=media.content_type
        )
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@book_active_requis
def book_media(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo or video, visibility re-checked on every request (no public URL)."""
    _exiger_lecture(request)
    return _reponse_media(request, queries.media_pour(request, pk))


@require_POST
@book_active_requis
@permission_requise(perms.VOIR_BOOK)
def commenter(request: HttpRequest, pk: int) -> HttpResponse:
    pub = queries.publication_pour(request, pk)
    if not services.peut_commenter(request.membership):
        raise PermissionDenied
    form = CommentaireForm(request.POST)
    if form.is_valid() and appliquer_service(
        form,
        lambda: services.commenter_publication(
            pub, par=request.user, texte=form.cleaned_data["texte"]
        ),
    ):
        messages.success(request, "Votre commentaire est publié.")
        return redirect(_url_publication(request, pub, "commentaires"))
    return render(
        request,
        "pfmp/book/publication.html",
        {
            "publication": pub,
            "apprenant": pub.apprenant,
            "proprietaire": False,
            "peut_commenter": True,
            "commentaire_form": form,
        },
    )


# --- the team's view -------------------------------------------------------------------------


@require_GET
@book_active_requis
@permission_requise(perms.VOIR_BOOK)
def books(request: HttpRequest) -> HttpResponse:
    divisions = list(queries.divisions_du_diplome(request))
    choisie = None
    valeur = request.GET.get("division", "")
    if valeur:
        choisie = next((d for d in divisions if str(d.pk) == valeur), None)
        if choisie is None:
            raise Http404("Division inconnue")
    apprenants = list(queries.page_books(request, choisie)) if divisions else []
    return render(
        request,
        "pfmp/book/books.html",
        {"divisions": divisions, "division": choisie, "apprenants": apprenants},
    )


@require_GET
@book_active_requis
@permission_requise(perms.VOIR_BOOK)
def book_apprenant(request: HttpRequest, apprenant: int) -> HttpResponse:
    eleve = queries.apprenant_pour(request, apprenant)
    publications = list(queries.publications_du_book(eleve))
    return render(
        request,
        "pfmp/book/apprenant.html",
        {
            "apprenant": eleve,
            "publications": publications,
            "nb_mises_en_avant": sum(p.mise_en_avant for p in publications),
            "export_form": ExportForm(),
            "proprietaire": False,
        },
    )


# --- export ----------------------------------------------------------------------------------


@require_POST
@book_active_requis
def exporter(request: HttpRequest, apprenant: int | None = None) -> HttpResponse:
    """The learner exports their own book; the team exports a learner's (kwargs)."""
    if apprenant is None:
        perms.exiger(request, perms.MON_BOOK)
        eleve, equipe = queries.apprenant_connecte(request), False
    else:
        perms.exiger(request, perms.VOIR_BOOK)
        eleve, equipe = queries.apprenant_pour(request, apprenant), True
    form = ExportForm(request.POST)
    mises_en_avant = form.is_valid() and form.cleaned_data["mises_en_avant"]
    job = services.demander_export(
        eleve, par=request.user, equipe=equipe, mises_en_avant=mises_en_avant
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
