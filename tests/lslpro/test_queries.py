"""Query counts of the LSL Pro pages, pinned: the same with few and with many items.

Every count includes the request's own queries (session, user, establishment, membership,
diplômes, the current school year's get_or_create)."""

import pytest
from django.urls import reverse

from lslpro import services
from tests.lslpro import lsl_factories as lf
from tests.personas import login

REQUETES_LIVRET = 20  # + the Suivi de projet assessment (projets.queries.evaluation_lsl)
REQUETES_COMPLETUDE = 14
REQUETES_SAISIE = 16


def _livret_rempli(a, apprenant, annee):
    services.enregistrer_livret(
        apprenant,
        services.Saisie(recopie=True, appreciation="Bien.", enseignants=[a.enseignant.user.pk]),
        par=a.enseignant.user,
        annee=annee,
    )


@pytest.mark.parametrize("nb_bilans", [1, 5])
def test_page_livret_constante(client, personas, django_assert_num_queries, nb_bilans):
    a = personas.a
    lf.competences_lsl(a, n=4)
    lf.periodicite(a)
    for i in range(nb_bilans):
        lf.bilan(a, 20 + 10 * i)
    apprenant = a.apprenant.apprenant
    _livret_rempli(a, apprenant, lf.annee())
    login(client, a.enseignant, a.diplome)
    url = reverse("lslpro:livret", kwargs={"etab": a.etablissement.slug, "pk": apprenant.pk})
    with django_assert_num_queries(REQUETES_LIVRET):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["colonnes"]) == nb_bilans


@pytest.mark.parametrize("nb_eleves", [3, 35])
def test_completude_constante(client, personas, django_assert_num_queries, nb_eleves):
    a = personas.a
    lf.competences_lsl(a)
    lf.periodicite(a)
    eleves = [a.apprenant.apprenant, *lf.eleves(a, nb_eleves - 1)]
    for e in eleves:
        lf.bilan(a, 30, apprenant=e)
    for e in eleves[::2]:
        _livret_rempli(a, e, lf.annee())
    login(client, a.chef, a.diplome)
    url = reverse("lslpro:completude", kwargs={"etab": a.etablissement.slug})
    with django_assert_num_queries(REQUETES_COMPLETUDE):
        response = client.get(url, {"division": a.division.pk})
    assert response.status_code == 200
    assert len(response.context["lignes"]) == nb_eleves


@pytest.mark.parametrize("nb_eleves", [3, 35])
def test_liste_saisie_constante(client, personas, django_assert_num_queries, nb_eleves):
    a = personas.a
    lf.competences_lsl(a)
    lf.periodicite(a)
    eleves = [a.apprenant.apprenant, *lf.eleves(a, nb_eleves - 1)]
    for e in eleves[1:]:
        lf.bilan(a, 30, apprenant=e)
    for e in eleves[1::2]:
        _livret_rempli(a, e, lf.annee())
    login(client, a.enseignant, a.diplome)
    url = reverse("lslpro:saisie", kwargs={"etab": a.etablissement.slug})
    with django_assert_num_queries(REQUETES_SAISIE):
        response = client.get(url, {"division": a.division.pk})
    assert response.status_code == 200
    assert len(response.context["lignes"]) == nb_eleves + 1  # with the apprentice
