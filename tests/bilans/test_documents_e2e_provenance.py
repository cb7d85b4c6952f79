"""Browser check of the provenance markers: a teacher sees « à vérifier » in the référentiel
browser and on the attestation screen, and the source shows on hover and on keyboard focus
(pure CSS: no script, strict CSP). Screenshots at 1366×768 and 390×844 go to $CPRO_CAPTURES
(default: the test's tmp dir)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from referentiels.models import Competence, Critere
from tests.bilans import documents_factories as df
from tests.e2e.outils import connecter

# Playwright's sync API runs an event loop in the test thread (as tests/e2e/conftest.py does).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAILLES = {"large": (1366, 768), "mobile": (390, 844)}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


@pytest.fixture
def captures(tmp_path):
    dossier = Path(os.environ.get("CPRO_CAPTURES") or tmp_path)
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def test_provenance_au_survol_et_au_clavier(live_server, page, personas, captures):
    csp = []
    page.on(
        "console",
        lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    call_command("charger_referentiels", verbosity=0)
    diplome = personas.a.diplome
    bilan = df.bilan(
        personas.a, niveaux={c: "3" for c in Competence.objects.filter(diplome=diplome)}
    )
    reconstruit = Critere.objects.get(competence__diplome=diplome, code="C1.2-4")
    etab = personas.a.etablissement.slug
    base = f"{live_server.url}/{etab}"
    connecter(page, base, personas.a.enseignant.user.username)

    navigateur = live_server.url + reverse("referentiels:navigateur", kwargs={"etab": etab})
    page.goto(f"{navigateur}?onglet=competences")
    bouton = page.locator(f'button[aria-describedby="prov-critere-{reconstruit.pk}"]')
    bulle = page.locator(f"#prov-critere-{reconstruit.pk}")
    assert bouton.inner_text() == "à vérifier · reconstruit"
    assert not bulle.is_visible()
    bouton.focus()  # keyboard focus shows the source
    assert bulle.is_visible() and "from memory" in bulle.inner_text()
    for nom, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        bouton.scroll_into_view_if_needed()
        bouton.focus()
        page.screenshot(path=str(captures / f"referentiel_competences_{nom}.png"))
        page.screenshot(
            path=str(captures / f"referentiel_competences_{nom}_page.png"), full_page=True
        )
    page.locator("h1").first.click()  # focus leaves: hidden again
    assert not bulle.is_visible()
    page.set_viewport_size({"width": 1366, "height": 768})
    bouton.hover()
    assert bulle.is_visible()

    page.goto(f"{navigateur}?onglet=matrice")
    marqueur = page.locator(".ref-matrice button.badge").first
    marqueur.focus()
    assert page.locator(".ref-matrice .provenance-bulle").first.is_visible()
    page.screenshot(path=str(captures / "referentiel_matrice_large.png"))

    attestation = live_server.url + reverse(
        "bilans:attestation_competences", kwargs={"etab": etab, "pk": bilan.pk}
    )
    page.goto(attestation)
    bouton = page.locator(f'button[aria-describedby="prov-critere-{reconstruit.pk}"]')
    assert "non imprimé sur l'attestation" in page.locator("main").inner_text()
    for nom, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        bouton.scroll_into_view_if_needed()
        bouton.focus()
        assert page.locator(f"#prov-critere-{reconstruit.pk}").is_visible()
        page.screenshot(path=str(captures / f"attestation_{nom}.png"))
        page.screenshot(path=str(captures / f"attestation_{nom}_page.png"), full_page=True)
    assert csp == []
