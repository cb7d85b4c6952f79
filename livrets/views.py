"""Livret pages: the team's list « Livrets des apprentis », one livret (team, apprentice,
maître d'apprentissage by account), the maître d'apprentissage's list, the apprentice's own
livret, and the signed-link pages of a maître d'apprentissage without an account.

Views are thin: accessor (livrets.queries) → form → service (livrets.services) → redirect.
Another establishment's or another apprentice's livret answers 404 (the accessor); an action
one may not do on a livret one sees answers 403. The signed-link views are public: they rely
on pfmp's tutor-link session grant (pfmp.queries_portfolio), re-checked on every request.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import messages_erreur
from cpro.models import AnneeScolaire, Statut
from cpro.perms import permission_requise
from cpro.tenancy import public
from cpro.urls_tools import etab_reverse
from livrets import queries, services
from livrets.forms import LienForm, ObservationForm, VisiteForm
from livrets.models import Auteur, PriseConnaissance
from pfmp import queries_portfolio as pfmp_queries
from pfmp import services_portfolio as pfmp_services

LECTEURS = (perms.VOIR_LIVRETS, perms.MON_LIVRET, perms.LIVRETS_TUTEUR)


def _exiger_une(request, *noms: str) -> None:
    if not any(nom in request.cpro_perms for nom in noms):
        raise PermissionDenied


def _erreurs_form(request, form) -> None:
    for erreurs in form.errors.values():
        for e in erreurs:
            messages.error(request, e)


def _url_livret(request, affectation) -> str:
    return (
        etab_reverse(
            request,
            "livrets:livret",
            annee=affectation.periode.annee.debut,
            pk=affectation.apprenant_id,
        )
        + f"#periode-{affectation.pk}"
    )


def _droits(request) -> dict:
    granted = request.cpro_perms
    return {
        "suivre": perms.SUIVRE_LIVRETS in granted,
        "maitre": perms.LIVRETS_TUTEUR in granted,
        "apprenti": perms.MON_LIVRET in granted,
        "equipe": perms.VOIR_LIVRETS in granted,
        "par_lien": False,
    }


def _page_livret(request, apprenant, annee) -> HttpResponse:
    maitre = request.membership if perms.LIVRETS_TUTEUR in request.cpro_perms else None
    contenu = queries.contenu_livret(apprenant, annee, maitre=maitre)
    return render(
        request,
        "livrets/livret.html",
        {
            "contenu": contenu,
            "droits": _droits(request),
            "visite_form": VisiteForm(),
            "natures": VisiteForm.base_fields["nature"].choices,
            "lien_form": LienForm(),
            "peut_exporter": perms.VOIR_LIVRETS in request.cpro_perms
            or perms.MON_LIVRET in request.cpro_perms,
        },
    )


# --- lists ------------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_LIVRETS)
def liste(request: HttpRequest) -> HttpResponse:
    """« Livrets des apprentis »: every apprentice of the chosen diplôme, with his livret's
    status for the year (à jour / en retard, with the reasons)."""
    courante = AnneeScolaire.courante()
    try:
        debut = int(request.GET.get("annee", courante.debut))
    except ValueError:
        debut = courante.debut
    annees = list(AnneeScolaire.objects.order_by("-debut"))
    annee = next((a for a in annees if a.debut == debut), courante)
    lignes = queries.lignes_livrets(request, annee)
    return render(
        request,
        "livrets/liste.html",
        {
            "annee": annee,
            "annees": annees,
            "lignes": lignes,
            "nb_en_retard": sum(1 for ligne in lignes if ligne.etat.en_retard),
        },
    )


@require_GET
@permission_requise(perms.LIVRETS_TUTEUR)
def tuteur(request: HttpRequest) -> HttpResponse:
    """« Livrets de mes apprentis »: the maître d'apprentissage's apprentices, by year."""
    return render(request, "livrets/tuteur.html", {"lignes": queries.livrets_du_maitre(request)})


@require_GET
@permission_requise(perms.MON_LIVRET)
def mon_livret(request: HttpRequest) -> HttpResponse:
    """The apprentice's livret of the current year; a scolaire learner reads that the livret
    is for apprentices only (his périodes are followed in his portfolio)."""
    apprenant = getattr(request.membership, "apprenant", None)
    if apprenant is None or apprenant.statut != Statut.APPRENTI:
        return render(request, "livrets/pas_de_livret.html")
    return _page_livret(request, apprenant, AnneeScolaire.courante())


# --- one livret -------------------------------------------------------------------------------


@require_GET
def livret(request: HttpRequest, annee: int, pk: int) -> HttpResponse:
    """One apprentice's livret for one year: périodes read from pfmp, observations, visits,
    acknowledgements; the forms of what the visitor may write."""
    _exiger_une(request, *LECTEURS)
    apprenant = queries.apprenti_pour(request, pk)
    return _page_livret(request, apprenant, queries.annee_pour(annee))


@require_POST
def exporter(request: HttpRequest, annee: int, pk: int) -> HttpResponse:
    """Queue the livret's PDF (export pipeline) and show the job's progress page."""
    _exiger_une(request, perms.VOIR_LIVRETS, perms.MON_LIVRET)
    apprenant = queries.apprenti_pour(request, pk)
    job = services.demander_pdf(
        apprenant,
        queries.annee_pour(annee),
        par=request.user,
        equipe=perms.VOIR_LIVRETS in request.cpro_perms,
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


@require_POST
def observation(request: HttpRequest, pk: int) -> HttpResponse:
    """The teacher's (SUIVRE_LIVRETS) or the maître d'apprentissage's (account) observation of
    a période."""
    _exiger_une(request, perms.SUIVRE_LIVRETS, perms.LIVRETS_TUTEUR)
    affectation = queries.affectation_pour(request, pk)
    auteur = Auteur.ENSEIGNANT if perms.SUIVRE_LIVRETS in request.cpro_perms else Auteur.MAITRE
    form = ObservationForm(request.POST)
    if form.is_valid():
        try:
            services.observer(
                affectation, auteur=auteur, texte=form.cleaned_data["texte"], par=request.user
            )
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, "Observation enregistrée.")
    else:
        _erreurs_form(request, form)
    return redirect(_url_livret(request, affectation))


@require_POST
@permission_requise(perms.SUIVRE_LIVRETS)
def visite(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher records a visit, an entretien or a call for a période."""
    affectation = queries.affectation_pour(request, pk)
    form = VisiteForm(request.POST)
    if form.is_valid():
        try:
            services.ajouter_visite(affectation, par=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, "Suivi enregistré.")
    else:
        _erreurs_form(request, form)
    return redirect(_url_livret(request, affectation))


