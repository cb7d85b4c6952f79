"""Journey of issues 3 and 4: a teacher creates a scénario, links it to the référentiel (two
tasks, green markers, criteria), adds a link, exports it as DOCX, then creates its évaluation
for a division and fills the positioning grid with the keyboard."""

import io
import re

import pytest
from docx import Document

from evaluations.models import Evaluation, Resultat
from scenarios.models import Scenario

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scenario_then_evaluation(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    base = f"{live_server.url}/lp-a"
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill("a-enseignant")
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/accueil/")

    # Gérer et évaluer les activités de formation ▾ → Scénarios pédagogiques
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Gérer et évaluer les activités de formation").click()
    nav.get_by_role("link", name="Scénarios pédagogiques").click()
    page.get_by_text("+ CRÉER UN SCÉNARIO POUR LE NIVEAU PREMIÈRE BAC PRO").click()
    page.get_by_label("Titre du scénario").fill("Vente-conseil d'un smartphone en boutique")
    page.get_by_role("button", name="Créer le scénario").click()
    scenario = Scenario.objects.get()

    # Liaison avec le référentiel: two tasks, the green markers, two criteria.
    page.goto(f"{base}/scenarios/{scenario.pk}/liaison/")
    for code in ("A1-T2", "A1-T6"):
        page.get_by_role("button", name=re.compile(f"^{code} - ")).click()
        page.locator(f"button[aria-pressed=true]:has-text('{code} - ')").wait_for()
    assert page.get_by_text("Nb tâches : 2").is_visible()
    marquee = page.locator("summary:has(.fiche-marqueur)")
    assert marquee.count() >= 1
    assert "(liée aux tâches sélectionnées)" in marquee.first.inner_text()
    marquee.first.click()
    page.locator("details[open] button[name=critere][aria-pressed=false]").first.click()
    page.locator("details[open] button[name=critere][aria-pressed=true]").first.wait_for()
    assert scenario.taches.count() == 2 and scenario.criteres.count() == 1

    # Ressources: a link.
    page.goto(f"{base}/scenarios/{scenario.pk}/ressources/")
    page.get_by_label("Adresse (http:// ou https://)").fill("https://eduscol.education.fr/")
    page.get_by_label("Titre (facultatif)").last.fill("Référentiel Eduscol")
    page.get_by_role("button", name="Ajouter le lien").click()
    page.get_by_text("Référentiel Eduscol").first.wait_for()

    # Export DOCX through the background pipeline, then download it.
    page.goto(f"{base}/scenarios/{scenario.pk}/")
    page.locator(".export-scenario").get_by_role("button", name=re.compile("^DOCX")).click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    texte = "\n".join(
        p.text
        for p in Document(io.BytesIO(open(telechargement.value.path(), "rb").read())).paragraphs
    )
    assert "Vente-conseil d'un smartphone en boutique" in texte
    assert "A1-T2" in texte and "A1-T6" in texte

    # « Créer une grille de positionnement » → the évaluation, for the whole division.
    page.goto(f"{base}/scenarios/{scenario.pk}/")
    page.get_by_role("link", name="Créer une grille de positionnement").click()
    page.get_by_role("button", name="Créer l'évaluation").click()
    evaluation = Evaluation.objects.get()
    page.get_by_role("button", name=re.compile("^Tout sélectionner")).first.click()
    page.wait_for_load_state()
    assert evaluation.participants.count() == 2
    page.get_by_role("link", name="Grille de positionnement").first.click()
    page.wait_for_url(f"{base}/evaluations/{evaluation.pk}/grille/")

    premiere_cellule = page.locator("table.grille button.saisie").first
    premiere_cellule.focus()
    page.keyboard.press("4")
    page.locator("table.grille .lvl-4").first.wait_for()
    page.reload()
    assert page.locator("table.grille button.saisie").first.get_attribute("value") == "4"
    assert Resultat.objects.filter(evaluation=evaluation, niveau="4").count() == 1
    capture(page, "parcours_scenario_evaluation")
    assert csp_violations == []
