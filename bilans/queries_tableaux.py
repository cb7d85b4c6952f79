"""Read side of the learners' dashboards (tableaux de bord) and of the class view.

`donnees_tableau(apprenant, diplome, ...)` builds a learner's dashboard in 4 queries whatever
the amount of data (criteria of the diplôme, évaluations, their teachers, résultats);
`vue_classe(division, diplome, ...)` builds the class view in 4 queries whatever the number of
learners (learners, criteria, stored suggestion aggregates, validated positionnements). Both
are pinned by tests/bilans/test_tableau_queries.py.

Only évaluations of the learner's establishment and diplôme in which the learner takes part
and whose results are shown in dashboards (`afficher_tableau_de_bord`) are ever read.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bilans import rendu_tableau
from bilans.models import BilanIntermediaire, Positionnement
from bilans.rendu_tableau import CasesTableau, virgule
from bilans.suggestion import (
    MAX_POURQUOI,
    Cumul,
    Observation,
    Suggestion,
    niveau_agrege,
    suggerer,
)
from cpro.maitrise import Rendu, rendu
from cpro.models import AnneeScolaire, Apprenant, Division
from evaluations import agregats
from evaluations.models import Evaluation, Nature, Participant, Resultat
from referentiels.models import Critere, Niveau

# --- accessors ---------------------------------------------------------------------------


def divisions_courantes(etablissement, diplome) -> list[Division]:
    """The current school year's divisions of the diplôme, by name (1 query)."""
    debut = AnneeScolaire.debut_pour(timezone.localdate())
    return list(
        Division.objects.filter(etablissement=etablissement, diplome=diplome, annee__debut=debut)
        .select_related("annee")
        .order_by("nom")
    )


def tri_nom(apprenant: Apprenant):
    """Sort key of learners: last name, first name (case-insensitive), then pk."""
    user = apprenant.membership.user
    return (user.last_name.lower(), user.first_name.lower(), apprenant.pk)


def apprenants_de_division(division: Division) -> list[Apprenant]:
    """The learners of a division in name order (1 query)."""
    qs = Apprenant.objects.filter(division=division, membership__active=True).select_related(
        "membership__user", "division"
    )
    return sorted(qs, key=tri_nom)


def apprenant_et_camarades(request, pk) -> tuple[Apprenant, list[Apprenant]]:
    """A learner of the request's establishment whose division prepares the chosen diplôme,
    with the learners of that division in name order (for previous / next), in 1 query.
    Anything else (another establishment, another diplôme, no division) → 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Apprenant inconnu") from None
    division = Apprenant.objects.filter(pk=pk).values("division_id")
    qs = Apprenant.objects.filter(
        etablissement=request.etablissement,
        division__diplome=request.diplome,
        division_id__in=division,
        membership__active=True,
    ).select_related("membership__user", "division__annee")
    camarades = sorted(qs, key=tri_nom)
    for a in camarades:
        if a.pk == pk:
            return a, camarades
    raise Http404("Apprenant inconnu")


def mon_apprenant(request) -> Apprenant:
    """The learner profile of the request's membership, with division and diplôme (1 query)."""
    return get_object_or_404(
        Apprenant.objects.select_related("membership__user", "division__diplome"),
        membership=request.membership,
    )


def division_pour(request, pk, divisions: list[Division]) -> Division:
    """One of the divisions offered to the user (already read), else 404."""
    for d in divisions:
        if str(d.pk) == str(pk):
            return d
    raise Http404("Division inconnue")


# --- the dashboard ---------------------------------------------------------------------------


def libelles_natures() -> dict[str, tuple[str, str]]:
    """Nature value → (code, label) as plain strings, translated once per call (not once per
    cell or per "Pourquoi" row)."""
    return {n.value: (n.code, str(n.label)) for n in Nature}


@dataclass
class Colonne:
    """One évaluation of the learner, in chronological order. Its strings (nature code and
    label, description) are computed once here: every cell of the column uses them."""

    pk: int
    date: datetime.date
    titre: str
    nature: str  # INT, C, E
    niveau: str  # SECONDE, PREMIERE, TERMINALE
    annee: str  # 2025-2026
    enseignants: list[str]
    debut: int = 0  # first calendar year of the school year (2025 for 2025-2026)
    code_nature: str = ""
    libelle_nature: str = ""

    def __post_init__(self):
        if not self.code_nature:
            self.code_nature, self.libelle_nature = libelles_natures()[self.nature]
        self.entreprise = self.nature == Nature.ENTREPRISE
        self.enseignants_texte = ", ".join(self.enseignants)
        texte = f"{self.date:%d/%m/%Y} – {self.titre}"
        if self.enseignants:
            texte += f" – {self.enseignants_texte}"
        # Date, title and teacher(s): what the tooltip of a cell shows.
        self.infobulle = texte
        # The column header's accessible text (read by screen readers with every cell).
        self.description = f"{texte} – {self.libelle_nature} [{self.code_nature}]"


