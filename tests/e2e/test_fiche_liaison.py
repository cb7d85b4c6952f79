"""Browser check of the shared liaison tab on the évaluation's side (issue 15: it must read
like the scénario's, not as a wall of buttons): two tasks and a criterion chosen with HTMX,
the green marker and the counts read back, captured at desktop and phone sizes."""

import os
import re

import pytest
from django.conf import settings

from tests.evaluations.factories import evaluation_de
from tests.personas import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# CAPTURE_SUFFIXE lets a reviewer keep a "before" set beside the current one.
SUFFIXE = os.environ.get("CAPTURE_SUFFIXE", "")


def test_liaison_evaluation_lisible(
    live_server, page, client, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    evaluation = evaluation_de(a, titre="Vente-conseil d'un smartphone")
    login(client, a.enseignant, a.diplome)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    url = f"{live_server.url}/{a.etablissement.slug}/evaluations/{evaluation.pk}/liaison/"
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url)
    for code in ("A1-T2", "A1-T6"):
        page.get_by_role("button", name=re.compile(f"^{code} ")).click()
        page.locator(f"button[aria-pressed=true]:has-text('{code}')").wait_for()
    assert evaluation.taches.count() == 2
    if page.locator("summary:has-text('C1.2')").count():  # criteria folded by competence
        page.click("summary:has-text('C1.2')")
    critere = page.locator("button[name=critere][aria-pressed=false]:visible").first
    critere.click()
    page.locator("button[name=critere][aria-pressed=true]").first.wait_for()
    assert evaluation.criteres.count() == 1
    capture(page, f"evaluation_liaison_1366x768{SUFFIXE}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    capture(page, f"evaluation_liaison_390x844{SUFFIXE}")
    assert csp_violations == []
