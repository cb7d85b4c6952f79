import pytest
from django.urls import reverse

from referentiels.models import Diplome
from referentiels.queries import referentiel_complet
from referentiels.services import charger_referentiel
from tests.referentiels.documents import document_minimal

pytestmark = pytest.mark.django_db

# referentiel_complet: unités, activités, tâches, groupes (+ unité), compétences, critères,
# indicateurs, grilles (+ unité), compétences des grilles, compétences LSL et leurs
# compétences, liens de la matrice.
REQUETES_REFERENTIEL = 12
# The browser page: session, user, establishment, membership, accessible diplômes + the above.
REQUETES_PAGE = 17


@pytest.fixture(params=["mcv-a-complet", "minuscule"])
def diplome_charge(request, personas):
    """The teacher's MCV-A, either the full fixture or a one-item-per-level référentiel."""
    if request.param == "mcv-a-complet":
        request.getfixturevalue("referentiels_charges")
    else:
        charger_referentiel(document_minimal(code="MCV-A", intitule_court="Bac Pro MCV A"))
    return Diplome.objects.get(code="MCV-A", version="2019")


def test_referentiel_complet_nombre_constant(diplome_charge, django_assert_num_queries):
    with django_assert_num_queries(REQUETES_REFERENTIEL):
        ref = referentiel_complet(diplome_charge)
        # touching everything the templates read must not query again
        for g in ref.groupes:
            for c in g.competences.all():
                for cr in c.criteres.all():
                    list(cr.indicateurs.all())
        for g in ref.grilles:
            list(g.competences.all())
            _ = g.unite
        for c in ref.competences_lsl:
            list(c.competences.all())
        for ligne in ref.matrice:
            [lien for _, lien in ligne.cellules]
    assert ref.nb_taches >= 1 and ref.nb_criteres >= 1


@pytest.mark.parametrize(
    "onglet", ["activites", "competences", "matrice", "unites", "grilles", "lsl"]
)
def test_page_du_navigateur_nombre_constant(
    diplome_charge, as_persona, personas, onglet, django_assert_num_queries
):
    client = as_persona("ddfpt")
    url = reverse("referentiels:navigateur", kwargs={"etab": personas.a.etablissement.slug})
    with django_assert_num_queries(REQUETES_PAGE):
        response = client.get(url, {"onglet": onglet})
    assert response.status_code == 200