class Cellule:
    """One résultat as an object: for the pages that read the cells one by one (the CCF grid's
    side panel). The dashboard itself renders from the rows' (column, level) pairs
    (bilans.rendu_tableau) without building one of these per résultat."""

    __slots__ = ("colonne", "niveau", "rendu", "classes", "infobulle")

    def __init__(self, colonne: Colonne, niveau: str):
        self.colonne, self.niveau = colonne, niveau
        self.rendu = rendu(niveau)
        forme = "tb-entreprise" if colonne.entreprise else "tb-ecole"
        self.classes = f"{self.rendu.css} {forme}"
        self.infobulle = f"{colonne.description} – niveau {self.rendu.code} : {self.rendu.libelle}"


class LigneCritere:
    """One criterion: `niveaux` maps the index of a column (in `cases.colonnes`, every
    column read, shown or not) to the level of the résultat, chronologically."""

    __slots__ = ("critere", "niveaux", "cases")

    def __init__(self, critere: Critere, niveaux: dict[int, str], cases: CasesTableau):
        self.critere, self.niveaux, self.cases = critere, niveaux, cases

    @property
    def cellules(self) -> list[Cellule | None]:
        """One per shown column: Cellule or None."""
        colonnes = self.cases.colonnes
        return [
            Cellule(colonnes[i], self.niveaux[i]) if i in self.niveaux else None
            for i in self.cases.affichees
        ]

    @property
    def resultats(self) -> list[Cellule]:
        """The résultats of the shown columns, chronologically, as objects."""
        colonnes, montrees = self.cases.colonnes, self.cases.montrees
        return [Cellule(colonnes[i], n) for i, n in self.niveaux.items() if i in montrees]

    @property
    def html_complete(self):
        return self.cases.ligne_complete(self.niveaux)

    @property
    def html_compacte(self):
        return self.cases.ligne_compacte(self.niveaux)


@dataclass
class BlocCompetence:
    competence: object
    criteres: list[LigneCritere]
    suggestion: Suggestion | None = None
    reference: datetime.date | None = None  # the date of the suggestion

    @property
    def suggestion_rendu(self) -> Rendu | None:
        return rendu(self.suggestion.niveau) if self.suggestion else None

    @cached_property
    def _contributions_montrees(self) -> list:
        return self.suggestion.principales(MAX_POURQUOI) if self.suggestion else []

    @property
    def pourquoi_autres(self) -> tuple[int, str]:
        """(number, total weight) of the contributions not listed (as Suggestion.autres,
        without sorting them again)."""
        if not self.suggestion:
            return 0, "0,00"
        montrees = self._contributions_montrees
        reste = self.suggestion.poids_total - sum(c.poids for c in montrees)
        return len(self.suggestion.contributions) - len(montrees), virgule(max(reste, 0.0))

    @cached_property
    def pourquoi(self) -> list[dict]:
        """The contributing observations as the "pourquoi" disclosure shows them (plain
        strings: the nature labels are translated once, not once per row)."""
        natures = libelles_natures()
        return [
            {
                "date": c.observation.date,
                "titre": c.observation.titre,
                "critere": c.observation.critere,
                "nature": natures[c.observation.nature][0],
                "libelle_nature": natures[c.observation.nature][1],
                "niveau": c.observation.niveau,
                "poids": virgule(c.poids),
            }
            for c in self._contributions_montrees
        ]

    @property
    def html_pourquoi(self):
        return rendu_tableau.html_pourquoi(self.pourquoi)

    @property
    def html_suggestion(self):
        return rendu_tableau.html_suggestion(self, self.reference)

    @property
    def poids_total(self) -> str:
        return virgule(self.suggestion.poids_total) if self.suggestion else "0,00"


@dataclass
class BlocGroupe:
    groupe: object
    competences: list[BlocCompetence] = field(default_factory=list)


@dataclass
class Plage:
    """A header span of consecutive columns of the same niveau and school year."""

    niveau: str
    annee: str
    libelle: str
    nb: int


