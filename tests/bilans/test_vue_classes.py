"""Vue classes: latest validated positioning per competence, else the suggestion; constant
query count whatever the number of learners."""

import datetime

import pytest
from django.urls import reverse

from bilans.models import BilanIntermediaire
from bilans.vue_classes import vue_classe
from tests.bilans import tableaux_factories as tf
from tests.evaluations import grille_factories as gf

pytestmark = pytest.mark.django_db

# middleware (5) + divisions, learners, criteria, stored suggestion aggregates, validated
# positionnements (was 5 + 6: participations and résultats are no longer read)
REQUETES_PAGE = 5 + 5


def url(personas):
    return reverse("bilans:vue_classes", kwargs={"etab": personas.a.etablissement.slug})


@pytest.fixture
def classe(personas):
    a = personas.a
    moi, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    ref = tf.referentiel(a.diplome, unites=("U2",), competences=2, criteres=1)
    c1, c2 = ref["competences"]
    k1, k2 = ref["criteres"]
    tf.evaluation(
        a,
        date=datetime.date(2025, 3, 1),
        resultats={(moi, k1): "2", (moi, k2): "4", (apprenti, k1): "3"},
    )
    tf.evaluation(
        a,
        date=datetime.date(2025, 4, 1),
        titre="Cachée",
        afficher=False,
        resultats={(apprenti, k2): "1"},
    )
    ancien = tf.bilan_valide(a, moi, {c1: "1", c2: "2"}, date=datetime.date(2025, 2, 1))
    recent = tf.bilan_valide(a, moi, {c1: "3"}, date=datetime.date(2025, 5, 1))
    brouillon = tf.bilan_valide(a, apprenti, {c1: "4"}, date=datetime.date(2025, 6, 1))
    brouillon.statut = BilanIntermediaire.Statut.BROUILLON
    brouillon.save()
    return {
        "moi": moi,
        "apprenti": apprenti,
        "c1": c1,
        "c2": c2,
        "ancien": ancien,
        "recent": recent,
    }


def test_dernier_bilan_valide_sinon_suggestion(personas, classe):
    vue = vue_classe(personas.a.division, personas.a.diplome, reference=datetime.date(2025, 6, 1))
    assert [c.pk for c in vue.competences] == [classe["c1"].pk, classe["c2"].pk]
    lignes = {ligne.apprenant.pk: ligne.positions for ligne in vue.lignes}
    assert [ligne.apprenant.nom for ligne in vue.lignes] == sorted(
        (str(classe["moi"]), str(classe["apprenti"])), key=str.lower
    )
    moi = lignes[classe["moi"].pk]
    assert (moi[0].niveau, moi[0].suggere, moi[0].date) == ("3", False, datetime.date(2025, 5, 1))
    assert (moi[1].niveau, moi[1].suggere) == ("2", False)  # the older bilan still positions C2
    apprenti = lignes[classe["apprenti"].pk]
    assert (apprenti[0].niveau, apprenti[0].suggere) == ("3", True)  # draft bilan ignored
    assert (apprenti[1].niveau, apprenti[1].suggere) == ("NE", True)  # hidden évaluation ignored


def test_page_vue_classes(as_persona, personas, classe):
    html = (
        as_persona("chef").get(url(personas), {"division": personas.a.division.pk}).content.decode()
    )
    assert "vc-suggere" in html and "suggéré" in html
    assert "Bilan validé du 01/05/2025" in html
    assert f"?apprenant={classe['moi'].pk}" in html
    assert str(classe["apprenti"]) in html


def test_division_par_defaut_et_etats_vides(as_persona, personas):
    client = as_persona("enseignant")
    html = client.get(url(personas)).content.decode()
    assert "Le référentiel de ce diplôme ne contient encore aucune compétence" in html
    personas.a.division.apprenants.clear()
    html = client.get(url(personas)).content.decode()
    assert "Aucun apprenant dans la division" in html


@pytest.mark.parametrize("nb", [3, 35])
def test_nombre_de_requetes_constant(as_persona, personas, nb, django_assert_num_queries):
    a = personas.a
    eleves = [a.apprenant.apprenant, a.apprenti.apprenant, *gf.apprenants(a, nb - 2)]
    ref = tf.referentiel(a.diplome, unites=("U2", "U31"), competences=3, criteres=3)
    tf.gros_volume(a, eleves, ref["criteres"], nb_evaluations=10, par_evaluation=6)
    for e in eleves[::2]:
        tf.bilan_valide(a, e, {ref["competences"][0]: "3"})
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_PAGE):
        response = client.get(url(personas), {"division": a.division.pk})
    assert response.status_code == 200
    assert len(response.context["vue"].lignes) == nb
