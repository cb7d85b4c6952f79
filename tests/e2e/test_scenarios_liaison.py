"""Browser journey (Playwright + Debian chromium, skipped without it): a teacher links a
scénario to the MCV-A référentiel with HTMX, and reorders the list by drag and drop."""

import pytest
from django.conf import settings

from referentiels.models import Critere, Tache
from scenarios.models import Scenario
from tests.personas import login
from tests.scenarios.factories import DossierFactory, scenario_de

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _connecter(page, client, live_server, membership, diplome):
    login(client, membership, diplome)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_liaison_htmx_et_glisser_deposer(
    live_server, page, client, personas, referentiels_charges, capture
):
    erreurs = []
    page.on("console", lambda m: erreurs.append(m.text) if m.type == "error" else None)
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, nom="Vente-conseil")
    s = scenario_de(a, titre="Vente-conseil d'un smartphone en boutique", dossier=d)
    b1, b2 = scenario_de(a, titre="B premier"), scenario_de(a, titre="C second")
    _connecter(page, client, live_server, a.enseignant, a.diplome)
    base = f"{live_server.url}/{a.etablissement.slug}/scenarios"

    page.goto(f"{base}/{s.pk}/liaison/")
    tache = Tache.objects.get(diplome=a.diplome, code="A1-T2")
    page.click(f"#tache-{tache.pk}")
    page.wait_for_selector("text=Nb tâches : 1")
    assert page.locator(f"#tache-{tache.pk}").get_attribute("aria-pressed") == "true"
    for groupe in ("B2", "B1"):  # tabs swapped in place by HTMX
        page.click(f"text=Groupe de compétences {groupe}")
        page.wait_for_selector(f"a[aria-current=page]:has-text('Groupe de compétences {groupe}')")
    assert page.url.endswith("groupe=B1")
    page.click("summary:has-text('C1.2')")
    page.locator("details[open] button[name=critere]").first.click()
    page.wait_for_selector("details[open] button[name=critere][aria-pressed=true]")
    assert list(s.taches.all()) == [tache]
    assert s.criteres.count() == 1
    assert Critere.objects.get(pk=s.criteres.get().pk).competence.code == "C1.2"

    page.goto(f"{base}/")
    page.locator(f"#scenario-{b2.pk} .sc-poignee").drag_to(page.locator(f"#scenario-{b1.pk}"))
    page.wait_for_selector("#sc-ordre-statut:has-text('Nouvel ordre enregistré')")
    assert list(
        Scenario.objects.filter(dossier=None).order_by("ordre").values_list("pk", flat=True)
    ) == [b2.pk, b1.pk]
    capture(page, "scenarios_liaison")
    assert not [e for e in erreurs if "Content Security Policy" in e], erreurs
