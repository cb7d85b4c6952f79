"""What a user may see of the scénarios (visibility lives here, with the page's prefetches)."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from referentiels.models import Critere, Niveau, Tache
from scenarios import fiche
from scenarios.fiche import Liaison
from scenarios.models import Dossier, Ressource, Scenario


def scenarios_visibles(etablissement, user, diplome=None):
    """Scénarios of the establishment that `user` may see: shared ones and their own private
    ones. Learners and tutors never reach this (their role has no VOIR_SCENARIOS)."""
    qs = Scenario.objects.filter(etablissement=etablissement).filter(
        Q(prive=False) | Q(auteur=user)
    )
    if diplome is not None:
        qs = qs.filter(diplome=diplome)
    return qs


def scenario_pour(request, pk, queryset=None) -> Scenario:
    """The scénario `pk` if the request's user may see it in this establishment, whatever its
    diplôme; otherwise 404 (another establishment's, or someone else's private scénario).
    The module's own pages narrow it to the chosen diplôme (`scenario_du_module`)."""
    qs = queryset if queryset is not None else Scenario.objects.all()
    scenario = (
        qs.filter(pk=pk, etablissement=request.etablissement)
        .filter(Q(prive=False) | Q(auteur=request.user))
        .select_related("diplome", "auteur", "dossier")
        .first()
    )
    if scenario is None:
        raise Http404("Scénario introuvable")
    return scenario


# --- added for the module's pages ------------------------------------------------------------

_NOMBRES = re.compile(r"(\d+)")


def cle_alphanumerique(texte: str) -> tuple:
    """Sort key of "alphanumeric" order: case and accents ignored, numbers compared as
    numbers ("Séance 2" before "Séance 10")."""
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode()
    parts = _NOMBRES.split(sans_accents.casefold())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def cle_tri(scenario) -> tuple:
    """Display order: manual order first (1..n), then alphanumeric (ordre NULL)."""
    return (
        scenario.ordre is None,
        scenario.ordre or 0,
        cle_alphanumerique(scenario.titre),
        scenario.pk,
    )


def libelle_niveau(niveau: str) -> str:
    """« Première Bac Pro »."""
    return f"{Niveau(niveau).label} Bac Pro"


@dataclass
class GroupeDossier:
    dossier: Dossier
    scenarios: list = field(default_factory=list)


@dataclass
class SectionNiveau:
    code: str
    libelle: str
    dossiers: list  # GroupeDossier, in folder order
    scenarios: list  # outside any folder, in display order

    @property
    def nombre(self) -> int:
        return len(self.scenarios) + sum(len(g.scenarios) for g in self.dossiers)


def page_liste(etablissement, user, diplome) -> list[SectionNiveau]:
    """The list page: one section per niveau of the diplôme, its folders and the scénarios the
    user sees, each container in display order. Two queries, whatever the volume."""
    if diplome is None:
        return []
    niveaux = [n for n in Niveau.values if n in (diplome.niveaux or [])]
    dossiers = list(Dossier.objects.filter(etablissement=etablissement, diplome=diplome))
    scenarios = list(
        scenarios_visibles(etablissement, user, diplome)
        .select_related("auteur")
        .annotate(nb_ressources=Count("ressources"))
        .order_by()
    )
    sections = {
        n: SectionNiveau(code=n, libelle=libelle_niveau(n), dossiers=[], scenarios=[])
        for n in niveaux
    }
    groupes = {}
    for d in sorted(
        dossiers, key=lambda d: (d.ordre is None, d.ordre or 0, cle_alphanumerique(d.nom))
    ):
        if d.niveau in sections:
            groupes[d.pk] = GroupeDossier(d)
            sections[d.niveau].dossiers.append(groupes[d.pk])
    for s in sorted(scenarios, key=cle_tri):
        if s.niveau not in sections:
            continue
        if s.dossier_id in groupes:
            groupes[s.dossier_id].scenarios.append(s)
        else:
            sections[s.niveau].scenarios.append(s)
    return list(sections.values())


def scenarios_du_module(request):
    """The request's scénarios for the module's pages: the chosen diplôme only."""
    return Scenario.objects.filter(diplome=request.diplome)


def scenario_du_module(request, pk) -> Scenario:
    """`scenario_pour`, restricted to the chosen diplôme (another diplôme's scénario → 404)."""
    return scenario_pour(request, pk, queryset=scenarios_du_module(request))


def scenario_complet(request, pk) -> Scenario:
    """A visible scénario with everything the read-only page shows, prefetched."""
    qs = scenarios_du_module(request).prefetch_related(
        Prefetch(
            "taches",
            queryset=Tache.objects.select_related("activite").order_by(
                "activite__ordre", "activite__code", "ordre", "code"
            ),
        ),
        Prefetch(
            "criteres",
            queryset=Critere.objects.select_related("competence__groupe").order_by(
                "competence__groupe__ordre",
                "competence__ordre",
                "competence__code",
                "ordre",
                "code",
            ),
        ),
        "ressources",
    )
    return scenario_pour(request, pk, queryset=qs)


def criteres_par_competence(criteres) -> list[tuple]:
    """[(competence, [criteres…]), …] keeping the order of `criteres`."""
    groupes: dict = {}
    for critere in criteres:
        groupes.setdefault(critere.competence_id, (critere.competence, []))[1].append(critere)
    return list(groupes.values())


def dossier_pour(request, pk) -> Dossier:
    """A folder of this establishment and the chosen diplôme (another one → 404)."""
    return get_object_or_404(
        Dossier.objects.filter(etablissement=request.etablissement, diplome=request.diplome),
        pk=pk,
    )


def ressource_pour(request, scenario: Scenario, pk) -> Ressource:
    """A resource of a scénario already checked as visible (another one → 404)."""
    return get_object_or_404(scenario.ressources.all(), pk=pk)


def liaison(
    scenario: Scenario, *, activite_code=None, groupe_code=None, critere_actif=None
) -> Liaison:
    """The liaison tab of a scénario (scenarios.fiche.liaison): the whole référentiel plus the
    selection, 14 queries whatever the size. `critere_actif` keeps its competence open."""
    return fiche.liaison(
        scenario,
        activite_code=activite_code,
        groupe_code=groupe_code,
        critere_actif=critere_actif,
    )
