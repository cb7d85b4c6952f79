"""The printable DOCX and ODT of a scénario, opened as files: A4, French, header with the
establishment / diplôme / « Première Bac Pro », footer « Page n / N » made of fields,
clickable links (issue 15)."""

import io
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from cpro.models import ExportJob
from referentiels.models import Niveau
from scenarios.bureautique import morceaux
from scenarios.exporters import ScenarioDocx, ScenarioOdt, classe
from tests.scenarios.echange_factories import ajouter_lien, creer_scenario

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NS_ODT = {
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
}
CONTEXTE = "Consultez https://www.onisep.fr/metiers. Puis le site du magasin."


def _scenario(personas):
    scenario = creer_scenario(personas.a, contexte=CONTEXTE)
    ajouter_lien(scenario, titre="Fiche de poste", url="https://exemple.fr/poste?id=3&v=2")
    return scenario


def _rendre(personas, cls, kind, scenario) -> bytes:
    job = ExportJob(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind=kind,
        params={"scenario": scenario.pk},
    )
    _nom, _type, data = cls(job).render(lambda p: None)
    return data


def _xml(archive: zipfile.ZipFile, nom: str):
    return etree.fromstring(archive.read(nom))


def _texte(arbre) -> str:
    return "".join(arbre.itertext())


# --- pure helpers ----------------------------------------------------------------------------


def test_classe_names_the_level_with_the_kind_of_diploma(personas):
    from tests.factories import DiplomeFactory

    bac = personas.a.diplome  # « Baccalauréat professionnel MCV-A » / « Bac Pro MCV A »
    assert classe(Niveau.PREMIERE, bac) == "Première Bac Pro"
    assert classe(Niveau.TERMINALE, bac) == "Terminale Bac Pro"
    cap = DiplomeFactory(code="CAP-EPC", intitule="CAP Équipier polyvalent", intitule_court="CAP")
    assert classe(Niveau.SECONDE, cap) == "Seconde CAP"
    seconde = DiplomeFactory(
        code="2MRC-T",
        intitule="Seconde professionnelle – Famille des métiers de la relation client",
        intitule_court="Seconde MRC",
    )
    assert classe(Niveau.SECONDE, seconde) == "Seconde professionnelle"
    autre = DiplomeFactory(code="X", intitule="Autre formation", intitule_court="Autre")
    assert classe(Niveau.PREMIERE, autre) == "Première"


def test_urls_are_cut_out_of_the_text_without_the_final_punctuation():
    assert morceaux("Voir https://a.fr/x. Fin") == [
        ("Voir ", None),
        ("https://a.fr/x", "https://a.fr/x"),
        (". Fin", None),
    ]
    assert morceaux("(http://b.fr/y?z=1)") == [
        ("(", None),
        ("http://b.fr/y?z=1", "http://b.fr/y?z=1"),
        (")", None),
    ]
    assert morceaux("javascript:alert(1) ftp://c.fr") == [("javascript:alert(1) ftp://c.fr", None)]
    assert morceaux("") == [("", None)]


# --- DOCX ------------------------------------------------------------------------------------


def test_docx_a4_french_header_footer_links(personas):
    data = _rendre(personas, ScenarioDocx, "scenario_docx", _scenario(personas))
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = _xml(archive, "word/document.xml")

    (taille,) = document.iter(f"{{{W}}}pgSz")
    assert (taille.get(f"{{{W}}}w"), taille.get(f"{{{W}}}h")) == ("11906", "16838")
    assert taille.get(f"{{{W}}}orient") in (None, "portrait")

    styles = _xml(archive, "word/styles.xml")
    (defaut,) = styles.iterfind(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}lang")
    assert defaut.get(f"{{{W}}}val") == "fr-FR"
    langues = {lang.get(f"{{{W}}}val") for lang in styles.iter(f"{{{W}}}lang")}
    assert langues == {"fr-FR"}
    assert b"en-US" not in archive.read("word/settings.xml")
    assert b"<dc:language>fr-FR</dc:language>" in archive.read("docProps/core.xml")

    # Header and footer parts referenced by the section.
    rels = _xml(archive, "word/_rels/document.xml.rels")
    cibles = {r.get("Id"): r for r in rels.iter(f"{{{PKG_REL}}}Relationship")}
    (sect,) = document.iter(f"{{{W}}}sectPr")
    (ref_haut,) = sect.iter(f"{{{W}}}headerReference")
    (ref_bas,) = sect.iter(f"{{{W}}}footerReference")
    haut = _xml(archive, "word/" + cibles[ref_haut.get(f"{{{R}}}id")].get("Target"))
    bas = _xml(archive, "word/" + cibles[ref_bas.get(f"{{{R}}}id")].get("Target"))
    assert _texte(haut) == "Lycée professionnel a — Bac Pro MCV A — Première Bac Pro"
    champs = [c.get(f"{{{W}}}instr") for c in bas.iter(f"{{{W}}}fldSimple")]
    assert champs == ["PAGE", "NUMPAGES"]
    assert _texte(bas) == "Page 1 / 1"

    # Links: the URL resource and the URL of the context, external hyperlink relationships.
    liens = {
        r.get("Target"): r
        for r in cibles.values()
        if r.get("Type") == HYPERLINK and r.get("TargetMode") == "External"
    }
    assert set(liens) == {"https://www.onisep.fr/metiers", "https://exemple.fr/poste?id=3&v=2"}
    hyperliens = {
        cibles[h.get(f"{{{R}}}id")].get("Target"): _texte(h)
        for h in document.iter(f"{{{W}}}hyperlink")
    }
    assert hyperliens == {
        "https://www.onisep.fr/metiers": "https://www.onisep.fr/metiers",
        "https://exemple.fr/poste?id=3&v=2": "https://exemple.fr/poste?id=3&v=2",
    }
    # The text around the links is still there, in order.
    from docx import Document

    textes = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert CONTEXTE in textes
    assert "Niveau : Première Bac Pro" in textes
    assert "Fiche de poste — lien : https://exemple.fr/poste?id=3&v=2" in textes


