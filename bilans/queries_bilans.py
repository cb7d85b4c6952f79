"""What a user may see of the bilans intermédiaires (visibility and the pages' prefetches).

The module is scoped by the establishment and the chosen diplôme: a learner or a bilan of
another establishment — or of a division preparing another diplôme — answers 404. Who may change
a bilan is `cpro.perms.peut` (REDIGER_BILANS, SUPPRIMER_BILANS: bilans.regles; 403 otherwise).

The suggested levels that pre-fill a bilan are read from the stored exact aggregates
(`evaluations.agregats.lire`, one query) — same rule, same level as `bilans.suggestion.suggerer`
— and computed from the observations themselves (one more query) only for the competences with
an observation dated after the bilan's date. The observations (the learner's résultats on the
criteria of a competence, in évaluations shown in dashboards, dated up to the bilan's date) are
read on demand for « Pourquoi ? » (`pourquoi`, one competence).

A bilan also positions the establishment's active transversal competences (référentiel of
nature TRANSVERSAL, `referentiels.services_transversal`), shown apart: never as official
content. Their observations come from évaluations of any diploma of the establishment.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from bilans.models import BilanIntermediaire, Positionnement
from bilans.suggestion import MAX_POURQUOI, Observation, Suggestion, niveau_agrege, suggerer
from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Division
from evaluations import agregats
from evaluations.models import Evaluation, Resultat
from referentiels.models import Competence, Diplome, NatureReferentiel

# --- the pre-fill ----------------------------------------------------------------------------


def competences_du_diplome(diplome):
    """The diplôme's competences in référentiel order, with their group."""
    return (
        Competence.objects.filter(diplome=diplome)
        .select_related("groupe")
        .order_by("groupe__ordre", "groupe__code", "ordre", "code", "pk")
    )


def referentiel_transversal(etablissement_id) -> Diplome | None:
    """The establishment's transversal référentiel when it is active, else None (1 query)."""
    return Diplome.objects.filter(
        etablissement_id=etablissement_id, nature=NatureReferentiel.TRANSVERSAL, actif=True
    ).first()


def competences_transversales(referentiel):
    """The active competences of the transversal référentiel, in order."""
    return (
        Competence.objects.filter(diplome=referentiel, active=True)
        .select_related("groupe")
        .order_by("groupe__ordre", "groupe__code", "ordre", "code", "pk")
    )


def evaluations_eligibles(apprenant: Apprenant, diplome, date: datetime.date, *, transversal=None):
    """The learner's évaluations a bilan dated `date` takes into account: those of the diplôme
    in which they take part, shown in dashboards, dated on or before `date` — and, when the
    bilan positions the transversal référentiel `transversal`, those of any diploma of the
    establishment that link one of its criteria."""
    portee = Q(diplome=diplome)
    if transversal is not None:
        portee |= Q(
            Exists(
                Evaluation.criteres.through.objects.filter(
                    evaluation=OuterRef("pk"), critere__competence__diplome=transversal
                )
            )
        )
    return (
        Evaluation.objects.filter(
            etablissement_id=apprenant.etablissement_id,
            participants__apprenant=apprenant,
            afficher_tableau_de_bord=True,
            date__lte=date,
        )
        .filter(portee)
        .distinct()
    )


