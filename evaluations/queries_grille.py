"""Accessors and read models of the positioning grid (another establishment's object → 404).

The grid is read in a constant number of queries whatever its size: participants (with their
user), criteria (with their competence), indicators, résultats.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from cpro.maitrise import rendu
from cpro.models import Apprenant
from evaluations.models import Evaluation, Participant, Resultat
from referentiels.models import Critere, Indicateur, NatureReferentiel


def evaluation_pour(request, pk) -> Evaluation:
    """An évaluation of the request's establishment and chosen diplôme, like every évaluation
    page (evaluations.queries.evaluations_du_module), else 404."""
    return get_object_or_404(
        Evaluation.objects.select_related("etablissement", "diplome", "auteur"),
        pk=pk,
        etablissement=request.etablissement,
        diplome=request.diplome,
    )


def apprenant_de(request) -> Apprenant:
    """The learner profile of the request's membership (404 when there is none)."""
    apprenant = Apprenant.objects.filter(membership=request.membership).first()
    if apprenant is None:
        raise Http404("Aucun profil apprenant")
    return apprenant


def ma_evaluation(request, apprenant, pk) -> Evaluation:
    """An évaluation the learner took part in and whose results are shown on their dashboard;
    anything else → 404 (they must not learn it exists)."""
    return get_object_or_404(
        Evaluation.objects.select_related("etablissement", "diplome", "auteur"),
        pk=pk,
        etablissement=request.etablissement,
        afficher_tableau_de_bord=True,
        participants__apprenant=apprenant,
    )


def mes_evaluations(apprenant):
    """The évaluations a learner took part in, shown on their dashboard, newest first."""
    return (
        Evaluation.objects.filter(
            participants__apprenant=apprenant,
            afficher_tableau_de_bord=True,
            etablissement_id=apprenant.etablissement_id,
        )
        .select_related("diplome")
        .order_by("-date", "titre")
    )


def apprenant_de_la_grille(evaluation, pk) -> Apprenant:
    """A learner of the évaluation's establishment (404 otherwise), with user loaded. Whether
    they take part is the service's business (a French message, not a 404)."""
    return get_object_or_404(
        Apprenant.objects.select_related("membership__user"),
        pk=pk,
        etablissement_id=evaluation.etablissement_id,
    )


def critere_de_la_grille(evaluation, pk) -> Critere:
    """A criterion of the évaluation's diplôme or of its establishment's transversal
    référentiel (404 otherwise)."""
    return get_object_or_404(
        Critere.objects.select_related("competence").filter(
            Q(competence__diplome_id=evaluation.diplome_id)
            | Q(
                competence__diplome__etablissement_id=evaluation.etablissement_id,
                competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
            )
        ),
        pk=pk,
    )


@dataclass
class Cellule:
    apprenant: Apprenant
    critere: Critere
    niveau: str  # "" = empty

    @property
    def apprenant_id(self) -> int:
        return self.apprenant.pk

    @property
    def critere_id(self) -> int:
        return self.critere.pk

    @property
    def rendu(self):
        return rendu(self.niveau) if self.niveau else None

    @property
    def cle(self) -> str:
        return f"{self.apprenant_id}-{self.critere_id}"


@dataclass
class Ligne:
    participant: Participant
    apprenant: Apprenant
    cellules: list[Cellule]
    html: str = ""  # the cells' markup, set by the view (evaluations.rendu_grille)


@dataclass
class GroupeCriteres:
    competence: object
    criteres: list = field(default_factory=list)


@dataclass
class Grille:
    evaluation: Evaluation
    groupes: list[GroupeCriteres]
    criteres: list
    lignes: list[Ligne]

    @property
    def nb_criteres(self) -> int:
        return len(self.criteres)


def cellule(evaluation, apprenant, critere) -> Cellule:
    """One cell as stored now (after a save: what the grid must show)."""
    niveau = (
        Resultat.objects.filter(evaluation=evaluation, apprenant=apprenant, critere=critere)
        .values_list("niveau", flat=True)
        .first()
    )
    return Cellule(apprenant, critere, niveau or "")


def commentaire(evaluation, apprenant) -> str:
    """The teacher's comment for one learner of the évaluation, as stored now."""
    texte = (
        Participant.objects.filter(evaluation=evaluation, apprenant=apprenant)
        .values_list("commentaire", flat=True)
        .first()
    )
    return texte or ""


def grille(evaluation, *, apprenant=None) -> Grille:
    """The grid of an évaluation: learners (sorted by name) × criteria grouped by competence.
    With `apprenant`, only that learner's row. Queries: 4, whatever the size."""
    participants = Participant.objects.filter(evaluation=evaluation).select_related(
        "apprenant__membership__user"
    )
    resultats = Resultat.objects.filter(evaluation=evaluation)
    if apprenant is not None:
        participants = participants.filter(apprenant=apprenant)
        resultats = resultats.filter(apprenant=apprenant)
    participants = sorted(
        participants,
        key=lambda p: (
            p.apprenant.membership.user.last_name.lower(),
            p.apprenant.membership.user.first_name.lower(),
            p.apprenant_id,
        ),
    )
    criteres = list(
        evaluation.criteres.select_related("competence__groupe")
        .prefetch_related(
            Prefetch("indicateurs", queryset=Indicateur.objects.order_by("ordre", "code"))
        )
        .order_by(
            "competence__diplome__nature",  # the diploma's criteria, then the transversal ones
            "competence__groupe__ordre",
            "competence__ordre",
            "competence__code",
            "ordre",
            "code",
        )
    )
    niveaux = {
        (a, c): n for a, c, n in resultats.values_list("apprenant_id", "critere_id", "niveau")
    }
    groupes: list[GroupeCriteres] = []
    for c in criteres:
        if not groupes or groupes[-1].competence.pk != c.competence_id:
            groupes.append(GroupeCriteres(c.competence))
        groupes[-1].criteres.append(c)
    lignes = [
        Ligne(
            participant=p,
            apprenant=p.apprenant,
            cellules=[
                Cellule(p.apprenant, c, niveaux.get((p.apprenant_id, c.pk), "")) for c in criteres
            ],
        )
        for p in participants
    ]
    return Grille(evaluation, groupes, criteres, lignes)


def resultats_apprenant(apprenant):
    """Every résultat of a learner in évaluations shown on their dashboard, by competence and
    criterion, then chronologically (the apprentice's positioning export)."""
    return (
        Resultat.objects.filter(
            apprenant=apprenant,
            evaluation__afficher_tableau_de_bord=True,
            evaluation__etablissement_id=apprenant.etablissement_id,
        )
        .select_related("evaluation", "critere__competence__groupe")
        .order_by(
            "critere__competence__groupe__ordre",
            "critere__competence__ordre",
            "critere__competence__code",
            "critere__ordre",
            "critere__code",
            "evaluation__date",
            "evaluation__pk",
        )
    )
