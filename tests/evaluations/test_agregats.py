"""Stored exact aggregates of the suggestion (evaluations.agregats): kept by every write path,
equal to the rule computed from the observations (bilans.suggestion.suggerer)."""

import datetime
import io
import logging
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from bilans.queries_tableaux import donnees_tableau
from bilans.suggestion import niveau_agrege
from bilans.vue_classes import vue_classe
from evaluations import agregats, tasks
from evaluations import services as ev_services
from evaluations import services_grille as sg
from evaluations.models import AgregatSuggestion, Evaluation, Nature, Participant, Resultat
from pfmp import services_portfolio
from pfmp.models import BilanEntreprise
from referentiels.models import Competence
from tests.bilans import bilans_factories as bf
from tests.bilans import tableaux_factories as tf
from tests.evaluations import grille_factories as gf
from tests.evaluations.factories import ParticipantFactory, ResultatFactory
from tests.pfmp import portfolio_factories as pf

NIVEAUX = ["", "NE", "1", "2", "3", "4"]
# Cell saves: mostly levels, so that the data grows while clears and deletions happen.
SAISIES = ["", "NE", *(["1", "2", "3", "4"] * 3)]
DEBUT = datetime.date(2024, 9, 2)
FIN = datetime.date(2026, 11, 30)


def _date(rng) -> datetime.date:
    return DEBUT + datetime.timedelta(days=rng.randrange((FIN - DEBUT).days))


def _niveaux_exacts(apprenant, diplome, reference) -> dict[int, str]:
    """competence id → the level of the exact path (the dashboard's `suggerer`)."""
    tableau = donnees_tableau(apprenant, diplome, reference=reference)
    return {b.competence.pk: b.suggestion.niveau for b in tableau.blocs_competences}


def _comparer(side, eleves, competences, reference) -> int:
    """Every (learner, competence): the level from the stored aggregates equals the exact one
    wherever the aggregates apply; returns how many pairs they decided."""
    lus = agregats.lire(eleves, competences)
    decides = 0
    for a in eleves:
        exacts = _niveaux_exacts(a, side.diplome, reference)
        for comp in competences:
            niveau = niveau_agrege(lus.get((a.pk, comp.pk), []), reference)
            if niveau is not None:
                decides += 1
                assert niveau == exacts[comp.pk], (a.pk, comp.pk, reference)
    return decides


@pytest.fixture
def monde(personas):
    """Side A: a référentiel of 3 competences × 2 criteria, 4 learners of the division,
    3 évaluations, a bilan entreprise of the scolaire learner."""
    a = personas.a
    criteres = gf.referentiel(a.diplome, competences=3, criteres=2)
    eleves = [a.apprenant.apprenant, a.apprenti.apprenant, *gf.apprenants(a, 2)]
    rng = random.Random(14)
    evaluations = [
        gf.evaluation(a, participants=eleves, criteres=rng.sample(criteres, 4), date=_date(rng))
        for _ in range(3)
    ]
    periode = pf.periode(a, criteres=criteres[:3])
    aff = pf.affectation(periode, eleves[0], tuteur=a.tuteur, referent=a.enseignant.user)
    bilan = services_portfolio.ouvrir_bilan_entreprise(aff, par=a.enseignant.user)
    competences = list(Competence.objects.filter(criteres__in=criteres).distinct())
    return a, criteres, eleves, evaluations, bilan, competences


