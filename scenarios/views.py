"""Scénarios pédagogiques pages. Views are thin: accessor (queries) → form → service →
redirect or partial. The chosen diplôme scopes the module; a scénario of another establishment,
another diplôme or someone else's private one answers 404; an author-only action by a colleague
answers 403 (the services raise PermissionDenied)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse
from referentiels.models import Niveau
from scenarios import queries, rendu_liste, services, views_fiche
from scenarios.forms import (
    ClasserForm,
    ConfidentialiteForm,
    ContexteForm,
    DeplacerForm,
    DossierForm,
    NouveauDossierForm,
    OrdonnerForm,
    TitreForm,
)

# (tab, URL name, label): "modifier" opens the Titre tab.
ONGLETS = (
    ("titre", "scenarios:modifier", "Titre"),
    ("contexte", "scenarios:contexte", "Contexte"),
    ("liaison", "scenarios:liaison", "Liaison avec le référentiel"),
    ("ressources", "scenarios:ressources", "Ressources"),
)


# --- helpers ---------------------------------------------------------------------------------


def _url_liste(request, ancre: str = "") -> str:
    url = etab_reverse(request, "scenarios:liste")
    return f"{url}#{ancre}" if ancre else url


def _retour_liste(request, scenario=None):
    return redirect(_url_liste(request, f"scenario-{scenario.pk}" if scenario else ""))


def _scenario_de_l_auteur(request, pk):
    scenario = queries.scenario_du_module(request, pk)
    services.exiger_auteur(scenario, request.user)
    return scenario


def _niveau_du_diplome(request, niveau: str) -> str:
    niveau = (niveau or "").upper()
    if request.diplome is None or niveau not in (request.diplome.niveaux or []):
        raise Http404("Niveau inconnu pour ce diplôme")
    if niveau not in Niveau.values:
        raise Http404("Niveau inconnu")
    return niveau


def _contexte_formulaire(request, scenario, onglet: str, **extra) -> dict:
    """What every tab of the scénario form shows: left menu, niveau, resources count."""
    nb_ressources = scenario.ressources.count() if scenario else 0
    return {
        "scenario": scenario,
        "onglet": onglet,
        "menu": views_fiche.menu(request, ONGLETS, scenario, onglet),
        "nb_ressources": nb_ressources,
        **extra,
    }


# --- list and organisation -------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_SCENARIOS)
def liste(request: HttpRequest) -> HttpResponse:
    sections = queries.page_liste(request.etablissement, request.user, request.diplome)
    rendu_liste.preparer(request, sections)
    return render(
        request,
        "scenarios/liste.html",
        {
            "sections": sections,
            "peut_creer": perms.CREER_SCENARIOS in request.cpro_perms,
            "dossier_form": DossierForm(),
        },
    )


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def deplacer(request: HttpRequest, pk: int) -> HttpResponse:
    """Up/down one place; back on the list at the moved row (#scenario-<pk>, scenarios.js
    gives it the focus) with a confirmation naming its container and new position."""
    scenario = queries.scenario_du_module(request, pk)
    form = DeplacerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Déplacement impossible : sens inconnu.")
        return _retour_liste(request, scenario)
    avant = scenario.ordre
    try:
        services.deplacer_scenario(scenario, sens=form.cleaned_data["sens"], par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return _retour_liste(request, scenario)
    scenario.refresh_from_db(fields=["ordre"])
    conteneur = _nom_conteneur(scenario)
    if scenario.ordre == avant:
        bord = "en tête" if form.cleaned_data["sens"] == "haut" else "en fin de liste"
        messages.info(
            request,
            f"Scénario « {scenario.titre} » déjà {bord} dans « {conteneur} » "
            f"(position {scenario.ordre}).",
        )
    else:
        messages.success(
            request,
            f"Scénario « {scenario.titre} » déplacé dans « {conteneur} » : "
            f"position {scenario.ordre}.",
        )
    return _retour_liste(request, scenario)


def _nom_conteneur(scenario) -> str:
    """« Dossier » or « Première Bac Pro – hors dossier »: where a scénario is listed."""
    if scenario.dossier_id:
        return scenario.dossier.nom
    return f"{queries.libelle_niveau(scenario.niveau)} – hors dossier"


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def ordonner(request: HttpRequest) -> HttpResponse:
    """Drag and drop (scenarios.js): the new order of a whole container. 204 when saved, 400
    with a French message otherwise."""
    form = OrdonnerForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Ordre illisible.", status=400, content_type="text/plain")
    niveau = form.cleaned_data["niveau"]
    dossier = None
    if form.cleaned_data["dossier"]:
        dossier = queries.dossier_pour(request, form.cleaned_data["dossier"])
    try:
        services.ordonner_scenarios(
            etablissement=request.etablissement,
            diplome=request.diplome,
            niveau=niveau,
            dossier=dossier,
            ids=form.cleaned_data["ids"],
            par=request.user,
        )
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(status=204)


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def classer(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.scenario_du_module(request, pk)
    form = ClasserForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un dossier.")
        return _retour_liste(request, scenario)
    dossier_id = form.cleaned_data["dossier"]
    dossier = queries.dossier_pour(request, dossier_id) if dossier_id else None
    try:
        services.classer_scenario(scenario, dossier, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(
            request, f"Scénario « {scenario.titre} » déplacé dans « {_nom_conteneur(scenario)} »."
        )
    return _retour_liste(request, scenario)


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def dossier_creer(request: HttpRequest) -> HttpResponse:
    form = NouveauDossierForm(request.POST)
    if not form.is_valid():
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, e)
        return redirect(_url_liste(request))
    niveau = _niveau_du_diplome(request, form.cleaned_data["niveau"])
    try:
        dossier = services.creer_dossier(
            etablissement=request.etablissement,
            diplome=request.diplome,
            niveau=niveau,
            nom=form.cleaned_data["nom"],
            par=request.user,
        )
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(_url_liste(request, f"niveau-{niveau}"))
    messages.success(request, f"Le dossier « {dossier.nom} » a été créé.")
    return redirect(_url_liste(request, f"dossier-{dossier.pk}"))


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def dossier_renommer(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = queries.dossier_pour(request, pk)
    form = DossierForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Le nom du dossier est obligatoire.")
    else:
        try:
            services.renommer_dossier(dossier, form.cleaned_data["nom"], par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, f"Le dossier s'appelle désormais « {dossier.nom} ».")
    return redirect(_url_liste(request, f"dossier-{dossier.pk}"))


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def dossier_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = queries.dossier_pour(request, pk)
    try:
        services.supprimer_dossier(dossier, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(_url_liste(request, f"dossier-{dossier.pk}"))
    messages.success(request, f"Le dossier « {dossier.nom} » a été supprimé.")
    return redirect(_url_liste(request, f"niveau-{dossier.niveau}"))


# --- one scénario ----------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_SCENARIOS)
def voir(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.scenario_complet(request, pk)
    return render(
        request,
        "scenarios/voir.html",
        {
            "scenario": scenario,
            "libelle_niveau": queries.libelle_niveau(scenario.niveau),
            "competences": queries.criteres_par_competence(scenario.criteres.all()),
            "est_auteur": services.est_auteur(scenario, request.user),
            "peut_creer": perms.CREER_SCENARIOS in request.cpro_perms,
        },
    )


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def dupliquer(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.scenario_du_module(request, pk)
    copie = services.dupliquer_scenario(scenario, par=request.user)
    messages.success(
        request, f"Le scénario a été dupliqué : « {copie.titre} ». Vous en êtes l'auteur."
    )
    return redirect(etab_reverse(request, "scenarios:modifier", pk=copie.pk))


@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def confidentialite(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.scenario_du_module(request, pk)
    form = ConfidentialiteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choix de confidentialité invalide.")
        return _retour_liste(request, scenario)
    services.changer_confidentialite(
        scenario, prive=bool(form.cleaned_data["prive"]), par=request.user
    )
    if scenario.prive:
        messages.success(
            request, f"« {scenario.titre} » est désormais privé : vous seul y avez accès."
        )
    else:
        messages.success(
            request, f"« {scenario.titre} » est de nouveau partagé avec l'équipe pédagogique."
        )
    return _retour_liste(request, scenario)


@require_http_methods(["GET", "POST"])
@permission_requise(perms.CREER_SCENARIOS)
def supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_de_l_auteur(request, pk)
    if request.method == "POST":
        titre = scenario.titre
        services.supprimer_scenario(scenario, par=request.user)
        messages.success(request, f"Le scénario « {titre} » a été supprimé.")
        return redirect(_url_liste(request, f"niveau-{scenario.niveau}"))
    return render(
        request,
        "scenarios/supprimer.html",
        {"scenario": scenario, "nb_ressources": scenario.ressources.count()},
    )


# --- the form: four tabs ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.CREER_SCENARIOS)
def creer(request: HttpRequest, niveau: str) -> HttpResponse:
    niveau = _niveau_du_diplome(request, niveau)
    form = TitreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scenario = appliquer_service(
            form,
            lambda: services.creer_scenario(
                etablissement=request.etablissement,
                diplome=request.diplome,
                niveau=niveau,
                titre=form.cleaned_data["titre"],
                par=request.user,
            ),
        )
        if scenario:
            messages.success(request, "Le scénario est créé : décrivez maintenant son contexte.")
            return redirect(etab_reverse(request, "scenarios:contexte", pk=scenario.pk))
    return render(
        request,
        "scenarios/titre.html",
        _contexte_formulaire(
            request, None, "titre", form=form, libelle_niveau=queries.libelle_niveau(niveau)
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.CREER_SCENARIOS)
def titre(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario_de_l_auteur(request, pk)
    form = TitreForm(request.POST or None, initial={"titre": scenario.titre})
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_titre(scenario, form.cleaned_data["titre"], par=request.user),
        ):
            messages.success(request, "Le titre est enregistré.")
            return redirect(etab_reverse(request, "scenarios:modifier", pk=scenario.pk))
    return render(
        request,
        "scenarios/titre.html",
        _contexte_formulaire(
            request,
            scenario,
            "titre",
            form=form,
            libelle_niveau=queries.libelle_niveau(scenario.niveau),
        ),
    )


# --- the shared tabs (scenarios/views_fiche.py) ----------------------------------------------


class _OngletScenario:
    """The scénario's side of the shared tabs: the author's own scénario of the chosen
    diplôme (another one → 404, a colleague's → 403)."""

    espace = "scenarios"
    nom_objet = "scenario"
    services = services
    queries = queries

    def fiche(self, request, pk):
        return _scenario_de_l_auteur(request, pk)

    def contexte_formulaire(self, request, fiche, onglet, **extra):
        return _contexte_formulaire(request, fiche, onglet, **extra)

    def fiche_lue(self, request, pk):
        return queries.scenario_du_module(request, pk)


class _Contexte(_OngletScenario, views_fiche.OngletContexte):
    form_class = ContexteForm
    message_succes = "Le contexte est enregistré."

    def enregistrer(self, request, fiche, donnees):
        return services.modifier_contexte(fiche, donnees["contexte"], par=request.user)


class _Liaison(_OngletScenario, views_fiche.OngletLiaison):
    pass


onglets = views_fiche.onglets(
    _OngletScenario,
    _Contexte,
    _Liaison,
    edition=perms.CREER_SCENARIOS,
    lecture=perms.VOIR_SCENARIOS,
)
