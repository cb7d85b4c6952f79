"""Issue 14: a teacher opens the dashboard of a learner with 3 school years of history. The
current school year is shown; « Afficher les années antérieures » loads the earlier ones in
place (HTMX) and the URL follows; the tooltip of a cell (date, évaluation, teacher, level) is
built from its column and shows on keyboard focus, closed by Escape, inside a 390 px screen;
axe-core finds nothing on either view. « Pourquoi ce niveau ? » is loaded when opened (HTMX,
once), or as a page without JavaScript. Screenshots at 1366 × 768 and 390 × 844."""

import re

import pytest

from bilans.queries_tableaux import annee_courante
from tests.bilans import tableaux_factories as tf
from tests.e2e.conftest import CAPTURES
from tests.e2e.outils import connecter
from tests.e2e.test_accessibilite import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAILLES = {"1366": (1366, 768), "390": (390, 844)}


def _captures(page, capture, nom: str, csp: list) -> None:
    """Screenshots at both sizes, no horizontal scroll at 390 px, no CSP violation, then
    axe-core (whose own injected styles Chromium reports as CSP violations: left out)."""
    for taille, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        if taille == "390":
            largeur_page = page.evaluate("document.documentElement.scrollWidth")
            assert largeur_page <= largeur, f"{nom} : défilement horizontal ({largeur_page} px)"
        capture(page, f"tableau_annees_{nom}_{taille}")
        assert csp == []
        assert not violations(page, taille), violations(page, taille)
        csp.clear()
    page.set_viewport_size({"width": 1366, "height": 768})


def _infobulle_au_focus(page, largeur: int, nom: str) -> str:
    """Focus the first cell, read the tooltip, check it stays on screen (screenshot of the
    viewport: `nom`), close it with Escape; returns its text."""
    cellule = page.locator("table.tb .tb-cel").first
    cellule.focus()
    bulle = page.locator("#tb-infobulle")
    bulle.wait_for(state="visible")
    boite = bulle.bounding_box()
    assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur
    texte = bulle.inner_text()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"tableau_annees_{nom}.png"))
    page.keyboard.press("Escape")
    bulle.wait_for(state="hidden")
    return texte


def test_parcours_tableau_annees(live_server, page, personas, csp_violations, capture):
    a = personas.a
    eleve = a.apprenant.apprenant
    ref = tf.referentiel(a.diplome, competences=3, criteres=3)
    tf.gros_volume(a, [eleve], ref["criteres"], nb_evaluations=60, par_evaluation=7)
    courante = annee_courante()
    base = f"{live_server.url}/lp-a"
    page.set_viewport_size({"width": 1366, "height": 768})
    connecter(page, base, "a-enseignant")
    page.goto(f"{base}/bilans/tableaux-de-bord/?apprenant={eleve.pk}")
    page.get_by_role("heading", name=str(eleve)).wait_for()

    # 1. The current school year only, the earlier ones listed with their number of évaluations.
    entetes = page.locator("table.tb-complete thead th.tb-col")
    nb_courante = entetes.count()
    assert 0 < nb_courante < 30
    annees = page.locator(".tb-annees")
    assert f"{courante - 2}-{courante - 1} — " in annees.inner_text()
    assert f"{courante - 1}-{courante} — " in annees.inner_text()
    # the column header carries the évaluation for screen readers, the cell only its level
    assert entetes.first.get_attribute("title") is None
    assert page.locator(".tb-cel[title]").count() == 0
    texte = _infobulle_au_focus(page, 1366, "infobulle_1366")
    # date – évaluation – teacher – nature, from the column; the level and its label
    assert re.match(r"\d\d/\d\d/\d{4} – Situation \d+ – .+ – .+ \[(Int|C|E)\] – ", texte)
    assert re.search(r" – niveau [1-4] : .+|non évalué$", texte)
    _captures(page, capture, "courante", csp_violations)

    # 2. « Afficher les années antérieures »: in place (HTMX), the URL follows.
    page.get_by_role("link", name="Afficher les années antérieures").click()
    page.get_by_role("link", name="Afficher seulement l'année en cours").wait_for()
    assert "annees=toutes" in page.url
    assert entetes.count() > 2 * nb_courante
    # the keyboard focus stays on the (new) button, not lost at the top of the page
    assert page.evaluate("document.activeElement.id") == "tb-annees-lien"
    assert "annees=toutes" in page.locator("#tb-voisins").inner_html()
    # keyboard: arrows move between cells, the tooltip follows the focus
    cellule = page.locator("table.tb .tb-cel").first
    cellule.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.classList.contains('tb-cel')")
    page.locator("#tb-infobulle").wait_for(state="visible")
    page.keyboard.press("Escape")
    _captures(page, capture, "toutes", csp_violations)

    # 3. Compact view (the years kept), tooltip at 390 px without going off screen.
    page.get_by_role("link", name="Compacter").click()
    page.locator("table.tb-compacte").wait_for()
    assert "annees=toutes" in page.url and "vue=compacte" in page.url
    page.set_viewport_size({"width": 390, "height": 844})
    texte = _infobulle_au_focus(page, 390, "infobulle_compacte_390")
    assert "Situation" in texte and " – niveau " in texte
    page.set_viewport_size({"width": 1366, "height": 768})
    _captures(page, capture, "compacte", csp_violations)

    # 4. « Pourquoi ce niveau ? » is loaded when opened (HTMX), once; its link (no JavaScript)
    # opens the same explanation as a page.
    pourquoi = page.locator("details.tb-pourquoi").first
    adresse = pourquoi.get_attribute("hx-get")
    assert pourquoi.locator("a").get_attribute("href") == adresse
    assert page.locator("table.tb-contributions").count() == 0  # nothing loaded yet
    with page.expect_response(lambda r: "/pourquoi/" in r.url) as reponse:
        pourquoi.locator("summary").click()
    assert reponse.value.status == 200
    tableau = pourquoi.get_by_role("table", name=re.compile(r"Observations prises en compte pour"))
    tableau.wait_for()
    assert re.search(r"au \d\d/\d\d/\d{4}", tableau.locator("caption").inner_text())
    assert "Poids total" in tableau.inner_text()
    assert "médiane pondérée" in pourquoi.inner_text()
    pourquoi.scroll_into_view_if_needed()
    _captures(page, capture, "pourquoi", csp_violations)
    # closed and opened again: not loaded twice (hx-trigger "toggle once")
    appels = []
    page.on("request", lambda r: appels.append(r.url) if "/pourquoi/" in r.url else None)
    pourquoi.locator("summary").click()
    pourquoi.locator("summary").click()
    page.wait_for_timeout(300)  # no request to wait for: give a wrong one the time to leave
    assert appels == []
    assert pourquoi.locator("table.tb-contributions").count() == 1
    # without JavaScript: the same explanation as a page, with a way back
    page.goto(f"{live_server.url}{adresse}")
    page.get_by_role("heading", name=re.compile(r"Pourquoi ce niveau \?")).wait_for()
    assert "Poids total" in page.locator("table.tb-contributions").inner_text()
    assert page.get_by_role("link", name=re.compile("Retour au tableau de bord")).count() == 1
    _captures(page, capture, "pourquoi_page", csp_violations)
    assert csp_violations == []
