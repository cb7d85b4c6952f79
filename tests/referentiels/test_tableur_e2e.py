"""Browser journey of the DDFPT's référentiel maintenance: export the spreadsheet, edit one
criterion label, re-import it through the preview (before → after), confirm. Screenshots of
the administration page and of the preview at 1366×768 and 390×844 are saved in
artefacts/captures-e2e/ (repository root)."""

import os
import re
from pathlib import Path

import pytest

from referentiels.models import Critere
from tests.e2e.outils import choisir_diplome, connecter
from tests.referentiels.tableurs import Classeur

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CAPTURES = Path(__file__).resolve().parents[2] / "artefacts" / "captures-e2e"
TAILLES = {"bureau": (1366, 768), "mobile": (390, 844)}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


def captures(page, nom: str):
    CAPTURES.mkdir(parents=True, exist_ok=True)
    for taille, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        page.screenshot(path=str(CAPTURES / f"{nom}_{taille}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_parcours_tableur_du_referentiel(live_server, page, personas, referentiels_charges):
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    critere = Critere.objects.get(competence__diplome__code="MCV-A", code="C1.2-1")
    base = f"{live_server.url}/{personas.a.etablissement.slug}"
    connecter(page, base, "a-ddfpt")
    page.wait_for_url(f"{base}/diplome/**")
    choisir_diplome(page, "Bac Pro MCV A")
    page.goto(f"{base}/referentiel/administration/")
    page.get_by_role("heading", name="Importer un référentiel").wait_for()
    captures(page, "referentiels_administration")

    page.get_by_role("button", name="Exporter Bac Pro MCV A version 2019 en tableur ODS").click()
    lien = page.get_by_role("link", name=re.compile(r"Télécharger referentiel-mcv-a-2019\.ods"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    classeur = Classeur(Path(telechargement.value.path()).read_bytes())
    ligne = classeur.ligne_de("Critères", Code="C1.2-1")
    classeur.ecrire("Critères", ligne, "Intitulé", "Qualité du questionnement (BO 2020)")

    page.goto(f"{base}/referentiel/administration/")
    page.get_by_label(re.compile("^Fichier du référentiel")).set_input_files(
        {"name": "mcv-a.ods", "mimeType": "application/octet-stream", "buffer": classeur.octets()}
    )
    page.get_by_label("Confiance des éléments ajoutés ou modifiés").select_option("high")
    page.get_by_label("Source de ces modifications").fill("Annexe I, BO du 12/03/2020")
    page.get_by_role("button", name="Prévisualiser l'import").click()
    page.get_by_role("heading", name="Modifications : avant → après").wait_for()
    assert "Qualité du questionnement (BO 2020)" in page.content()
    captures(page, "referentiels_apercu_import")

    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text(re.compile("Référentiel importé")).wait_for()
    critere.refresh_from_db()
    assert critere.intitule == "Qualité du questionnement (BO 2020)"
    assert critere.source == "Annexe I, BO du 12/03/2020"
    assert violations == []
