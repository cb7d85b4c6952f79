"""Django admin (platform staff): every registered model opens; logs and exports are
read-only."""

import pytest
from django.urls import reverse

from cpro.audit import journaliser
from tests.factories import UserFactory

MODELES = [
    "user",
    "etablissement",
    "membership",
    "anneescolaire",
    "division",
    "apprenant",
    "exportjob",
    "auditlog",
]


@pytest.fixture
def staff(client, personas):
    admin = UserFactory(username="plateforme", is_staff=True, is_superuser=True)
    client.force_login(admin)
    journaliser("test", par=admin, etablissement=personas.a.etablissement)
    return client


@pytest.mark.parametrize("modele", MODELES)
def test_listes_admin(staff, modele):
    assert staff.get(reverse(f"admin:cpro_{modele}_changelist")).status_code == 200


def test_journal_et_exports_en_lecture_seule(staff):
    assert staff.get(reverse("admin:cpro_auditlog_add")).status_code == 403
    assert staff.get(reverse("admin:cpro_exportjob_add")).status_code == 403


def test_fiche_utilisateur_avec_ses_comptes(staff, personas):
    url = reverse("admin:cpro_user_change", args=[personas.a.enseignant.user.pk])
    response = staff.get(url)
    assert response.status_code == 200 and "Lycée professionnel a" in response.text
