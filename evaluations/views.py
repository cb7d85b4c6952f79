"""Évaluation pages (the grid has views_grille.py). Views are thin: accessor (queries) → form →
service → redirect or partial. The chosen diplôme scopes the module: an évaluation of another
establishment or diplôme answers 404; a colleague who is neither its author, nor one of its
evaluating teachers, nor the DDFPT answers 403 on every write (the chef reads only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cpro import perms
from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.models import AnneeScolaire
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse
from evaluations import queries, rendu_liste, services
from evaluations.forms import (
    ApprenantsForm,
    ContexteForm,
    InformationsForm,
)
from evaluations.models import Nature
from scenarios import views_fiche
from scenarios.models import Scenario
from scenarios.queries import scenario_pour

# (tab, URL name, label)
ONGLETS = (
    ("informations", "evaluations:modifier", "Informations"),
    ("apprenants", "evaluations:apprenants", "Choix des apprenants"),
    ("contexte", "evaluations:contexte", "Contexte et secteur(s) d'activité"),
    ("liaison", "evaluations:liaison", "Liaison avec le référentiel"),
    ("ressources", "evaluations:ressources", "Ressources"),
)


# --- helpers ---------------------------------------------------------------------------------


def _contexte_formulaire(request, evaluation, onglet: str, **extra) -> dict:
    """What every tab of the évaluation form shows: left menu, niveau, lock banner.
    `lecture_seule`: a locked évaluation (validated bilan) is shown as text, without fields or
    save buttons; the services still refuse any write."""
    return {
        "evaluation": evaluation,
        "lecture_seule": bool(evaluation) and evaluation.verrouillee,
        "onglet": onglet,
        "menu": views_fiche.menu(request, ONGLETS, evaluation, onglet),
        "url_grille": (
            etab_reverse(request, "evaluations:grille", pk=evaluation.pk) if evaluation else None
        ),
        "peut_supprimer": bool(evaluation)
        and perms.peut(request.membership, perms.SUPPRIMER_EVALUATIONS, evaluation),
        **extra,
    }


def _scenario(request, pk) -> Scenario:
    """A scénario the user sees, of the chosen diplôme (another one → 404)."""
    return scenario_pour(
        request,
        pk,
        queryset=Scenario.objects.filter(diplome=request.diplome).prefetch_related(
            "taches", "criteres", "ressources"
        ),
    )


# --- list ------------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_EVALUATIONS)
def liste(request: HttpRequest) -> HttpResponse:
    """The évaluations of a school year (the current one by default, ?annee=2025 for an earlier
    one), grouped by niveau."""
    courante = AnneeScolaire.courante()
    annees = queries.annees_proposees(courante)
    choix = request.GET.get("annee")
    annee = next((a for a in annees if str(a.debut) == choix), courante)
    sections = queries.page_liste(request.etablissement, request.diplome, annee)
    membership = request.membership
    for section in sections:
        for ev in section.evaluations:
            ev.modifiable = perms.peut(membership, perms.SAISIR_EVALUATIONS, ev)
    rendu_liste.preparer(request, sections)
    return render(
        request,
        "evaluations/liste.html",
        {"sections": sections, "annees": annees, "annee": annee, "courante": courante},
    )


# --- creation and the Informations tab -------------------------------------------------------


def _informations_form(request, evaluation=None, initial=None):
    return InformationsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        enseignants=queries.enseignants_possibles(request.etablissement, request.diplome),
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.SAISIR_EVALUATIONS)
def creer(request: HttpRequest, scenario: int) -> HttpResponse:
    """« Créer une grille de positionnement » from a scénario: the Informations tab, prefilled;
    then the « Choix des apprenants » tab."""
    scenario = _scenario(request, scenario)
    form = _informations_form(
        request,
        initial={
            "titre": scenario.titre,
            "date": timezone.localdate(),
            "nature": Nature.INTERMEDIAIRE.value,
            "enseignants": [request.user.pk],
            "afficher_tableau_de_bord": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        evaluation = appliquer_service(
            form,
            lambda: services.creer_evaluation(
                scenario,
                par=request.user,
                titre=d["titre"],
                date=d["date"],
                nature=d["nature"],
                enseignants=list(d["enseignants"]),
                afficher_tableau_de_bord=d["afficher_tableau_de_bord"],
            ),
        )
        if evaluation:
            messages.success(
                request, "L'évaluation est créée : choisissez maintenant les apprenants évalués."
            )
            return redirect(etab_reverse(request, "evaluations:apprenants", pk=evaluation.pk))
    return render(
        request,
        "evaluations/informations.html",
        _contexte_formulaire(
            request,
            None,
            "informations",
            form=form,
            scenario=scenario,
            libelle_niveau=queries.libelle_niveau(scenario.niveau),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.SAISIR_EVALUATIONS)
def modifier(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = queries.evaluation_modifiable(request, pk)
    form = _informations_form(
        request,
        initial={
            "titre": evaluation.titre,
            "date": evaluation.date,
            "nature": evaluation.nature,
            "enseignants": [u.pk for u in evaluation.enseignants.all()],
            "afficher_tableau_de_bord": evaluation.afficher_tableau_de_bord,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if appliquer_service(
            form,
            lambda: services.modifier_informations(
                evaluation,
                par=request.user,
                titre=d["titre"],
                date=d["date"],
                nature=d["nature"],
                enseignants=list(d["enseignants"]),
                afficher_tableau_de_bord=d["afficher_tableau_de_bord"],
            ),
        ):
            messages.success(request, "Les informations de l'évaluation sont enregistrées.")
            return redirect(etab_reverse(request, "evaluations:modifier", pk=evaluation.pk))
    return render(
        request,
        "evaluations/informations.html",
        _contexte_formulaire(
            request,
            evaluation,
            "informations",
            form=form,
            scenario=evaluation.scenario,
            libelle_niveau=queries.libelle_niveau(evaluation.niveau),
        ),
    )


# --- learners --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.SAISIR_EVALUATIONS)
def apprenants(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the current-year divisions of the diplôme and niveau, learners to tick. POST: save
    the selection (`tout`/`aucun` = a whole division ticked/unticked); removing learners who
    have résultats shows a confirmation page first."""
    evaluation = queries.evaluation_modifiable(request, pk)
    if request.method == "POST":
        form = ApprenantsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            choisis = set(d["apprenants"])
            groupes = None
            if d["tout"] or d["aucun"]:
                groupes = queries.choix_apprenants(evaluation)
                division_id = d["tout"] or d["aucun"]
                ids = {
                    a.pk
                    for g in groupes
                    if g.division and g.division.pk == division_id
                    for a in g.apprenants
                }
                choisis = choisis | ids if d["tout"] else choisis - ids
            try:
                changement = services.choisir_apprenants(
                    evaluation, choisis, par=request.user, confirme=d["confirme"]
                )
            except services.ConfirmationRequise as demande:
                return render(
                    request,
                    "evaluations/confirmer.html",
                    _contexte_formulaire(
                        request,
                        evaluation,
                        "apprenants",
                        demande=demande,
                        action=etab_reverse(request, "evaluations:apprenants", pk=evaluation.pk),
                        champs=[("apprenants", pk) for pk in sorted(choisis)],
                        annuler=etab_reverse(request, "evaluations:apprenants", pk=evaluation.pk),
                        libelle_niveau=queries.libelle_niveau(evaluation.niveau),
                    ),
                )
            except ValidationError as exc:
                messages_erreur(request, exc)
            else:
                messages.success(request, _bilan_apprenants(changement))
        else:
            for erreurs in form.errors.values():
                for e in erreurs:
                    messages.error(request, e)
        return redirect(etab_reverse(request, "evaluations:apprenants", pk=evaluation.pk))
    return render(
        request,
        "evaluations/apprenants.html",
        _contexte_formulaire(
            request,
            evaluation,
            "apprenants",
            groupes=queries.choix_apprenants(evaluation),
            annee=AnneeScolaire.courante(),
            libelle_niveau=queries.libelle_niveau(evaluation.niveau),
        ),
    )


