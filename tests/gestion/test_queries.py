"""Query counts of the list pages: pinned, and the same with 1 item and with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpro.models import Apprenant, Membership, Role
from tests.factories import (
    ApprenantFactory,
    DiplomeFactory,
    DivisionFactory,
    MembershipFactory,
)
from tests.gestion.test_views import url
from tests.personas import login

# Session, user, establishment, membership, diplômes of the DDFPT (middleware and auth) are
# part of every count; the rest is the page's own queries.
REQUETES_APPRENANTS = 9
REQUETES_PERSONNELS = 8
REQUETES_TUTEURS = 7
REQUETES_DIVISIONS = 8


def _garder_un_apprenant(personas):
    a = personas.a
    Apprenant.objects.filter(etablissement=a.etablissement).exclude(
        pk=a.apprenant.apprenant.pk
    ).delete()


def _beaucoup_d_apprenants(personas, n=40):
    a = personas.a
    for i in range(n):
        division = DivisionFactory(
            etablissement=a.etablissement, diplome=a.diplome if i % 2 else a.diplome2
        )
        ApprenantFactory(etablissement=a.etablissement, division=division)


@pytest.mark.parametrize("volume", ["un", "beaucoup"])
def test_liste_apprenants(client, personas, django_assert_num_queries, volume):
    if volume == "un":
        _garder_un_apprenant(personas)
    else:
        _beaucoup_d_apprenants(personas)
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_assert_num_queries(REQUETES_APPRENANTS):
        response = client.get(url(personas, "gestion:apprenants"))
    assert response.status_code == 200
    assert len(response.context["page"]) == (1 if volume == "un" else 42)


def _personnels(personas, volume):
    a = personas.a
    if volume == "un":
        Membership.objects.filter(
            etablissement=a.etablissement, role__in=(Role.ENSEIGNANT, Role.CHEF)
        ).delete()
        return 1
    for i in range(30):
        MembershipFactory(
            etablissement=a.etablissement,
            role=Role.ENSEIGNANT,
            diplomes=[a.diplome, a.diplome2, DiplomeFactory(code=f"D{i}")],
        )
    return 34


@pytest.mark.parametrize("volume", ["un", "beaucoup"])
def test_liste_personnels(client, personas, django_assert_num_queries, volume):
    attendus = _personnels(personas, volume)
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_assert_num_queries(REQUETES_PERSONNELS):
        response = client.get(url(personas, "gestion:personnels"))
    assert len(response.context["page"]) == attendus


@pytest.mark.parametrize("volume", ["un", "beaucoup"])
def test_liste_tuteurs(client, personas, django_assert_num_queries, volume):
    if volume == "beaucoup":
        for _ in range(25):
            MembershipFactory(etablissement=personas.a.etablissement, role=Role.TUTEUR)
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_assert_num_queries(REQUETES_TUTEURS):
        response = client.get(url(personas, "gestion:tuteurs"))
    assert len(response.context["page"]) == (1 if volume == "un" else 26)


@pytest.mark.parametrize("volume", ["un", "beaucoup"])
def test_liste_divisions(client, personas, django_assert_num_queries, volume):
    if volume == "beaucoup":
        _beaucoup_d_apprenants(personas, 20)
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_assert_num_queries(REQUETES_DIVISIONS):
        response = client.get(url(personas, "gestion:divisions"))
    assert len(response.context["divisions"]) == (1 if volume == "un" else 21)


def test_apercu_import_nombre_de_requetes_constant(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.gestion.fichiers import csv_apprenants

    login(client, personas.a.ddfpt, personas.a.diplome)
    comptes = []
    for n in (1, 60):
        lignes = [
            (f"Nom{i}", "Prénom", "01/01/2008", "", f"{9000 + i}", f"D{i % 7}", "")
            for i in range(n)
        ]
        client.post(
            url(personas, "gestion:import"),
            {"fichier": SimpleUploadedFile("e.csv", csv_apprenants(lignes))},
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(personas, "gestion:import_apercu")).status_code == 200
        comptes.append(len(ctx.captured_queries))
    assert comptes[0] == comptes[1]