# --- ODT -------------------------------------------------------------------------------------


def test_odt_a4_french_header_footer_links(personas):
    data = _rendre(personas, ScenarioOdt, "scenario_odt", _scenario(personas))
    archive = zipfile.ZipFile(io.BytesIO(data))
    styles = _xml(archive, "styles.xml")
    ns = NS_ODT

    (maitre,) = styles.iterfind(".//style:master-page", ns)
    assert maitre.get(f"{{{ns['style']}}}name") == "Standard"
    nom_mise_en_page = maitre.get(f"{{{ns['style']}}}page-layout-name")
    (mise_en_page,) = [
        m
        for m in styles.iterfind(".//style:page-layout", ns)
        if m.get(f"{{{ns['style']}}}name") == nom_mise_en_page
    ]
    props = mise_en_page.find("style:page-layout-properties", ns)
    assert props.get(f"{{{ns['fo']}}}page-width") == "21cm"
    assert props.get(f"{{{ns['fo']}}}page-height") == "29.7cm"

    defauts = styles.findall(".//style:default-style/style:text-properties", ns)
    assert defauts and all(
        (d.get(f"{{{ns['fo']}}}language"), d.get(f"{{{ns['fo']}}}country")) == ("fr", "FR")
        for d in defauts
    )
    langues = {
        t.get(f"{{{ns['fo']}}}language") for t in styles.iter(f"{{{ns['style']}}}text-properties")
    }
    assert langues <= {"fr", None} and "fr" in langues

    haut = maitre.find("style:header", ns)
    assert _texte(haut) == "Lycée professionnel a — Bac Pro MCV A — Première Bac Pro"
    bas = maitre.find("style:footer", ns)
    assert bas.find(".//text:page-number", ns).get(f"{{{ns['text']}}}select-page") == "current"
    assert bas.find(".//text:page-count", ns) is not None
    assert _texte(bas) == "Page 1 / 1"

    contenu = _xml(archive, "content.xml")
    liens = {a.get(f"{{{ns['xlink']}}}href"): _texte(a) for a in contenu.iterfind(".//text:a", ns)}
    assert liens == {
        "https://www.onisep.fr/metiers": "https://www.onisep.fr/metiers",
        "https://exemple.fr/poste?id=3&v=2": "https://exemple.fr/poste?id=3&v=2",
    }
    paragraphes = [_texte(p) for p in contenu.iterfind(".//text:p", ns)]
    assert CONTEXTE in paragraphes and "Niveau : Première Bac Pro" in paragraphes
    meta = _xml(archive, "meta.xml")
    assert meta.find(".//dc:language", ns).text == "fr-FR"


# --- as LibreOffice lays them out (when it is installed) -------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) absent")
@pytest.mark.parametrize(
    ("cls", "kind", "ext"),
    [(ScenarioDocx, "scenario_docx", "docx"), (ScenarioOdt, "scenario_odt", "odt")],
)
def test_libreoffice_converts_to_an_a4_pdf_with_header_and_footer(
    personas, tmp_path, cls, kind, ext
):
    source = tmp_path / f"scenario.{ext}"
    source.write_bytes(_rendre(personas, cls, kind, _scenario(personas)))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    from pypdf import PdfReader

    page = PdfReader(tmp_path / "scenario.pdf").pages[0]
    largeur, hauteur = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(largeur), round(hauteur)) == (595, 842)  # A4 in points
    texte = page.extract_text()
    assert "Première Bac Pro" in texte and "Page 1 / 1" in texte
