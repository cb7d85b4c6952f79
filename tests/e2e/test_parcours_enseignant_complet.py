"""Issue 9: one teacher's whole journey in one browser session. The teacher (two diplômes)
logs in on the establishment URL, chooses the diplôme, creates a scénario (two tasks, two
criteria), creates its évaluation for the division, fills the grid with the keyboard, opens a
learner's dashboard, creates and validates a bilan intermédiaire and downloads its PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from bilans.models import BilanIntermediaire
from evaluations.models import Evaluation, Resultat
from scenarios.models import Scenario
from tests.e2e.outils import choisir_diplome, confirmer, connecter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_parcours_enseignant_complet(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    eleve = a.apprenant.apprenant
    base = f"{live_server.url}/lp-a"

    # Login on the establishment URL; two diplômes managed → the choice page.
    connecter(page, base, "a-enseignant2")
    page.wait_for_url(f"{base}/diplome/**")
    choisir_diplome(page, "Bac Pro MCV A")
    page.wait_for_url(f"{base}/accueil/")
    assert page.locator(".diplome-choisi").inner_text().startswith("Bac Pro MCV A")

    # Scénario: created from the list, linked to two tasks and two criteria.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Gérer et évaluer les activités de formation").click()
    nav.get_by_role("link", name="Scénarios pédagogiques").click()
    page.get_by_text("+ CRÉER UN SCÉNARIO POUR LE NIVEAU PREMIÈRE BAC PRO").click()
    page.get_by_label("Titre du scénario").fill("Conseil et vente d'un casque audio")
    page.get_by_role("button", name="Créer le scénario").click()
    page.wait_for_url(re.compile(r"/scenarios/\d+/contexte/"))
    scenario = Scenario.objects.get()
    assert scenario.auteur == a.enseignant2.user and scenario.diplome == a.diplome
    page.goto(f"{base}/scenarios/{scenario.pk}/liaison/")
    for code in ("A1-T2", "A1-T6"):
        page.get_by_role("button", name=re.compile(f"^{code} - ")).click()
        page.locator(f"button[aria-pressed=true]:has-text('{code} - ')").wait_for()
    # Two criteria of the competences marked as linked to these tasks.
    ids = page.locator(
        "details.fiche-competence:has(.fiche-marqueur) button[name=critere]"
    ).evaluate_all("boutons => boutons.map(b => b.id)")[:2]
    for ident in ids:
        competence = page.locator(f"details.fiche-competence:has(#{ident})")
        if competence.get_attribute("open") is None:
            competence.locator("summary").first.click()
        page.locator(f"#{ident}").click()
        page.locator(f"#{ident}[aria-pressed=true]").wait_for()
    assert scenario.taches.count() == 2 and scenario.criteres.count() == 2

    # Its évaluation, for the whole division 1A.
    page.goto(f"{base}/scenarios/{scenario.pk}/")
    page.get_by_role("link", name="Créer une grille de positionnement").click()
    page.get_by_role("button", name="Créer l'évaluation").click()
    page.wait_for_url(re.compile(r"/evaluations/\d+/apprenants/"))
    evaluation = Evaluation.objects.get()
    page.get_by_role("button", name=f"Tout sélectionner ({a.division.nom})").click()
    page.wait_for_load_state()
    assert evaluation.participants.count() == 2
    page.get_by_role("link", name="Grille de positionnement").first.click()
    page.wait_for_url(f"{base}/evaluations/{evaluation.pk}/grille/")

    # The grid, by keyboard: the learner's two cells (3, then → 4).
    c1, c2 = evaluation.criteres.order_by("competence__ordre", "ordre")
    page.locator(f"#s-{eleve.pk}-{c1.pk}").focus()
    page.keyboard.press("3")
    page.locator(f"#cel-{eleve.pk}-{c1.pk}.lvl-3 .etat-ok").wait_for()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("4")
    page.locator(f"#cel-{eleve.pk}-{c2.pk}.lvl-4 .etat-ok").wait_for()
    assert {r.critere_id: r.niveau for r in Resultat.objects.filter(evaluation=evaluation)} == {
        c1.pk: "3",
        c2.pk: "4",
    }

    # The learner's dashboard shows these results.
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Tableaux de bord apprenants").click()
    # Loaded (its deferred script included) before the select submits itself on change.
    page.wait_for_url(f"{base}/bilans/tableaux-de-bord/")
    page.get_by_label("Apprenant", exact=True).select_option(str(eleve.pk))
    page.wait_for_url(re.compile(rf"apprenant={eleve.pk}"))
    page.get_by_role("heading", name=re.compile(re.escape(str(eleve)))).wait_for()
    assert page.locator(".tb-ecole").count() >= 2

    # Bilan intermédiaire: created from the dashboard, validated.
    page.get_by_role("link", name="Créer un bilan intermédiaire").click()
    page.get_by_role("button", name="Créer le bilan").click()
    page.get_by_label(re.compile("^Constats")).fill("Argumentaire clair, vente conclue.")
    page.get_by_label(re.compile("^Conseils")).fill("Proposer davantage de services associés.")
    page.get_by_role("button", name="Enregistrer et valider").click()
    confirmer(page)
    page.get_by_text("Argumentaire clair, vente conclue.").first.wait_for()
    bilan = BilanIntermediaire.objects.get(apprenant=eleve)
    assert bilan.est_valide
    evaluation.refresh_from_db()
    assert evaluation.verrouillee

    # Its PDF through the export pipeline.
    page.goto(f"{base}/bilans/intermediaires/?division={a.division.pk}&apprenant={eleve.pk}")
    page.get_by_role("button", name="Générer en PDF").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    with open(telechargement.value.path(), "rb") as fichier:
        contenu = fichier.read()
    assert contenu.startswith(b"%PDF-")
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    assert eleve.user.last_name.upper() in texte.upper()
    assert "Argumentaire clair, vente conclue." in texte
    capture(page, "parcours_enseignant_complet")
    assert csp_violations == []
