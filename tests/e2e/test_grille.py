"""Journey: a teacher fills a positioning grid with the keyboard (autosave), reloads, and finds
the grid read-only once the évaluation is locked."""

import pytest

from evaluations.models import Resultat
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _niveau(ev, apprenant, critere):
    r = Resultat.objects.filter(evaluation=ev, apprenant=apprenant, critere=critere).first()
    return r.niveau if r else None


def test_teacher_fills_the_grid_with_the_keyboard(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    ev = gf.evaluation(a, titre="Accueil client en magasin")
    c1, c2 = ev.criteres.order_by("competence__ordre", "ordre")[:2]
    premier, second = sorted(
        [a.apprenant.apprenant, a.apprenti.apprenant],
        key=lambda x: (x.user.last_name.lower(), x.user.first_name.lower(), x.pk),
    )
    base = live_server.url
    page.goto(f"{base}/lp-a/")
    page.get_by_label("Identifiant ou adresse e-mail").fill("a-enseignant")
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/lp-a/accueil/")
    page.goto(f"{base}/lp-a/evaluations/{ev.pk}/grille/")
    assert page.get_by_role("heading", name="Grille de positionnement").is_visible()

    def cellule(apprenant, critere, etat=""):
        return page.locator(f"#cel-{apprenant.pk}-{critere.pk}{etat} .etat-ok")

    page.locator(f"#s-{premier.pk}-{c1.pk}").focus()
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
    # Focus stayed in the grid through the swaps.
    assert page.evaluate("document.activeElement.id") == f"s-{second.pk}-{c1.pk}"

    assert _niveau(ev, premier, c1) == "3"
    assert _niveau(ev, premier, c2) == "NE"
    assert _niveau(ev, second, c2) == "1"
    assert _niveau(ev, second, c1) is None

    page.reload()
    assert page.locator(f"#s-{premier.pk}-{c1.pk}").input_value() == "3"
    assert page.locator(f"#s-{premier.pk}-{c2.pk}").input_value() == "NE"
    assert page.locator(f"#s-{second.pk}-{c2.pk}").input_value() == "1"
    assert page.locator(f"#s-{second.pk}-{c1.pk}").input_value() == ""
    # With JavaScript the form's "Enregistrer" fallback is hidden: every cell saves itself.
    assert not page.get_by_role("button", name="Enregistrer").is_visible()
    capture(page, "grille_saisie")

    ev.verrouillee = True
    ev.save()
    page.reload()
    assert page.get_by_text(
        "Évaluation verrouillée : prise en compte dans un bilan intermédiaire validé"
    ).is_visible()
    assert page.locator("table.grille select, table.grille textarea").count() == 0
    assert page.locator(f"#cel-{premier.pk}-{c1.pk}").inner_text().strip() == "+"
    capture(page, "grille")
    assert csp_violations == []
