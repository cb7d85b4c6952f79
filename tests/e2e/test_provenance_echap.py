"""The « à vérifier » provenance tooltip of the référentiel browser: shown on keyboard focus,
dismissed by Escape without moving the focus (WCAG 1.4.13), shown again when the focus comes
back."""

import pytest

from tests.e2e.outils import choisir_diplome, connecter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_echap_ferme_la_bulle_de_provenance(
    live_server, page, personas, referentiels_charges, csp_violations
):
    base = f"{live_server.url}/lp-a"
    connecter(page, base, "a-ddfpt")
    page.wait_for_url(f"{base}/diplome/**")
    choisir_diplome(page, "Bac Pro MCV A")
    page.goto(f"{base}/referentiel/")
    marqueur = page.locator(".provenance").first
    badge = marqueur.locator(".badge")
    bulle = marqueur.locator(".provenance-bulle")
    badge.focus()
    assert bulle.is_visible()
    page.keyboard.press("Escape")
    assert not bulle.is_visible()
    assert page.evaluate("document.activeElement.closest('.provenance') !== null")
    # Focus leaves and comes back: the source shows again.
    page.keyboard.press("Shift+Tab")
    badge.focus()
    assert bulle.is_visible()
    assert csp_violations == []
