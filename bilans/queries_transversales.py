"""Read side of « Suivi des compétences transversales »: a learner's transversal competences
and the class view, built with the dashboard's read models (bilans.queries_tableaux) and the
suggestion rule (bilans.suggestion), called, not copied.

Differences with a diploma's dashboard: the criteria are those of the establishment's
transversal référentiel (referentiels.services_transversal); the columns are the learner's
évaluations of ANY diploma of the establishment (shown in dashboards) that link at least one
transversal criterion; divisions of every diploma are offered. The diploma dashboards keep
showing only their own diploma's criteria.

`donnees_transversales` runs 4 queries (6 with the suggestions: the stored aggregates and the
latest validated bilans) and `vue_classe_transversale` 5, whatever the amount of data (pinned
by tests/bilans/test_transversales.py).
"""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils import timezone

from bilans import queries_tableaux
from bilans.models import BilanIntermediaire, Positionnement
from bilans.queries_tableaux import (
    Camarade,
    LigneClasse,
    Position,
    Tableau,
    VueClasse,
    apprenants_de_division,
    assembler,
    colonnes_de,
)
from bilans.suggestion import Cumul
from cpro.models import AnneeScolaire, Apprenant, Division
from evaluations.models import Evaluation, Participant, Resultat
from referentiels.models import Critere
from referentiels.services_transversal import referentiel_de

__all__ = [
    "apprenant_et_camarades",
    "divisions_courantes",
    "donnees_transversales",
    "referentiel_de",
    "vue_classe_transversale",
]


def divisions_courantes(etablissement) -> list[Division]:
    """The current school year's divisions of every diploma of the establishment, by diploma
    then name (1 query)."""
    debut = AnneeScolaire.debut_pour(timezone.localdate())
    return list(
        Division.objects.filter(etablissement=etablissement, annee__debut=debut)
        .select_related("annee", "diplome")
        .order_by("diplome__intitule_court", "nom")
    )


def apprenant_et_camarades(request, pk) -> tuple[Apprenant, list[Camarade]]:
    """A learner of the request's establishment in a division (of any diploma), with the
    learners of that division in name order, in 2 queries; anything else → 404."""
    return queries_tableaux.apprenant_et_camarades(request, pk, tout_diplome=True)


def _criteres(referentiel) -> list[Critere]:
    """Every criterion of the transversal référentiel with its competence and group, in order
    (1 query)."""
    return list(
        Critere.objects.filter(competence__diplome=referentiel)
        .select_related("competence__groupe__unite")
        .order_by("competence__ordre", "competence__code", "ordre", "code")
    )


def evaluations_transversales(apprenant, referentiel):
    """The learner's évaluations shown in dashboards, of any diploma of the establishment, that
    link at least one criterion of the transversal référentiel, chronologically."""
    liees = Evaluation.criteres.through.objects.filter(
        evaluation=OuterRef("pk"), critere__competence__diplome=referentiel
    )
    return (
        Evaluation.objects.filter(
            etablissement_id=apprenant.etablissement_id,
            afficher_tableau_de_bord=True,
            participants__apprenant=apprenant,
        )
        .filter(Exists(liees))
        .order_by("date", "pk")
    )


