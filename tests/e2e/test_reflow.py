"""Issue 15 (WCAG 1.4.10, reflow): at 390 × 844, no page of a learner, an apprentice or a tutor,
and no signed-link page, scrolls sideways: `scrollWidth <= innerWidth` (+1 px of rounding).

Wide content (grids, tables) scrolls inside its own focusable region, never the page. The pages
are those of the access declarations (tests/e2e/pages.py)."""

import pytest

from tests.e2e.pages import (
    ROLES_MOBILES,
    TAILLES,
    cookie_de_session,
    pages_du_persona,
    pages_lien_signe,
    visiter,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The page's width, and the first elements that stick out of the screen (outside a scroll region).
LARGEUR = """() => {
  const regions = "[role=region][tabindex], .grille-defilement, .tb-defilement, .pf-defilement";
  const nom = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className
       ? "." + e.className.replaceAll(" ", ".") : "")
    ;
  const fautifs = Array.from(document.querySelectorAll("body *")).filter((e) =>
    e.getBoundingClientRect().right > window.innerWidth + 1
    && !(e.parentElement && e.parentElement.closest(regions))
    && e.getClientRects().length > 0);
  return {largeur: document.documentElement.scrollWidth, ecran: window.innerWidth,
          fautifs: fautifs.slice(0, 5).map(nom)};
}"""


def _debordements(browser, base_url, pages, cookies, erreurs) -> list[str]:
    """`cookies`: establishment ("a" or "b") → the persona's cookies there (none: anonymous)."""
    for cote in sorted({p.cote for p in pages}):
        context = browser.new_context(viewport=TAILLES["390"], locale="fr-FR")
        try:
            if cookies:
                context.add_cookies(cookies[cote])
            du_cote = [p for p in pages if p.cote == cote]
            for onglet in visiter(context, base_url, du_cote, erreurs):
                mesure = onglet.evaluate(LARGEUR)
                if mesure["largeur"] > mesure["ecran"] + 1:
                    erreurs.append(
                        f"{onglet.url} : {mesure['largeur']} px de large pour"
                        f" {mesure['ecran']} px ({', '.join(mesure['fautifs'])})"
                    )
        finally:
            context.close()
    return erreurs


@pytest.mark.parametrize("persona", ROLES_MOBILES)
def test_pas_de_defilement_horizontal_a_390(live_server, browser, personas, persona):
    pages, erreurs = pages_du_persona(personas, persona)
    assert pages, f"aucune page pour {persona}"
    cookies = {c: cookie_de_session(personas, persona, live_server.url, c) for c in "ab"}
    _debordements(browser, live_server.url, pages, cookies, erreurs)
    assert not erreurs, f"{len(erreurs)} page(s) trop large(s) :\n" + "\n".join(erreurs)


def test_pas_de_defilement_horizontal_lien_signe(live_server, browser, personas):
    pages = pages_lien_signe(personas, live_server.url)
    erreurs = _debordements(browser, live_server.url, pages, {}, [])
    assert not erreurs, f"{len(erreurs)} page(s) trop large(s) :\n" + "\n".join(erreurs)
