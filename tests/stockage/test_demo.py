import pytest

from demo.socle import construire_socle
from demo.stockage import FICHIERS, construire
from stockage.models import Dossier, Fichier

pytestmark = pytest.mark.usefixtures("media_temporaire")


def test_demo_files_are_real_and_idempotent(referentiels_charges):
    ctx = construire_socle()
    construire(ctx)
    fichiers = Fichier.objects.filter(etablissement=ctx.etablissement)
    assert fichiers.count() == len(FICHIERS)
    assert Dossier.objects.filter(nom="Supports visuels", parent__nom__startswith="Séquence 1")
    partage = fichiers.filter(espace__diplome__code="MCV-A")
    assert partage.count() == 3
    assert set(partage.values_list("depose_par__username", flat=True)) == {
        "demo.prof.mcva",
        "demo.ddfpt",
        "demo.prof.seconde",
    }
    for f in fichiers:
        with f.fichier.open("rb") as stocke:
            debut = stocke.read(8)
        assert debut.startswith({"pdf": b"%PDF-", "png": b"\x89PNG"}.get(f.extension, b"")), f.nom
    avant = (fichiers.count(), Dossier.objects.count())
    construire(ctx)
    assert (fichiers.count(), Dossier.objects.count()) == avant