def observations(
    apprenant: Apprenant, diplome, date: datetime.date, *, competences=None
) -> dict[int, list]:
    """competence id → its observations (bilans.suggestion.Observation) for this learner up to
    `date`, for the competences of `diplome` (or only `competences`, ids, whatever their
    référentiel). One query. Empty cells have no row; NE rows are kept (the rule ignores
    them)."""
    portee = (
        Q(critere__competence_id__in=list(competences))
        if competences is not None
        else Q(critere__competence__diplome=diplome)
    )
    # Plain values (three years are ~1,600 résultats: no model instances).
    resultats = (
        Resultat.objects.filter(
            portee,
            apprenant=apprenant,
            evaluation__etablissement_id=apprenant.etablissement_id,
            evaluation__afficher_tableau_de_bord=True,
            evaluation__date__lte=date,
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


def niveaux_suggeres(
    apprenant: Apprenant, competences, date: datetime.date, *, repli=None
) -> dict[int, str]:
    """competence id → the suggested level at `date` for each of `competences` (ids), the same
    as `suggerer` on the observations: read from the stored exact aggregates (1 query); the
    competences with an observation dated after `date` are computed from their observations
    (1 more query), or by `repli(ids) -> {id: level}` when the caller already holds them (the
    dashboards: bilans.queries_tableaux)."""
    ids = sorted(set(competences))
    if not ids:
        return {}
    lues = agregats.lire([apprenant.pk], ids)
    niveaux: dict[int, str] = {}
    exactes = []
    for cid in ids:
        niveau = niveau_agrege(lues.get((apprenant.pk, cid), []), date)
        if niveau is None:
            exactes.append(cid)
        else:
            niveaux[cid] = niveau
    if exactes and repli is not None:
        niveaux.update(repli(exactes))
    elif exactes:
        obs = observations(apprenant, None, date, competences=exactes)
        for cid in exactes:
            niveaux[cid] = suggerer(obs.get(cid, []), date).niveau
    return niveaux


def suggestion_expliquee(apprenant: Apprenant, competence_id: int, date: datetime.date):
    """The explained suggestion (every contribution) of one competence at `date` (1 query)."""
    obs = observations(apprenant, None, date, competences=[competence_id])
    return suggerer(obs.get(competence_id, []), date)


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
        # What the bilan pages show (the learner's name); the services re-read under lock.
        .select_related("apprenant__membership__user")
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


@dataclass(order=True, frozen=True)
class PositionTransversale:
    """A bilan's level on a transversal competence (référentiel of the establishment)."""

    ordre: int
    code: str
    intitule: str
    niveau: str


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
    competence × bilans (the diplôme's competences); the chosen bilan's transversal
    positionnements as `choisi.transversales` ([PositionTransversale], in référentiel order).
    Three queries whatever the number of bilans or competences."""
    bilans = list(
        BilanIntermediaire.objects.filter(apprenant=apprenant, diplome=diplome)
        .select_related("auteur", "valide_par")
        .order_by("date", "pk")
    )
    niveaux: dict[tuple[int, int], str] = {}
    # The transversal positionnements (competences of another référentiel) of each bilan.
    transversales: dict[int, list] = defaultdict(list)
    if bilans:
        for bid, cid, niveau, diplome_id, ordre, code, intitule in Positionnement.objects.filter(
            bilan__in=[b.pk for b in bilans]
        ).values_list(
            "bilan_id",
            "competence_id",
            "niveau",
            "competence__diplome_id",
            "competence__ordre",
            "competence__code",
            "competence__intitule",
        ):
            niveaux[(bid, cid)] = niveau
            if diplome_id != diplome.pk:
                transversales[bid].append(PositionTransversale(ordre, code, intitule, niveau))
    choisi = None
    if bilans:
        choisi = next((b for b in bilans if str(b.pk) == str(choix)), bilans[-1])
        choisi.transversales = sorted(transversales.get(choisi.pk, []))
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
    suggestion: str  # the suggested level at the bilan's date ("NE" without observation)


@dataclass
class GroupeEdition:
    groupe: object
    lignes: list = field(default_factory=list)


def page_edition(bilan: BilanIntermediaire, date: datetime.date | None = None) -> dict:
    """The edit page: positionnements grouped by groupe de compétences with the suggested level
    (at `date`, default the bilan's), the transversal ones apart (competences outside the
    bilan's diplôme), and the évaluations taken into account. 3 queries (4 when an observation
    is dated after `date`); « Pourquoi ? » is `pourquoi`, loaded on demand."""
    date = date or bilan.date
    positionnements = list(
        bilan.positionnements.select_related("competence__groupe").order_by(
            "competence__groupe__ordre",
            "competence__groupe__code",
            "competence__ordre",
            "competence__code",
            "competence_id",
        )
    )
    niveaux = niveaux_suggeres(bilan.apprenant, [p.competence_id for p in positionnements], date)
    groupes: list[GroupeEdition] = []
    transversales: list[LigneEdition] = []
    for p in positionnements:
        c = p.competence
        ligne = LigneEdition(p, niveaux.get(c.pk, "NE"))
        if c.diplome_id != bilan.diplome_id:
            transversales.append(ligne)
            continue
        if not groupes or groupes[-1].groupe.pk != c.groupe_id:
            groupes.append(GroupeEdition(c.groupe))
        groupes[-1].lignes.append(ligne)
    # Three years are ~180 évaluations: plain values, rendered by bilans.rendu_bilan.
    evaluations = list(
        bilan.evaluations.order_by("date", "titre", "pk").values_list(
            "date", "titre", "nature", "verrouillee"
        )
    )
    return {"groupes": groupes, "transversales": transversales, "evaluations": evaluations}


# --- « Pourquoi ? » --------------------------------------------------------------------------


@dataclass
class Pourquoi:
    """The observations behind the suggestion of one competence of a bilan."""

    bilan: BilanIntermediaire
    competence: Competence
    suggestion: Suggestion

    @cached_property
    def contributions(self) -> list:
        """The heaviest contributions (MAX_POURQUOI), chronologically, as in the dashboard."""
        return self.suggestion.principales(MAX_POURQUOI)

    @property
    def autres(self) -> tuple[int, float]:
        return self.suggestion.autres(MAX_POURQUOI)

    @property
    def transversale(self) -> bool:
        return self.competence.diplome_id != self.bilan.diplome_id


def pourquoi(bilan: BilanIntermediaire, competence_pk) -> Pourquoi:
    """The suggestion of the bilan's competence `competence_pk` explained (its observations up
    to the bilan's date); a competence the bilan does not position → 404. 2 queries."""
    try:
        competence_pk = int(competence_pk)
    except (TypeError, ValueError):
        raise Http404("Compétence introuvable") from None
    p = (
        bilan.positionnements.filter(competence_id=competence_pk)
        .select_related("competence")
        .first()
    )
    if p is None:
        raise Http404("Compétence introuvable")
    return Pourquoi(
        bilan, p.competence, suggestion_expliquee(bilan.apprenant, competence_pk, bilan.date)
    )
