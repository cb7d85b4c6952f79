"""What the LSL Pro pages read, with their prefetches.

The module is scoped by the establishment and the chosen diplôme (tenancy): a learner of another
establishment — or of a division preparing another diplôme — answers 404.

The livret shows the learner's **validated** bilans of the diplôme over the whole cycle (all
years): a draft may still change, and only validated bilans go to the national livrets (as for
PRONOTE). A bilan's level for an LSL competence is the lowest level the bilan gives to the
référentiel competences the LSL competence groups (``niveau_lsl``).

Stable API used by the XML export: ``livrets_annee(etablissement, annee, divisions)``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from bilans.models import BilanIntermediaire, Positionnement
from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role, Statut
from lslpro.completude import Completude, evaluer
from lslpro.models import (
    CodeMatiereLSL,
    EnseignantLivret,
    Livret,
    NiveauLivret,
    NoteLivret,
    Periodicite,
)
from lslpro.nomenclature import est_factice
from referentiels.models import CompetenceLSL, Niveau

# LSL applies to the classes of Première and Terminale (guide, section 10).
NIVEAUX_LSL = (Niveau.PREMIERE, Niveau.TERMINALE)
ROLES_ENSEIGNANTS = (Role.ENSEIGNANT, Role.DDFPT)


# --- rules of reading -------------------------------------------------------------------------


def niveau_lsl(niveaux) -> str:
    """The LSL level of several référentiel levels: the lowest of 1..4; NE when none is
    positioned (NE and empty values are ignored while another level exists)."""
    chiffres = [int(n) for n in niveaux if n in ("1", "2", "3", "4")]
    return str(min(chiffres)) if chiffres else Maitrise.NE.value


def competences_lsl(diplome) -> list[CompetenceLSL]:
    """The diplôme's LSL competences in livret order, each with `competence_ids` (the
    référentiel competences it groups). Two queries."""
    return list(
        CompetenceLSL.objects.filter(diplome=diplome)
        .prefetch_related("competences")
        .order_by("ordre", "code", "pk")
    )


def _ids_competences(competences) -> dict[int, list[int]]:
    return {c.pk: [x.pk for x in c.competences.all()] for c in competences}


def niveaux_lsl_des_bilans(bilans, competences) -> dict[int, dict[int, str]]:
    """bilan id → {LSL competence id → level}. One query whatever the number of bilans."""
    if not bilans:
        return {}
    par_bilan: dict[int, dict[int, str]] = defaultdict(dict)
    for bid, cid, niveau in Positionnement.objects.filter(
        bilan__in=[b.pk for b in bilans]
    ).values_list("bilan_id", "competence_id", "niveau"):
        par_bilan[bid][cid] = niveau
    groupes = _ids_competences(competences)
    return {
        b.pk: {
            lsl_id: niveau_lsl(par_bilan[b.pk].get(cid, "") for cid in cids)
            for lsl_id, cids in groupes.items()
        }
        for b in bilans
    }


# --- accessors --------------------------------------------------------------------------------


def annee_courante() -> AnneeScolaire:
    return AnneeScolaire.courante()


def divisions_du_module(request, annee=None):
    """The current-year divisions of the establishment preparing the chosen diplôme."""
    if request.diplome is None:
        return Division.objects.none()
    return (
        Division.objects.filter(
            etablissement=request.etablissement,
            diplome=request.diplome,
            annee=annee or annee_courante(),
        )
        .select_related("diplome")
        .order_by("niveau", "nom")
    )


def apprenant_pour(request, pk) -> Apprenant:
    """The learner `pk` of this establishment whose division prepares the chosen diplôme
    (else 404). Apprentices are found too: the page explains they have no livret."""
    if request.diplome is None:
        raise Http404("Apprenant introuvable")
    apprenant = (
        Apprenant.objects.filter(
            pk=pk, etablissement=request.etablissement, division__diplome=request.diplome
        )
        .select_related("membership__user", "division__diplome", "division__annee")
        .first()
    )
    if apprenant is None:
        raise Http404("Apprenant introuvable")
    return apprenant


def periodicite_pour(etablissement, annee, diplome, niveau) -> Periodicite | None:
    return Periodicite.objects.filter(
        etablissement=etablissement, annee=annee, diplome=diplome, niveau=niveau
    ).first()


def bilans_du_cycle(apprenant, diplome) -> list[BilanIntermediaire]:
    """The learner's validated bilans of `diplome`, every year, in date order."""
    return list(
        BilanIntermediaire.objects.filter(
            apprenant=apprenant,
            diplome=diplome,
            statut=BilanIntermediaire.Statut.VALIDE,
        )
        .select_related("annee")
        .order_by("date", "pk")
    )


