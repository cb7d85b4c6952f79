"""Stored exact aggregates of the suggested level (bilans.suggestion), kept up to date by every
write of résultats, participations and évaluations, in the writer's transaction.

The rule of the suggestion weighs an observation (a résultat 1..4 of an évaluation shown in
dashboards, the learner taking part in it) at the reference date `ref`:

    w = n × 0.5^((ref − date)/120) = 0.5^((ref − EPOQUE)/120) × [n × 2^((date − EPOQUE)/120)]

(n = nature weight). The bracket does not depend on `ref`: per learner × competence × level
its sum (`AgregatSuggestion.somme`) is stored and kept exact by additions and subtractions; the
common factor does not change the weighted median, so the level is read from the stored sums —
as long as no observation is dated after `ref` (`date_max`), otherwise the reader falls back to
the observations themselves.

Float range: 2^(days/120) from EPOQUE (2020-09-01) is 2^3 in 2023, 2^30 in 2030 and 2^91
thirty years later; float64 holds 2^1023 and 53 bits of mantissa, so sums stay exact to ~1e-16
of the largest term for centuries. Should EPOQUE ever need to move (years ≥ 2300), rescale every
`somme` by 2^(−days between the epochs / 120) in one UPDATE in the migration that moves it.

Writers:
- `appliquer(deltas)`: incremental, one upsert (INSERT … ON CONFLICT DO UPDATE adding to the
  stored values) per write, from (learner, competence, level, date, nature, ±1) rows;
- `recalculer(apprenants=…)`: exact rebuild of some learners (or all), after cascades and
  changes of an évaluation's date, nature or display flag;
- `derive()`: stored vs recomputed, the differences (command `verifier_agregats`, beat task).
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef

EPOQUE = datetime.date(2020, 9, 1)
DEMI_VIE_JOURS = 120
POIDS_NATURE = {"INT": 1.0, "C": 2.0, "E": 2.0}
NIVEAUX = ("1", "2", "3", "4")
# Rows per upsert statement (6 parameters each: under SQLite's 999 variables).
LOT = 150
# Learners per recompute query.
LOT_APPRENANTS = 500


def croissance(date: datetime.date) -> float:
    """2^((date − EPOQUE)/120): the reference-free part of an observation's weight."""
    return 2.0 ** ((date - EPOQUE).days / DEMI_VIE_JOURS)


def poids_brut(date: datetime.date, nature: str) -> float:
    return POIDS_NATURE.get(nature, 1.0) * croissance(date)


def facteur(reference: datetime.date) -> float:
    """0.5^((reference − EPOQUE)/120): raw sums × this = the weights of the rule at `reference`."""
    return 0.5 ** ((reference - EPOQUE).days / DEMI_VIE_JOURS)


@dataclass(frozen=True)
class Delta:
    """One observation added (signe +1) or removed (−1)."""

    apprenant_id: int
    competence_id: int
    niveau: str
    date: datetime.date
    nature: str
    signe: int = 1


def compte(*, afficher: bool, niveau: str | None, meme_etablissement: bool = True) -> bool:
    """Whether a résultat of a participant is an observation (the rule's first point)."""
    return bool(afficher) and niveau in NIVEAUX and meme_etablissement


def deltas_cellule(
    *, apprenant_id, competence_id, date, nature, afficher, ancien, nouveau, meme_etablissement=True
) -> list[Delta]:
    """The deltas of one cell changing from `ancien` to `nouveau` (None / "" / NE / 1..4)."""
    lignes = []
    if compte(afficher=afficher, niveau=ancien, meme_etablissement=meme_etablissement):
        lignes.append(Delta(apprenant_id, competence_id, ancien, date, nature, -1))
    if compte(afficher=afficher, niveau=nouveau, meme_etablissement=meme_etablissement):
        lignes.append(Delta(apprenant_id, competence_id, nouveau, date, nature, 1))
    return lignes


def _table():
    from evaluations.models import AgregatSuggestion

    return AgregatSuggestion._meta.db_table


