"""Issue 15: axe-core on every page of every role, at 1366 × 768 and 390 × 844.

The pages are those of the access declarations (tests/e2e/pages.py): a new module's pages are
checked as soon as its `tests/<app>/access*.py` lands. WCAG 2.0 / 2.1 / 2.2 A and AA rules
(tags wcag2a, wcag2aa, wcag21aa, wcag22aa); a violation of impact critical, serious or moderate
fails the test, listed by page, size, rule and target. axe-core comes with
axe-playwright-python (its axe.min.js is in the package: nothing is downloaded at run time)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.pages import (
    ROLES,
    TAILLES,
    Chrono,
    cookie_de_session,
    pages_du_persona,
    pages_lien_signe,
    visiter,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMPACTS = {"critical", "serious", "moderate"}
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
AXE = Axe()


def violations(onglet, taille: str) -> list[str]:
    """The page's violations of impact critical / serious / moderate, one line per node."""
    resultats = AXE.run(onglet, options=OPTIONS).response
    lignes = []
    for v in resultats["violations"]:
        if v["impact"] not in IMPACTS:
            continue
        for node in v["nodes"][:5]:
            cible = " ".join(str(t) for t in node["target"])
            lignes.append(f"{onglet.url} [{taille}] {v['id']} ({v['impact']}) : {cible}")
    return lignes


def _verifier(browser, base_url, pages, cookies, erreurs) -> list[str]:
    """`cookies`: establishment ("a" or "b") → the persona's cookies there (none: anonymous)."""
    for taille, viewport in TAILLES.items():
        for cote in sorted({p.cote for p in pages}):
            context = browser.new_context(viewport=viewport, locale="fr-FR")
            try:
                if cookies:
                    context.add_cookies(cookies[cote])
                du_cote = [p for p in pages if p.cote == cote]
                for onglet in visiter(context, base_url, du_cote, erreurs):
                    erreurs.extend(violations(onglet, taille))
            finally:
                context.close()
    return erreurs


@pytest.mark.parametrize("persona", ROLES)
def test_axe_toutes_les_pages_du_role(live_server, browser, personas, persona):
    pages, erreurs = pages_du_persona(personas, persona)
    assert pages, f"aucune page pour {persona}"
    cookies = {c: cookie_de_session(personas, persona, live_server.url, c) for c in "ab"}
    with Chrono() as chrono:
        _verifier(browser, live_server.url, pages, cookies, erreurs)
    print(f"axe {persona} : {len(pages)} pages × {len(TAILLES)} tailles en {chrono.duree:.0f} s")
    assert not erreurs, f"{len(erreurs)} problème(s) :\n" + "\n".join(erreurs)


def test_axe_pages_publiques_et_lien_signe(live_server, browser, personas):
    """The login page (anonymous visitor) and the tutor's signed-link pages."""
    pages, erreurs = pages_du_persona(personas, "anonyme")
    pages += pages_lien_signe(personas, live_server.url)
    _verifier(browser, live_server.url, pages, {}, erreurs)
    assert not erreurs, f"{len(erreurs)} problème(s) :\n" + "\n".join(erreurs)
