"""Issue « Documents officiels fiables », LSL part: the chef exports LSL for a division where a
scolaire learner has no livret. The pre-flight lists that learner (« Livret absent »), with the
same counts as the Complétude page; the chef excludes them explicitly and the file (valid
against the national schema) carries the division's structure over all its learners.
Screenshots at 1366×768 and 390×844."""

import re
from pathlib import Path

import pytest
from lxml import etree

from cpro.models import AnneeScolaire
from tests.e2e.outils import choisir_diplome, connecter
from tests.lslpro import export_factories as ef

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XSD = Path(__file__).resolve().parents[2] / "lslpro" / "schemas" / "import-lsl-v1.0.xsd"


def test_parcours_lsl_preflight(live_server, page, personas, csp_violations, capture):
    a = personas.a
    demo = ef.demo(a, debut=AnneeScolaire.courante().debut)
    premiere = demo["divisions"][0]
    ef.apprenant(a, division_obj=premiere, eleve_id="1234510", nom="Zola", prenom="Émile")
    base = f"{live_server.url}/{a.etablissement.slug}"

    connecter(page, base, "a-chef")
    if "/diplome/" in page.url:
        choisir_diplome(page, "Bac Pro MCV A")
    page.goto(f"{base}/lsl/export/")
    page.get_by_role("heading", name="Export vers le livret scolaire (LSL)").wait_for()
    page.get_by_label(re.compile(f"^{premiere.nom}")).check()
    page.get_by_role("button", name="Vérifier").click()

    verification = page.locator("section[aria-labelledby=titre-verification]")
    verification.wait_for()
    texte = verification.inner_text()
    phrase = "3 livrets complets sur 4 élèves sous statut scolaire, dont 1 sans livret."
    assert phrase in texte, texte
    ligne = verification.get_by_role("row", name=re.compile("ZOLA Émile"))
    assert "Livret absent" in ligne.inner_text()
    assert "ROUX" not in texte  # the apprentice is not subject to the LSL
    assert "dérivés par Cpro" in page.content()

    page.set_viewport_size({"width": 390, "height": 844})
    capture(page, "parcours_lsl_preflight_390")
    page.set_viewport_size({"width": 1366, "height": 768})
    capture(page, "parcours_lsl_preflight_1366")

    # The Complétude page shows the same sentence for the division.
    completude = page.context.new_page()
    completude.goto(f"{base}/lsl/completude/?division={premiere.pk}")
    assert phrase in completude.locator("main").inner_text()
    completude.close()

    # The learner without livret is excluded explicitly: the file has the 3 others, with the
    # structure of the whole division (effectif 4).
    page.get_by_label(re.compile("Exclure de cet export les apprenants incomplets")).check()
    page.get_by_role("button", name="Lancer l'export").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    document = etree.parse(telechargement.value.path())
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    eleves = list(document.getroot().iter("eleve"))
    assert sorted(e.get("id") for e in eleves) == ["1234501", "1234502", "1234503"]
    assert {e.find(".//structure").get("effectif") for e in eleves} == {"4"}
    assert {e.find(".//evaluation").get("code-matiere") for e in eleves} == {ef.CODE_MATIERE}
    assert csp_violations == []
