"""Demo book (pfmp/demo_book.py)."""

import pytest
from PIL import Image

from demo.pfmp_book import construire_book
from demo.socle import construire_socle
from pfmp.models import MediaPublication, Publication

pytestmark = pytest.mark.usefixtures("media_temporaire")


def test_demo_book_deux_apprenants_de_1mcva_idempotent(referentiels_charges):
    ctx = construire_socle()
    construire_book(ctx)
    publications = Publication.objects.filter(apprenant__division=ctx.divisions["1MCVA"])
    par_apprenant = {}
    for p in publications:
        par_apprenant.setdefault(p.apprenant_id, []).append(p)
    assert len(par_apprenant) == 2
    assert sorted(len(v) for v in par_apprenant.values()) == [3, 4]
    assert publications.filter(mise_en_avant=True).exists()
    assert publications.filter(taches__code="A1-T2").exists()
    assert {p.situation for p in publications} == set(Publication.Situation.values)
    photo = MediaPublication.objects.filter(type="PHOTO").first()
    with photo.fichier.open("rb") as f, Image.open(f) as image:
        assert image.size == (480, 360)
    avant = (Publication.objects.count(), MediaPublication.objects.count())
    construire_book(ctx)
    assert (Publication.objects.count(), MediaPublication.objects.count()) == avant
