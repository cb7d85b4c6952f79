from io import StringIO

import pytest
from django.core.management import call_command

from cpro.models import Apprenant, Division, Etablissement, Membership, Role, Statut, User


@pytest.fixture
def referentiels(db):
    call_command("charger_referentiels", verbosity=0)


def _counts():
    return (
        User.objects.count(),
        Membership.objects.count(),
        Apprenant.objects.count(),
        Division.objects.count(),
        Etablissement.objects.count(),
    )


def test_creer_demo_builds_the_demo_lycee_and_is_idempotent(referentiels):
    out = StringIO()
    call_command("creer_demo", stdout=out)
    text = out.getvalue()
    assert "Lycée professionnel de démonstration prêt." in text
    assert "demo.ddfpt" in text and "demo.prof.mcva" in text and "cpro-demo-2026" in text
    etab = Etablissement.objects.get(slug="lp-demo")
    assert sorted(etab.divisions.values_list("nom", flat=True)) == [
        "1MCVA",
        "1MCVB",
        "2MRC1",
        "TACC",
        "TMCVA",
    ]
    for division in etab.divisions.all():
        assert division.apprenants.count() == 24
    assert Apprenant.objects.filter(etablissement=etab, statut=Statut.APPRENTI).count() == 11
    roles = set(Membership.objects.filter(etablissement=etab).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Membership.objects.filter(etablissement=etab, role=Role.ENSEIGNANT).count() == 4
    assert Membership.objects.filter(etablissement=etab, role=Role.TUTEUR).count() == 2
    assert Etablissement.objects.filter(slug="lp-voisin").exists()
    before = _counts()
    call_command("creer_demo", stdout=StringIO())
    assert _counts() == before


def test_demo_logins_work(client, referentiels):
    call_command("creer_demo", stdout=StringIO())
    response = client.post("/lp-demo/", {"login": "demo.prof.mcvb", "password": "cpro-demo-2026"})
    assert response["Location"] == "/lp-demo/accueil/"
    assert "Bac Pro MCV B" in client.get("/lp-demo/accueil/").content.decode()


def test_creer_demo_without_referentiels_says_what_to_do(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="charger_referentiels"):
        call_command("creer_demo", stdout=StringIO())
