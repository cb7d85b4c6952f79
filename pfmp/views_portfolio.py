"""Portfolio pages: journal de bord, fiches activités, bilan entreprise, the learners' and
tutors' lists, and the tutors' signed links. Views are thin: accessor (queries_portfolio) →
form → service (services_portfolio) → redirect or render.

Another establishment's or another learner's portfolio answers 404 (the accessor); an action
one may not do on a portfolio one sees answers 403. The three link views are public (no
account): they rely on the session grant, re-checked on every request.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import messages_erreur
from cpro.perms import permission_requise
from cpro.tenancy import public
from cpro.urls_tools import etab_reverse
from evaluations.services import MESSAGE_VERROUILLEE
from pfmp import queries_portfolio as queries
from pfmp import services_portfolio as services
from pfmp.forms_portfolio import (
    BilanForm,
    CommentaireFicheForm,
    FicheForm,
    LienForm,
    SemaineForm,
    TexteForm,
)
from pfmp.models import BilanEntreprise, FicheActivite

ONGLETS = (
    ("journal", "pfmp:portfolio", "Journal de bord"),
    ("fiches", "pfmp:portfolio_fiches", "Fiches activités entreprise"),
    ("bilan", "pfmp:bilan_entreprise", "Bilan entreprise"),
)


# --- helpers --------------------------------------------------------------------------------


def _erreurs(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.error_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc)


def _contexte(request, affectation, onglet: str, **extra) -> dict:
    droits = queries.droits(request, affectation)
    onglets = [
        {
            "code": code,
            "libelle": libelle,
            "url": etab_reverse(request, name, pk=affectation.pk),
            "actif": code == onglet,
        }
        for code, name, libelle in ONGLETS
    ]
    return {
        "affectation": affectation,
        "periode": affectation.periode,
        "apprenant": affectation.apprenant,
        "droits": droits,
        "onglet": onglet,
        "onglets": onglets,
        **extra,
    }


def _url_portfolio(request, affectation, ancre: str = "") -> str:
    url = etab_reverse(request, "pfmp:portfolio", pk=affectation.pk)
    return f"{url}#{ancre}" if ancre else url


def _exiger_apprenant(request, affectation):
    if not queries.droits(request, affectation).ecrire:
        raise PermissionDenied


# --- lists ----------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.MON_PORTFOLIO)
def mes_portfolios(request: HttpRequest) -> HttpResponse:
    """The learner's portfolios (non-archived), newest période first."""
    return render(
        request,
        "pfmp/portfolio/mes_portfolios.html",
        {"affectations": queries.mes_portfolios(request)},
    )


@require_GET
@permission_requise(perms.PORTFOLIOS_TUTEUR)
def tuteur_apprenants(request: HttpRequest) -> HttpResponse:
    """The tutor's learners, for their périodes only."""
    return render(
        request,
        "pfmp/portfolio/tuteur_apprenants.html",
        {"affectations": queries.apprenants_du_tuteur(request)},
    )


# --- journal de bord ------------------------------------------------------------------------


@require_GET
def portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """The journal de bord tab (entreprise, objectives, weeks, bilan personnel); teachers also
    manage the tutor links here."""
    affectation = queries.affectation_pour(request, pk)
    ctx = _contexte(request, affectation, "journal", journal=queries.page_journal(affectation))
    if ctx["droits"].suivre:
        ctx["liens"] = queries.liens_de(affectation)
        ctx["lien_form"] = LienForm()
        ctx["lien_a_copier"] = _lien_a_copier(request, affectation)
    return render(request, "pfmp/portfolio/journal.html", ctx)


# The URL of a tutor link just created, shown once (with « Copier le lien ») on the next
# display of its portfolio: only a hash of its secret is stored in the database.
LIEN_A_COPIER = "pfmp_lien_a_copier"


def _lien_a_copier(request, affectation) -> str:
    donnees = request.session.get(LIEN_A_COPIER)
    if not donnees or donnees.get("affectation") != affectation.pk:
        return ""
    del request.session[LIEN_A_COPIER]
    return donnees.get("url", "")


def _texte_portfolio(request, pk, *, champ: str, libelle: str, service, ancre: str):
    affectation = queries.affectation_pour(request, pk)
    _exiger_apprenant(request, affectation)
    portfolio = affectation.portfolio
    form = TexteForm(
        request.POST if request.method == "POST" else None,
        initial={"texte": getattr(portfolio, champ)},
        label=libelle,
    )
    if request.method == "POST" and form.is_valid():
        try:
            service(portfolio, par=request.user, texte=form.cleaned_data["texte"])
        except ValidationError as exc:
            _erreurs(form, exc)
        else:
            messages.success(request, f"{libelle} enregistré(e).")
            return redirect(_url_portfolio(request, affectation, ancre))
    ctx = _contexte(request, affectation, "journal", form=form, titre=libelle, ancre=ancre)
    return render(request, "pfmp/portfolio/texte.html", ctx)