@require_POST
def pris_connaissance(request: HttpRequest, pk: int) -> HttpResponse:
    """« Pris connaissance »: the maître d'apprentissage (account) or the apprentice."""
    _exiger_une(request, perms.LIVRETS_TUTEUR, perms.MON_LIVRET)
    affectation = queries.affectation_pour(request, pk)
    qui = (
        PriseConnaissance.Qui.MAITRE
        if perms.LIVRETS_TUTEUR in request.cpro_perms
        else PriseConnaissance.Qui.APPRENTI
    )
    try:
        services.prendre_connaissance(affectation, qui=qui, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, "Prise de connaissance enregistrée.")
    return redirect(_url_livret(request, affectation))


@require_POST
@permission_requise(perms.SUIVRE_LIVRETS)
def lien_creer(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed link for the maître d'apprentissage without an account (shown once)."""
    affectation = queries.affectation_pour(request, pk)
    form = LienForm(request.POST)
    if form.is_valid():
        try:
            url = services.creer_lien_maitre(
                affectation,
                par=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(
                request,
                "Lien du maître d'apprentissage créé. Copiez-le maintenant, il ne sera plus "
                f"affiché : {url}",
            )
    else:
        _erreurs_form(request, form)
    return redirect(_url_livret(request, affectation))


# --- the maître d'apprentissage's signed link -----------------------------------------------


def _lien_invalide(request, status: int) -> HttpResponse:
    return render(request, "livrets/lien_invalide.html", {"status": status}, status=status)


@public
@require_GET
def acces_tuteur(request: HttpRequest, token: str) -> HttpResponse:
    """Open the maître d'apprentissage's link (pfmp's LienTuteur token): a valid one stores its
    grant in the session and leads to the livret of that période; revoked or expired → 410,
    forged → 404."""
    lien, valide = pfmp_services.lien_depuis_token(token)
    if lien is None or lien.affectation.periode.etablissement_id != request.etablissement.pk:
        return _lien_invalide(request, 404)
    if not valide:
        return _lien_invalide(request, 410)
    request.session.cycle_key()
    pfmp_queries.accorder_lien(request, lien)
    pfmp_services.utiliser_lien(lien)
    return redirect(etab_reverse(request, "livrets:lien", pk=lien.affectation_id))


@public
@require_http_methods(["GET", "POST"])
def lien(request: HttpRequest, pk: int) -> HttpResponse:
    """The période of the livret opened by the maître d'apprentissage's link: he reads it,
    writes his observation and acknowledges."""
    try:
        lien = pfmp_queries.lien_de_session(request, pk)
    except pfmp_queries.LienExpire:
        return _lien_invalide(request, 410)
    affectation = lien.affectation
    if affectation.apprenant.statut != Statut.APPRENTI:
        raise Http404("Livret introuvable")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "observation":
                form = ObservationForm(request.POST)
                if not form.is_valid():
                    _erreurs_form(request, form)
                    return redirect(request.path)
                services.observer(
                    affectation, auteur=Auteur.MAITRE, texte=form.cleaned_data["texte"], lien=lien
                )
                messages.success(request, "Observation enregistrée.")
            elif action == "pris_connaissance":
                services.prendre_connaissance(
                    affectation, qui=PriseConnaissance.Qui.MAITRE, lien=lien
                )
                messages.success(request, "Prise de connaissance enregistrée.")
            else:
                messages.error(request, "Action inconnue.")
        except ValidationError as exc:
            messages_erreur(request, exc)
        return redirect(request.path)
    # Only the link's période: the other périodes may be with another company.
    contenu = queries.contenu_livret(affectation.apprenant, affectation.periode.annee)
    periodes = [p for p in contenu.periodes if p.affectation.pk == affectation.pk]
    return render(
        request,
        "livrets/lien.html",
        {
            "lien": lien,
            "apprenant": affectation.apprenant,
            "periodes": periodes,
            "droits": {
                "suivre": False,
                "maitre": True,
                "apprenti": False,
                "equipe": False,
                "par_lien": True,
            },
        },
    )
