"""Core pages: platform root, establishment home per role, diplôme choice, personal space,
export progress and download, audit log."""

from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import journal as journal_lecture
from cpro import perms, queries, services
from cpro.auth import ROLES_MFA, mfa_active
from cpro.forms import ChoixDiplomeForm
from cpro.models import ExportJob, Membership, Role
from cpro.tenancy import choisir_diplome, diplomes_accessibles, public, sans_diplome
from cpro.urls_tools import etab_reverse


@require_GET
def accueil_plateforme(request: HttpRequest) -> HttpResponse:
    memberships = []
    if request.user.is_authenticated:
        memberships = (
            Membership.objects.filter(user=request.user, active=True)
            .select_related("etablissement")
            .order_by("etablissement__nom")
        )
    return render(request, "cpro/accueil_plateforme.html", {"memberships": memberships})


@require_POST
@public
def deconnexion(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(etab_reverse(request, "etab:connexion"))


_ACCUEILS = {
    Role.ENSEIGNANT: "cpro/accueil/equipe.html",
    Role.DDFPT: "cpro/accueil/equipe.html",
    Role.CHEF: "cpro/accueil/equipe.html",
    Role.TUTEUR: "cpro/accueil/tuteur.html",
    Role.APPRENANT: "cpro/accueil/apprenant.html",
}


@require_GET
def accueil(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    ctx = {}
    if membership.role == Role.APPRENANT:
        ctx["apprenant"] = getattr(membership, "apprenant", None)
    return render(request, _ACCUEILS[membership.role], ctx)


@require_http_methods(["GET", "POST"])
@sans_diplome
def choix_diplome(request: HttpRequest) -> HttpResponse:
    perms.exiger(request, perms.CHOISIR_DIPLOME)
    diplomes = diplomes_accessibles(request.membership)
    form = ChoixDiplomeForm(
        request.POST or None,
        diplomes=diplomes,
        initial={"next": request.GET.get("next", ""), "diplome": request.diplome},
    )
    if request.method == "POST" and form.is_valid():
        choisir_diplome(request, form.cleaned_data["diplome"])
        nxt = form.cleaned_data["next"]
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect(etab_reverse(request, "etab:accueil"))
    return render(request, "cpro/choix_diplome.html", {"form": form, "aucun": not diplomes})


@require_GET
@sans_diplome
def espace_personnel(request: HttpRequest) -> HttpResponse:
    # The optional second factor is offered to DDFPT and chef only (cpro.auth guards the pages).
    ctx = {"mfa_proposee": request.membership.role in ROLES_MFA}
    if ctx["mfa_proposee"]:
        ctx["mfa_active"] = mfa_active(request.user)
    return render(request, "cpro/espace_personnel.html", ctx)


@require_GET
@sans_diplome
def export_etat(request: HttpRequest, job_id: str) -> HttpResponse:
    job = services.verifier_export(queries.export_pour(request, job_id))
    template = "cpro/_export_etat.html" if request.htmx else "cpro/export_etat.html"
    return render(request, template, {"job": job})


@require_GET
@sans_diplome
def export_telecharger(request: HttpRequest, job_id: str) -> HttpResponseBase:
    job = queries.export_pour(request, job_id)
    # Only a finished job's complete file: a job points to its file only once it is DONE.
    if job.status != ExportJob.Status.TERMINE or not job.file:
        raise Http404("Fichier non disponible")
    try:
        fichier = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier non disponible") from None
    return FileResponse(
        fichier,
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )


@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    perms.exiger(request, perms.VOIR_JOURNAL)
    etablissement = request.etablissement
    filtres = {k: v for k, v in request.GET.items() if k != "page"}
    form = journal_lecture.FiltreJournalForm(filtres or None, etablissement=etablissement)
    entrees = journal_lecture.filtrer(queries.journal(etablissement), form)
    page = Paginator(entrees, journal_lecture.PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cpro/journal.html",
        {
            "page": page,
            "form": form,
            "filtre": bool(filtres),
            "lignes": journal_lecture.lignes(page.object_list, etablissement),
            "parametres": journal_lecture.parametres_filtres(form),
        },
    )


@require_POST
def journal_exporter(request: HttpRequest) -> HttpResponse:
    perms.exiger(request, perms.VOIR_JOURNAL)
    job = services.lancer_export(
        etablissement=request.etablissement, par=request.user, kind="journal_csv"
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon (downloads, PDFs). The static
    URL is resolved here, at request time: at import time the production manifest may not
    exist yet (manage.py check, collectstatic)."""
    return HttpResponsePermanentRedirect(static("cpro/favicon.svg"))
