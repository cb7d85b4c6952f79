from io import StringIO

import pytest
from django.core.management import call_command

from demo.scenarios import SCENARIOS
from scenarios.models import Dossier, Ressource, Scenario

pytestmark = pytest.mark.django_db


def test_scenarios_de_demonstration(referentiels_charges):
    call_command("creer_demo", stdout=StringIO())
    qs = Scenario.objects.filter(etablissement__slug="lp-demo")
    assert qs.count() == len(SCENARIOS) >= 12
    assert set(qs.values_list("diplome__code", flat=True)) == {"MCV-A", "MCV-B", "MA", "2MRC"}
    assert qs.filter(prive=True).count() == 1
    assert Ressource.objects.filter(scenario__in=qs, type="LIEN").exists()
    assert Dossier.objects.filter(etablissement__slug="lp-demo").count() >= 2
    vente = qs.get(titre="Vente-conseil d'un smartphone en boutique")
    assert vente.auteur.username == "demo.prof.mcva" and vente.dossier.nom == "Vente-conseil"
    assert sorted(vente.taches.values_list("code", flat=True)) == [
        "A1-T2",
        "A1-T4",
        "A1-T5",
        "A1-T6",
    ]
    assert vente.criteres.exists()
    for s in qs:
        assert s.taches.exists() and s.criteres.exists(), s.titre
        assert all(t.diplome_id == s.diplome_id for t in s.taches.all())
    avant = (qs.count(), Dossier.objects.count(), Ressource.objects.count())
    call_command("creer_demo", stdout=StringIO())
    assert (qs.count(), Dossier.objects.count(), Ressource.objects.count()) == avant
