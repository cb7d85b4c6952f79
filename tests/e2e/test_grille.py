"""Journeys of the positioning grid: a teacher fills it with the keyboard (autosave) and with
the one shared menu of levels, meets a refused save (403) in its cell, finds the grid
read-only once the évaluation is locked; without JavaScript the "Saisie sans JavaScript" form
writes only the cells changed. axe-core on the grid, menu open, at 1366 × 768 and 390 × 844."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from evaluations import agregats
from evaluations.models import Resultat
from tests.e2e.outils import connecter
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAILLES = {"1366x768": (1366, 768), "390x844": (390, 844)}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def _niveau(ev, apprenant, critere):
    r = Resultat.objects.filter(evaluation=ev, apprenant=apprenant, critere=critere).first()
    return r.niveau if r else None


def _ordre(a):
    return sorted(
        [a.apprenant.apprenant, a.apprenti.apprenant],
        key=lambda x: (x.user.last_name.lower(), x.user.first_name.lower(), x.pk),
    )


def _axe(page) -> list[str]:
    resultats = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{v['id']} ({v['impact']}) : {' '.join(str(t) for t in n['target'])}"
        for v in resultats["violations"]
        if v["impact"] in {"critical", "serious", "moderate"}
        for n in v["nodes"][:5]
    ]


def test_teacher_fills_the_grid_with_the_keyboard(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    ev = gf.evaluation(a, titre="Accueil client en magasin")
    c1, c2 = ev.criteres.order_by("competence__ordre", "ordre")[:2]
    premier, second = _ordre(a)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    connecter(page, f"{base}/lp-a", "a-enseignant")
    page.goto(f"{base}/lp-a/evaluations/{ev.pk}/grille/")
    assert page.get_by_role("heading", name="Grille de positionnement").is_visible()

    def cellule(apprenant, critere, etat=""):
        return page.locator(f"#cel-{apprenant.pk}-{critere.pk}{etat} .etat-ok")

    # One tab stop for the whole grid (roving tabindex), on the first cell.
    assert page.locator("button.saisie[tabindex='0']").count() == 1
    assert page.locator("button.saisie").first.get_attribute("tabindex") == "0"
    # The cell is a button named learner – criterion : level; no <select> per cell.
    assert page.locator("table.grille select").count() == 0
    bouton = page.get_by_role("button", name=f"{premier.user} – {c1.code} : non renseigné")
    assert bouton.get_attribute("id") == f"s-{premier.pk}-{c1.pk}"

    bouton.focus()
    page.keyboard.press("3")
    cellule(premier, c1, ".lvl-3").wait_for()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    cellule(premier, c2, ".lvl-ne").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("1")
    cellule(second, c2, ".lvl-1").wait_for()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("4")
    cellule(second, c1, ".lvl-4").wait_for()
    page.keyboard.press("Delete")
    cellule(second, c1, ".cellule-vide").wait_for()
    # Focus stayed in the grid through the swaps, and the tab stop followed it.
    assert page.evaluate("document.activeElement.id") == f"s-{second.pk}-{c1.pk}"
    assert page.locator("button.saisie[tabindex='0']").count() == 1
    assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "0"
    assert page.get_by_role("button", name=f"{premier.user} – {c1.code} : partiellement acquis")

    assert _niveau(ev, premier, c1) == "3"
    assert _niveau(ev, premier, c2) == "NE"
    assert _niveau(ev, second, c2) == "1"
    assert _niveau(ev, second, c1) is None

    # The menu: Entrée opens the one listbox on the current level; arrows, Entrée choose.
    menu = page.get_by_role("listbox")
    page.keyboard.press("ArrowUp")  # (premier, c1): 3
    page.keyboard.press("Enter")
    menu.wait_for()
    assert page.evaluate("document.activeElement.id") == "grille-menu"
    assert csp_violations == []  # the menu is placed through the CSSOM, not a style attribute
    assert menu.get_attribute("aria-label") == f"Niveau : {premier.user} – {c1.code}"
    assert menu.get_attribute("aria-activedescendant") == "grille-menu-3"
    assert (
        page.get_by_role("option", name="3 + Partiellement acquis").get_attribute("aria-selected")
        == "true"
    )
    assert page.locator(f"#s-{premier.pk}-{c1.pk}").get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    cellule(premier, c1, ".lvl-4").wait_for()
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.id") == f"s-{premier.pk}-{c1.pk}"
    # Échap closes it without a change and gives the focus back.
    page.keyboard.press(" ")
    menu.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == f"s-{premier.pk}-{c1.pk}"
    assert _niveau(ev, premier, c1) == "4"
    # With the mouse: a click on a cell, a click on a level (here: clear the cell).
    page.locator(f"#s-{second.pk}-{c2.pk}").click()
    menu.wait_for()
    page.get_by_role("option", name="· Vider la case").click()
    cellule(second, c2, ".cellule-vide").wait_for()
    assert _niveau(ev, second, c2) is None

    page.reload()
    assert page.locator(f"#s-{premier.pk}-{c1.pk}").get_attribute("value") == "4"
    assert page.locator(f"#s-{premier.pk}-{c2.pk}").inner_text() == "NE"
    assert page.locator(f"#s-{second.pk}-{c2.pk}").get_attribute("value") is None
    assert not page.get_by_role("button", name="Enregistrer").is_visible()
    assert csp_violations == []
    capture(page, "grille_saisie")
    _captures(page, capture, "grille_saisie")
    assert agregats.derive() == []

    ev.verrouillee = True
    ev.save()
    page.reload()
    assert page.get_by_text(
        "Évaluation verrouillée : prise en compte dans un bilan intermédiaire validé"
    ).is_visible()
    assert page.locator("table.grille select, table.grille textarea").count() == 0
    assert page.locator("table.grille button, #grille-menu").count() == 0
    assert page.locator(f"#cel-{premier.pk}-{c1.pk}").inner_text().strip() == "++"
    capture(page, "grille")
    assert csp_violations == []


def _captures(page, capture, nom):
    """The screen at the school laptop and the phone sizes (resizing closes an open menu)."""
    for suffixe, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        capture(page, f"{nom}_{suffixe}")
    page.set_viewport_size({"width": 1366, "height": 768})


def test_menu_is_accessible_at_both_sizes(live_server, page, personas, capture):
    """axe-core on the grid, menu closed and open (axe's own injected styles break the CSP:
    the CSP is checked by the other journeys)."""
    a = personas.a
    ev = gf.evaluation(a, titre="Accueil client en magasin")
    c1 = ev.criteres.order_by("competence__ordre", "ordre").first()
    premier, _second = _ordre(a)
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    for suffixe, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        page.goto(f"{live_server.url}/lp-a/evaluations/{ev.pk}/grille/")
        assert _axe(page) == [], suffixe
        page.locator(f"#s-{premier.pk}-{c1.pk}").focus()
        page.keyboard.press("Enter")
        menu = page.get_by_role("listbox")
        menu.wait_for()
        # Inside the window, under (or over) the cell.
        boite = menu.bounding_box()
        assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur
        assert boite["y"] >= 0 and boite["y"] + boite["height"] <= hauteur
        capture(page, f"grille_menu_ouvert_{suffixe}")
        assert _axe(page) == [], suffixe
        # (axe scrolls the page to measure contrasts: a scroll closes the menu, the focus
        # goes back to the cell.)
        bouton = page.locator(f"#s-{premier.pk}-{c1.pk}")
        if not menu.is_visible():
            assert page.evaluate("document.activeElement.id") == f"s-{premier.pk}-{c1.pk}"
            bouton.press("Enter")
            menu.wait_for()
        page.keyboard.press("2")  # a level key chooses directly in the menu too
        page.locator(f"#cel-{premier.pk}-{c1.pk}.lvl-2 .etat-ok").wait_for()
        assert not menu.is_visible()
        page.keyboard.press("Backspace")
        page.locator(f"#cel-{premier.pk}-{c1.pk}.cellule-vide .etat-ok").wait_for()
    assert _niveau(ev, premier, c1) is None


def test_refused_save_shows_in_the_cell(live_server, page, personas, csp_violations):
    """The teacher loses the right to write while the grid is open: the save answers 403 and
    the cell says so (role alert); nothing is written."""
    a = personas.a
    ev = gf.evaluation(a, titre="Accueil client en magasin")
    c1 = ev.criteres.order_by("competence__ordre", "ordre").first()
    premier, _second = _ordre(a)
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(f"{live_server.url}/lp-a/evaluations/{ev.pk}/grille/")
    ev.auteur = a.enseignant2.user
    ev.save()
    page.locator(f"#s-{premier.pk}-{c1.pk}").focus()
    page.keyboard.press("2")
    alerte = page.locator(f"#cel-{premier.pk}-{c1.pk}.cellule-erreur [role=alert]")
    alerte.wait_for()
    assert alerte.inner_text() == "Non enregistré : vous ne pouvez pas modifier cette grille."
    assert _niveau(ev, premier, c1) is None
    assert csp_violations == []


def test_without_javascript_the_form_writes_only_the_changed_cells(
    browser, live_server, personas, capture
):
    """No JavaScript: the grid says where the form is; the form posts every <select> with its
    original value, so a cell another teacher saved meanwhile is not overwritten."""
    a = personas.a
    ev = gf.evaluation(a, titre="Accueil client en magasin")
    c1, c2 = ev.criteres.order_by("competence__ordre", "ordre")[:2]
    premier, second = _ordre(a)
    contexte = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 768}
    )
    page = contexte.new_page()
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(f"{live_server.url}/lp-a/evaluations/{ev.pk}/grille/")
    page.get_by_role("link", name="saisie sans JavaScript").click()
    page.wait_for_url(f"{live_server.url}/lp-a/evaluations/{ev.pk}/grille/?formulaire=1")
    page.get_by_label(f"{premier.user} – {c1.code}").select_option("3")
    # Meanwhile another teacher's autosave fills another cell.
    Resultat.objects.create(evaluation=ev, apprenant=second, critere=c2, niveau="2")
    agregats.recalculer([second])
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("1 modification(s) enregistrée(s).").wait_for()
    assert page.url.endswith("?formulaire=1")
    assert _niveau(ev, premier, c1) == "3"
    assert _niveau(ev, second, c2) == "2"  # not overwritten by the page's stale empty value
    assert page.get_by_label(f"{second.user} – {c2.code}").input_value() == "2"
    capture(page, "grille_sans_javascript")
    assert agregats.derive() == []
    contexte.close()
