"""Issue 15: the pages people open on a phone (390 × 844) and on a school laptop (1366 × 768).

Screenshots responsive_<page>_<size> of the tutor's learner list, the journal de bord, the
signed-link portfolio, the dashboard and the grid (teacher's and learner's); at 390 px no page
scrolls sideways and the navigation sits behind a menu button; at 1366 px the grid shows at
least 8 criteria columns and the menu holds on one line."""

import pytest

from evaluations.models import Resultat
from pfmp.services_portfolio import creer_lien_tuteur, ouvrir_bilan_entreprise
from tests.e2e.pages import TAILLES, cookie_de_session
from tests.evaluations import grille_factories as gf
from tests.pfmp import portfolio_factories as pf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LARGEUR_PAGE = "document.documentElement.scrollWidth <= window.innerWidth + 1"


# Criteria headers wholly visible in the grid's scroll region, without scrolling.
CRITERES_VISIBLES = """() => {
  const zone = document.querySelector(".grille-defilement").getBoundingClientRect();
  return Array.from(document.querySelectorAll(".grille th.critere"))
    .filter((th) => th.getBoundingClientRect().right <= zone.right).length;
}"""


def verifier_menu(page, taille):
    """390 px: the menu button shows and hides the navigation. 1366 px: no button, the whole
    navigation on one line."""
    bouton = page.locator(".bandeau .menu-bouton")
    nav = page.get_by_role("navigation", name="Navigation principale")
    if taille == "390":
        assert bouton.is_visible() and bouton.get_attribute("aria-expanded") == "false"
        assert not nav.is_visible()
        bouton.click()
        assert bouton.get_attribute("aria-expanded") == "true" and nav.is_visible()
        assert page.evaluate(LARGEUR_PAGE)
        bouton.click()
        assert not nav.is_visible()
    else:
        assert not bouton.is_visible() and nav.is_visible()
        hauteurs = nav.locator(":scope > ul > li").evaluate_all(
            "(lis) => lis.map((li) => li.getBoundingClientRect().top)"
        )
        assert len(set(hauteurs)) == 1, "le menu tient sur une ligne à 1366 px"


def _donnees(personas, base_url):
    a = personas.a
    # 6 competences of 4 criteria, with labels as long as the référentiel's.
    criteres = gf.referentiel(a.diplome, competences=6, criteres=4)
    for critere in criteres:
        critere.intitule = "Les besoins du client sont identifiés et reformulés avec précision"
        critere.save()
        critere.competence.intitule = "Accueillir, conseiller et vendre en tenant compte du client"
        critere.competence.save()
    ev = gf.evaluation(a, titre="Accueil et conseil au rayon image", criteres=criteres)
    eleve = a.apprenant.apprenant
    for critere, niveau in zip(criteres, ["3", "4", "2", "1", "NE"] * 5, strict=False):
        Resultat.objects.create(evaluation=ev, apprenant=eleve, critere=critere, niveau=niveau)
    affectation = pf.affectation(
        pf.periode(a, criteres=criteres[:6]),
        eleve,
        tuteur=a.tuteur,
        referent=a.enseignant.user,
        entreprise=pf.entreprise(a),
    )
    ouvrir_bilan_entreprise(affectation, par=a.enseignant.user)
    semaine = affectation.portfolio.semaines.order_by("numero").first()
    semaine.activites = "Réception des livraisons, mise en rayon, conseil aux clients " * 3
    semaine.save()
    lien = creer_lien_tuteur(affectation, par=a.enseignant.user, base_url=base_url)
    slug = f"/{a.etablissement.slug}"
    return {
        "enseignant": {
            "tableau": f"{slug}/bilans/tableaux-de-bord/?apprenant={eleve.pk}",
            "grille": f"{slug}/evaluations/{ev.pk}/grille/",
        },
        "apprenant": {
            "journal": f"{slug}/pfmp/portfolios/{affectation.pk}/semaines/1/",
            "mongrille": f"{slug}/evaluations/mes-grilles/{ev.pk}/",
            "montableau": f"{slug}/bilans/mon-tableau-de-bord/",
        },
        "tuteur": {"tuteur": f"{slug}/pfmp/tuteur/apprenants/"},
        None: {"lien": lien.removeprefix(base_url)},
    }


def test_parcours_responsive(live_server, browser, personas, capture):
    base = live_server.url
    pages = _donnees(personas, base)
    debordements = []
    for persona, ecrans in pages.items():
        for taille, viewport in TAILLES.items():
            context = browser.new_context(viewport=viewport, locale="fr-FR")
            if persona:
                context.add_cookies(cookie_de_session(personas, persona, base))
            page = context.new_page()
            for ecran, url in ecrans.items():
                page.goto(base + url)
                page.wait_for_load_state("load")
                capture(page, f"responsive_{ecran}_{taille}")
                if persona:
                    verifier_menu(page, taille)
                if ecran == "grille" and taille == "1366":
                    assert page.evaluate(CRITERES_VISIBLES) >= 8
                if taille == "390" and not page.evaluate(LARGEUR_PAGE):
                    debordements.append(ecran)
            context.close()
    assert not debordements, f"pages plus larges que l'écran à 390 px : {debordements}"


def test_sans_javascript_le_menu_reste_affiche(live_server, browser, personas):
    """Without JavaScript the menu button stays hidden and the navigation is shown."""
    context = browser.new_context(viewport=TAILLES["390"], java_script_enabled=False)
    context.add_cookies(cookie_de_session(personas, "apprenant", live_server.url))
    page = context.new_page()
    page.goto(f"{live_server.url}/{personas.a.etablissement.slug}/accueil/")
    assert not page.locator(".bandeau .menu-bouton").is_visible()
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    assert page.evaluate(LARGEUR_PAGE)
    context.close()
