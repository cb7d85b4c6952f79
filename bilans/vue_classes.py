"""Vue classes: division × competences, each learner's latest validated positioning per
competence, else the current suggestion.

Read as plain values (no model instance, no per-row converter) and rendered in Python: the
page must cost a small multiple of a trivial page (issue 14: ≤ 2.5× `/accueil/`). Queries:
learners, competences, stored aggregates (raw SQL: the "dated after the reference" test is
done by the database), validated positionnements — 4 whatever the number of learners and
years; 2 more only when an observation is dated after the reference date (exact fallback of
`bilans.queries_tableaux._cumul_exact`).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bilans.models import BilanIntermediaire, Positionnement
from bilans.queries_tableaux import Camarade, Position, _cumul_exact, camarades_de_division
from bilans.rendu_tableau import html_positions
from bilans.suggestion import mediane_ponderee
from cpro.models import Division
from cpro.sql import table as nom_table
from evaluations import agregats
from evaluations.models import AgregatSuggestion
from referentiels.models import Competence


@dataclass(frozen=True, slots=True)
class CompetenceClasse:
    pk: int
    code: str
    intitule: str


@dataclass(slots=True)
class LigneClasse:
    apprenant: Camarade
    positions: list[Position]
    html: SafeString


@dataclass(slots=True)
class VueClasse:
    division: Division
    competences: list[CompetenceClasse]
    lignes: list[LigneClasse]


def _competences(diplome) -> list[CompetenceClasse]:
    """The diplôme's competences that have at least one criterion, in référentiel order."""
    lignes = (
        Competence.objects.filter(diplome=diplome, criteres__isnull=False)
        .order_by("groupe__ordre", "groupe__code", "ordre", "code", "pk")
        .values_list("pk", "code", "intitule")
        .distinct()
    )
    return [CompetenceClasse(*ligne) for ligne in lignes]


def _agregats(
    ids: list[int], competences: list[int], reference: datetime.date
) -> dict[tuple[int, int], list]:
    """(learner, competence) → [(niveau, somme, tardif)] of the stored aggregates (1 query);
    `tardif`: an observation may be dated after `reference`."""
    table = nom_table(AgregatSuggestion)
    marques = ", ".join(["%s"] * len(ids))
    reperes = ", ".join(["%s"] * len(competences))
    sql = (
        f"SELECT apprenant_id, competence_id, niveau, somme, "  # noqa: S608 (no user input)
        f"CASE WHEN date_max > %s THEN 1 ELSE 0 END FROM {table} "
        f"WHERE nombre > 0 AND apprenant_id IN ({marques}) AND competence_id IN ({reperes})"
    )
    res: dict[tuple[int, int], list] = {}
    with connection.cursor() as cursor:
        date = connection.ops.adapt_datefield_value(reference)
        cursor.execute(sql, [date, *ids, *competences])
        for a, c, n, s, tardif in cursor.fetchall():
            res.setdefault((a, c), []).append((n, s, tardif))
    return res


def vue_classe(division: Division, diplome, *, reference: datetime.date | None = None) -> VueClasse:
    """The class view of `division` for `diplome` at `reference` (today by default)."""
    reference = reference or timezone.localdate()
    apprenants = camarades_de_division(division)
    competences = _competences(diplome)
    ids = [a.pk for a in apprenants]
    codes = {c.pk for c in competences}

    suggeres: dict[tuple[int, int], str] = {}
    exacts: set[int] = set()
    if ids and competences:
        f = agregats.facteur(reference)
        for (a, comp), lignes in _agregats(ids, sorted(codes), reference).items():
            if any(tardif for _n, _s, tardif in lignes):
                exacts.add(a)
            else:
                suggeres[(a, comp)] = mediane_ponderee({n: s * f for n, s, _t in lignes})
    if exacts:
        from referentiels.models import Critere

        competence_du_critere = dict(
            Critere.objects.filter(competence__diplome=diplome).values_list("pk", "competence_id")
        )
        cumul = _cumul_exact(sorted(exacts), division, diplome, reference, competence_du_critere)
        for a in exacts:
            for comp in codes:
                suggeres[(a, comp)] = cumul.niveau((a, comp))

    valides: dict[tuple[int, int], tuple[str, bool, datetime.date]] = {}
    if ids and competences:
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
            valides[(a, comp)] = (niveau, False, date)

    cache: dict = {}
    lignes = []
    for a in apprenants:
        positions = [
            Position(*valides[(a.pk, c.pk)])
            if (a.pk, c.pk) in valides
            else Position(suggeres.get((a.pk, c.pk), "NE"), True)
            for c in competences
        ]
        lignes.append(LigneClasse(a, positions, html_positions(positions, cache)))
    return VueClasse(division, competences, lignes)


def entetes_de_ligne(vue: VueClasse, url_tableau: str) -> None:
    """Prefixes each row's HTML with its header cell: the learner's name linking to their
    dashboard (built here rather than by the template: 35 rows × a URL and an integer
    localised by the template engine were a measurable part of the page)."""
    base = escape(url_tableau)
    for ligne in vue.lignes:
        a = ligne.apprenant
        entete = (
            f'<th scope="row" class="tb-critere"><a href="{base}?apprenant={a.pk}">'
            f"{escape(a.nom)}</a></th>"
        )
        ligne.html = mark_safe(entete + ligne.html)  # noqa: S308 (values escaped)
