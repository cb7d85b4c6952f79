"""What a user may see of the évaluations (visibility lives here, with the page's prefetches).

Every teaching-staff member of the establishment (VOIR_EVALUATIONS) sees the évaluations of the
chosen diplôme; another establishment's or another diplôme's évaluation answers 404. Who may
change one is `cpro.perms.peut` (SAISIR_EVALUATIONS, evaluations.regles; 403 otherwise).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Func, IntegerField, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from cpro import perms
from cpro.models import AnneeScolaire, Division
from evaluations import services
from evaluations.models import Evaluation, Participant, RessourceEvaluation
from referentiels.models import Niveau
from scenarios import fiche
from scenarios.fiche import Liaison
from scenarios.queries import libelle_niveau as libelle_niveau


def evaluations_du_module(request):
    """The establishment's évaluations of the chosen diplôme."""
    return Evaluation.objects.filter(etablissement=request.etablissement, diplome=request.diplome)


def evaluation_pour(request, pk, queryset=None) -> Evaluation:
    """The évaluation `pk` of this establishment and the chosen diplôme (else 404), with its
    evaluating teachers prefetched (used by the SAISIR_EVALUATIONS rule)."""
    qs = queryset if queryset is not None else evaluations_du_module(request)
    evaluation = (
        qs.filter(pk=pk, etablissement=request.etablissement)
        .select_related("diplome", "auteur", "annee", "etablissement")
        .prefetch_related("enseignants")
        .first()
    )
    if evaluation is None:
        raise Http404("Évaluation introuvable")
    return evaluation


def evaluation_modifiable(request, pk) -> Evaluation:
    """`evaluation_pour`, then 403 unless the request's membership may modify it (author,
    evaluating teachers, DDFPT). The lock is checked by the services (a message, not a 403)."""
    evaluation = evaluation_pour(request, pk)
    if not perms.peut(request.membership, perms.SAISIR_EVALUATIONS, evaluation):
        raise PermissionDenied
    return evaluation


def evaluation_supprimable(request, pk) -> Evaluation:
    evaluation = evaluation_pour(request, pk)
    if not perms.peut(request.membership, perms.SUPPRIMER_EVALUATIONS, evaluation):
        raise PermissionDenied
    return evaluation


def ressource_pour(request, evaluation: Evaluation, pk) -> RessourceEvaluation:
    """A resource of an évaluation already checked as visible (another one → 404)."""
    return get_object_or_404(evaluation.ressources.all(), pk=pk)


# --- the list --------------------------------------------------------------------------------


def annees_proposees(courante: AnneeScolaire) -> list[AnneeScolaire]:
    """Every known school year, most recent first (the current one always included)."""
    annees = list(AnneeScolaire.objects.order_by("-debut"))
    if not any(a.pk == courante.pk for a in annees):
        annees.insert(0, courante)
    return annees


@dataclass
class GroupeBilansEntreprise:
    """The bilans entreprise (nature E) of one PFMP période, shown as one expandable row of the
    list instead of one row per learner."""

    periode_id: int
    titre_periode: str
    debut: object  # date
    fin: object  # date
    evaluations: list = field(default_factory=list)

    est_groupe = True

    @property
    def nb_apprenants(self) -> int:
        return len(self.evaluations)

    @property
    def nb_valides(self) -> int:
        return sum(1 for ev in self.evaluations if ev.statut_bilan == "VALIDE")

    @property
    def noms_enseignants(self) -> list[str]:
        vus = dict.fromkeys(n for ev in self.evaluations for n in ev.noms_enseignants)
        return list(vus)

    @property
    def pk(self) -> str:
        return f"pfmp-{self.periode_id}"


@dataclass
class SectionNiveau:
    code: str
    libelle: str
    evaluations: list = field(default_factory=list)
    # What the table shows: évaluations, and one GroupeBilansEntreprise per période having
    # several bilans entreprise (at the place of its most recent one).
    lignes: list = field(default_factory=list)


def _lignes(evaluations: list) -> list:
    groupes: dict[int, GroupeBilansEntreprise] = {}
    lignes: list = []
    par_periode = defaultdict(int)
    for ev in evaluations:
        if ev.periode_bilan_id:
            par_periode[ev.periode_bilan_id] += 1
    for ev in evaluations:
        periode = ev.periode_bilan_id
        if not periode or par_periode[periode] < 2:
            lignes.append(ev)
            continue
        groupe = groupes.get(periode)
        if groupe is None:
            groupe = groupes[periode] = GroupeBilansEntreprise(
                periode_id=periode,
                titre_periode=ev.periode_bilan_titre,
                debut=ev.periode_bilan_debut,
                fin=ev.periode_bilan_fin,
            )
            lignes.append(groupe)
        groupe.evaluations.append(ev)
    for groupe in groupes.values():
        groupe.evaluations.sort(key=lambda e: (e.nom_apprenant_bilan, e.pk))
    return lignes