def _muter(rng, a, criteres, eleves, evaluations, bilan) -> str:
    """One random write through a service; returns its name."""
    prof = a.enseignant.user
    ev = rng.choice(evaluations)
    participants = list(
        Participant.objects.filter(evaluation=ev).values_list("apprenant_id", flat=True)
    )
    crits = list(ev.criteres.all())
    action = rng.choice(
        ["saisir"] * 12
        + ["remplir", "grille", "informations", "apprenants", "critere", "supprimer", "bilan"]
        + ["bilan_valider", "bilan"]
    )
    eleve = next((e for e in eleves if e.pk in participants), None) if participants else None
    if action == "saisir" and eleve is not None and crits:
        eleve = rng.choice([e for e in eleves if e.pk in participants])
        sg.saisir_resultat(ev, eleve, rng.choice(crits), rng.choice(SAISIES), par=prof)
    elif action == "remplir" and eleve is not None and crits:
        mode = rng.choice([sg.VIDES, sg.TOUS])
        niveau = rng.choice(NIVEAUX)
        if rng.random() < 0.5:
            sg.remplir(ev, niveau, par=prof, apprenant=eleve, mode=mode)
        else:
            sg.remplir(ev, niveau, par=prof, critere=rng.choice(crits), mode=mode)
    elif action == "grille" and participants and crits:
        changements = [
            sg.Changement(rng.choice(participants), rng.choice(crits).pk, rng.choice(NIVEAUX))
            for _ in range(4)
        ]
        sg.enregistrer_grille(ev, changements, par=prof)
    elif action == "informations":
        ev_services.modifier_informations(
            ev,
            par=prof,
            titre=ev.titre,
            date=_date(rng) if rng.random() < 0.6 else ev.date,
            nature=rng.choice([Nature.INTERMEDIAIRE, Nature.COMPLEXE]),
            enseignants=[prof],
            afficher_tableau_de_bord=rng.random() < 0.75,
        )
    elif action == "apprenants":
        voulus = set(participants)
        if voulus and rng.random() < 0.5:
            voulus.discard(rng.choice(sorted(voulus)))
        else:
            voulus |= {e.pk for e in rng.sample(eleves, 2)}
        ev_services.choisir_apprenants(ev, voulus, par=prof, confirme=True)
    elif action == "critere":
        ev_services.basculer_critere(ev, rng.choice(criteres).pk, par=prof, confirme=True)
    elif action == "supprimer" and len(evaluations) > 1:
        evaluations.remove(ev)
        ev_services.supprimer_evaluation(ev, par=prof)
        evaluations.append(
            gf.evaluation(
                a,
                participants=rng.sample(eleves, 3),
                criteres=rng.sample(criteres, 3),
                date=_date(rng),
                nature=rng.choice([Nature.INTERMEDIAIRE, Nature.COMPLEXE]),
            )  # fmt: skip
        )
    elif action == "bilan":
        bilan.refresh_from_db()
        if bilan.statut == BilanEntreprise.Statut.EN_COURS:
            niveaux = {c.pk: rng.choice(NIVEAUX) for c in rng.sample(criteres[:3], 2)}
            tuteur = rng.random() < 0.5
            services_portfolio.saisir_bilan(bilan, niveaux, par=a.tuteur.user if tuteur else prof)
    elif action == "bilan_valider":
        bilan.refresh_from_db()
        if bilan.statut == BilanEntreprise.Statut.VALIDE:
            services_portfolio.rouvrir_bilan_entreprise(bilan, par=prof)
        else:
            try:
                services_portfolio.valider_bilan_entreprise(bilan, par=prof)
            except ValidationError:
                return "bilan_vide"
    return action


def test_300_random_writes_keep_the_aggregates_exact(monde):
    a, criteres, eleves, evaluations, bilan, competences = monde
    rng = random.Random(2026)
    faits: dict[str, int] = {}
    decides = plus_grand = 0
    for etape in range(300):
        action = _muter(rng, a, criteres, eleves, evaluations, bilan)
        faits[action] = faits.get(action, 0) + 1
        assert agregats.derive() == [], (etape, action)
        plus_grand = max(plus_grand, AgregatSuggestion.objects.filter(nombre__gt=0).count())
        if etape % 15 == 14:
            # A reference after every date (the aggregates decide everything), then one in
            # the middle (pairs with a later observation fall back to the exact path).
            assert _comparer(a, eleves, competences, FIN) == len(eleves) * len(competences)
            decides += _comparer(a, eleves, competences, _date(rng))
    # Every kind of write happened, and the comparison was not vacuous.
    assert {"saisir", "remplir", "grille", "informations", "apprenants", "critere"} <= set(faits)
    assert {"supprimer", "bilan", "bilan_valider"} <= set(faits)
    assert plus_grand > 15  # up to 4 learners × 3 competences × 4 levels at once
    assert decides > 0


def test_class_view_from_aggregates_equals_the_exact_rule_and_falls_back(monde):
    a, criteres, eleves, evaluations, bilan, competences = monde
    rng = random.Random(7)
    prof = a.enseignant.user
    for ev in evaluations:
        for e in eleves[:3]:
            for c in ev.criteres.all():
                sg.saisir_resultat(ev, e, c, rng.choice(NIVEAUX), par=prof)
    dates = sorted(ev.date for ev in evaluations)
    for reference in (FIN, dates[1], dates[0] - datetime.timedelta(days=1)):
        vue = vue_classe(a.division, a.diplome, reference=reference)
        index = {c.pk: i for i, c in enumerate(vue.competences)}
        for ligne in vue.lignes:
            eleve = next(e for e in eleves if e.pk == ligne.apprenant.pk)
            exacts = _niveaux_exacts(eleve, a.diplome, reference)
            for comp_pk, niveau in exacts.items():
                assert ligne.positions[index[comp_pk]].niveau == niveau


def test_level_needs_no_reference_factor_and_nombre_zero_is_no_observation(db):
    # Raw sums of a 2030 observation (2^30) keep the level exact after add and remove.
    loin = datetime.date(2030, 9, 1)
    lignes = [("1", agregats.poids_brut(loin, "INT"), loin), ("3", 0.0, loin)]
    assert niveau_agrege(lignes, loin) == "1"
    assert niveau_agrege(lignes, loin - datetime.timedelta(days=1)) is None
    assert niveau_agrege([], loin) == "NE"
    assert agregats.croissance(agregats.EPOQUE) == 1.0
    assert agregats.croissance(datetime.date(2050, 9, 1)) == pytest.approx(2.0 ** (10957 / 120))


