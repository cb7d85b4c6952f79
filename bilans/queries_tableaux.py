"""Read side of the learners' dashboards (tableaux de bord) and of the class view.

`donnees_tableau(apprenant, diplome, ...)` builds a learner's dashboard in 4 queries whatever
the amount of data (criteria of the diplôme, évaluations, their teachers, résultats), 5 with the
suggested levels (read from the stored aggregates; « Pourquoi ce niveau ? » is
`pourquoi_tableau`, loaded on demand);
The class view is `bilans.vue_classes.vue_classe` (it uses `_cumul_exact` below as its exact
fallback); the transversal class view (`queries_transversales`) shares `Position`,
`LigneClasse` and `VueClasse`. Query counts are pinned by tests/bilans/test_tableau_requetes.py
and tests/bilans/test_vue_classes.py.

Only évaluations of the learner's establishment and diplôme in which the learner takes part
and whose results are shown in dashboards (`afficher_tableau_de_bord`) are ever read.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bilans import rendu_tableau
from bilans.queries_bilans import niveaux_suggeres, suggestion_expliquee
from bilans.rendu_tableau import CasesTableau
from bilans.suggestion import Cumul, Observation, Suggestion, suggerer
from cpro.maitrise import Rendu, rendu
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, User
from cpro.sql import colonnes, date_lue, instances
from cpro.sql import table as t
from evaluations.models import Evaluation, Nature, Participant, Resultat
from referentiels.models import (
    Competence,
    Critere,
    Diplome,
    GroupeCompetences,
    NatureReferentiel,
    Niveau,
    Unite,
)

# --- accessors ---------------------------------------------------------------------------


def divisions_courantes(etablissement, diplome) -> list[Division]:
    """The current school year's divisions of the diplôme, by name (1 query)."""
    debut = AnneeScolaire.debut_pour(timezone.localdate())
    # Raw SQL (as the learner below): read on every dashboard, where the ORM's compilation
    # cost more than the query. The divisions keep their year; their diplôme is `diplome`.
    sql = (
        f"SELECT {colonnes(Division, 'd')}, {colonnes(AnneeScolaire, 'an')} "  # noqa: S608
        f"FROM {t(Division)} d JOIN {t(AnneeScolaire)} an ON an.id = d.annee_id "
        "WHERE d.etablissement_id = %s AND d.diplome_id = %s AND an.debut = %s "
        "ORDER BY d.nom, d.id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [etablissement.pk, diplome.pk, debut])
        lignes = cur.fetchall()
    divisions = []
    for ligne in lignes:
        division, division.annee = instances(ligne, [(Division, "d"), (AnneeScolaire, "an")])
        division.diplome = diplome
        divisions.append(division)
    return divisions


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


@dataclass(frozen=True, slots=True)
class Camarade:
    """A learner of the division as the learner select and the previous / next links show it:
    plain values (a division is 35 learners; five model instances each were a tenth of the
    dashboard's time)."""

    pk: int
    nom: str  # as User.__str__: "NOM Prénom", else the login

    def __str__(self) -> str:
        return self.nom


def camarades(**filtres) -> list[Camarade]:
    """The active learners matching `filtres`, in name order (as `tri_nom`), as values
    (1 query)."""
    lignes = Apprenant.objects.filter(membership__active=True, **filtres).values_list(
        "pk", "membership__user__last_name", "membership__user__first_name",
        "membership__user__username",
    )  # fmt: skip
    return _camarades(lignes)


def _camarades(lignes) -> list[Camarade]:
    """(pk, last name, first name, login) rows → Camarade, in name order (as `tri_nom`)."""
    lignes = sorted(lignes, key=lambda r: (r[1].lower(), r[2].lower(), r[0]))
    return [
        Camarade(pk, f"{nom.upper()} {prenom}".strip() or login)
        for pk, nom, prenom, login in lignes
    ]


def camarades_de_division(division: Division) -> list[Camarade]:
    """The learners of a division in name order, as values (1 query)."""
    return camarades(division=division)


def _apprenant_lu(request, pk: int, *, tout_diplome: bool):
    """The learner `pk` of the request's establishment, active, in a division (of the chosen
    diplôme unless `tout_diplome`), with membership, user, division and school year; None if
    not. Raw SQL, instances built by `cpro.sql.instance`: the ORM spent more time compiling
    this 5-table `select_related` than PostgreSQL running it (bench/README.md). The division's
    diplôme is the request's one (already read by the tenancy middleware) unless
    `tout_diplome`, where it is joined."""
    modeles = [(Apprenant, "ap"), (Membership, "m"), (User, "u"), (Division, "d")]
    modeles.append((AnneeScolaire, "an"))
    jointures = (
        f"FROM {t(Apprenant)} ap JOIN {t(Membership)} m ON m.id = ap.membership_id "
        f"JOIN {t(User)} u ON u.id = m.user_id JOIN {t(Division)} d ON d.id = ap.division_id "
        f"JOIN {t(AnneeScolaire)} an ON an.id = d.annee_id "
    )
    conditions = "WHERE ap.id = %s AND ap.etablissement_id = %s AND m.active = %s"
    parametres = [pk, request.etablissement.pk, True]
    if tout_diplome:
        modeles.append((Diplome, "dp"))
        jointures += f"JOIN {t(Diplome)} dp ON dp.id = d.diplome_id "
    else:
        conditions += " AND d.diplome_id = %s"
        parametres.append(request.diplome.pk if request.diplome else None)
    sql = f"SELECT {', '.join(colonnes(m, a) for m, a in modeles)} {jointures}{conditions}"
    with connection.cursor() as cur:
        cur.execute(sql, parametres)
        ligne = cur.fetchone()
    if ligne is None:
        return None
    objets = instances(ligne, modeles)
    apprenant, membership, user, division, annee = objets[:5]
    membership.user = user
    apprenant.membership = membership
    division.annee = annee
    division.diplome = objets[5] if tout_diplome else request.diplome
    apprenant.division = division
    return apprenant


def apprenant_et_camarades(
    request, pk, *, tout_diplome: bool = False
) -> tuple[Apprenant, list[Camarade]]:
    """A learner of the request's establishment whose division prepares the chosen diplôme
    (any diploma with `tout_diplome`: the transversal follow-up), with the learners of that
    division in name order (for the select and previous / next), in 2 queries. Anything else
    (another establishment, another diplôme, no division) → 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Apprenant inconnu") from None
    apprenant = _apprenant_lu(request, pk, tout_diplome=tout_diplome)
    if apprenant is None:
        raise Http404("Apprenant inconnu")
    with connection.cursor() as cur:
        cur.execute(_sql()["camarades"], [request.etablissement.pk, apprenant.division_id, True])
        return apprenant, _camarades(cur.fetchall())


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


@cache
def _sql() -> dict[str, str]:
    """The dashboard's reads of évaluations, teachers, résultats and classmates. Raw SQL: the
    ORM's compilation of these queries cost as much CPU as building the page (bench/README.md,
    issue 14). Table names only are formatted in (from the models); every value is a
    parameter; `{...}` take the optional clauses (filter, list of ids)."""
    ec = t(Evaluation.criteres.through)
    return {
        # The learner's évaluations shown in dashboards: participant, same establishment and
        # diplôme, `afficher_tableau_de_bord`; chronologically.
        "evaluations": (
            "SELECT e.id, e.date, e.titre, e.nature, e.niveau, an.debut, u.first_name, "  # noqa: S608
            "u.last_name, u.username, e.auteur_id{concernee} "
            f"FROM {t(Evaluation)} e JOIN {t(AnneeScolaire)} an ON an.id = e.annee_id "
            f"LEFT JOIN {t(User)} u ON u.id = e.auteur_id "
            "WHERE e.etablissement_id = %(etablissement)s AND e.diplome_id = %(diplome)s "
            "AND e.afficher_tableau_de_bord = %(vrai)s "
            f"AND EXISTS (SELECT 1 FROM {t(Participant)} p WHERE p.evaluation_id = e.id "
            "AND p.apprenant_id = %(apprenant)s) ORDER BY e.date, e.id"
        ),
        # With a filter: the évaluation targets, or holds a résultat of the learner on, one of
        # the criteria shown.
        "concernee": (
            f", EXISTS (SELECT 1 FROM {ec} ec WHERE ec.evaluation_id = e.id "  # noqa: S608
            "AND ec.critere_id IN ({criteres})) "
            f"OR EXISTS (SELECT 1 FROM {t(Resultat)} rc WHERE rc.evaluation_id = e.id "
            "AND rc.apprenant_id = %(apprenant)s AND rc.critere_id IN ({criteres}))"
        ),
        "enseignants": (
            "SELECT ee.evaluation_id, u.first_name, u.last_name, u.username "  # noqa: S608
            f"FROM {t(Evaluation.enseignants.through)} ee JOIN {t(User)} u ON u.id = ee.user_id "
            "WHERE ee.evaluation_id IN ({ids}) ORDER BY u.last_name, u.first_name, u.id"
        ),
        "resultats": (
            "SELECT r.evaluation_id, r.critere_id, r.niveau FROM "  # noqa: S608
            f"{t(Resultat)} r WHERE r.apprenant_id = %s AND r.evaluation_id IN ({{ids}})"
        ),
        # Every criterion of the diplôme with its competence, group and unit, in référentiel
        # order (groupe, competence, criterion).
        "criteres": (
            "SELECT cr.id, cr.code, cr.intitule, co.id, co.code, co.intitule, g.id, g.code, "  # noqa: S608
            f"g.intitule, un.code, un.intitule FROM {t(Critere)} cr "
            f"JOIN {t(Competence)} co ON co.id = cr.competence_id "
            f"JOIN {t(GroupeCompetences)} g ON g.id = co.groupe_id "
            f"LEFT JOIN {t(Unite)} un ON un.id = g.unite_id "
            "WHERE co.diplome_id = %s "
            "ORDER BY g.ordre, g.code, co.ordre, co.code, cr.ordre, cr.code"
        ),
        "camarades": (
            "SELECT ap.id, u.last_name, u.first_name, u.username "  # noqa: S608
            f"FROM {t(Apprenant)} ap JOIN {t(Membership)} m ON m.id = ap.membership_id "
            f"JOIN {t(User)} u ON u.id = m.user_id "
            "WHERE ap.etablissement_id = %s AND ap.division_id = %s AND m.active = %s"
        ),
    }


@dataclass(slots=True, eq=False)
class UniteLue:
    code: str
    intitule: str


@dataclass(slots=True, eq=False)
class GroupeLu:
    pk: int
    code: str
    intitule: str
    unite: UniteLue | None


@dataclass(slots=True, eq=False)
class CompetenceLue:
    pk: int
    code: str
    intitule: str
    groupe: GroupeLu

    @property
    def groupe_id(self) -> int:
        return self.groupe.pk


@dataclass(slots=True, eq=False)
class CritereLu:
    """A criterion of the dashboard as plain values (its competence, group and unit shared):
    38 criteria with select_related were ~150 model instances per page."""

    pk: int
    code: str
    intitule: str
    competence: CompetenceLue

    @property
    def competence_id(self) -> int:
        return self.competence.pk


def criteres_lus(diplome) -> list[CritereLu]:
    """Every criterion of the diplôme with its competence, group and unit, in référentiel
    order, as plain values (1 query)."""
    with connection.cursor() as cur:
        cur.execute(_sql()["criteres"], [diplome.pk])
        lignes = cur.fetchall()
    unites: dict[str, UniteLue] = {}
    groupes: dict[int, GroupeLu] = {}
    competences: dict[int, CompetenceLue] = {}
    criteres = []
    for pk, code, intitule, co, co_code, co_intitule, g, g_code, g_intitule, u, u_int in lignes:
        groupe = groupes.get(g)
        if groupe is None:
            unite = None
            if u is not None:
                unite = unites.get(u) or unites.setdefault(u, UniteLue(u, u_int))
            groupe = groupes[g] = GroupeLu(g, g_code, g_intitule, unite)
        competence = competences.get(co)
        if competence is None:
            competence = competences[co] = CompetenceLue(co, co_code, co_intitule, groupe)
        criteres.append(CritereLu(pk, code, intitule, competence))
    return criteres


def _place(ids) -> str:
    return ", ".join(["%s"] * len(ids))


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


@dataclass(frozen=True)
class NiveauSuggere:
    """The suggested level of a competence as the dashboard shows it: the level only (read
    from the stored aggregates); its explanation (« Pourquoi ce niveau ? ») is loaded on
    demand (`pourquoi_tableau`)."""

    niveau: str  # "NE" or "1".."4"


@dataclass
class BlocCompetence:
    competence: object
    criteres: list[LigneCritere]
    suggestion: NiveauSuggere | None = None
    reference: datetime.date | None = None  # the date of the suggestion
    url_pourquoi: str = ""  # « Pourquoi ce niveau ? » (bilans:tableau_pourquoi), set by the view
    # (date, level) of the latest validated bilan that positions the competence (the
    # transversal follow-up shows it beside the suggestion), or None.
    bilan_valide: tuple[datetime.date, str] | None = None

    @property
    def suggestion_rendu(self) -> Rendu | None:
        return rendu(self.suggestion.niveau) if self.suggestion else None

    @property
    def html_suggestion(self):
        return rendu_tableau.html_suggestion(
            self.competence.code,
            self.suggestion.niveau,
            self.url_pourquoi,
            bilan_valide=self.bilan_valide,
        )


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
    avec_suggestions: bool = False

    @property
    def html_corps_complet(self):
        return rendu_tableau.html_groupes(
            self.groupes,
            compacte=False,
            nb_colonnes=len(self.colonnes),
            avec_suggestions=self.avec_suggestions,
        )

    @property
    def html_corps_compact(self):
        return rendu_tableau.html_groupes(
            self.groupes, compacte=True, nb_colonnes=1, avec_suggestions=self.avec_suggestions
        )

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

    def lier_pourquoi(self, url) -> None:
        """Give every competence its « Pourquoi ce niveau ? » address: `url(competence pk)`."""
        for bloc in self.blocs_competences:
            bloc.url_pourquoi = url(bloc.competence.pk)


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


def colonnes_de(evaluations: list[dict], enseignants: dict[int, list[str]]) -> list[Colonne]:
    """The dashboard's columns from the évaluation rows (the `_sql()["evaluations"]` read);
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
    cases_completes: bool = True,
    masquees: list[int] | None = None,
    **filtres,
) -> Tableau:
    """The dashboard from what was read: columns of the school years from `depuis` (None:
    all), rows, counts of the shown columns, the earlier school years with their number of
    évaluations, and per competence the suggestion over EVERY column (the rule weighs the
    whole history, whatever is shown). `cases_completes`: `niveaux` holds the résultats of
    every column (else only of the shown ones); `masquees`: the school years (first calendar
    year) of the évaluations not read as columns, one per évaluation (only counted). Shared
    by the diploma dashboard and the transversal one (bilans.queries_transversales)."""
    courante = annee_courante()
    affichees = [i for i, col in enumerate(colonnes) if depuis is None or col.debut >= depuis]
    cases = CasesTableau(colonnes, affichees)
    montrees = [colonnes[i] for i in affichees]
    groupes = groupes_de(criteres, niveaux, cases, montrer=montrer)
    if avec_suggestions:
        suggerer_blocs(apprenant, groupes, reference, cases_completes=cases_completes)
    anterieures: dict[int, AnneeAnterieure] = {}
    debuts = [col.debut for col in colonnes if col.debut < courante]
    for debut in [*debuts, *(masquees or ())]:
        a = anterieures.get(debut)
        if a is None:
            a = anterieures[debut] = AnneeAnterieure(debut, f"{debut}-{debut + 1}", 0)
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
        avec_suggestions=avec_suggestions,
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
    suggestions still weigh every column (read from the stored aggregates, so only the shown
    columns' résultats and teachers are read). 4 queries whatever the amount of data, + 1 for
    the suggested levels; + 1 more when an observation is dated after `reference` and earlier
    school years are not shown (the rule then reads the observations)."""
    reference = reference or timezone.localdate()
    unite, competence = _code(unite), _code(competence)
    tous = criteres_lus(diplome)
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
    filtre = bool(unite or competence)
    sql = _sql()
    ids_montres = set(ids_criteres)
    parametres = {
        "etablissement": apprenant.etablissement_id,
        "diplome": diplome.pk,
        "vrai": True,
        "apprenant": apprenant.pk,
    }
    concernee = ""
    if filtre:
        noms = [f"c{i}" for i in range(len(ids_criteres))] or ["c"]
        parametres.update(zip(noms, ids_criteres or [0], strict=True))
        concernee = sql["concernee"].replace("{criteres}", ", ".join(f"%({n})s" for n in noms))
    champs = ["pk", "date", "titre", "nature", "niveau", "annee__debut"]
    champs += ["auteur__first_name", "auteur__last_name", "auteur__username", "auteur_id"]
    with connection.cursor() as cur:
        cur.execute(sql["evaluations"].replace("{concernee}", concernee), parametres)
        lignes = cur.fetchall()
        evaluations = [
            dict(zip(champs, ligne[:10], strict=True)) | {"date": date_lue(ligne[1])}
            for ligne in lignes
            # With a filter: only the évaluations that concern the criteria shown.
            if not filtre or ligne[10]
        ]
        # The suggested levels come from the stored aggregates: only the shown school years'
        # résultats and teachers are read (a third of the cells by default).
        montrees = [e for e in evaluations if depuis is None or e["annee__debut"] >= depuis]
        # The ids as a list, not a subquery: PostgreSQL would scan the establishment's
        # évaluations.
        ids_evaluations = [e["pk"] for e in montrees]
        enseignants: dict[int, list[str]] = defaultdict(list)
        niveaux: dict[tuple[int, int], str] = {}
        if ids_evaluations:
            place = _place(ids_evaluations)
            cur.execute(sql["enseignants"].format(ids=place), ids_evaluations)
            for e, prenom, nom, identifiant in cur.fetchall():
                enseignants[e].append(f"{prenom} {nom}".strip() or identifiant)
            if ids_criteres:
                cur.execute(sql["resultats"].format(ids=place), [apprenant.pk, *ids_evaluations])
                # Only the criteria shown (the diplôme's, filtered): not a transversal one.
                niveaux = {(e, c): n for e, c, n in cur.fetchall() if c in ids_montres}

    suffixe = _suffixe_diplome(diplome)
    return assembler(
        apprenant,
        diplome,
        reference=reference,
        criteres=criteres,
        niveaux=niveaux,
        # Only the shown school years are columns; the earlier ones are counted.
        colonnes=colonnes_de(montrees, enseignants),
        masquees=[e["annee__debut"] for e in evaluations if e["annee__debut"] < (depuis or 0)],
        suffixe=lambda col: suffixe,
        depuis=depuis,
        avec_suggestions=avec_suggestions,
        cases_completes=len(montrees) == len(evaluations),
        unites=sorted(unites.items(), key=lambda u: _cle_unite(u[0])),
        competences=list(competences.values()),
        unite=unite,
        competence=competence,
    )


def _cle_unite(code: str):
    """U2 < U31 < U32 < U33 (numeric order of the digits, then the rest)."""
    chiffres = "".join(ch for ch in code if ch.isdigit())
    return (code.rstrip("0123456789")[:1], chiffres.ljust(3, "0"), code)


def suggerer_blocs(
    apprenant, groupes: list[BlocGroupe], reference: datetime.date, *, cases_completes=True
) -> None:
    """The suggested level of every competence of the table at `reference`: read from the
    stored exact aggregates (bilans.queries_bilans.niveaux_suggeres, 1 query, the function the
    bilan form uses); a competence with an observation dated after `reference` is computed by
    the rule (`suggerer`) from its cells when they hold every résultat (`cases_completes`, no
    query), else from its observations (1 more query)."""
    blocs = {bloc.competence.pk: bloc for g in groupes for bloc in g.competences}

    def repli(ids) -> dict[int, str]:
        return {cid: suggerer(observations_du_bloc(blocs[cid]), reference).niveau for cid in ids}

    niveaux = niveaux_suggeres(
        apprenant, list(blocs), reference, repli=repli if cases_completes else None
    )
    for cid, bloc in blocs.items():
        bloc.suggestion = NiveauSuggere(niveaux.get(cid, "NE"))
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


# --- « Pourquoi ce niveau ? » ----------------------------------------------------------------


@dataclass
class Pourquoi:
    """The suggestion of one competence of a learner's dashboard, explained: every
    contribution (bilans.suggestion), at the reference date."""

    apprenant: Apprenant
    competence: Competence
    reference: datetime.date
    suggestion: Suggestion

    @property
    def transversale(self) -> bool:
        return self.competence.diplome.nature == NatureReferentiel.TRANSVERSAL

    @property
    def libelle(self) -> str:
        """The suggested level's label (« En cours d'acquisition… »)."""
        return rendu(self.suggestion.niveau).libelle

    @property
    def html(self):
        return rendu_tableau.html_explication(self.competence.code, self.suggestion, self.reference)


def pourquoi_tableau(request, apprenant_pk, competence_pk, reference=None) -> Pourquoi:
    """« Pourquoi ce niveau ? » of a dashboard: the learner (of the request's establishment, in
    a division) and the competence — one of the chosen diplôme, the learner's division
    preparing it (the diploma dashboard), or one of the establishment's transversal référentiel
    (« Suivi des compétences transversales », any diploma); anything else → 404. 3 queries
    (learner, competence, observations up to `reference`, default today)."""
    try:
        apprenant_pk, competence_pk = int(apprenant_pk), int(competence_pk)
    except (TypeError, ValueError):
        raise Http404("Apprenant ou compétence inconnus") from None
    apprenant = (
        Apprenant.objects.filter(
            pk=apprenant_pk,
            etablissement=request.etablissement,
            membership__active=True,
            division__isnull=False,
        )
        .select_related("membership__user", "division")
        .first()
    )
    competence = (
        Competence.objects.filter(pk=competence_pk).select_related("diplome").first()
        if apprenant is not None
        else None
    )
    if competence is None:
        raise Http404("Apprenant ou compétence inconnus")
    referentiel = competence.diplome
    if referentiel.nature == NatureReferentiel.TRANSVERSAL:
        permis = referentiel.etablissement_id == request.etablissement.pk
    else:
        diplome = request.diplome
        permis = (
            diplome is not None
            and referentiel.pk == diplome.pk
            and apprenant.division.diplome_id == diplome.pk
        )
    if not permis:
        raise Http404("Apprenant ou compétence inconnus")
    reference = reference or timezone.localdate()
    return Pourquoi(
        apprenant, competence, reference, suggestion_expliquee(apprenant, competence.pk, reference)
    )


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
