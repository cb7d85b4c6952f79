"""First journey: a teacher logs in on the establishment URL, chooses a diplôme and opens the
référentiel browser."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_teacher_logs_in_chooses_diplome_and_browses_referentiel(
    live_server, page, personas, csp_violations, capture
):
    call_command("charger_referentiels", verbosity=0)
    base = live_server.url
    page.goto(f"{base}/lp-a/")
    assert page.get_by_role("heading", name="Lycée professionnel a").is_visible()
    page.get_by_label("Identifiant ou adresse e-mail").fill("a-enseignant2")
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()

    # Two diplômes managed: the choice page comes first.
    page.wait_for_url(f"{base}/lp-a/diplome/**")
    page.get_by_label("Bac Pro MCV B").check()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{base}/lp-a/accueil/")
    assert page.locator(".diplome-choisi").inner_text().startswith("Bac Pro MCV B")

    # Navigation: Ressources ▾ → Référentiel du diplôme.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Ressources ▾").click()
    nav.get_by_role("link", name="Référentiel du diplôme").click()
    page.wait_for_url(f"{base}/lp-a/referentiel/**")
    body = page.locator("main").inner_text()
    assert "A1-T1" in body
    assert "C1.1" in body
    assert "C4B.1" in body  # option B's bloc 4B, not 4A
    assert "C4A.1" not in body
    capture(page, "teacher_journey")
    assert csp_violations == []