def appliquer(deltas: Iterable[Delta]) -> int:
    """Add the deltas to the stored sums (inside the caller's transaction): one
    INSERT … ON CONFLICT DO UPDATE statement per 150 (learner, competence, level) keys, which
    adds to the stored values (Django's bulk_create(update_conflicts=True) can only replace
    them). Returns the number of keys written."""
    cumul: dict[tuple, list] = {}
    for d in deltas:
        cle = (d.apprenant_id, d.competence_id, d.niveau)
        ligne = cumul.get(cle)
        if ligne is None:
            ligne = cumul[cle] = [0.0, 0, d.date]
        ligne[0] += d.signe * poids_brut(d.date, d.nature)
        ligne[1] += d.signe
        if d.date > ligne[2]:
            ligne[2] = d.date
    cumul = {k: v for k, v in cumul.items() if v[1] or v[0]}
    if not cumul:
        return 0
    table = connection.ops.quote_name(_table())
    date_sql = connection.ops.adapt_datefield_value
    lignes = [(*cle, s, n, date_sql(d)) for cle, (s, n, d) in cumul.items()]
    with connection.cursor() as cur:
        for i in range(0, len(lignes), LOT):
            lot = lignes[i : i + LOT]
            valeurs = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(lot))
            # Only the quoted table name is formatted in; every value is a parameter.
            cur.execute(
                f"INSERT INTO {table} (apprenant_id, competence_id, niveau, somme, nombre, "  # noqa: S608
                f"date_max) VALUES {valeurs} "
                "ON CONFLICT (apprenant_id, competence_id, niveau) DO UPDATE SET "
                f"somme = {table}.somme + excluded.somme, "
                f"nombre = {table}.nombre + excluded.nombre, "
                f"date_max = CASE WHEN excluded.date_max > {table}.date_max "
                f"THEN excluded.date_max ELSE {table}.date_max END",
                [v for ligne in lot for v in ligne],
            )
    return len(lignes)


# --- exact recompute -------------------------------------------------------------------------


def observations(apprenants=None):
    """The observations of the rule as (apprenant_id, competence_id, niveau, date, nature, n)
    groups: résultats 1..4 of the learners (all when None), in an évaluation of the learner's
    establishment shown in dashboards, in which the learner takes part. Keyed by the
    criterion's competence, whatever the évaluation's diplôme: a competence belongs to one
    diplôme (or to a transversal référentiel, whose criteria évaluations of any diplôme may
    target), and the readers ask for the competences of one diplôme."""
    from evaluations.models import Participant, Resultat

    qs = Resultat.objects.filter(
        niveau__in=NIVEAUX,
        evaluation__afficher_tableau_de_bord=True,
        evaluation__etablissement_id=F("apprenant__etablissement_id"),
    ).filter(
        Exists(
            Participant.objects.filter(
                evaluation_id=OuterRef("evaluation_id"), apprenant_id=OuterRef("apprenant_id")
            )
        )
    )
    if apprenants is not None:
        qs = qs.filter(apprenant_id__in=apprenants)
    return (
        qs.values_list(
            "apprenant_id",
            "critere__competence_id",
            "niveau",
            "evaluation__date",
            "evaluation__nature",
        )  # fmt: skip
        .annotate(n=Count("pk"))
        .order_by()
    )


def sommes(groupes) -> dict[tuple, list]:
    """(apprenant, competence, niveau) → [somme, nombre, date_max] from `observations` rows."""
    res: dict[tuple, list] = {}
    for a, comp, niveau, date, nature, n in groupes:
        cle = (a, comp, niveau)
        ligne = res.get(cle)
        if ligne is None:
            ligne = res[cle] = [0.0, 0, date]
        ligne[0] += n * poids_brut(date, nature)
        ligne[1] += n
        if date > ligne[2]:
            ligne[2] = date
    return res


def _ids(apprenants) -> list[int] | None:
    if apprenants is None:
        return None
    return sorted({getattr(a, "pk", a) for a in apprenants})


def _lots(ids: list[int] | None):
    if ids is None:
        from cpro.models import Apprenant

        ids = list(Apprenant.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), LOT_APPRENANTS):
        yield ids[i : i + LOT_APPRENANTS]


def recalculer(apprenants=None) -> int:
    """Rebuild exactly the stored sums of these learners (ids or objects; None: every learner):
    per 500 learners their rows locked, one grouped read of their observations, one delete, one
    insert. Call it inside the transaction of the write it follows. Returns the number of rows
    stored. (A cell save creating a new (learner, competence, level) row at that very moment
    cannot be locked beforehand: the daily drift check would report it.)"""
    from evaluations.models import AgregatSuggestion

    ids = _ids(apprenants)
    if ids == []:
        return 0
    total = 0
    for lot in _lots(ids):
        if connection.in_atomic_block:
            # The rows locked before the résultats are read: a concurrent cell save then either
            # committed before (its résultat is read here) or adds its difference after.
            list(
                AgregatSuggestion.objects.select_for_update()
                .filter(apprenant_id__in=lot)
                .values_list("pk", flat=True)
            )
        calcule = sommes(observations(lot))
        AgregatSuggestion.objects.filter(apprenant_id__in=lot).delete()
        AgregatSuggestion.objects.bulk_create(
            [
                AgregatSuggestion(
                    apprenant_id=a, competence_id=c, niveau=n, somme=s, nombre=k, date_max=d
                )
                for (a, c, n), (s, k, d) in calcule.items()
            ],
            batch_size=1000,
        )
        total += len(calcule)
    return total


