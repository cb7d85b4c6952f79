"""Journey of issue 6: a teacher opens a learner's dashboard, switches to the compact view,
creates and validates a bilan intermédiaire, sees the évaluation locked, downloads the PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from evaluations.models import Resultat
from tests.e2e.outils import confirmer
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bilan_journey(live_server, page, personas, csp_violations, capture):
    a = personas.a
    eleve = a.apprenant.apprenant
    ev = gf.evaluation(a, titre="Vente-conseil en boutique", participants=[eleve])
    for critere, niveau in zip(ev.criteres.all(), ["3", "4", "2", "3"], strict=False):
        Resultat.objects.create(evaluation=ev, apprenant=eleve, critere=critere, niveau=niveau)
    base = f"{live_server.url}/lp-a"
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill("a-enseignant")
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/accueil/")

    # Dashboard, then the compact view.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Tableaux de bord apprenants").click()
    page.goto(f"{page.url.split('?')[0]}?division={a.division.pk}&apprenant={eleve.pk}")
    assert page.locator(".tb-ecole").count() >= 3
    page.get_by_role("link", name=re.compile("Compacter")).click()
    page.get_by_role("link", name=re.compile("Affichage complet")).wait_for()
    assert "vue=compacte" in page.url

    # Create and validate a bilan, pre-filled from the suggestion.
    page.get_by_role("link", name="Créer un bilan intermédiaire").click()
    page.get_by_role("button", name="Créer le bilan").click()
    page.get_by_label(re.compile("^Constats")).fill("Bonne aisance à l'oral, vente conclue.")
    page.get_by_label(re.compile("^Conseils")).fill("Travailler la reformulation.")
    page.get_by_role("button", name="Enregistrer et valider").click()
    confirmer(page)
    page.get_by_text("Bonne aisance à l'oral, vente conclue.").first.wait_for()

    # The évaluation is now locked.
    page.goto(f"{base}/evaluations/{ev.pk}/grille/")
    assert page.get_by_text(re.compile("Évaluation verrouillée")).is_visible()
    assert page.locator("table.grille select").count() == 0

    # « Générer en PDF » through the export pipeline, then download.
    page.goto(f"{base}/bilans/intermediaires/?division={a.division.pk}&apprenant={eleve.pk}")
    page.get_by_role("button", name="Générer en PDF").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    with open(telechargement.value.path(), "rb") as fichier:
        pdf = PdfReader(io.BytesIO(fichier.read()))
    texte = "\n".join(p.extract_text() for p in pdf.pages)
    assert eleve.user.last_name.upper() in texte.upper()
    assert "Bonne aisance à l'oral" in texte
    capture(page, "parcours_bilan")
    assert csp_violations == []
