"""The positioning grid is scoped like every évaluation page: the establishment and the chosen
diplôme (evaluations.queries.evaluations_du_module). Before, any teacher of the establishment
read (and the writers reached) the grid of an évaluation of any diplôme."""

import pytest
from django.urls import reverse

from evaluations.models import Resultat
from tests.evaluations import grille_factories as gf
from tests.personas import login


def url(name, ev):
    return reverse(f"evaluations:{name}", kwargs={"etab": "lp-a", "pk": ev.pk})


@pytest.fixture
def ev_diplome2(personas):
    """An évaluation of establishment A on its second diplôme, by `enseignant2` (who teaches
    both diplômes)."""
    a = personas.a
    ev = gf.evaluation(a, auteur=a.enseignant2.user, criteres=gf.referentiel(a.diplome2))
    ev.diplome = a.diplome2
    ev.save(update_fields=["diplome"])
    return ev


@pytest.mark.parametrize("persona", ["enseignant", "enseignant2", "ddfpt", "chef"])
def test_grid_of_another_diplome_than_the_chosen_one_is_404(client, personas, ev_diplome2, persona):
    a = personas.a
    login(client, a.membership(persona), a.diplome)
    assert client.get(url("grille", ev_diplome2)).status_code == 404
    cellule = {
        "apprenant": a.apprenant.apprenant.pk,
        "critere": ev_diplome2.criteres.first().pk,
        "niveau": "3",
    }
    for name, data in (
        ("saisir", cellule),
        ("remplir", {"apprenant": a.apprenant.apprenant.pk, "niveau": "2"}),
        ("enregistrer", {}),
        ("commenter", {"apprenant": a.apprenant.apprenant.pk, "commentaire": "Bien"}),
    ):
        # The chef never writes (403 before any lookup); the writers do not find it.
        attendu = 403 if persona == "chef" else 404
        assert client.post(url(name, ev_diplome2), data).status_code == attendu, name
    assert not Resultat.objects.exists()


def test_grid_of_the_chosen_diplome_is_shown(client, personas, ev_diplome2):
    a = personas.a
    login(client, a.enseignant2, a.diplome2)
    assert client.get(url("grille", ev_diplome2)).status_code == 200
    # The author writes in it once that diplôme is chosen.
    data = {
        "apprenant": a.apprenant.apprenant.pk,
        "critere": ev_diplome2.criteres.first().pk,
        "niveau": "3",
    }
    assert client.post(url("saisir", ev_diplome2), data).status_code == 302
    assert Resultat.objects.get().niveau == "3"
