"""Journey of issue 17 (transversal competences in the bilans intermédiaires): a teacher creates
a bilan for a learner with transversal résultats (one of them in an évaluation of another
diploma), sees the « Compétences transversales » section apart, opens « Pourquoi ? » (loaded on
demand), positions, validates; the bilan's detail shows the section and the other diploma's
évaluation is locked. Captures at 1366×768 and 390×844."""

import datetime
import re

import pytest

from bilans.models import Positionnement
from evaluations.models import Evaluation, Nature
from tests.bilans import tableaux_factories as tf
from tests.e2e.outils import confirmer, connecter
from tests.e2e.test_accessibilite import violations
from tests.referentiels import transversal as tt

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEGENDE = "Compétences transversales (référentiel de l'établissement)"


def test_bilan_avec_competences_transversales(live_server, page, personas, csp_violations, capture):
    a = personas.a
    eleve = a.apprenant.apprenant
    officiel = tf.referentiel(a.diplome, unites=("U2",), competences=2, criteres=1)["criteres"]
    tt.referentiel(a)
    aut1, equ1 = tt.critere(a, "AUT.1"), tt.critere(a, "EQU.1")
    tf.evaluation(
        a,
        date=datetime.date(2025, 11, 3),
        titre="Accueil client",
        resultats={(eleve, officiel[0]): "3", (eleve, aut1): "2"},
    )
    stage = tf.evaluation(
        a,
        date=datetime.date(2025, 12, 1),
        titre="Stage en entreprise",
        nature=Nature.ENTREPRISE,
        diplome=a.diplome2,
        resultats={(eleve, aut1): "4", (eleve, equ1): "3"},
    )
    aut, equ = tt.competence(a, "AUT"), tt.competence(a, "EQU")
    base = f"{live_server.url}/lp-a"
    connecter(page, base, "a-enseignant")

    page.goto(f"{base}/bilans/intermediaires/?division={a.division.pk}&apprenant={eleve.pk}")
    page.get_by_role("link", name="Créer un bilan intermédiaire").click()
    page.get_by_role("button", name="Créer le bilan").click()
    page.get_by_text("Le bilan intermédiaire est créé").wait_for()

    # The transversal competences, apart, pre-filled from the suggestion.
    section = page.get_by_role("group", name=LEGENDE)
    section.wait_for()
    assert section.get_by_text("pas des compétences du référentiel officiel").is_visible()
    choix_aut = section.get_by_label(re.compile("AUT Autonomie"))
    assert choix_aut.input_value() == "4"

    # « Pourquoi ? » loads the observations when opened (HTMX), the other diploma's included.
    pourquoi = section.locator("details.bilan-pourquoi").first
    pourquoi.locator("summary").click()
    tableau = pourquoi.get_by_role("table", name=f"Observations de {aut.code}")
    tableau.wait_for()
    assert tableau.get_by_text("Stage en entreprise").is_visible()
    assert tableau.get_by_text("Accueil client").is_visible()

    section.get_by_label(re.compile("EQU Travail en équipe")).select_option("2")
    page.get_by_label(re.compile("^Constats")).fill("Autonome en situation, à l'écoute.")
    capture(page, "parcours_bilan_transversal_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    capture(page, "parcours_bilan_transversal_390")
    page.set_viewport_size({"width": 1366, "height": 768})

    # axe-core in another tab (its injected styles would be reported as CSP violations of
    # the journey's page): the form with a « Pourquoi ? » open, at both sizes; then, without
    # JavaScript, « Voir les observations » opens the same table in a full page. (EQU's
    # « Pourquoi ? » is still closed: its link is in the DOM, hidden.)
    adresse = section.locator("details.bilan-pourquoi").nth(1).locator("a").get_attribute("href")
    assert adresse.endswith(f"/pourquoi/{equ.pk}/")
    autre = page.context.new_page()
    autre.goto(page.url)
    ouvert = autre.get_by_role("group", name=LEGENDE).locator("details.bilan-pourquoi").first
    ouvert.locator("summary").click()
    ouvert.get_by_role("table").wait_for()
    assert violations(autre, "1366") == []
    autre.set_viewport_size({"width": 390, "height": 844})
    assert violations(autre, "390") == []
    autre.set_viewport_size({"width": 1366, "height": 768})
    autre.goto(f"{live_server.url}{adresse}")
    assert autre.get_by_role("table", name=f"Observations de {equ.code}").is_visible()
    assert autre.get_by_text("compétence transversale (référentiel de l'établissement)").count()
    assert violations(autre, "1366") == []
    autre.close()

    page.get_by_role("button", name="Enregistrer et valider").click()
    confirmer(page)
    detail = page.get_by_role("region", name=LEGENDE)
    detail.wait_for()
    assert detail.get_by_role("row", name=re.compile("EQU Travail en équipe")).is_visible()
    assert detail.get_by_role("row", name=re.compile("AUT Autonomie")).is_visible()
    capture(page, "parcours_bilan_transversal_detail_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    capture(page, "parcours_bilan_transversal_detail_390")

    assert Evaluation.objects.get(pk=stage.pk).verrouillee
    assert Positionnement.objects.get(competence=equ, bilan__apprenant=eleve).niveau == "2"
    assert csp_violations == []