def donnees_transversales(
    apprenant: Apprenant,
    referentiel,
    *,
    competence=None,
    reference: datetime.date | None = None,
    avec_suggestions: bool = True,
    depuis: int | None = None,
) -> Tableau:
    """A learner's transversal competences as a dashboard (bilans.queries_tableaux.Tableau:
    same cells, suggestion and « Pourquoi ce niveau ? »), optionally one competence (by code);
    `depuis` shows only the school years from that one (the suggestions weigh them all).
    A deactivated criterion or competence shows only where the learner has a résultat on it.
    With the suggestions, each competence also gets the level of the latest validated bilan
    that positions it (`bilan_valide`). 4 queries whatever the amount of data, 6 with the
    suggestions (stored aggregates, validated bilans)."""
    reference = reference or timezone.localdate()
    tous = _criteres(referentiel)
    competences: dict[int, object] = {}
    for c in tous:
        competences.setdefault(c.competence_id, c.competence)
    if competence not in {c.code for c in competences.values()}:
        competence = None
    criteres = [c for c in tous if not competence or c.competence.code == competence]
    ids_criteres = [c.pk for c in criteres]

    champs = ["pk", "date", "titre", "nature", "niveau", "annee__debut"]
    champs += ["auteur__first_name", "auteur__last_name", "auteur__username", "auteur_id"]
    evaluations = list(evaluations_transversales(apprenant, referentiel).values(*champs))
    ids_evaluations = [e["pk"] for e in evaluations]
    enseignants: dict[int, list[str]] = defaultdict(list)
    niveaux: dict[tuple[int, int], str] = {}
    if evaluations:
        for e, prenom, nom, identifiant in (
            Evaluation.enseignants.through.objects.filter(evaluation_id__in=ids_evaluations)
            .order_by("user__last_name", "user__first_name", "user__pk")
            .values_list("evaluation_id", "user__first_name", "user__last_name", "user__username")
        ):
            enseignants[e].append(f"{prenom} {nom}".strip() or identifiant)
        if ids_criteres:
            niveaux = {
                (e, c): n
                for e, c, n in Resultat.objects.filter(
                    apprenant=apprenant,
                    evaluation_id__in=ids_evaluations,
                    critere_id__in=ids_criteres,
                ).values_list("evaluation_id", "critere_id", "niveau")
            }
    if competence:
        avec_resultat = {e for e, _c in niveaux}
        evaluations = [e for e in evaluations if e["pk"] in avec_resultat]

    # A deactivated criterion never evaluated for this learner is left out.
    tableau = assembler(
        apprenant,
        referentiel,
        reference=reference,
        criteres=criteres,
        niveaux=niveaux,
        colonnes=colonnes_de(evaluations, enseignants),
        suffixe=lambda col: f" ({col.annee})",
        depuis=depuis,
        avec_suggestions=avec_suggestions,
        montrer=lambda c, ligne: bool(ligne) or (c.actif and c.competence.active),
        unites=[],
        competences=[c for c in competences.values() if c.active],
        unite=None,
        competence=competence,
    )
    if avec_suggestions:
        valides = derniers_bilans_valides(apprenant, referentiel)
        for bloc in tableau.blocs_competences:
            bloc.bilan_valide = valides.get(bloc.competence.pk)
    return tableau


def derniers_bilans_valides(apprenant, referentiel) -> dict[int, tuple[datetime.date, str]]:
    """competence id → (date, level) of the learner's latest validated bilan intermédiaire
    that positions this transversal competence (1 query)."""
    positionnements = positionnements_valides(
        referentiel, apprenant.etablissement_id, bilan__apprenant=apprenant
    ).values_list("competence_id", "bilan__date", "niveau")
    return {comp: (date, niveau) for comp, date, niveau in positionnements}


def positionnements_valides(referentiel, etablissement_id, **filtres):
    """The positionnements of the transversal référentiel's competences in the validated
    bilans of the establishment (`filtres`: which learners), oldest bilan first: the last one
    per learner × competence is the latest validated level."""
    return Positionnement.objects.filter(
        bilan__etablissement_id=etablissement_id,
        bilan__statut=BilanIntermediaire.Statut.VALIDE,
        competence__diplome=referentiel,
        **filtres,
    ).order_by("bilan__date", "bilan__valide_le", "bilan_id")


def vue_classe_transversale(
    division: Division, referentiel, *, reference: datetime.date | None = None
) -> VueClasse:
    """Division × active transversal competences: the latest validated bilan positioning of
    the competence when there is one, else the current suggestion (marked `suggere`), from the
    learners' évaluations of any diploma. 5 queries whatever the number of learners."""
    reference = reference or timezone.localdate()
    apprenants = apprenants_de_division(division)
    competences: dict[int, object] = {}
    competence_du_critere: dict[int, int] = {}
    for c in _criteres(referentiel):
        if c.competence.active:
            competences.setdefault(c.competence_id, c.competence)
            competence_du_critere[c.pk] = c.competence_id
    ids = [a.pk for a in apprenants]
    cumul = Cumul(reference)
    valides: dict[tuple[int, int], Position] = {}
    if ids and competence_du_critere:
        poids = {
            (a, e): cumul.poids(date, nature)
            for a, e, date, nature in Participant.objects.filter(
                apprenant_id__in=ids,
                evaluation__etablissement_id=division.etablissement_id,
                evaluation__afficher_tableau_de_bord=True,
            ).values_list("apprenant_id", "evaluation_id", "evaluation__date", "evaluation__nature")
        }
        resultats = Resultat.objects.filter(
            apprenant_id__in=ids, critere_id__in=list(competence_du_critere)
        ).values_list("apprenant_id", "evaluation_id", "critere_id", "niveau")
        cumul.cumuler(resultats, poids, competence_du_critere)
        positionnements = positionnements_valides(
            referentiel, division.etablissement_id, bilan__apprenant_id__in=ids
        ).values_list("bilan__apprenant_id", "competence_id", "niveau", "bilan__date")
        for a, comp, niveau, date in positionnements:
            valides[(a, comp)] = Position(niveau, False, date)
    lignes = []
    for a in apprenants:
        cases = []
        for comp in competences:
            p = valides.get((a.pk, comp))
            if p is None:
                p = Position(cumul.niveau((a.pk, comp)), True)
            cases.append(p)
        lignes.append(LigneClasse(a, cases))
    return VueClasse(division, list(competences.values()), lignes)
