"""Django admin (platform staff): the scénarios models open, lists and change pages."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.scenarios.factories import DossierFactory, RessourceFichierFactory, scenario_de

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("modele", ["scenario", "dossier", "ressource"])
def test_admin_ouvre_les_pages(client, personas, modele, settings):
    settings.MEDIA_URL = None  # as in production: files have no public URL
    r = RessourceFichierFactory(scenario=scenario_de(personas.a))
    d = DossierFactory(etablissement=personas.a.etablissement, diplome=personas.a.diplome)
    objets = {"scenario": r.scenario, "dossier": d, "ressource": r}
    client.force_login(UserFactory(username="plateforme", is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:scenarios_{modele}_changelist")).status_code == 200
    change = reverse(f"admin:scenarios_{modele}_change", args=[objets[modele].pk])
    assert client.get(change).status_code == 200
