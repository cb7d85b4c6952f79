"""What a user may see of the bilans intermédiaires (visibility and the pages' prefetches).

The module is scoped by the establishment and the chosen diplôme: a learner or a bilan of
another establishment — or of a division preparing another diplôme — answers 404. Who may change
a bilan is `cpro.perms.peut` (REDIGER_BILANS, SUPPRIMER_BILANS: bilans.regles; 403 otherwise).

The observations that pre-fill a bilan are computed here (one query), from the learner's
résultats on the criteria of the diplôme's competences, in évaluations shown in dashboards and
dated up to the bilan's date; they feed `bilans.suggestion.suggerer`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bilans import rendu_tableau
from bilans.models import BilanIntermediaire, Positionnement
from bilans.suggestion import MAX_POURQUOI, Observation, Suggestion, suggerer
from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Division
from evaluations.models import Evaluation, Resultat
from referentiels.models import Competence

# --- the pre-fill ----------------------------------------------------------------------------


def competences_du_diplome(diplome):
    """The diplôme's competences in référentiel order, with their group."""
    return (
        Competence.objects.filter(diplome=diplome)
        .select_related("groupe")
        .order_by("groupe__ordre", "groupe__code", "ordre", "code", "pk")
    )


def evaluations_eligibles(apprenant: Apprenant, diplome, date: datetime.date):
    """The learner's évaluations a bilan dated `date` takes into account: those of the diplôme
    in which they take part, shown in dashboards, dated on or before `date`."""
    return Evaluation.objects.filter(
        etablissement_id=apprenant.etablissement_id,
        diplome=diplome,
        participants__apprenant=apprenant,
        afficher_tableau_de_bord=True,
        date__lte=date,
    ).distinct()


def observations(apprenant: Apprenant, diplome, date: datetime.date) -> dict[int, list]:
    """competence id → its observations (bilans.suggestion.Observation) for this learner up to
    `date`. One query. Empty cells have no row; NE rows are kept (the rule ignores them)."""
    # Plain values (three years are ~1,600 résultats: no model instances).
    resultats = (
        Resultat.objects.filter(
            apprenant=apprenant,
            evaluation__etablissement_id=apprenant.etablissement_id,
            evaluation__afficher_tableau_de_bord=True,
            evaluation__date__lte=date,
            critere__competence__diplome=diplome,
        )
        .order_by("evaluation__date", "critere__ordre", "critere__code", "pk")
        .values_list(
            "niveau",
            "evaluation__date",
            "evaluation__nature",
            "evaluation__titre",
            "critere__code",
            "critere__competence_id",
            "evaluation__auteur_id",
            "evaluation__auteur__first_name",
            "evaluation__auteur__last_name",
        )
    )
    par_competence: dict[int, list] = defaultdict(list)
    for niveau, date_ev, nature, titre, code, competence, auteur, prenom, nom in resultats:
        par_competence[competence].append(
            Observation(
                niveau=niveau,
                date=date_ev,
                nature=nature,
                titre=titre,
                critere=code,
                # User.nom_complet: "NOM Prénom".
                enseignant=f"{nom.upper()} {prenom}".strip() if auteur else "",
            )
        )
    return par_competence


def suggestions(apprenant: Apprenant, diplome, date: datetime.date) -> dict[int, Suggestion]:
    """competence id → the explained suggestion at `date` (competences without observation are
    absent: their suggestion is NE)."""
    return {cid: suggerer(obs, date) for cid, obs in observations(apprenant, diplome, date).items()}


# --- accessors -------------------------------------------------------------------------------


def divisions_du_module(request):
    """The current-year divisions of the establishment preparing the chosen diplôme."""
    if request.diplome is None:
        return Division.objects.none()
    return Division.objects.filter(
        etablissement=request.etablissement,
        diplome=request.diplome,
        annee=AnneeScolaire.courante(),
    ).order_by("niveau", "nom")


def apprenants_du_module(request):
    """Learners of the establishment whose division prepares the chosen diplôme (any year)."""
    if request.diplome is None:
        return Apprenant.objects.none()
    return Apprenant.objects.filter(
        etablissement=request.etablissement, division__diplome=request.diplome
    )


def apprenant_pour(request, pk) -> Apprenant:
    """The learner `pk` of this establishment and diplôme (else 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Apprenant introuvable") from None
    apprenant = (
        apprenants_du_module(request)
        .filter(pk=pk)
        .select_related("membership__user", "division__diplome")
        .first()
    )
    if apprenant is None:
        raise Http404("Apprenant introuvable")
    return apprenant


def bilan_pour(request, pk) -> BilanIntermediaire:
    """The bilan `pk` of this establishment and the chosen diplôme (else 404)."""
    bilan = (
        BilanIntermediaire.objects.filter(
            pk=pk, etablissement=request.etablissement, diplome=request.diplome
        )
        .select_related("apprenant__membership__user", "apprenant__division", "diplome", "auteur")
        .first()
    )
    if bilan is None:
        raise Http404("Bilan introuvable")
    return bilan


def bilan_modifiable(request, pk) -> BilanIntermediaire:
    """`bilan_pour`, then 403 unless the membership may write drafts here. Whether the bilan is
    still a draft is the services' business (a message, not a 403)."""
    bilan = bilan_pour(request, pk)
    if not perms.peut(request.membership, perms.REDIGER_BILANS, bilan):
        raise PermissionDenied
    return bilan