def apprenants_de(evaluation) -> list[int]:
    """The ids of the évaluation's participants and of the learners with résultats in it."""
    from evaluations.models import Participant, Resultat

    ids = set(
        Participant.objects.filter(evaluation=evaluation).values_list("apprenant_id", flat=True)
    )
    ids |= set(
        Resultat.objects.filter(evaluation=evaluation)
        .values_list("apprenant_id", flat=True)
        .distinct()
    )
    return sorted(ids)


# --- drift -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ecart:
    apprenant_id: int
    competence_id: int
    niveau: str
    stocke: tuple | None  # (somme, nombre, date_max) stored, None: no row
    attendu: tuple | None  # the same recomputed, None: no observation

    def __str__(self) -> str:
        def texte(v):
            if v is None:
                return "absent"
            return f"somme {v[0]:.6g}, {v[1]} observation(s), dernière le {v[2]:%d/%m/%Y}"

        return (
            f"apprenant {self.apprenant_id}, compétence {self.competence_id}, niveau "
            f"{self.niveau} : stocké {texte(self.stocke)} ; attendu {texte(self.attendu)}"
        )


def _egal(stocke, attendu) -> bool:
    s_somme, s_nombre, s_date = stocke if stocke else (0.0, 0, None)
    a_somme, a_nombre, a_date = attendu if attendu else (0.0, 0, None)
    if s_nombre != a_nombre:
        return False
    # Residues of additions and subtractions are ~1e-16 of the largest term ever added: the
    # tolerance scales with the terms of the latest dates involved.
    dates = [d for d in (s_date, a_date) if d is not None]
    echelle = max([abs(s_somme), abs(a_somme), *(croissance(d) * 2 for d in dates), 1.0])
    if not math.isclose(s_somme, a_somme, rel_tol=0, abs_tol=1e-9 * echelle):
        return False
    # date_max is an upper bound (removals do not lower it): only a stored date before the
    # latest observation would make the reader use the sums wrongly.
    return not (a_nombre and (s_date is None or s_date < a_date))


def derive(apprenants=None) -> list[Ecart]:
    """Stored vs recomputed sums of these learners (all when None): the differences. Rows with
    no observation left (nombre 0, somme ~0) equal an absent row."""
    from evaluations.models import AgregatSuggestion

    ecarts: list[Ecart] = []
    for lot in _lots(_ids(apprenants)):
        calcule = {k: tuple(v) for k, v in sommes(observations(lot)).items()}
        stocke = {
            (a, c, n): (s, k, d)
            for a, c, n, s, k, d in AgregatSuggestion.objects.filter(
                apprenant_id__in=lot
            ).values_list("apprenant_id", "competence_id", "niveau", "somme", "nombre", "date_max")
        }
        for cle in sorted(set(calcule) | set(stocke)):
            if not _egal(stocke.get(cle), calcule.get(cle)):
                ecarts.append(Ecart(*cle, stocke.get(cle), calcule.get(cle)))
    return ecarts


# --- reading -------------------------------------------------------------------------------


def lire(apprenants, competences=None) -> dict[tuple[int, int], list[tuple]]:
    """(apprenant, competence) → [(niveau, somme, date_max)] of the levels with observations, in
    1 query (raw SQL: read on every dashboard, class view and bilan form, where the ORM's
    compilation cost more than the query)."""
    from cpro.sql import date_lue, table
    from evaluations.models import AgregatSuggestion

    ids = _ids(apprenants)
    if not ids:
        return defaultdict(list)
    conditions = [f"apprenant_id IN ({', '.join(['%s'] * len(ids))})", "nombre > 0"]
    parametres = list(ids)
    if competences is not None:
        ids_c = _ids(competences)
        if not ids_c:
            return defaultdict(list)
        conditions.append(f"competence_id IN ({', '.join(['%s'] * len(ids_c))})")
        parametres += ids_c
    sql = (
        "SELECT apprenant_id, competence_id, niveau, somme, date_max "  # noqa: S608
        f"FROM {table(AgregatSuggestion)} WHERE {' AND '.join(conditions)}"
    )
    res: defaultdict[tuple[int, int], list] = defaultdict(list)
    with connection.cursor() as cur:
        cur.execute(sql, parametres)
        for a, c, n, s, d in cur.fetchall():
            res[(a, c)].append((n, s, date_lue(d)))
    return res
