"""HTML responses are gzip-compressed when the browser accepts it (GZipMiddleware), and still
carry a fresh masked CSRF token per response (no BREACH oracle on a constant secret)."""

import gzip
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

JETON = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_vue_classes_is_gzip_encoded_when_accepted(as_persona, personas):
    client = as_persona("enseignant")
    url = reverse("bilans:vue_classes", kwargs={"etab": personas.a.etablissement.slug})
    brut = client.get(url, {"division": personas.a.division.pk})
    assert brut.status_code == 200 and "Content-Encoding" not in brut
    compresse = client.get(
        url, {"division": personas.a.division.pk}, headers={"accept-encoding": "gzip"}
    )
    assert compresse["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compresse["Vary"]
    html = gzip.decompress(compresse.content)
    assert html == brut.content or len(html) > 0.9 * len(brut.content)
    assert len(compresse.content) < len(html) / 3


def test_csrf_token_differs_between_two_compressed_responses(as_persona, personas):
    client = as_persona("ddfpt")
    url = reverse("gestion:apprenants", kwargs={"etab": personas.a.etablissement.slug})
    jetons = []
    for _ in range(2):
        r = client.get(url, headers={"accept-encoding": "gzip"})
        assert r["Content-Encoding"] == "gzip"
        jetons += JETON.findall(gzip.decompress(r.content))[:1]
    assert len(jetons) == 2 and jetons[0] != jetons[1]
