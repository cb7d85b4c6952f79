import pytest
from django.contrib import admin
from django.urls import reverse

from referentiels import models
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELES = [
    m
    for m in vars(models).values()
    if isinstance(m, type) and issubclass(m, models.Provenance) and not m._meta.abstract
]


def test_tous_les_modeles_sont_enregistres():
    assert MODELES and all(admin.site.is_registered(m) for m in MODELES)


def test_listes_admin_pour_le_personnel_de_la_plateforme(client, referentiels_charges):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    for m in MODELES:
        url = reverse(f"admin:referentiels_{m._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_admin_refuse_aux_non_staff(client):
    client.force_login(UserFactory(username="prof"))
    response = client.get(reverse("admin:referentiels_diplome_changelist"))
    assert response.status_code == 302
