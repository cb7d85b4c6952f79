"""Services of the positioning grid: one cell, row/column fill, the no-JS form, comments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpro import perms
from cpro.models import AuditLog
from evaluations import services_grille as sg
from evaluations.models import Participant, Resultat
from tests.evaluations import grille_factories as gf


@pytest.fixture
def grille(personas):
    a = personas.a
    ev = gf.evaluation(a)
    criteres = list(ev.criteres.select_related("competence").order_by("competence__ordre", "ordre"))
    return ev, a.apprenant.apprenant, a.apprenti.apprenant, criteres


def test_ne_and_empty_are_different(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    par = personas.a.enseignant.user
    assert sg.saisir_resultat(ev, eleve, c1, "NE", par=par) == (None, "NE")
    assert gf.niveau(ev, eleve, c1) == "NE"
    assert sg.saisir_resultat(ev, eleve, c1, "", par=par) == ("NE", None)
    assert not Resultat.objects.filter(evaluation=ev).exists()


def test_levels_and_lowercase_ne(personas, grille):
    ev, eleve, _, (c1, c2, *_) = grille
    par = personas.a.enseignant.user
    sg.saisir_resultat(ev, eleve, c1, "3", par=par)
    sg.saisir_resultat(ev, eleve, c2, "ne", par=par)
    assert gf.niveau(ev, eleve, c1) == "3"
    assert gf.niveau(ev, eleve, c2) == "NE"
    assert sg.saisir_resultat(ev, eleve, c1, 4, par=par) == ("3", "4")


@pytest.mark.parametrize("valeur", ["5", "0", "A", "++", "NEE"])
def test_bad_levels_refused_in_french(personas, grille, valeur):
    ev, eleve, _, (c1, *_) = grille
    with pytest.raises(ValidationError) as exc:
        sg.saisir_resultat(ev, eleve, c1, valeur, par=personas.a.enseignant.user)
    assert "Niveau inconnu" in exc.value.messages[0]
    assert not Resultat.objects.exists()


def test_non_participant_refused(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    Participant.objects.filter(evaluation=ev, apprenant=eleve).delete()
    with pytest.raises(ValidationError, match="ne participe pas"):
        sg.saisir_resultat(ev, eleve, c1, "2", par=personas.a.enseignant.user)


def test_foreign_criterion_refused(personas, grille):
    ev, eleve, _, _ = grille
    autre = gf.referentiel(personas.a.diplome)[0]
    with pytest.raises(ValidationError, match="n'est pas évalué"):
        sg.saisir_resultat(ev, eleve, autre, "2", par=personas.a.enseignant.user)
    assert not Resultat.objects.exists()


def test_locked_refused_everywhere(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    ev.verrouillee = True
    ev.save()
    par = personas.a.ddfpt.user
    message = "prise en compte dans un bilan intermédiaire validé"
    with pytest.raises(ValidationError, match=message):
        sg.saisir_resultat(ev, eleve, c1, "2", par=par)
    with pytest.raises(ValidationError, match=message):
        sg.remplir(ev, "2", par=par, apprenant=eleve)
    with pytest.raises(ValidationError, match=message):
        sg.enregistrer_grille(ev, [sg.Changement(eleve.pk, c1.pk, "2")], par=par)
    with pytest.raises(ValidationError, match=message):
        sg.commenter(ev, eleve, "Bien", par=par)
    assert not Resultat.objects.exists()


def test_lock_is_read_fresh_from_the_database(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    type(ev).objects.filter(pk=ev.pk).update(verrouillee=True)  # instance still says False
    with pytest.raises(ValidationError):
        sg.saisir_resultat(ev, eleve, c1, "2", par=personas.a.enseignant.user)


def test_writers(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    a = personas.a
    sg.saisir_resultat(ev, eleve, c1, "1", par=a.enseignant.user)  # author
    sg.saisir_resultat(ev, eleve, c1, "2", par=a.ddfpt.user)  # DDFPT
    ev.enseignants.add(a.enseignant2.user)
    sg.saisir_resultat(ev, eleve, c1, "3", par=a.enseignant2.user)  # evaluating teacher
    ev.enseignants.clear()
    for refuse in (a.enseignant2, a.chef, personas.b.ddfpt):
        with pytest.raises(PermissionDenied):
            sg.saisir_resultat(ev, eleve, c1, "4", par=refuse.user)
    assert gf.niveau(ev, eleve, c1) == "3"


def test_peut_saisir(personas, grille):
    ev = grille[0]
    a = personas.a
    assert perms.peut(a.enseignant, perms.SAISIR_EVALUATIONS, ev)
    assert perms.peut(a.ddfpt, perms.SAISIR_EVALUATIONS, ev)
    assert not perms.peut(a.enseignant2, perms.SAISIR_EVALUATIONS, ev)
    assert not perms.peut(a.chef, perms.SAISIR_EVALUATIONS, ev)
    assert not perms.peut(a.apprenant, perms.SAISIR_EVALUATIONS, ev)
    assert not perms.peut(personas.b.ddfpt, perms.SAISIR_EVALUATIONS, ev)
    ev.enseignants.add(a.enseignant2.user)
    assert perms.peut(a.enseignant2, perms.SAISIR_EVALUATIONS, ev)


def test_audit_old_to_new(personas, grille):
    ev, eleve, _, (c1, *_) = grille
    par = personas.a.enseignant.user
    sg.saisir_resultat(ev, eleve, c1, "2", par=par)
    sg.saisir_resultat(ev, eleve, c1, "2", par=par)  # unchanged: no entry
    sg.saisir_resultat(ev, eleve, c1, "4", par=par)
    sg.saisir_resultat(ev, eleve, c1, "", par=par)
    entries = list(AuditLog.objects.filter(action="resultat.modifier").order_by("pk"))
    assert [(e.avant["niveau"], e.apres["niveau"]) for e in entries] == [
        (None, "2"),
        ("2", "4"),
        ("4", None),
    ]
    e = entries[0]
    assert e.acteur == par
    assert e.etablissement == personas.a.etablissement
    assert e.objet_type == "evaluations.Evaluation" and e.objet_id == str(ev.pk)
    assert e.avant["critere"] == c1.code == e.apres["critere"]
    assert e.apres["ine"] == eleve.ine and e.apres["apprenant"] == eleve.pk


def test_single_cell_save_runs_4_queries(personas, grille, django_assert_num_queries):
    # Checks + old level + the évaluation's date/nature/flag (one query), the compare-and-set
    # write, the suggestion aggregates' upsert, the audit entry (the pin was "at most 4").
    ev, eleve, _, (c1, *_) = grille
    par = personas.a.enseignant.user
    with django_assert_num_queries(4):
        sg.saisir_resultat(ev, eleve, c1, "3", par=par)  # insert
    with django_assert_num_queries(4):
        sg.saisir_resultat(ev, eleve, c1, "4", par=par)  # update
    with django_assert_num_queries(4):
        sg.saisir_resultat(ev, eleve, c1, "", par=par)  # clear


def test_remplir_row_only_empty_then_all(personas, grille):
    ev, eleve, apprenti, criteres = grille
    par = personas.a.enseignant.user
    sg.saisir_resultat(ev, eleve, criteres[0], "1", par=par)
    assert sg.remplir(ev, "3", par=par, apprenant=eleve) == len(criteres) - 1
    assert gf.niveau(ev, eleve, criteres[0]) == "1"
    assert all(gf.niveau(ev, eleve, c) == "3" for c in criteres[1:])
    assert all(gf.niveau(ev, apprenti, c) is None for c in criteres)  # other row untouched
    assert sg.remplir(ev, "4", par=par, apprenant=eleve, mode=sg.TOUS) == len(criteres)
    assert all(gf.niveau(ev, eleve, c) == "4" for c in criteres)
    assert AuditLog.objects.filter(action="resultat.modifier").count() == 1 + 3 + 4


def test_remplir_column(personas, grille):
    ev, eleve, apprenti, criteres = grille
    par = personas.a.ddfpt.user
    c = criteres[1]
    sg.saisir_resultat(ev, apprenti, c, "2", par=par)
    assert sg.remplir(ev, "NE", par=par, critere=c) == 1
    assert gf.niveau(ev, eleve, c) == "NE" and gf.niveau(ev, apprenti, c) == "2"
    assert sg.remplir(ev, "NE", par=par, critere=c, mode=sg.TOUS) == 1
    assert gf.niveau(ev, apprenti, c) == "NE"
    assert gf.niveau(ev, eleve, criteres[0]) is None


def test_remplir_needs_exactly_one_target_and_valid_values(personas, grille):
    ev, eleve, _, criteres = grille
    par = personas.a.enseignant.user
    with pytest.raises(ValidationError, match="soit un apprenant"):
        sg.remplir(ev, "2", par=par)
    with pytest.raises(ValidationError, match="soit un apprenant"):
        sg.remplir(ev, "2", par=par, apprenant=eleve, critere=criteres[0])
    with pytest.raises(ValidationError, match="Niveau inconnu"):
        sg.remplir(ev, "7", par=par, apprenant=eleve)
    with pytest.raises(ValidationError, match="n'est pas évalué"):
        sg.remplir(ev, "2", par=par, critere=gf.referentiel(personas.a.diplome)[0])
    with pytest.raises(PermissionDenied):
        sg.remplir(ev, "2", par=personas.a.chef.user, apprenant=eleve)
    assert not Resultat.objects.exists()


def test_enregistrer_grille_writes_only_changes_and_validates_first(personas, grille):
    ev, eleve, apprenti, (c1, c2, *_) = grille
    par = personas.a.enseignant.user
    sg.saisir_resultat(ev, eleve, c1, "2", par=par)
    n = sg.enregistrer_grille(
        ev,
        [sg.Changement(eleve.pk, c1.pk, ""), sg.Changement(apprenti.pk, c2.pk, "4")],
        par=par,
        commentaires={eleve.pk: "Très bonne écoute."},
    )
    assert n == 3
    assert gf.niveau(ev, eleve, c1) is None and gf.niveau(ev, apprenti, c2) == "4"
    assert Participant.objects.get(evaluation=ev, apprenant=eleve).commentaire == (
        "Très bonne écoute."
    )
    # One bad cell: nothing at all is written.
    with pytest.raises(ValidationError):
        sg.enregistrer_grille(
            ev,
            [sg.Changement(eleve.pk, c1.pk, "3"), sg.Changement(apprenti.pk, c2.pk, "9")],
            par=par,
        )
    with pytest.raises(ValidationError, match="ne participe pas"):
        sg.enregistrer_grille(
            ev,
            [
                sg.Changement(eleve.pk, c1.pk, "3"),
                sg.Changement(personas.b.apprenant.apprenant.pk, c2.pk, "3"),
            ],
            par=par,
        )
    with pytest.raises(ValidationError, match="dépasse 1000"):
        sg.enregistrer_grille(
            ev, [sg.Changement(eleve.pk, c1.pk, "3")], par=par, commentaires={eleve.pk: "x" * 1001}
        )
    assert gf.niveau(ev, eleve, c1) is None


def test_commenter(personas, grille):
    ev, eleve, _, _ = grille
    par = personas.a.enseignant.user
    assert sg.commenter(ev, eleve, "  À revoir : la reformulation. ", par=par) == (
        "À revoir : la reformulation."
    )
    assert Participant.objects.get(evaluation=ev, apprenant=eleve).commentaire.startswith(
        "À revoir"
    )
    assert sg.commenter(ev, eleve, "x" * 1000, par=par)
    with pytest.raises(ValidationError, match="dépasse 1000"):
        sg.commenter(ev, eleve, "x" * 1001, par=par)
    with pytest.raises(PermissionDenied):
        sg.commenter(ev, eleve, "Non", par=personas.a.chef.user)
    entry = AuditLog.objects.filter(action="participant.commenter").first()
    assert entry.apres["apprenant"] == eleve.pk
