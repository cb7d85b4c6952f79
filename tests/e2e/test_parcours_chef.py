"""Issue 9: the chef d'établissement's journey. Opens LSL Pro › Export LSL, checks two divisions
of the current year, reads the verification, launches the export and downloads the XML, which
validates against the national schema lslpro/schemas/import-lsl-v1.0.xsd."""

import re
from pathlib import Path

import pytest
from lxml import etree

from cpro.models import AnneeScolaire
from lslpro.models import ExportLSL
from tests.e2e.outils import choisir_diplome, connecter
from tests.lslpro import export_factories as ef

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XSD = Path(__file__).resolve().parents[2] / "lslpro" / "schemas" / "import-lsl-v1.0.xsd"
NS = "{urn:ac-grenoble.fr:lsl:import}"


def test_parcours_chef(live_server, page, personas, csp_violations, capture):
    a = personas.a
    # A Première (trimestres, 3 learners + an apprentice never exported) and a Terminale
    # (semestres, 1 learner) of the current year, with complete livrets.
    demo = ef.demo(a, debut=AnneeScolaire.courante().debut)
    base = f"{live_server.url}/lp-a"

    connecter(page, base, "a-chef")
    page.wait_for_url(f"{base}/diplome/**")
    choisir_diplome(page, "Bac Pro MCV A")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("LSL Pro").click()
    nav.get_by_role("link", name="Export LSL").click()
    page.get_by_role("heading", name="Export vers le livret scolaire (LSL)").wait_for()
    for division in demo["divisions"]:
        page.get_by_label(re.compile(f"^{division.nom}")).check()
    page.get_by_role("button", name="Vérifier").click()

    # The verification: 4 ready, nothing missing, all new.
    verification = page.locator("section[aria-labelledby=titre-verification]")
    verification.wait_for()
    texte = verification.inner_text()
    assert re.search(r"4\s+prêts à exporter,\s+0\s+incomplet", texte), texte
    assert "Aucun export précédent pour cette année" in texte
    assert "ROUX" not in texte  # the apprentice is not subject to the LSL

    page.get_by_role("button", name="Lancer l'export").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    assert telechargement.value.suggested_filename.endswith(".xml")
    document = etree.parse(telechargement.value.path())
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    racine = document.getroot()
    assert racine.tag == f"{NS}lsl"
    ids = sorted(e.get("id") for e in racine.iter("eleve", f"{NS}eleve"))
    assert ids == ["1234501", "1234502", "1234503", "1234504"]
    export = ExportLSL.objects.get()
    assert export.par == a.chef.user and export.nb_apprenants == 4
    capture(page, "parcours_chef")
    assert csp_violations == []
