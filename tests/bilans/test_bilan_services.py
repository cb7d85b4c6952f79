"""Services of the bilans intermédiaires (bilans/services_bilans.py): pre-fill from the
suggestion on handmade résultats, limits and French refusals, validation locks, DDFPT unlock,
audit entries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bilans import services_bilans as s
from bilans.models import BilanIntermediaire
from bilans.suggestion import Observation, suggerer
from cpro.models import AuditLog
from evaluations import services_grille
from evaluations.models import Evaluation, Nature
from tests.bilans import bilans_factories as bf

D = bf.DATE


@pytest.fixture
def ref(personas):
    return bf.referentiel(personas.a)  # C?.1 (criteria 0, 1) and C?.2 (criteria 2, 3)


def _niveaux(bilan):
    return {p.competence.code: (p.niveau, p.suggestion) for p in bilan.positionnements.all()}


def test_creer_bilan_pre_fills_from_the_suggestion(personas, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    ev1 = bf.evaluation(
        a, {ref[0]: "3", ref[1]: "3"}, date=D - datetime.timedelta(days=40), titre="Vente 1"
    )
    ev2 = bf.evaluation(
        a, {ref[0]: "1", ref[1]: "NE"}, date=D - datetime.timedelta(days=5), nature=Nature.COMPLEXE
    )
    # Not observations: hidden from dashboards, after the date, another learner's résultats.
    cachee = bf.evaluation(a, {ref[0]: "4", ref[2]: "4"}, afficher_tableau_de_bord=False)
    future = bf.evaluation(a, {ref[0]: "4", ref[2]: "4"}, date=D + datetime.timedelta(days=1))
    autre = bf.evaluation(a, {(a.apprenti.apprenant, ref[2]): "4"})

    bilan = s.creer_bilan(eleve, par=a.enseignant.user, date=D)

    attendu = suggerer(
        [
            Observation("3", ev1.date, "INT"),
            Observation("3", ev1.date, "INT"),
            Observation("1", ev2.date, "C"),
            Observation("NE", ev2.date, "C"),
        ],
        D,
    ).niveau
    c1, c2 = ref[0].competence.code, ref[2].competence.code
    assert _niveaux(bilan) == {c1: (attendu, attendu), c2: ("NE", "NE")}
    # The recent complex observation outweighs the two older intermediate ones.
    assert attendu == "1"
    assert bilan.statut == BilanIntermediaire.Statut.BROUILLON
    assert bilan.auteur == a.enseignant.user and bilan.diplome == a.diplome
    assert bilan.annee.debut == 2025
    # The learner's shown évaluations dated ≤ date (the other learner's one too: they take part).
    assert set(bilan.evaluations.all()) == {ev1, ev2, autre}
    assert cachee not in bilan.evaluations.all() and future not in bilan.evaluations.all()
    assert AuditLog.objects.filter(action="bilan.creation", objet_id=str(bilan.pk)).exists()


def test_creer_bilan_refusals(personas):
    a = personas.a
    eleve = a.apprenant.apprenant
    for membership in (a.chef, a.tuteur, personas.b.enseignant, a.apprenant):
        with pytest.raises(PermissionDenied):
            s.creer_bilan(eleve, par=membership.user, date=D)
    eleve.division = None
    eleve.save()
    with pytest.raises(ValidationError, match="aucune division"):
        s.creer_bilan(eleve, par=a.enseignant.user, date=D)
    assert not BilanIntermediaire.objects.exists()


def _modifier(bilan, par, **kwargs):
    args = {"date": D, "constats": "", "conseils": "", "note": None, "niveaux": {}}
    args.update(kwargs)
    return s.modifier_bilan(bilan, par=par, **args)


def test_modifier_bilan_writes_a_draft(personas, ref):
    a = personas.a
    bilan = bf.bilan(a)
    c1 = ref[0].competence
    # Any writer of the establishment, not only the author.
    _modifier(
        bilan,
        a.enseignant2.user,
        constats="Bon investissement.",
        conseils="Continuez ainsi.",
        note="12,5",
        niveaux={c1.pk: "3"},
    )
    bilan.refresh_from_db()
    assert (bilan.constats, bilan.conseils, bilan.note) == (
        "Bon investissement.",
        "Continuez ainsi.",
        Decimal("12.50"),
    )
    assert bilan.positionnements.get(competence=c1).niveau == "3"
    _modifier(bilan, a.ddfpt.user, note="")
    bilan.refresh_from_db()
    assert bilan.note is None


@pytest.mark.parametrize(
    "champs,message",
    [
        ({"constats": "x" * 3001}, "Les constats ne peuvent pas dépasser 3000 caractères"),
        ({"conseils": "x" * 3001}, "Les conseils ne peuvent pas dépasser 3000 caractères"),
        ({"note": "20,5"}, "entre 0 et 20"),
        ({"note": Decimal("-1")}, "entre 0 et 20"),
        ({"note": "12,345"}, "au plus deux décimales"),
        ({"note": "douze"}, "doit être un nombre"),
        ({"note": "NaN"}, "doit être un nombre"),
        ({"date": None}, "jj/mm/aaaa"),
    ],
)
def test_modifier_bilan_limits(personas, ref, champs, message):
    a = personas.a
    bilan = bf.bilan(a, constats="Avant")
    with pytest.raises(ValidationError, match=message):
        _modifier(bilan, a.enseignant.user, **{"constats": "Après", **champs})
    bilan.refresh_from_db()
    assert bilan.constats == "Avant"  # nothing written


def test_limits_are_inclusive(personas, ref):
    a = personas.a
    bilan = bf.bilan(a)
    _modifier(bilan, a.enseignant.user, constats="x" * 3000, conseils="y" * 3000, note="20")
    bilan.refresh_from_db()
    assert len(bilan.constats) == 3000 and bilan.note == 20
    _modifier(bilan, a.enseignant.user, note=0)
    bilan.refresh_from_db()
    assert bilan.note == 0


def test_modifier_bilan_level_refusals(personas, ref):
    a = personas.a
    bilan = bf.bilan(a)
    autre = bf.referentiel(personas.b)[0].competence  # not in this bilan
    with pytest.raises(ValidationError, match="Niveau inconnu"):
        _modifier(bilan, a.enseignant.user, niveaux={ref[0].competence.pk: "5"})
    with pytest.raises(ValidationError, match="Compétence inconnue"):
        _modifier(bilan, a.enseignant.user, niveaux={autre.pk: "3"})


def test_modifier_bilan_evaluations_must_be_eligible(personas, ref):
    a = personas.a
    ev = bf.evaluation(a, {ref[0]: "3"})
    cachee = bf.evaluation(a, {ref[0]: "3"}, afficher_tableau_de_bord=False)
    bilan = bf.bilan(a)
    _modifier(bilan, a.enseignant.user, evaluations=[ev])
    assert list(bilan.evaluations.all()) == [ev]
    with pytest.raises(ValidationError, match="ne peut prendre en compte"):
        _modifier(bilan, a.enseignant.user, evaluations=[cachee])
    # A new date recomputes the évaluations and the stored suggestions.
    _modifier(bilan, a.enseignant.user, date=D - datetime.timedelta(days=1))
    assert not bilan.evaluations.exists()
    _modifier(bilan, a.enseignant.user, date=D)
    assert list(bilan.evaluations.all()) == [ev]
    assert bilan.positionnements.get(competence=ref[0].competence).suggestion == "3"


def test_writers_only(personas, ref):
    a = personas.a
    bilan = bf.bilan(a)
    for membership in (a.chef, a.tuteur, a.apprenant, personas.b.ddfpt):
        with pytest.raises(PermissionDenied):
            _modifier(bilan, membership.user, constats="x")
        with pytest.raises(PermissionDenied):
            s.valider_bilan(bilan, par=membership.user)


def test_validated_bilan_is_read_only(personas, ref):
    a = personas.a
    bilan = bf.bilan_valide(a, constats="Validé")
    with pytest.raises(ValidationError) as exc:
        _modifier(bilan, a.enseignant.user, constats="Changé")
    assert exc.value.messages == ["Ce bilan est validé : le DDFPT peut le déverrouiller."]
    with pytest.raises(ValidationError, match="validé"):
        s.supprimer_bilan(bilan, par=a.ddfpt.user)
    with pytest.raises(ValidationError, match="validé"):
        s.valider_bilan(bilan, par=a.enseignant.user)
    bilan.refresh_from_db()
    assert bilan.constats == "Validé"


def test_validation_locks_the_evaluations(personas, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    ev = bf.evaluation(a, {ref[0]: "3"})
    bilan = s.creer_bilan(eleve, par=a.enseignant.user, date=D)

    s.valider_bilan(bilan, par=a.enseignant2.user)

    bilan.refresh_from_db()
    assert bilan.statut == BilanIntermediaire.Statut.VALIDE
    assert bilan.valide_par == a.enseignant2.user and bilan.valide_le is not None
    ev.refresh_from_db()
    assert ev.verrouillee
    with pytest.raises(ValidationError, match="bilan intermédiaire validé"):
        services_grille.saisir_resultat(ev, eleve, ref[0], "4", par=a.enseignant.user)
    log = AuditLog.objects.get(action="bilan.validation")
    assert log.objet_id == str(bilan.pk) and log.acteur == a.enseignant2.user
    assert log.avant["statut"] == "BROUILLON" and log.apres["statut"] == "VALIDE"
    assert log.apres["evaluations"] == [ev.pk]
    assert AuditLog.objects.filter(
        action="evaluation.verrouillage",
        objet_id=str(ev.pk),
        apres__motif=f"bilan {bilan.pk} validé",
    ).exists()


def test_ddfpt_unlock_keeps_evaluations_held_by_another_validated_bilan(personas, ref):
    a = personas.a
    commune = bf.evaluation(a, {ref[0]: "3"}, date=D - datetime.timedelta(days=30))
    propre = bf.evaluation(a, {ref[0]: "4"})
    premier = bf.bilan(a, date=D - datetime.timedelta(days=10), evaluations=[commune])
    second = bf.bilan(a, evaluations=[commune, propre])
    s.valider_bilan(premier, par=a.enseignant.user)
    s.valider_bilan(second, par=a.enseignant.user)

    s.deverrouiller_bilan(second, par=a.ddfpt.user)

    second.refresh_from_db()
    assert second.statut == BilanIntermediaire.Statut.BROUILLON
    assert second.valide_le is None and second.valide_par is None
    commune.refresh_from_db()
    propre.refresh_from_db()
    assert commune.verrouillee  # still taken into account by the first validated bilan
    assert not propre.verrouillee
    log = AuditLog.objects.get(action="bilan.deverrouillage")
    assert log.acteur == a.ddfpt.user
    assert log.avant["statut"] == "VALIDE" and log.apres["statut"] == "BROUILLON"
    assert log.apres["evaluations_deverrouillees"] == [propre.pk]
    assert log.apres["evaluations_restees_verrouillees"] == [commune.pk]
    # The draft is writable again, and so is the unlocked évaluation.
    _modifier(second, a.enseignant.user, constats="Repris")
    services_grille.saisir_resultat(
        propre, a.apprenant.apprenant, ref[0], "2", par=a.enseignant.user
    )
    # Unlocking the first one frees the shared évaluation.
    s.deverrouiller_bilan(premier, par=a.ddfpt.user)
    assert Evaluation.objects.filter(verrouillee=True).count() == 0


def test_only_the_ddfpt_unlocks(personas, ref):
    a = personas.a
    bilan = bf.bilan_valide(a)
    for membership in (a.enseignant, a.enseignant2, a.chef, personas.b.ddfpt):
        with pytest.raises(PermissionDenied):
            s.deverrouiller_bilan(bilan, par=membership.user)
    bilan.refresh_from_db()
    assert bilan.est_valide
    brouillon = bf.bilan(a, date=D + datetime.timedelta(days=1))  # one bilan per date
    with pytest.raises(ValidationError, match="pas validé"):
        s.deverrouiller_bilan(brouillon, par=a.ddfpt.user)


def test_supprimer_bilan(personas, ref):
    a = personas.a
    bilan = bf.bilan(a)  # written by `enseignant`
    with pytest.raises(PermissionDenied):
        s.supprimer_bilan(bilan, par=a.enseignant2.user)
    with pytest.raises(PermissionDenied):
        s.supprimer_bilan(bilan, par=a.chef.user)
    s.supprimer_bilan(bilan, par=a.enseignant.user)
    assert not BilanIntermediaire.objects.filter(pk=bilan.pk).exists()
    assert AuditLog.objects.filter(action="bilan.suppression", objet_id=str(bilan.pk)).exists()
    autre = bf.bilan(a)
    s.supprimer_bilan(autre, par=a.ddfpt.user)
    assert not BilanIntermediaire.objects.exists()