def eleves_de_division(division):
    """Every learner of the division (scolaire and apprentices), by name."""
    return (
        Apprenant.objects.filter(division=division)
        .select_related("membership__user", "division")
        .order_by("membership__user__last_name", "membership__user__first_name", "pk")
    )


def ids_avec_bilan_annee(apprenant_ids, diplome, annee) -> set[int]:
    """Which of these learners have a validated bilan of `diplome` this year. One query."""
    return set(
        BilanIntermediaire.objects.filter(
            apprenant_id__in=list(apprenant_ids),
            diplome=diplome,
            annee=annee,
            statut=BilanIntermediaire.Statut.VALIDE,
        ).values_list("apprenant_id", flat=True)
    )


def enseignants_etablissement(etablissement):
    """Active teachers (and the DDFPT, who may teach) of the establishment, by name."""
    return (
        Membership.objects.filter(
            etablissement=etablissement, active=True, role__in=ROLES_ENSEIGNANTS
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _prefetch_livret():
    return (
        Prefetch(
            "niveaux",
            queryset=NiveauLivret.objects.select_related("competence").order_by(
                "competence__ordre", "competence__code"
            ),
        ),
        Prefetch("notes", queryset=NoteLivret.objects.select_related("bilan").order_by("periode")),
        Prefetch("enseignants", queryset=EnseignantLivret.objects.order_by("role", "nom", "pk")),
    )


def livrets_annee(etablissement, annee, divisions):
    """The livrets of `annee` of the scolaire learners of `divisions` (Division objects or ids),
    with everything an export reads prefetched: apprenant + user + division, diplôme + its LSL
    competences, niveaux + competence, notes + bilan, enseignants. Ordered by division, name."""
    return (
        Livret.objects.filter(
            etablissement=etablissement,
            annee=annee,
            apprenant__division__in=list(divisions),
            apprenant__statut=Statut.SCOLAIRE,
        )
        .select_related(
            "apprenant__membership__user",
            "apprenant__division",
            "diplome",
            "annee",
            "etablissement",
        )
        .prefetch_related(
            *_prefetch_livret(),
            Prefetch(
                "diplome__competences_lsl",
                queryset=CompetenceLSL.objects.order_by("ordre", "code", "pk"),
            ),
        )
        .order_by(
            "apprenant__division__nom",
            "apprenant__membership__user__last_name",
            "apprenant__membership__user__first_name",
            "apprenant__pk",
        )
    )


def livret_de(apprenant, annee) -> Livret | None:
    """The learner's livret of `annee` with its rows (4 queries), or None."""
    return (
        Livret.objects.filter(apprenant=apprenant, annee=annee)
        .prefetch_related(*_prefetch_livret())
        .first()
    )


# --- the périodicité page ---------------------------------------------------------------------


@dataclass
class LignePeriodicite:
    diplome: object
    niveau: str
    periodicite: Periodicite | None

    @property
    def cle(self) -> str:
        return f"{self.diplome.pk}_{self.niveau}"

    @property
    def niveau_libelle(self) -> str:
        return Niveau(self.niveau).label


def lignes_periodicite(etablissement, annee) -> list[LignePeriodicite]:
    """One row per diplôme of the establishment and level of Première / Terminale it has."""
    existantes = {
        (p.diplome_id, p.niveau): p
        for p in Periodicite.objects.filter(etablissement=etablissement, annee=annee)
    }
    lignes = []
    for diplome in etablissement.diplomes.order_by("intitule_court", "-version"):
        for niveau in NIVEAUX_LSL:
            if niveau in (diplome.niveaux or NIVEAUX_LSL):
                lignes.append(
                    LignePeriodicite(diplome, niveau, existantes.get((diplome.pk, niveau)))
                )
    return lignes


# --- the livret page --------------------------------------------------------------------------


@dataclass
class ColonneBilan:
    bilan: BilanIntermediaire
    courant: bool  # of the current year: carries "Note pour l'export" and "Période"


@dataclass
class LigneCompetence:
    competence: CompetenceLSL
    niveaux: list  # one level per ColonneBilan


@dataclass
class PageLivret:
    apprenant: Apprenant
    diplome: object
    annee: AnneeScolaire
    periodicite: Periodicite | None
    colonnes: list  # [ColonneBilan] of the cycle, in date order
    lignes: list  # [LigneCompetence]
    competences: list  # [CompetenceLSL]
    livret: Livret | None
    niveaux_bilans: dict  # bilan id → {LSL competence id → level}
    completude: Completude = None
    bilans_annee: list = field(default_factory=list)

    @property
    def dernier_bilan(self) -> BilanIntermediaire | None:
        return self.bilans_annee[-1] if self.bilans_annee else None

    @property
    def recopie(self) -> dict[int, str]:
        """The last bilan's level per LSL competence (what « Recopie » copies)."""
        dernier = self.dernier_bilan
        return dict(self.niveaux_bilans.get(dernier.pk, {})) if dernier else {}


def page_livret(apprenant, diplome, annee, periodicite=None) -> PageLivret:
    """Everything the livret page shows; a fixed number of queries whatever the number of
    bilans: bilans (1), positionnements (1), LSL competences (2), livret and its rows (4)."""
    bilans = bilans_du_cycle(apprenant, diplome)
    competences = competences_lsl(diplome)
    niveaux_bilans = niveaux_lsl_des_bilans(bilans, competences)
    colonnes = [ColonneBilan(b, b.annee_id == annee.pk) for b in bilans]
    lignes = [
        LigneCompetence(c, [niveaux_bilans[col.bilan.pk][c.pk] for col in colonnes])
        for c in competences
    ]
    livret = livret_de(apprenant, annee)
    return PageLivret(
        apprenant=apprenant,
        diplome=diplome,
        annee=annee,
        periodicite=periodicite,
        colonnes=colonnes,
        lignes=lignes,
        competences=competences,
        livret=livret,
        niveaux_bilans=niveaux_bilans,
        completude=evaluer(livret, competences),
        bilans_annee=[col.bilan for col in colonnes if col.courant],
    )


# --- the LSL population: one truth for the Complétude page and the export pre-flight ------


@dataclass
class LigneCompletude:
    """One scolaire learner of the LSL population, with their livret of the year (None: no
    livret yet — « livret absent ») and its completeness."""

    apprenant: Apprenant
    livret: Livret | None
    completude: Completude
    a_un_bilan: bool

    @property
    def livret_absent(self) -> bool:
        return self.livret is None


def eleves_lsl(etablissement, annee, divisions):
    """The learners the LSL concerns in `divisions` (Division objects or ids) for `annee`:

    - statut SCOLAIRE only (apprentices are not subject to the LSL);
    - attached today to one of these divisions of `annee` (a learner moved to another division
      is counted there; one attached to no division is in no population);
    - not left: ``date_sortie`` empty. A learner who left the establishment is neither exported
      nor counted in the division's statistics; their livret stays in the database.

    With user and division + diplôme; ordered by division name, then name."""
    return (
        Apprenant.objects.filter(
            etablissement=etablissement,
            division__in=list(divisions),
            division__annee=annee,
            statut=Statut.SCOLAIRE,
            date_sortie__isnull=True,
        )
        .select_related("membership__user", "division__diplome")
        .order_by(
            "division__nom",
            "membership__user__last_name",
            "membership__user__first_name",
            "pk",
        )
    )


def population_lsl(etablissement, annee, divisions) -> list[LigneCompletude]:
    """Every learner of `eleves_lsl` with their livret of `annee` (or None) and its
    completeness — THE list both the Complétude page and the export pre-flight read, so their
    counts are the same by construction.

    A fixed number of queries whatever the number of learners: learners (1), livrets and their
    rows (4), LSL competences of the diplômes (1), validated bilans of the year (1). Each livret
    gets its apprenant from the learners' query (no query per livret)."""
    eleves = list(eleves_lsl(etablissement, annee, divisions))
    if not eleves:
        return []
    ids = [e.pk for e in eleves]
    par_id = {e.pk: e for e in eleves}
    livrets = {}
    for lv in (
        Livret.objects.filter(apprenant_id__in=ids, annee=annee)
        .select_related("diplome")
        .prefetch_related(*_prefetch_livret())
    ):
        lv.apprenant = par_id[lv.apprenant_id]
        livrets[lv.apprenant_id] = lv
    diplomes = {e.division.diplome_id for e in eleves} | {lv.diplome_id for lv in livrets.values()}
    competences: dict[int, list] = defaultdict(list)
    for c in CompetenceLSL.objects.filter(diplome_id__in=diplomes).order_by("ordre", "code", "pk"):
        competences[c.diplome_id].append(c)
    avec_bilan = set(
        BilanIntermediaire.objects.filter(
            apprenant_id__in=ids, annee=annee, statut=BilanIntermediaire.Statut.VALIDE
        ).values_list("apprenant_id", "diplome_id")
    )
    lignes = []
    for e in eleves:
        livret = livrets.get(e.pk)
        diplome_id = livret.diplome_id if livret else e.division.diplome_id
        lignes.append(
            LigneCompletude(
                e,
                livret,
                evaluer(livret, competences[diplome_id]),
                (e.pk, e.division.diplome_id) in avec_bilan,
            )
        )
    return lignes


def completude_division(division, annee) -> list[LigneCompletude]:
    """The Complétude page of one division: ``population_lsl`` of that division."""
    return population_lsl(division.etablissement_id, annee, [division])


# --- the settings page (« Paramètres LSL ») -------------------------------------------------


@dataclass
class LigneCodeMatiere:
    diplome: object
    code: object  # CodeMatiereLSL or None

    @property
    def factice(self) -> bool:
        """True when no real code is set (missing or placeholder): the export is blocked."""
        return est_factice(self.code.code if self.code else None)


def codes_matiere_page(etablissement) -> list[LigneCodeMatiere]:
    """One row per diplôme of the establishment with its code matière (and who set it). Two
    queries."""
    codes = {
        c.diplome_id: c
        for c in CodeMatiereLSL.objects.filter(etablissement=etablissement).select_related(
            "modifie_par"
        )
    }
    return [
        LigneCodeMatiere(d, codes.get(d.pk))
        for d in etablissement.diplomes.order_by("intitule_court", "-version", "pk")
    ]


def divisions_annee_page(etablissement, annee):
    """The establishment's divisions of `annee` (all diplômes) for the codes MEF. One query."""
    return (
        Division.objects.filter(etablissement=etablissement, annee=annee)
        .select_related("diplome")
        .order_by("nom")
    )


def diplome_de(etablissement, pk):
    """A diplôme prepared by the establishment (else 404)."""
    diplome = etablissement.diplomes.filter(pk=pk).first() if pk is not None else None
    if diplome is None:
        raise Http404("Diplôme introuvable")
    return diplome


def division_de(etablissement, pk, annee) -> Division:
    """A division of the establishment for `annee` (else 404)."""
    division = (
        Division.objects.filter(etablissement=etablissement, annee=annee, pk=pk)
        .select_related("diplome")
        .first()
        if pk is not None
        else None
    )
    if division is None:
        raise Http404("Division introuvable")
    return division