def test_write_paths_of_the_other_modules_factories_leave_no_drift(personas):
    """The factories and helpers other modules' tests write résultats with, then the demo-like
    service paths: 0 difference."""
    a = personas.a
    criteres = gf.referentiel(a.diplome, competences=2, criteres=2)
    eleves = [a.apprenant.apprenant, a.apprenti.apprenant, *gf.apprenants(a, 3)]
    tf.gros_volume(a, eleves, criteres, nb_evaluations=12, par_evaluation=3)
    tf.evaluation(
        a,
        date=datetime.date(2026, 3, 2),
        resultats={(eleves[0], criteres[0]): "2", (eleves[1], criteres[1]): "4"},
        nature=Nature.ENTREPRISE,
    )
    bf.evaluation(a, {criteres[2]: "3", criteres[3]: "1"})
    ev = gf.evaluation(a, participants=[], criteres=criteres)
    ResultatFactory(evaluation=ev, apprenant=eleves[2], critere=criteres[0], niveau="4")
    assert agregats.derive() == []
    ParticipantFactory(evaluation=ev, apprenant=eleves[2])  # the résultat now counts
    assert agregats.derive() == []

    def niveaux_3():
        lignes = AgregatSuggestion.objects.filter(apprenant=eleves[3], niveau="3")
        return sum(lignes.values_list("nombre", flat=True))

    avant = niveaux_3()
    aff = pf.affectation(pf.periode(a, criteres=criteres), eleves[3], referent=a.enseignant.user)
    services_portfolio.demo_bilan(
        aff, {c.code: "3" for c in criteres}, par=a.enseignant.user, valider=True
    )
    assert agregats.derive() == []
    assert niveaux_3() == avant + 4  # the validated bilan entreprise's 4 résultats


def test_drift_is_found_reported_and_corrected(monde, caplog):
    a, criteres, eleves, evaluations, bilan, competences = monde
    prof = a.enseignant.user
    sg.saisir_resultat(evaluations[0], eleves[0], evaluations[0].criteres.first(), "3", par=prof)
    out = io.StringIO()
    call_command("verifier_agregats", stdout=out)
    assert "0 écart" in out.getvalue()
    assert tasks.verifier_agregats() == 0

    # A write that bypasses the services (what the check exists for).
    Resultat.objects.filter(evaluation=evaluations[0], apprenant=eleves[0]).update(niveau="1")
    ecarts = agregats.derive()
    assert len(ecarts) == 2 and {e.niveau for e in ecarts} == {"1", "3"}
    assert "stocké" in str(ecarts[0]) and "attendu" in str(ecarts[0])
    with caplog.at_level(logging.ERROR, logger="evaluations.tasks"):
        assert tasks.verifier_agregats() == 2
    assert "écart(s) dans les agrégats" in caplog.text
    out = io.StringIO()
    with pytest.raises(CommandError, match="--corriger"):
        call_command("verifier_agregats", stdout=out)
    assert "2 écarts (1 apprenant)" in out.getvalue()
    out = io.StringIO()
    call_command("verifier_agregats", "--corriger", stdout=out)
    assert "Corrigé" in out.getvalue() and agregats.derive() == []


def test_single_cell_save_moves_the_aggregate_and_a_stale_read_is_redone(monde):
    a, criteres, eleves, evaluations, bilan, competences = monde
    ev, prof = evaluations[0], a.enseignant.user
    critere = ev.criteres.select_related("competence").first()
    sg.saisir_resultat(ev, eleves[0], critere, "2", par=prof)
    # Someone else changed the cell after this save read it: the compare-and-set redoes it.
    Resultat.objects.filter(evaluation=ev, apprenant=eleves[0], critere=critere).update(niveau="4")
    agregats.recalculer([eleves[0]])
    assert sg._ecrire_si(ev.pk, eleves[0].pk, critere.pk, "2", "3", prof) is False
    assert sg.saisir_resultat(ev, eleves[0], critere, "3", par=prof) == ("4", "3")
    assert agregats.derive() == []
    ligne = AgregatSuggestion.objects.get(
        apprenant=eleves[0], competence=critere.competence, niveau="3"
    )
    assert ligne.nombre == 1 and ligne.date_max == ev.date
    assert ligne.somme == pytest.approx(agregats.poids_brut(ev.date, ev.nature))


def test_hidden_evaluation_and_other_establishment_do_not_count(monde, personas):
    a, criteres, eleves, evaluations, bilan, competences = monde
    ev = evaluations[0]
    Evaluation.objects.filter(pk=ev.pk).update(afficher_tableau_de_bord=False)
    ev.refresh_from_db()
    sg.saisir_resultat(ev, eleves[0], ev.criteres.first(), "4", par=a.enseignant.user)
    assert not AgregatSuggestion.objects.filter(apprenant=eleves[0], nombre__gt=0).exists()
    assert agregats.derive() == []
