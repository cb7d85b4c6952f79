"""Query counts of the évaluation pages, pinned with one and with many items: the count must
not grow with the data."""

import pytest
from django.urls import reverse

from evaluations import queries
from tests.evaluations.factories import (
    ParticipantFactory,
    ResultatFactory,
    evaluation_de,
    mini_referentiel,
)
from tests.factories import ApprenantFactory, UserFactory

# session, user, membership, diplômes (middleware) + context processor's navigation + page:
# current year, years, évaluations (+ learners count), their teachers, grid URL check.
REQUETES_LISTE = 9


def _url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


@pytest.mark.parametrize("volume", [1, 30])
def test_liste_nombre_constant(as_persona, personas, django_assert_num_queries, volume):
    a = personas.a
    for i in range(volume):
        ev = evaluation_de(
            a,
            niveau=["SECONDE", "PREMIERE", "TERMINALE"][i % 3],
            enseignants=[a.enseignant.user, a.enseignant2.user, UserFactory()],
        )
        ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
        ParticipantFactory(evaluation=ev, apprenant=a.apprenti.apprenant)
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_LISTE):
        response = client.get(_url(personas, "evaluations:liste"))
    assert response.status_code == 200
    nombre = sum(len(s.evaluations) for s in response.context["sections"])
    assert nombre == volume


def test_page_liste_requetes(personas, django_assert_num_queries):
    a = personas.a
    for _ in range(5):
        evaluation_de(a)
    from cpro.models import AnneeScolaire

    annee = AnneeScolaire.courante()
    with django_assert_num_queries(2):
        sections = queries.page_liste(a.etablissement, a.diplome, annee)
        for s in sections:
            for ev in s.evaluations:
                assert ev.noms_enseignants and ev.ids_enseignants
                assert ev.nb_apprenants == 0


REQUETES_APPRENANTS = 14


@pytest.mark.parametrize("volume", [1, 25])
def test_apprenants_nombre_constant(as_persona, personas, django_assert_num_queries, volume):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a, criteres=ref["criteres"])
    for _ in range(volume):
        eleve = ApprenantFactory(etablissement=a.etablissement, division=a.division)
        ParticipantFactory(evaluation=ev, apprenant=eleve)
        ResultatFactory(evaluation=ev, apprenant=eleve, critere=ref["criteres"][0])
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_APPRENANTS):
        response = client.get(_url(personas, "evaluations:apprenants", pk=ev.pk))
    assert response.status_code == 200


# ... + the establishment's transversal criteria (1, scenarios.fiche._transversales).
REQUETES_LIAISON = 21


@pytest.mark.parametrize("volume", [1, 3])
def test_liaison_nombre_constant(as_persona, personas, django_assert_num_queries, volume):
    a = personas.a
    refs = [mini_referentiel(a.diplome) for _ in range(volume)]
    ev = evaluation_de(
        a,
        criteres=[c for r in refs for c in r["criteres"]],
        taches=[t for r in refs for t in r["taches"]],
    )
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_LIAISON):
        response = client.get(_url(personas, "evaluations:liaison", pk=ev.pk))
    assert response.status_code == 200
