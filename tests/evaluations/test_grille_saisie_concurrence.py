"""Two teachers entering the same grid at the same moment (PostgreSQL only: SQLite serialises
writers, so it proves nothing there)."""

import threading

import pytest
from django.db import connection, connections

from evaluations import agregats
from evaluations import services_grille as sg
from evaluations.models import Resultat
from referentiels.models import Critere
from tests.evaluations import grille_factories as gf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrence : PostgreSQL seulement (DATABASE_URL=postgres://…)")


def _en_meme_temps(*actions):
    """Run each action in its own thread (own connection), released together."""
    barriere = threading.Barrier(len(actions))
    erreurs = []

    def run(action):
        try:
            barriere.wait()
            action()
        except Exception as exc:  # noqa: BLE001 — reported to the test
            erreurs.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return erreurs


def test_different_cells_at_the_same_time_nothing_lost(personas):
    a = personas.a
    ev = gf.evaluation(a, criteres=gf.referentiel(a.diplome, competences=2, criteres=4))
    ev.enseignants.add(a.enseignant2.user)
    eleve, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    criteres = list(Critere.objects.filter(evaluations=ev).select_related("competence"))
    for round_, critere in enumerate(criteres):
        erreurs = _en_meme_temps(
            lambda c=critere: sg.saisir_resultat(ev, eleve, c, "3", par=a.enseignant.user),
            lambda c=critere: sg.saisir_resultat(ev, apprenti, c, "NE", par=a.enseignant2.user),
        )
        assert erreurs == [], round_
    # And the two fills of different rows at once.
    erreurs = _en_meme_temps(
        lambda: sg.remplir(ev, "4", par=a.enseignant.user, apprenant=eleve, mode=sg.TOUS),
        lambda: sg.remplir(ev, "1", par=a.ddfpt.user, apprenant=apprenti, mode=sg.TOUS),
    )
    assert erreurs == []
    assert Resultat.objects.filter(evaluation=ev).count() == 2 * len(criteres)
    assert set(Resultat.objects.filter(apprenant=eleve).values_list("niveau", flat=True)) == {"4"}
    assert set(Resultat.objects.filter(apprenant=apprenti).values_list("niveau", flat=True)) == {
        "1"
    }
    assert agregats.derive() == []  # the stored suggestion sums followed every write


def test_same_cell_at_the_same_time_one_wins_no_error(personas):
    a = personas.a
    ev = gf.evaluation(a)
    eleve = a.apprenant.apprenant
    for _ in range(10):
        Resultat.objects.filter(evaluation=ev).delete()  # both threads INSERT the new cell
        agregats.recalculer([eleve])
        critere = ev.criteres.select_related("competence").first()
        erreurs = _en_meme_temps(
            lambda: sg.saisir_resultat(ev, eleve, critere, "2", par=a.enseignant.user),
            lambda: sg.saisir_resultat(ev, eleve, critere, "4", par=a.ddfpt.user),
        )
        assert erreurs == []
        (niveau,) = Resultat.objects.filter(evaluation=ev).values_list("niveau", flat=True)
        assert niveau in {"2", "4"}
        # The loser's compare-and-set failed and it re-read the cell: one observation counted.
        assert agregats.derive() == []


def test_same_cell_changed_at_the_same_time_keeps_the_aggregates_exact(personas):
    a = personas.a
    ev = gf.evaluation(a)
    eleve = a.apprenant.apprenant
    critere = ev.criteres.select_related("competence").first()
    for i in range(10):
        sg.saisir_resultat(ev, eleve, critere, "1", par=a.enseignant.user)
        erreurs = _en_meme_temps(
            lambda: sg.saisir_resultat(ev, eleve, critere, "2", par=a.enseignant.user),
            lambda: sg.saisir_resultat(ev, eleve, critere, "4", par=a.ddfpt.user),
            lambda: sg.saisir_resultat(ev, eleve, critere, "", par=a.enseignant.user),
            lambda: sg.remplir(ev, "3", par=a.ddfpt.user, critere=critere, mode=sg.TOUS),
        )
        assert erreurs == [], i
        assert agregats.derive() == [], i