@dataclass
class Compte:
    code: str  # Int, C, E
    libelle: str
    nb: int


@dataclass
class AnneeAnterieure:
    """A school year before the current one that has columns (shown or not)."""

    debut: int
    libelle: str  # 2024-2025
    nb: int  # évaluations


@dataclass
class Tableau:
    apprenant: Apprenant
    diplome: object
    reference: datetime.date
    colonnes: list[Colonne]  # the columns shown
    plages: list[Plage]
    groupes: list[BlocGroupe]
    comptes: list[Compte]
    unites: list[tuple[str, str]]  # (code, intitulé) of the units that have groups
    competences: list  # every competence of the diplôme (filter choices)
    unite: str | None = None
    competence: str | None = None
    cases: CasesTableau | None = None
    # The school years before the current one that have évaluations, and the current one.
    anterieures: list[AnneeAnterieure] = field(default_factory=list)
    courante: str = ""
    # True when only the current school year (and later) is shown.
    annee_courante_seule: bool = False

    @property
    def nb_criteres(self) -> int:
        return sum(len(c.criteres) for g in self.groupes for c in g.competences)

    @property
    def html_entetes(self):
        return self.cases.entetes() if self.cases else rendu_tableau.html_entetes(self.colonnes)

    @property
    def html_descriptions(self):
        return self.cases.descriptions() if self.cases else ""

    @property
    def anterieures_masquees(self) -> bool:
        """Earlier school years have évaluations that are not shown."""
        return self.annee_courante_seule and bool(self.anterieures)

    @property
    def blocs_competences(self) -> list[BlocCompetence]:
        return [c for g in self.groupes for c in g.competences]


def _code(valeur) -> str | None:
    if valeur in (None, ""):
        return None
    return getattr(valeur, "code", None) or str(valeur)


def _suffixe_diplome(diplome) -> str:
    """ "Bac Pro" for the professional baccalaureate and its seconde (the guide's headers
    read "Première Bac Pro", "Terminale Bac Pro")."""
    texte = f"{diplome.intitule} {diplome.intitule_court}".lower()
    return " Bac Pro" if "bac pro" in texte or "professionnel" in texte else ""