def page_liste(etablissement, diplome, annee: AnneeScolaire) -> list[SectionNiveau]:
    """The list page: one section per niveau of the diplôme, its évaluations of `annee` (date
    descending) with their number of learners and their teachers (`noms_enseignants`,
    `ids_enseignants`). The bilans entreprise carry their PFMP période, status and learner
    (`periode_bilan_*`, `statut_bilan`, `nom_apprenant_bilan`) so that `lignes` groups them per
    période. Two queries, whatever the volume."""
    if diplome is None:
        return []
    niveaux = [n for n in Niveau.values if n in (diplome.niveaux or [])]
    evaluations = list(
        Evaluation.objects.filter(etablissement=etablissement, diplome=diplome, annee=annee)
        .annotate(
            # A correlated count, not Count() over a join: that grouped every row by all its
            # columns (the list's query took 20 ms for 190 évaluations, 3 ms so).
            nb_apprenants=Subquery(
                Participant.objects.filter(evaluation=OuterRef("pk"))
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            # A bilan entreprise (pfmp, one-to-one): read by lookups, the lower layer never
            # imports pfmp.
            periode_bilan_id=F("bilan_entreprise__affectation__periode_id"),
            periode_bilan_titre=F("bilan_entreprise__affectation__periode__titre"),
            periode_bilan_debut=F("bilan_entreprise__affectation__periode__date_debut"),
            periode_bilan_fin=F("bilan_entreprise__affectation__periode__date_fin"),
            statut_bilan=F("bilan_entreprise__statut"),
            nom_bilan=F("bilan_entreprise__affectation__apprenant__membership__user__last_name"),
            prenom_bilan=F(
                "bilan_entreprise__affectation__apprenant__membership__user__first_name"
            ),
        )
        .order_by("-date", "titre", "pk")
    )
    # The teachers as names and ids (no User instances: a year is hundreds of évaluations).
    noms: dict[int, list[str]] = defaultdict(list)
    ids: dict[int, set[int]] = defaultdict(set)
    if evaluations:
        for e, u, prenom, nom in (
            Evaluation.enseignants.through.objects.filter(
                evaluation_id__in=[ev.pk for ev in evaluations]
            )
            .order_by("user__last_name", "user__first_name", "user_id")
            .values_list("evaluation_id", "user_id", "user__first_name", "user__last_name")
        ):
            noms[e].append(f"{nom.upper()} {prenom}".strip())  # User.nom_complet
            ids[e].add(u)
    sections = {n: SectionNiveau(code=n, libelle=libelle_niveau(n)) for n in niveaux}
    for evaluation in evaluations:
        evaluation.noms_enseignants = noms.get(evaluation.pk, [])
        evaluation.ids_enseignants = ids.get(evaluation.pk, set())
        evaluation.est_groupe = False
        evaluation.nom_apprenant_bilan = (  # User.nom_complet
            f"{(evaluation.nom_bilan or '').upper()} {evaluation.prenom_bilan or ''}".strip()
        )
        section = sections.get(evaluation.niveau)
        if section is None:
            section = sections[evaluation.niveau] = SectionNiveau(
                code=evaluation.niveau, libelle=libelle_niveau(evaluation.niveau)
            )
        section.evaluations.append(evaluation)
    for section in sections.values():
        section.lignes = _lignes(section.evaluations)
    return list(sections.values())


# --- the learners tab ------------------------------------------------------------------------


@dataclass
class GroupeDivision:
    division: object  # Division, or None for learners no longer in a selectable division
    apprenants: list  # Apprenant, annotated with `choisi` and `nb_resultats`

    @property
    def nb_choisis(self) -> int:
        return sum(1 for a in self.apprenants if a.choisi)


def choix_apprenants(evaluation: Evaluation) -> list[GroupeDivision]:
    """The current-year divisions of the évaluation's diplôme and niveau with their learners,
    each marked as chosen or not; chosen learners outside those divisions come last. A fixed
    number of queries."""
    choisis = {
        p.apprenant_id: p
        for p in evaluation.participants.select_related("apprenant__membership__user")
    }
    nb_resultats = dict(
        evaluation.resultats.values_list("apprenant_id").annotate(n=Count("pk")).order_by()
    )
    divisions = list(
        Division.objects.filter(
            etablissement=evaluation.etablissement,
            annee=AnneeScolaire.courante(),
            diplome=evaluation.diplome,
            niveau=evaluation.niveau,
        ).order_by("nom")
    )
    apprenants = (
        services.apprenants_selectionnables(evaluation)
        .select_related("membership__user")
        .order_by("membership__user__last_name", "membership__user__first_name", "pk")
    )
    par_division = {d.pk: GroupeDivision(d, []) for d in divisions}
    vus = set()
    for a in apprenants:
        a.choisi = a.pk in choisis
        a.nb_resultats = nb_resultats.get(a.pk, 0)
        par_division[a.division_id].apprenants.append(a)
        vus.add(a.pk)
    groupes = list(par_division.values())
    hors = []
    for pk, p in choisis.items():
        if pk not in vus:
            a = p.apprenant
            a.choisi = True
            a.nb_resultats = nb_resultats.get(pk, 0)
            hors.append(a)
    if hors:
        hors.sort(key=lambda a: (a.user.last_name, a.user.first_name, a.pk))
        groupes.append(GroupeDivision(None, hors))
    return groupes


# --- the liaison tab -------------------------------------------------------------------------


def liaison(
    evaluation: Evaluation, *, activite_code=None, groupe_code=None, critere_actif=None
) -> Liaison:
    """The référentiel of the évaluation's diplôme with its selection, as the scénario's
    liaison tab shows it (scenarios.fiche.liaison), plus the selected criteria that already
    have résultats. `critere_actif` keeps its competence open."""
    avec_resultats = set(
        evaluation.resultats.values_list("critere_id", flat=True).distinct().order_by()
    )
    return fiche.liaison(
        evaluation,
        activite_code=activite_code,
        groupe_code=groupe_code,
        critere_actif=critere_actif,
        criteres_avec_resultats=avec_resultats,
    )


def enseignants_possibles(etablissement, diplome):
    """The teachers the Informations tab proposes (see services.enseignants_possibles)."""
    return services.enseignants_possibles(etablissement, diplome)
