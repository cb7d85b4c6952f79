"""Journey of issue 7: a teacher fills a CCF grid, hits the comment limit, adds two members
(one found among the teachers, one typed), locks the grid and downloads its PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from certification.models import GrilleCandidat
from cpro.models import AnneeScolaire, Division
from referentiels.models import GrilleCCF
from tests.e2e.outils import confirmer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_ccf_grid_journey(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    a.etablissement.academie = "Lyon"
    a.etablissement.save()
    terminale = Division.objects.create(
        etablissement=a.etablissement,
        annee=AnneeScolaire.courante(),
        nom="TMCVA",
        diplome=a.diplome,
        niveau="TERMINALE",
    )
    eleve = a.apprenant.apprenant
    eleve.division = terminale
    eleve.save()
    grille = GrilleCCF.objects.get(diplome=a.diplome, epreuve="E31")
    session = AnneeScolaire.courante().debut + 1
    base = f"{live_server.url}/lp-a"
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill("a-enseignant")
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/accueil/")
    page.goto(
        f"{base}/certification/grilles/epreuve/{grille.pk}/session/{session}/apprenant/{eleve.pk}/"
    )
    gc = GrilleCandidat.objects.get(apprenant=eleve, grille=grille)

    # Header, one level per criterion, the note.
    page.get_by_label("N° du candidat").fill("0212345678")
    page.get_by_label("Date(s) des situations d'évaluation").fill("12/03/2027 et 20/05/2027")
    radios = page.locator("input[type=radio][value='3']")
    for i in range(radios.count()):
        radios.nth(i).check()
    page.get_by_role("textbox", name="Note proposée au jury").fill("14,5")
    # The comment field stops at 300 characters, and the counter says so.
    commentaire = page.locator("textarea[name=commentaire]")
    commentaire.fill("Très bonne maîtrise de la vente. " * 12)
    assert len(commentaire.input_value()) == 300
    assert page.locator("#grille-compteur").inner_text() == "300"
    page.get_by_role("button", name="Enregistrer la grille").click()
    page.wait_for_load_state()

    # Two members: a teacher of the establishment (search) and a professional (typed).
    page.get_by_label(re.compile("Rechercher un enseignant")).fill(a.enseignant2.user.last_name)
    page.locator("form.ccf-recherche button[type=submit]").click()
    page.locator("#ccf-resultats").get_by_role("button", name=re.compile("Ajouter")).first.click()
    page.wait_for_load_state()
    page.get_by_label("Nom", exact=True).fill("Dumas")
    page.get_by_label("Prénom", exact=True).fill("Claire")
    page.get_by_role("button", name="Ajouter ce membre").click()
    page.wait_for_load_state()
    assert gc.membres.count() == 2

    page.get_by_role("button", name="Verrouiller la grille").click()
    confirmer(page)
    page.get_by_text(re.compile("Grille verrouillée le")).first.wait_for()
    gc.refresh_from_db()
    assert gc.est_verrouillee

    page.get_by_role("button", name="Exporter en PDF").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    assert re.search(r"E31_0212345678_", lien.inner_text())
    with page.expect_download() as telechargement:
        lien.click()
    with open(telechargement.value.path(), "rb") as fichier:
        texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fichier.read())).pages)
    assert "0212345678" in texte and "14,5" in texte and "DUMAS" in texte.upper()
    capture(page, "parcours_certification")
    assert csp_violations == []