def _bilan_apprenants(changement) -> str:
    if not changement.ajoutes and not changement.retires:
        return "La sélection des apprenants est inchangée."
    parts = []
    if changement.ajoutes:
        n = len(changement.ajoutes)
        parts.append(f"{n} apprenant{'s' if n > 1 else ''} ajouté{'s' if n > 1 else ''}")
    if changement.retires:
        n = len(changement.retires)
        parts.append(f"{n} apprenant{'s' if n > 1 else ''} retiré{'s' if n > 1 else ''}")
    if changement.resultats_supprimes:
        n = changement.resultats_supprimes
        parts.append(f"{n} résultat{'s' if n > 1 else ''} supprimé{'s' if n > 1 else ''}")
    return "Sélection enregistrée : " + ", ".join(parts) + "."


# --- the shared tabs (scenarios/views_fiche.py) ----------------------------------------------


class _OngletEvaluation:
    """The évaluation's side of the shared tabs: an évaluation of the chosen diplôme the user
    may modify (another one → 404, a colleague who is not one of its editors → 403)."""

    espace = "evaluations"
    nom_objet = "evaluation"
    services = services
    queries = queries

    def fiche(self, request, pk):
        return queries.evaluation_modifiable(request, pk)

    def contexte_formulaire(self, request, fiche, onglet, **extra):
        return _contexte_formulaire(request, fiche, onglet, **extra)

    def fiche_lue(self, request, pk):
        return queries.evaluation_pour(request, pk)


class _Contexte(_OngletEvaluation, views_fiche.OngletContexte):
    form_class = ContexteForm
    message_succes = "Le contexte et les secteurs d'activité sont enregistrés."

    def initial(self, fiche):
        return {"contexte": fiche.contexte, "secteurs": fiche.secteurs}

    def enregistrer(self, request, fiche, donnees):
        return services.modifier_contexte(
            fiche, par=request.user, contexte=donnees["contexte"], secteurs=donnees["secteurs"]
        )


class _Liaison(_OngletEvaluation, views_fiche.OngletLiaison):
    def basculer_critere(self, request, fiche, critere_id):
        # Removing a criterion with résultats asks for a confirmation first.
        services.basculer_critere(
            fiche, critere_id, par=request.user, confirme=request.POST.get("confirme") == "1"
        )


onglets = views_fiche.onglets(
    _OngletEvaluation,
    _Contexte,
    _Liaison,
    edition=perms.SAISIR_EVALUATIONS,
    lecture=perms.VOIR_EVALUATIONS,
)


# --- deletion --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.SAISIR_EVALUATIONS)
def supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page. POST: delete (author or DDFPT; refused when locked)."""
    evaluation = queries.evaluation_supprimable(request, pk)
    url_liste = etab_reverse(request, "evaluations:liste")
    if request.method == "POST":
        titre = evaluation.titre
        try:
            services.supprimer_evaluation(evaluation, par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
            return redirect(url_liste)
        messages.success(request, f"L'évaluation « {titre} » a été supprimée.")
        return redirect(f"{url_liste}?annee={evaluation.annee.debut}#niveau-{evaluation.niveau}")
    return render(
        request,
        "evaluations/supprimer.html",
        {
            "evaluation": evaluation,
            "nb_apprenants": evaluation.participants.count(),
            "nb_resultats": evaluation.resultats.count(),
            "nb_ressources": evaluation.ressources.count(),
        },
    )