@require_http_methods(["GET", "POST"])
@permission_requise(perms.MON_PORTFOLIO)
def presentation(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner presents their entreprise."""
    return _texte_portfolio(
        request,
        pk,
        champ="presentation_entreprise",
        libelle="Présentation de l'entreprise",
        service=services.modifier_presentation,
        ancre="entreprise",
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.MON_PORTFOLIO)
def bilan_personnel(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner's personal bilan of the période."""
    return _texte_portfolio(
        request,
        pk,
        champ="bilan_personnel",
        libelle="Bilan personnel",
        service=services.modifier_bilan_personnel,
        ancre="bilan-personnel",
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.MON_PORTFOLIO)
def semaine(request: HttpRequest, pk: int, numero: int) -> HttpResponse:
    """One week of the journal: activities and tasks carried out."""
    affectation = queries.affectation_pour(request, pk)
    _exiger_apprenant(request, affectation)
    semaine = queries.semaine_pour(affectation, numero)
    taches = list(services.taches_proposees(affectation.periode))
    form = SemaineForm(
        request.POST if request.method == "POST" else None,
        initial={
            "activites": semaine.activites,
            "taches": [str(t.pk) for t in semaine.taches.all()],
        },
        taches=taches,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_semaine(
                semaine,
                par=request.user,
                activites=form.cleaned_data["activites"],
                taches=form.cleaned_data["taches"],
            )
        except ValidationError as exc:
            _erreurs(form, exc)
        else:
            messages.success(request, f"Semaine {semaine.numero} enregistrée.")
            return redirect(_url_portfolio(request, affectation, f"semaine-{semaine.numero}"))
    ctx = _contexte(request, affectation, "journal", form=form, semaine=semaine)
    return render(request, "pfmp/portfolio/semaine.html", ctx)


# --- fiches activités -----------------------------------------------------------------------


@require_GET
def portfolio_fiches(request: HttpRequest, pk: int) -> HttpResponse:
    """The fiches activités tab: one line per fiche with its state."""
    affectation = queries.affectation_pour(request, pk)
    ctx = _contexte(request, affectation, "fiches", fiches=queries.fiches_de(affectation))
    return render(request, "pfmp/portfolio/fiches.html", ctx)


@require_http_methods(["GET", "POST"])
def fiche(request: HttpRequest, pk: int) -> HttpResponse:
    """A fiche activité: the learner writes and submits it (« enregistrer » / « soumettre »);
    teachers read and answer it; the tutor reads it."""
    fiche = queries.fiche_pour(request, pk)
    affectation = fiche.portfolio.affectation
    droits = queries.droits(request, affectation)
    modifiable = droits.ecrire and services.fiche_modifiable(fiche)
    form = None
    if modifiable:
        form = FicheForm(
            request.POST if request.method == "POST" else None,
            initial={
                "titre": fiche.titre,
                "contexte": fiche.contexte,
                "realisation": fiche.realisation,
                "resultat": fiche.resultat,
                "difficultes": fiche.difficultes,
                "taches": [str(t.pk) for t in fiche.taches.all()],
            },
            taches=services.taches_proposees(affectation.periode),
        )
    if request.method == "POST":
        if not droits.ecrire:
            raise PermissionDenied
        if form is None:
            messages.error(request, "Cette fiche est soumise ou validée : non modifiable.")
            return redirect(etab_reverse(request, "pfmp:fiche", pk=fiche.pk))
        if form.is_valid():
            try:
                services.enregistrer_fiche(fiche, par=request.user, **form.cleaned_data)
                if request.POST.get("action") == "soumettre":
                    services.soumettre_fiche(fiche, par=request.user)
                    messages.success(request, "Fiche soumise au professeur référent.")
                else:
                    messages.success(request, "Fiche enregistrée.")
            except ValidationError as exc:
                _erreurs(form, exc)
            else:
                return redirect(etab_reverse(request, "pfmp:fiche", pk=fiche.pk))
    ctx = _contexte(
        request,
        affectation,
        "fiches",
        fiche=fiche,
        form=form,
        commentaire_form=CommentaireFicheForm()
        if droits.suivre and fiche.statut == FicheActivite.Statut.SOUMISE
        else None,
    )
    return render(request, "pfmp/portfolio/fiche.html", ctx)


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def fiche_commenter(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher sends a submitted fiche back « à revoir » or validates it."""
    fiche = queries.fiche_pour(request, pk)
    form = CommentaireFicheForm(request.POST)
    if form.is_valid():
        try:
            services.commenter_fiche(fiche, par=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(
                request,
                "Fiche validée."
                if fiche.statut == FicheActivite.Statut.VALIDEE
                else "Fiche renvoyée à l'apprenant pour qu'il la revoie.",
            )
    else:
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, e)
    return redirect(etab_reverse(request, "pfmp:fiche", pk=fiche.pk))


# --- bilan entreprise -----------------------------------------------------------------------


def _bilan_form(request, bilan, groupes):
    criteres = [ligne.critere for g in groupes for ligne in g.lignes]
    niveaux = {ligne.critere.pk: ligne.niveau for g in groupes for ligne in g.lignes}
    return BilanForm(
        request.POST if request.method == "POST" else None,
        criteres=criteres,
        niveaux=niveaux,
        initial={"appreciation": bilan.appreciation, "tuteur_nom": bilan.tuteur_nom},
    )


def _enregistrer_bilan(request, bilan, form, **acteur) -> bool:
    if not form.is_valid():
        return False
    try:
        services.saisir_bilan(
            bilan,
            form.niveaux_changes(),
            appreciation=form.cleaned_data["appreciation"],
            tuteur_nom=form.cleaned_data["tuteur_nom"],
            **acteur,
        )
    except ValidationError as exc:
        _erreurs(form, exc)
        return False
    messages.success(request, "Bilan entreprise enregistré.")
    return True


def _message_non_modifiable(bilan) -> str:
    if bilan is None:
        return "Le bilan entreprise n'est pas encore ouvert par le professeur référent."
    if bilan.evaluation.verrouillee:
        return MESSAGE_VERROUILLEE
    return services.MESSAGE_BILAN_VALIDE


def _lignes_avec_champs(groupes, form):
    for g in groupes:
        for ligne in g.lignes:
            ligne.champ = form[f"c{ligne.critere.pk}"]
            ligne.origine = form[f"o{ligne.critere.pk}"]


@require_http_methods(["GET", "POST"])
def bilan_entreprise(request: HttpRequest, pk: int) -> HttpResponse:
    """The bilan entreprise tab: teachers and the tutor position the période's criteria
    (NE, 1..4), write the appréciation and the tutor's name; teachers open, validate and
    reopen it. The learner reads it once validated."""
    affectation = queries.affectation_pour(request, pk)
    droits = queries.droits(request, affectation)
    bilan = queries.bilan_de(affectation)
    if request.method == "POST" and not droits.saisir_bilan:
        raise PermissionDenied
    ctx = _contexte(request, affectation, "bilan", bilan=bilan)
    if bilan is not None:
        visible = not droits.ecrire or bilan.statut == BilanEntreprise.Statut.VALIDE
        ctx["visible"] = visible
        if visible:
            groupes = queries.page_bilan(bilan)
            ctx["groupes"] = groupes
            en_cours = bilan.statut == BilanEntreprise.Statut.EN_COURS
            if droits.saisir_bilan and en_cours and not bilan.evaluation.verrouillee:
                form = _bilan_form(request, bilan, groupes)
                if request.method == "POST":
                    if _enregistrer_bilan(request, bilan, form, par=request.user):
                        return redirect(etab_reverse(request, "pfmp:bilan_entreprise", pk=pk))
                _lignes_avec_champs(groupes, form)
                ctx["form"] = form
    if request.method == "POST" and "form" not in ctx:
        messages.error(request, _message_non_modifiable(bilan))
        return redirect(etab_reverse(request, "pfmp:bilan_entreprise", pk=pk))
    return render(request, "pfmp/portfolio/bilan.html", ctx)


def _action_bilan(request, pk, action, succes: str):
    affectation = queries.affectation_pour(request, pk)
    if not queries.droits(request, affectation).suivre:
        raise PermissionDenied
    try:
        action(affectation)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, succes)
    return redirect(etab_reverse(request, "pfmp:bilan_entreprise", pk=pk))


def _bilan_existant(affectation):
    bilan = queries.bilan_de(affectation)
    if bilan is None:
        raise ValidationError("Le bilan entreprise n'est pas encore ouvert.")
    bilan.affectation = affectation
    return bilan


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def bilan_ouvrir(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_bilan(
        request,
        pk,
        lambda a: services.ouvrir_bilan_entreprise(a, par=request.user),
        "Bilan entreprise ouvert : le tuteur peut maintenant le compléter avec vous.",
    )


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def bilan_valider(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_bilan(
        request,
        pk,
        lambda a: services.valider_bilan_entreprise(_bilan_existant(a), par=request.user),
        "Bilan entreprise validé : ses résultats apparaissent dans le tableau de bord de "
        "l'apprenant.",
    )


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def bilan_rouvrir(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_bilan(
        request,
        pk,
        lambda a: services.rouvrir_bilan_entreprise(_bilan_existant(a), par=request.user),
        "Bilan entreprise rouvert.",
    )


# --- tutor links (teachers) -----------------------------------------------------------------


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def lien_creer(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a tutor link; its URL is shown once (only a hash of its secret is stored)."""
    affectation = queries.affectation_pour(request, pk)
    if not queries.droits(request, affectation).suivre:
        raise PermissionDenied
    form = LienForm(request.POST)
    if form.is_valid():
        try:
            url = services.creer_lien_tuteur(
                affectation,
                par=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            envoye = " et envoyé au tuteur" if form.cleaned_data["envoyer"] else ""
            request.session[LIEN_A_COPIER] = {"affectation": affectation.pk, "url": url}
            messages.success(
                request,
                f"Lien tuteur créé{envoye}. Copiez-le maintenant (« Copier le lien » dans "
                "« Accès du tuteur par lien ») : il ne sera plus affiché.",
            )
    else:
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, e)
    return redirect(_url_portfolio(request, affectation, "acces-tuteur"))


@require_POST
@permission_requise(perms.SUIVRE_PORTFOLIOS)
def lien_revoquer(request: HttpRequest, pk: int) -> HttpResponse:
    lien = queries.lien_pour(request, pk)
    services.revoquer_lien(lien, par=request.user)
    messages.success(request, "Lien tuteur révoqué.")
    return redirect(_url_portfolio(request, lien.affectation, "acces-tuteur"))


# --- tutor links (the tutor, no account) ----------------------------------------------------


def _lien_invalide(request, status: int):
    return render(request, "pfmp/portfolio/lien_invalide.html", {"status": status}, status=status)


@public
@require_GET
def acces_tuteur(request: HttpRequest, token: str) -> HttpResponse:
    """Open a tutor link: a valid one stores its grant in the session and leads to the
    learner's portfolio; a revoked or expired one answers 410, a forged one 404."""
    lien, valide = services.lien_depuis_token(token)
    if lien is None or lien.affectation.periode.etablissement_id != request.etablissement.pk:
        return _lien_invalide(request, 404)
    if not valide:
        return _lien_invalide(request, 410)
    request.session.cycle_key()
    queries.accorder_lien(request, lien)
    services.utiliser_lien(lien)
    return redirect(etab_reverse(request, "pfmp:tuteur_portfolio", pk=lien.affectation_id))


def _lien_ou_page(request, pk):
    try:
        return queries.lien_de_session(request, pk), None
    except queries.LienExpire:
        return None, _lien_invalide(request, 410)


@public
@require_GET
def tuteur_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """The portfolio opened by a tutor link (read only): journal de bord and fiches."""
    lien, page = _lien_ou_page(request, pk)
    if page is not None:
        return page
    affectation = lien.affectation
    return render(
        request,
        "pfmp/portfolio/tuteur_portfolio.html",
        {
            "affectation": affectation,
            "periode": affectation.periode,
            "apprenant": affectation.apprenant,
            "journal": queries.page_journal(affectation),
            "fiches": queries.fiches_de(affectation),
            "lien": lien,
            "par_lien": True,
        },
    )


@public
@require_http_methods(["GET", "POST"])
def tuteur_bilan(request: HttpRequest, pk: int) -> HttpResponse:
    """The bilan entreprise opened by a tutor link: entered while EN_COURS, then read only."""
    lien, page = _lien_ou_page(request, pk)
    if page is not None:
        return page
    affectation = lien.affectation
    bilan = queries.bilan_de(affectation)
    ctx = {
        "affectation": affectation,
        "periode": affectation.periode,
        "apprenant": affectation.apprenant,
        "bilan": bilan,
        "lien": lien,
        "par_lien": True,
        "visible": True,
    }
    if bilan is not None:
        groupes = queries.page_bilan(bilan)
        ctx["groupes"] = groupes
        if bilan.statut == BilanEntreprise.Statut.EN_COURS and not bilan.evaluation.verrouillee:
            bilan.affectation = affectation
            form = _bilan_form(request, bilan, groupes)
            if request.method == "POST":
                if _enregistrer_bilan(request, bilan, form, par_lien=lien):
                    return redirect(etab_reverse(request, "pfmp:tuteur_bilan", pk=pk))
            _lignes_avec_champs(groupes, form)
            ctx["form"] = form
    if request.method == "POST" and "form" not in ctx:
        messages.error(request, _message_non_modifiable(bilan))
        return redirect(etab_reverse(request, "pfmp:tuteur_bilan", pk=pk))
    return render(request, "pfmp/portfolio/tuteur_bilan.html", ctx)
