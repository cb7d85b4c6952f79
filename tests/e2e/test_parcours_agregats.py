"""Journey: a teacher enters a learner's levels in the grid (autosave), then opens the vue
classes, whose suggested level comes from the stored exact aggregates; a later change of a cell
moves it. Pages arrive gzip-compressed. Screenshots at 1366×768 and 390×844."""

import pytest
from django.urls import reverse

from bilans.vue_classes import vue_classe
from evaluations import agregats
from tests.e2e.outils import connecter
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_vue_classes_follows_the_grid_through_the_aggregates(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    c1, c2 = gf.referentiel(a.diplome, competences=1, criteres=2)
    ev = gf.evaluation(a, titre="Conseil à la clientèle", criteres=[c1, c2])
    eleve = a.apprenant.apprenant
    base = live_server.url
    slug = a.etablissement.slug
    page.set_viewport_size({"width": 1366, "height": 768})
    connecter(page, f"{base}/{slug}", "a-enseignant")

    reponse = page.goto(f"{base}/{slug}/evaluations/{ev.pk}/grille/")
    assert reponse.headers.get("content-encoding") == "gzip"
    for critere, niveau in ((c1, "3"), (c2, "4")):
        # With the mouse: the cell, then the level in the grid's menu.
        page.locator(f"#s-{eleve.pk}-{critere.pk}").click()
        page.locator(f"#grille-menu [data-niveau='{niveau}']").click()
        page.locator(f"#cel-{eleve.pk}-{critere.pk}.lvl-{niveau} .etat-ok").wait_for()

    colonne = [c.pk for c in vue_classe(a.division, a.diplome).competences].index(c1.competence_id)
    vue = reverse("bilans:vue_classes", kwargs={"etab": slug}) + f"?division={a.division.pk}"

    def case():
        ligne = page.locator("table.vc tbody tr").filter(
            has=page.get_by_role("link", name=str(eleve))
        )
        return ligne.locator("td.vc-case").nth(colonne)

    reponse = page.goto(base + vue)
    assert reponse.headers.get("content-encoding") == "gzip"
    # Equal weights on 3 and 4: the weighted median is 3.
    assert "lvl-3" in case().locator(".lvl").get_attribute("class")
    assert "suggéré" in case().inner_text()
    capture(page, "agregats_vue_classes_1366")

    page.goto(f"{base}/{slug}/evaluations/{ev.pk}/grille/")
    page.locator(f"#s-{eleve.pk}-{c1.pk}").click()
    page.locator("#grille-menu [data-niveau='4']").click()
    page.locator(f"#cel-{eleve.pk}-{c1.pk}.lvl-4 .etat-ok").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + vue)
    assert "lvl-4" in case().locator(".lvl").get_attribute("class")
    largeurs = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert largeurs[0] <= largeurs[1]  # no horizontal scroll of the page at 390 px
    capture(page, "agregats_vue_classes_390")
    assert agregats.derive() == []
    assert csp_violations == []