def bilan_supprimable(request, pk) -> BilanIntermediaire:
    bilan = bilan_pour(request, pk)
    if not perms.peut(request.membership, perms.SUPPRIMER_BILANS, bilan):
        raise PermissionDenied
    return bilan


# --- the bilans page -------------------------------------------------------------------------


@dataclass
class Ligne:
    competence: Competence
    niveaux: list  # one level per bilan, in date order ("" when the bilan has no positionnement)


@dataclass
class Groupe:
    groupe: object
    lignes: list = field(default_factory=list)


@dataclass
class PageBilans:
    apprenant: Apprenant
    bilans: list  # BilanIntermediaire in date order
    choisi: BilanIntermediaire | None
    groupes: list  # [Groupe]
    competences: list  # [Competence]

    @property
    def derniers(self) -> list:
        """The last two bilans (for the radar), oldest first."""
        return self.bilans[-2:] if len(self.bilans) >= 2 else []


def page_bilans(apprenant: Apprenant, diplome, choix=None) -> PageBilans:
    """The learner's bilans of `diplome` (date order) with every positionnement, and the table
    competence × bilans. Three queries whatever the number of bilans or competences."""
    bilans = list(
        BilanIntermediaire.objects.filter(apprenant=apprenant, diplome=diplome)
        .select_related("auteur", "valide_par")
        .order_by("date", "pk")
    )
    niveaux: dict[tuple[int, int], str] = {}
    if bilans:
        for bid, cid, niveau in Positionnement.objects.filter(
            bilan__in=[b.pk for b in bilans]
        ).values_list("bilan_id", "competence_id", "niveau"):
            niveaux[(bid, cid)] = niveau
    choisi = None
    if bilans:
        choisi = next((b for b in bilans if str(b.pk) == str(choix)), bilans[-1])
    competences = list(competences_du_diplome(diplome)) if bilans else []
    groupes: list[Groupe] = []
    for c in competences:
        if not groupes or groupes[-1].groupe.pk != c.groupe_id:
            groupes.append(Groupe(c.groupe))
        groupes[-1].lignes.append(Ligne(c, [niveaux.get((b.pk, c.pk), "") for b in bilans]))
    for b in bilans:
        b.niveaux_par_code = {c.code: niveaux.get((b.pk, c.pk), "NE") for c in competences}
    return PageBilans(apprenant, bilans, choisi, groupes, competences)


def apprenants_de_division(division):
    return (
        Apprenant.objects.filter(division=division)
        .select_related("membership__user")
        .order_by("membership__user__last_name", "membership__user__first_name", "pk")
    )


# --- the edit page ---------------------------------------------------------------------------


@dataclass
class LigneEdition:
    positionnement: Positionnement
    suggestion: Suggestion

    @cached_property
    def pourquoi(self) -> list:
        """The heaviest contributions (MAX_POURQUOI), chronologically, as in the dashboard."""
        return self.suggestion.principales(MAX_POURQUOI)

    @property
    def html_pourquoi(self):
        return rendu_tableau.html_contributions(self.pourquoi)

    @property
    def pourquoi_autres(self) -> tuple[int, str]:
        n, reste = self.suggestion.autres(MAX_POURQUOI)
        return n, rendu_tableau.virgule(reste)


@dataclass
class GroupeEdition:
    groupe: object
    lignes: list = field(default_factory=list)


def page_edition(bilan: BilanIntermediaire, date: datetime.date | None = None) -> dict:
    """The edit page: positionnements grouped by groupe de compétences with the suggestion
    explained (observations up to `date`, default the bilan's), and the évaluations taken into
    account. A fixed number of queries."""
    date = date or bilan.date
    positionnements = list(
        bilan.positionnements.select_related("competence__groupe").order_by(
            "competence__groupe__ordre",
            "competence__groupe__code",
            "competence__ordre",
            "competence__code",
        )
    )
    sugg = suggestions(bilan.apprenant, bilan.diplome, date)
    groupes: list[GroupeEdition] = []
    for p in positionnements:
        c = p.competence
        if not groupes or groupes[-1].groupe.pk != c.groupe_id:
            groupes.append(GroupeEdition(c.groupe))
        groupes[-1].lignes.append(LigneEdition(p, sugg.get(c.pk) or suggerer([], date)))
    evaluations = list(bilan.evaluations.select_related("auteur").order_by("date", "titre", "pk"))
    return {"groupes": groupes, "evaluations": evaluations}
