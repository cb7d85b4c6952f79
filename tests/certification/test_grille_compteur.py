"""Issue 15: the « n / N positionnés » of a CCF grid is live (certification.js): the page gives
the script its polite live region and the caption's template; a locked grid has neither."""

from html import unescape

import pytest
from django.urls import reverse

from tests.certification.grilles_factories import grille_candidat, grille_verrouillee

pytestmark = pytest.mark.django_db


def _page(client, side, gc) -> str:
    url = reverse("certification:grille", kwargs={"etab": side.etablissement.slug, "pk": gc.pk})
    return unescape(client.get(url).content.decode())


def test_compteur_vivant_sur_une_grille_modifiable(as_persona, personas):
    side = personas.a
    gc = grille_candidat(side)
    html = _page(as_persona("enseignant"), side, gc)
    n = html.count('type="radio"') // 4
    assert n > 0
    assert (
        f'<p class="ccf-progression" id="ccf-progression" aria-live="polite">'
        f"<span data-ccf-positionnes>0</span> / {n} critères positionnés</p>"
    ) in html
    assert f"(%n / {n} positionnés)" in html  # data-ccf-legende
    assert f"(0 / {n} positionnés)" in html


def test_pas_de_compteur_vivant_sur_une_grille_verrouillee(as_persona, personas):
    side = personas.a
    gc = grille_verrouillee(side)
    html = _page(as_persona("enseignant"), side, gc)
    assert "ccf-progression" not in html and "data-ccf-legende" not in html
