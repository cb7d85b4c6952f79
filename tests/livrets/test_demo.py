"""Demo livrets: built on the PFMP demo through the services, some à jour, one en retard,
idempotent."""

import pytest

from cpro.models import Apprenant, Statut
from demo import livrets as demo
from demo import pfmp as demo_pfmp
from demo import socle as cpro_demo
from livrets.models import Livret, Observation, PriseConnaissance, Visite
from livrets.queries import contenu_livret

pytestmark = pytest.mark.django_db


def _compter():
    return tuple(m.objects.count() for m in (Livret, Observation, Visite, PriseConnaissance))


def test_demo_livrets(referentiels_charges):
    ctx = cpro_demo.construire_socle()
    demo_pfmp.construire(ctx)
    demo.construire(ctx)
    apprentis = Apprenant.objects.filter(
        etablissement=ctx.etablissement, statut=Statut.APPRENTI, livrets_apprentissage__isnull=False
    ).distinct()
    assert apprentis.count() >= 2
    etats = [contenu_livret(a, ctx.annee).etat for a in apprentis]
    en_retard = [e for e in etats if e.en_retard]
    assert len(en_retard) == 1 and len(etats) - 1 >= 1
    assert "sans observation du professeur" in " ".join(en_retard[0].raisons)
    # Every maître d'apprentissage's observation came through his account or his signed link.
    assert Observation.objects.filter(auteur="MAITRE").exists()
    assert not Observation.objects.filter(
        auteur="MAITRE", redigee_par__isnull=True, lien__isnull=True
    ).exists()
    assert set(Visite.objects.values_list("nature", flat=True)) >= {"VISITE", "APPEL"}
    assert PriseConnaissance.objects.filter(qui="APPRENTI").exists()
    avant = _compter()
    demo.construire(ctx)
    assert _compter() == avant
