"""What a user may see of the scénarios (visibility lives here, with the page's prefetches)."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from referentiels.models import Critere, Niveau, Tache
from referentiels.queries import referentiel_complet
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


@dataclass
class Liaison:
    """What the « Liaison avec le référentiel » tab shows (a fixed number of queries)."""

    ref: object  # referentiels.queries.ReferentielComplet
    taches: set  # selected task ids
    criteres: set  # selected criterion ids
    competences_marquees: set  # competence ids linked to the selected tasks by the matrix
    activite: object  # the open activity tab
    groupe: object  # the open competence group tab
    par_activite: dict  # activity id → number of selected tasks
    par_groupe: dict  # group id → number of selected criteria
    taches_choisies: list
    competences_choisies: list  # [(competence, [criteres choisis])]

    # Codes of the open tabs ("" when the référentiel has no activity / group): templates
    # read these, never `activite.code` on a missing tab.
    @property
    def activite_code(self) -> str:
        return self.activite.code if self.activite else ""

    @property
    def groupe_code(self) -> str:
        return self.groupe.code if self.groupe else ""


def liaison(
    scenario: Scenario, *, activite_code=None, groupe_code=None, critere_actif=None
) -> Liaison:
    """The liaison tab of a scénario: the whole référentiel (referentiel_complet) plus the
    selection, 14 queries whatever the size. `critere_actif` keeps its competence open."""
    ref = referentiel_complet(scenario.diplome)
    taches = set(scenario.taches.values_list("pk", flat=True))
    criteres = set(scenario.criteres.values_list("pk", flat=True))
    marquees = set()
    par_activite = {}
    taches_choisies = []
    for a in ref.activites:
        n = 0
        for t in a.taches.all():
            if t.pk in taches:
                n += 1
                taches_choisies.append(t)
        par_activite[a.pk] = n
    for ligne in ref.matrice:
        if ligne.tache.pk in taches:
            marquees.update(c.pk for c, _ in ligne.tache.competences_liees)
    par_groupe = {}
    competences_choisies = []
    for g in ref.groupes:
        n = 0
        for c in g.competences.all():
            choisis = [cr for cr in c.criteres.all() if cr.pk in criteres]
            c.nb_choisis = len(choisis)
            c.marquee = c.pk in marquees
            c.ouverte = bool(choisis) or any(cr.pk == critere_actif for cr in c.criteres.all())
            n += len(choisis)
            if choisis:
                competences_choisies.append((c, choisis))
        par_groupe[g.pk] = n
    # Without an explicit tab, open the first one that holds a selection (else the first).
    activite = next((a for a in ref.activites if a.code == activite_code), None)
    activite = activite or next((a for a in ref.activites if par_activite[a.pk]), None)
    activite = activite or (ref.activites[0] if ref.activites else None)
    groupe = next((g for g in ref.groupes if g.code == groupe_code), None)
    groupe = groupe or next((g for g in ref.groupes if par_groupe[g.pk]), None)
    groupe = groupe or (ref.groupes[0] if ref.groupes else None)
    for a in ref.activites:
        a.nb_choisies = par_activite[a.pk]
    for g in ref.groupes:
        g.nb_choisis = par_groupe[g.pk]
    return Liaison(
        ref=ref,
        taches=taches,
        criteres=criteres,
        competences_marquees=marquees,
        activite=activite,
        groupe=groupe,
        par_activite=par_activite,
        par_groupe=par_groupe,
        taches_choisies=taches_choisies,
        competences_choisies=competences_choisies,
    )