def _nom(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _criteres_du_diplome(diplome) -> list[Critere]:
    """Every criterion of the diplôme with its competence, group and unit, in référentiel
    order (1 query)."""
    return list(
        Critere.objects.filter(competence__diplome=diplome)
        .select_related("competence__groupe__unite")
        .order_by(
            "competence__groupe__ordre",
            "competence__groupe__code",
            "competence__ordre",
            "competence__code",
            "ordre",
            "code",
        )
    )


def _filtrer(criteres, unite, competence) -> list[Critere]:
    if unite:
        criteres = [
            c
            for c in criteres
            if c.competence.groupe.unite and c.competence.groupe.unite.code == unite
        ]
    if competence:
        criteres = [c for c in criteres if c.competence.code == competence]
    return criteres


def evaluations_visibles(apprenant, diplome):
    """The learner's évaluations shown in dashboards (participant, same establishment and
    diplôme, `afficher_tableau_de_bord`), in chronological order."""
    return Evaluation.objects.filter(
        etablissement_id=apprenant.etablissement_id,
        diplome=diplome,
        afficher_tableau_de_bord=True,
        participants__apprenant=apprenant,
    ).order_by("date", "pk")


def colonnes_de(evaluations: list[dict], enseignants: dict[int, list[str]]) -> list[Colonne]:
    """The dashboard's columns from the évaluation rows (values of `evaluations_visibles`);
    the teachers of an évaluation, or else its author."""

    def auteur(e) -> list[str]:
        if not e["auteur_id"]:
            return []
        nom = f"{e['auteur__first_name']} {e['auteur__last_name']}".strip()
        return [nom or e["auteur__username"]]

    natures = libelles_natures()
    return [
        Colonne(
            pk=e["pk"],
            date=e["date"],
            titre=e["titre"],
            nature=e["nature"],
            niveau=e["niveau"],
            annee=f"{e['annee__debut']}-{e['annee__debut'] + 1}",
            enseignants=enseignants.get(e["pk"]) or auteur(e),
            debut=e["annee__debut"],
            code_nature=natures[e["nature"]][0],
            libelle_nature=natures[e["nature"]][1],
        )
        for e in evaluations
    ]


def plages_de(colonnes: list[Colonne], suffixe) -> list[Plage]:
    """Consecutive columns of one niveau and year under one header; `suffixe(colonne)` ends
    its label."""
    plages: list[Plage] = []
    for col in colonnes:
        if plages and (plages[-1].niveau, plages[-1].annee) == (col.niveau, col.annee):
            plages[-1].nb += 1
        else:
            libelle = Niveau(col.niveau).label if col.niveau in Niveau.values else col.niveau
            plages.append(Plage(col.niveau, col.annee, f"{libelle}{suffixe(col)}", 1))
    return plages


def groupes_de(criteres, niveaux: dict, cases: CasesTableau, *, montrer=None):
    """The rows: groups → competences → criteria. `niveaux` maps (évaluation, criterion) →
    level; each row keeps {column index: level} over every column of `cases` (shown or not,
    chronologically); `montrer(critere, ligne)` may leave a criterion out."""
    indice = {col.pk: i for i, col in enumerate(cases.colonnes)}
    # criterion → [(column, level)]: one list per row, not a lookup per cell.
    par_critere: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (e, c), n in niveaux.items():
        i = indice.get(e)
        if i is not None:
            par_critere[c].append((i, n))
    groupes: list[BlocGroupe] = []
    for c in criteres:
        paires = par_critere.get(c.pk)
        ligne = dict(sorted(paires)) if paires else {}
        if montrer is not None and not montrer(c, ligne):
            continue
        comp = c.competence
        if not groupes or groupes[-1].groupe.pk != comp.groupe_id:
            groupes.append(BlocGroupe(comp.groupe))
        blocs = groupes[-1].competences
        if not blocs or blocs[-1].competence.pk != comp.pk:
            blocs.append(BlocCompetence(comp, []))
        blocs[-1].criteres.append(LigneCritere(c, ligne, cases))
    return groupes


def annee_courante() -> int:
    """First calendar year of the current school year (2026 for 2026-2027)."""
    return AnneeScolaire.debut_pour(timezone.localdate())


def assembler(
    apprenant,
    diplome,
    *,
    reference: datetime.date,
    criteres: list[Critere],
    niveaux: dict,
    colonnes: list[Colonne],
    suffixe,
    depuis: int | None,
    avec_suggestions: bool,
    montrer=None,
    **filtres,
) -> Tableau:
    """The dashboard from what was read: columns of the school years from `depuis` (None:
    all), rows, counts of the shown columns, the earlier school years with their number of
    évaluations, and per competence the suggestion over EVERY column (the rule weighs the
    whole history, whatever is shown). Shared by the diploma dashboard and the transversal
    one (bilans.queries_transversales)."""
    courante = annee_courante()
    affichees = [i for i, col in enumerate(colonnes) if depuis is None or col.debut >= depuis]
    cases = CasesTableau(colonnes, affichees)
    montrees = [colonnes[i] for i in affichees]
    groupes = groupes_de(criteres, niveaux, cases, montrer=montrer)
    if avec_suggestions:
        suggerer_blocs(groupes, reference)
    anterieures: dict[int, AnneeAnterieure] = {}
    for col in colonnes:
        if col.debut < courante:
            a = anterieures.get(col.debut)
            if a is None:
                a = anterieures[col.debut] = AnneeAnterieure(col.debut, col.annee, 0)
            a.nb += 1
    return Tableau(
        apprenant=apprenant,
        diplome=diplome,
        reference=reference,
        colonnes=montrees,
        plages=plages_de(montrees, suffixe),
        groupes=groupes,
        comptes=comptes_de(montrees),
        cases=cases,
        anterieures=sorted(anterieures.values(), key=lambda a: a.debut),
        courante=f"{courante}-{courante + 1}",
        annee_courante_seule=depuis is not None and depuis >= courante,
        **filtres,
    )


def donnees_tableau(
    apprenant: Apprenant,
    diplome,
    *,
    unite=None,
    competence=None,
    reference: datetime.date | None = None,
    avec_suggestions: bool = True,
    depuis: int | None = None,
) -> Tableau:
    """A learner's dashboard: groups → competences → criteria of the diplôme (optionally one
    unit, by code, and/or one competence, by code), columns = the learner's évaluations shown
    in dashboards, chronologically; cells = résultats; counts per nature; per competence the
    suggestion of `bilans.suggestion` at `reference` (default today).

    With a filter, only the évaluations that target or have a résultat on the criteria shown
    are columns (the counts follow the filter). `depuis` (a school year's first calendar
    year, see `annee_courante`) shows only the columns of that school year and later; the
    suggestions still weigh every column. 4 queries whatever the amount of data."""
    reference = reference or timezone.localdate()
    unite, competence = _code(unite), _code(competence)
    tous = _criteres_du_diplome(diplome)
    unites: dict[str, str] = {}
    competences: dict[int, object] = {}
    for c in tous:
        u = c.competence.groupe.unite
        if u is not None:
            unites.setdefault(u.code, u.intitule)
        competences.setdefault(c.competence_id, c.competence)
    # A stale link (unknown unit or competence) shows everything rather than nothing.
    if unite not in unites:
        unite = None
    if competence not in {c.code for c in competences.values()}:
        competence = None
    criteres = _filtrer(tous, unite, competence)
    ids_criteres = [c.pk for c in criteres]

    # Plain values, not model instances: three years are ~180 évaluations (DESIGN.md budget).
    evaluations = evaluations_visibles(apprenant, diplome)
    if unite or competence:
        cibles = Evaluation.criteres.through.objects.filter(
            evaluation=OuterRef("pk"), critere_id__in=ids_criteres
        )
        evaluations = evaluations.annotate(concernee=Exists(cibles))
    champs = ["pk", "date", "titre", "nature", "niveau", "annee__debut"]
    champs += ["auteur__first_name", "auteur__last_name", "auteur__username", "auteur_id"]
    evaluations = list(evaluations.values(*champs, *(["concernee"] if unite or competence else [])))
    # The ids as a list, not a subquery: PostgreSQL would scan the establishment's évaluations.
    ids_evaluations = [e["pk"] for e in evaluations]
    enseignants: dict[int, list[str]] = defaultdict(list)
    if evaluations:
        for e, prenom, nom, identifiant in (
            Evaluation.enseignants.through.objects.filter(evaluation_id__in=ids_evaluations)
            .order_by("user__last_name", "user__first_name", "user__pk")
            .values_list("evaluation_id", "user__first_name", "user__last_name", "user__username")
        ):
            enseignants[e].append(f"{prenom} {nom}".strip() or identifiant)

    niveaux: dict[tuple[int, int], str] = {}
    if evaluations and ids_criteres:
        rows = Resultat.objects.filter(
            apprenant=apprenant,
            evaluation_id__in=ids_evaluations,
            critere__competence__diplome=diplome,
        )
        if unite or competence:
            rows = rows.filter(critere_id__in=ids_criteres)
        niveaux = {
            (e, c): n for e, c, n in rows.values_list("evaluation_id", "critere_id", "niveau")
        }
    if unite or competence:
        avec_resultat = {e for e, _c in niveaux}
        evaluations = [e for e in evaluations if e["concernee"] or e["pk"] in avec_resultat]

    suffixe = _suffixe_diplome(diplome)
    return assembler(
        apprenant,
        diplome,
        reference=reference,
        criteres=criteres,
        niveaux=niveaux,
        colonnes=colonnes_de(evaluations, enseignants),
        suffixe=lambda col: suffixe,
        depuis=depuis,
        avec_suggestions=avec_suggestions,
        unites=sorted(unites.items(), key=lambda u: _cle_unite(u[0])),
        competences=list(competences.values()),
        unite=unite,
        competence=competence,
    )


def _cle_unite(code: str):
    """U2 < U31 < U32 < U33 (numeric order of the digits, then the rest)."""
    chiffres = "".join(ch for ch in code if ch.isdigit())
    return (code.rstrip("0123456789")[:1], chiffres.ljust(3, "0"), code)


def suggerer_blocs(groupes: list[BlocGroupe], reference: datetime.date) -> None:
    """The suggested level of every competence of the table, from its cells."""
    for g in groupes:
        for bloc in g.competences:
            bloc.suggestion = suggerer(observations_du_bloc(bloc), reference)
            bloc.reference = reference


def comptes_de(colonnes: list[Colonne]) -> list[Compte]:
    """Number of évaluations per nature (Int, C, E) among the columns."""
    nb = Counter(col.nature for col in colonnes)
    return [Compte(code, libelle, nb[v]) for v, (code, libelle) in libelles_natures().items()]


def observations_du_bloc(bloc: BlocCompetence) -> list[Observation]:
    """Every résultat of a competence's criteria (all columns, shown or not) as observations
    for the suggestion."""
    observations = []
    for ligne in bloc.criteres:
        colonnes, code = ligne.cases.colonnes, ligne.critere.code
        for i, n in ligne.niveaux.items():
            col = colonnes[i]
            observations.append(
                Observation(n, col.date, col.nature, col.titre, code, col.enseignants_texte)
            )
    return observations


# --- the class view ------------------------------------------------------------------------


@dataclass
class Position:
    """A learner's latest positioning on one competence."""

    niveau: str
    suggere: bool  # True: the current suggestion (no validated bilan positions it yet)
    date: datetime.date | None = None  # the validated bilan's date

    @property
    def rendu(self) -> Rendu:
        return rendu(self.niveau)


@dataclass
class LigneClasse:
    apprenant: Apprenant
    positions: list[Position]

    @property
    def html(self):
        return rendu_tableau.html_positions(self.positions)


@dataclass
class VueClasse:
    division: Division
    competences: list
    lignes: list[LigneClasse]


def _cumul_exact(ids, division, diplome, reference, competence_du_critere) -> Cumul:
    """The rule computed from the observations of learners `ids` (2 queries): the fallback of
    the class view when an observation is dated after the reference date.

    Two flat reads instead of one five-table join (bench/README.md): the learners'
    participations in the évaluations shown in dashboards, with each évaluation's date and
    nature (the weight of its observations), then the learners' résultats; the join is done
    here, in dictionaries."""
    cumul = Cumul(reference)
    poids = {
        (a, e): cumul.poids(date, nature)
        for a, e, date, nature in Participant.objects.filter(
            apprenant_id__in=ids,
            evaluation__etablissement_id=division.etablissement_id,
            evaluation__diplome=diplome,
            evaluation__afficher_tableau_de_bord=True,
        ).values_list("apprenant_id", "evaluation_id", "evaluation__date", "evaluation__nature")
    }
    resultats = Resultat.objects.filter(apprenant_id__in=ids).values_list(
        "apprenant_id", "evaluation_id", "critere_id", "niveau"
    )
    cumul.cumuler(resultats, poids, competence_du_critere)
    return cumul


def vue_classe(division: Division, diplome, *, reference: datetime.date | None = None) -> VueClasse:
    """Division × competences: each learner's latest positioning per competence, i.e. the
    positionnement of the latest validated bilan that positions it, else the current
    suggestion (marked `suggere`), read from the stored aggregates. 4 queries whatever the
    number of learners and years (2 more when an observation is dated after `reference`)."""
    reference = reference or timezone.localdate()
    apprenants = apprenants_de_division(division)
    criteres = _criteres_du_diplome(diplome)
    competences: dict[int, object] = {}
    competence_du_critere: dict[int, int] = {}
    for c in criteres:
        competences.setdefault(c.competence_id, c.competence)
        competence_du_critere[c.pk] = c.competence_id

    ids = [a.pk for a in apprenants]
    # The levels come from the stored exact aggregates (evaluations.agregats: one read); only
    # the learners with an observation dated after `reference` go through the observations.
    suggeres: dict[tuple[int, int], str] = {}
    exacts: set[int] = set()
    if ids:
        for (a, comp), lignes in agregats.lire(ids, list(competences)).items():
            niveau = niveau_agrege(lignes, reference)
            if niveau is None:
                exacts.add(a)
            else:
                suggeres[(a, comp)] = niveau
    if exacts:
        cumul = _cumul_exact(sorted(exacts), division, diplome, reference, competence_du_critere)
        for a in exacts:
            for comp in competences:
                suggeres[(a, comp)] = cumul.niveau((a, comp))

    valides: dict[tuple[int, int], Position] = {}
    if ids:
        positionnements = (
            Positionnement.objects.filter(
                bilan__apprenant__division=division,
                bilan__etablissement_id=division.etablissement_id,
                bilan__diplome=diplome,
                bilan__statut=BilanIntermediaire.Statut.VALIDE,
            )
            .order_by("bilan__date", "bilan__valide_le", "bilan_id")
            .values_list("bilan__apprenant_id", "competence_id", "niveau", "bilan__date")
        )
        for a, comp, niveau, date in positionnements:
            valides[(a, comp)] = Position(niveau, False, date)

    lignes = []
    for a in apprenants:
        cases = []
        for comp in competences:
            p = valides.get((a.pk, comp))
            if p is None:
                p = Position(suggeres.get((a.pk, comp), "NE"), True)
            cases.append(p)
        lignes.append(LigneClasse(a, cases))
    return VueClasse(division, list(competences.values()), lignes)
