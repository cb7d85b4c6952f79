"""Query budgets: the list page and the liaison tab run a constant number of queries."""

import pytest
from django.urls import reverse

from referentiels.models import Critere, Diplome, Tache
from scenarios.models import Scenario
from scenarios.queries import cle_alphanumerique, page_liste
from tests.scenarios.factories import (
    DossierFactory,
    RessourceLienFactory,
    scenario_de,
)

pytestmark = pytest.mark.django_db

# session, user, establishment, membership, accessible diplômes (middleware) + folders +
# scénarios (with author and resources count).
REQUETES_LISTE = 7
# middleware (5) + scénario + resources count (left menu) + référentiel (12) + selected tasks
# and criteria (2) + the establishment's transversal criteria (1).
REQUETES_LIAISON = 22


@pytest.mark.parametrize("volume", [1, 50])
def test_page_liste_nombre_constant(
    client, personas, as_persona, volume, django_assert_num_queries
):
    a = personas.a
    dossiers = [
        DossierFactory(etablissement=a.etablissement, diplome=a.diplome, niveau=n)
        for n in ("PREMIERE", "TERMINALE", "PREMIERE")
    ]
    for i in range(volume):
        d = dossiers[i % 3] if i % 4 else None
        s = scenario_de(
            a,
            membership=a.enseignant if i % 2 else a.enseignant2,
            niveau=d.niveau if d else "SECONDE",
            dossier=d,
            prive=i % 5 == 0,
            ordre=i if i % 3 == 0 else None,
        )
        RessourceLienFactory(scenario=s)
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_LISTE):
        response = client.get(reverse("scenarios:liste", kwargs={"etab": a.etablissement.slug}))
    assert response.status_code == 200
    visibles = Scenario.objects.exclude(prive=True, auteur=a.enseignant2.user).count()
    assert response.content.decode().count('class="sc-item"') == visibles


@pytest.fixture(params=["vide", "selection"])
def scenario_mcva(request, referentiels_charges, personas):
    diplome = Diplome.objects.get(code="MCV-A", version="2019")
    assert diplome == personas.a.diplome
    s = scenario_de(personas.a, niveau="PREMIERE")
    if request.param == "selection":
        s.taches.set(Tache.objects.filter(diplome=diplome)[:6])
        s.criteres.set(Critere.objects.filter(competence__diplome=diplome)[:12])
    return s


@pytest.mark.parametrize("onglets", [{}, {"activite": "A3", "groupe": "B2"}])
def test_onglet_liaison_nombre_constant(
    as_persona, personas, scenario_mcva, onglets, django_assert_num_queries
):
    client = as_persona("enseignant")
    u = reverse(
        "scenarios:liaison", kwargs={"etab": personas.a.etablissement.slug, "pk": scenario_mcva.pk}
    )
    with django_assert_num_queries(REQUETES_LIAISON):
        response = client.get(u, onglets)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A1-T2 - Prise de contact" in page or onglets
    assert "Choix des compétences" in page


def test_onglet_liaison_mcva_marqueurs(as_persona, personas, referentiels_charges):
    s = scenario_de(personas.a)
    s.taches.add(Tache.objects.get(diplome=personas.a.diplome, code="A1-T2"))
    client = as_persona("enseignant")
    page = client.get(
        reverse("scenarios:liaison", kwargs={"etab": personas.a.etablissement.slug, "pk": s.pk})
    ).content.decode()
    assert "Nb tâches : 1" in page
    assert "(liée aux tâches sélectionnées)" in page
    assert "Activité A1" in page and "Groupe de compétences B1" in page


def test_ordre_alphanumerique():
    titres = ["séance 10", "Séance 2", "Accueil", "Écoute active", "animation"]
    assert sorted(titres, key=cle_alphanumerique) == [
        "Accueil",
        "animation",
        "Écoute active",
        "Séance 2",
        "séance 10",
    ]


def test_page_liste_sans_diplome(personas):
    assert page_liste(personas.a.etablissement, personas.a.enseignant.user, None) == []
