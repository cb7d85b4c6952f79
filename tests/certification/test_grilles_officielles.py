"""Official or reconstructed CCF grids: one decision (certification.officialite), a banner on
the grid page, « Grille non officielle — à vérifier » on every page of the PDF, neutral level
labels, a marker (with its source on hover and keyboard focus) on reconstructed lines."""

import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certification.exporters import GrilleCcfPdf
from certification.officialite import MENTION, libelles_niveaux, officialite
from certification.queries import criteres_de_grille
from cpro.models import ExportJob
from referentiels.models import Confiance, Critere, GrilleCCF
from tests.certification import documents_factories as df
from tests.certification.grilles_factories import candidat, grille_candidat, grille_ccf

pytestmark = pytest.mark.django_db


@pytest.fixture
def side(personas):
    return personas.a


def _grille_reelle(side, epreuve, diplome=None):
    return GrilleCCF.objects.get(diplome=diplome or side.diplome, epreuve=epreuve)


def _page(client, side, gc):
    response = client.get(
        reverse("certification:grille", kwargs={"etab": side.etablissement.slug, "pk": gc.pk})
    )
    assert response.status_code == 200
    return response, unescape(response.content.decode())


def _pdf(personas, gc) -> bytes:
    job = ExportJob.objects.create(
        etablissement=gc.etablissement,
        demandeur=personas.a.enseignant.user,
        kind="grille_ccf_pdf",
        params={"grille_candidat": gc.pk},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    return GrilleCcfPdf(job).render(lambda p: None)[2]


def _pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


# --- the decision ----------------------------------------------------------------------------


def test_factory_grid_is_official(side):
    grille = grille_ccf(side.diplome)
    resultat = officialite(grille, criteres_de_grille(grille))
    assert resultat.officielle and resultat.raisons == () and resultat.mention == ""
    assert resultat.message == ""
    assert libelles_niveaux(grille) == ["Novice", "Débrouillé", "Averti", "Expert"]


@pytest.mark.parametrize("cas", ["grille_low", "ligne_low", "niveaux"])
def test_each_unattested_part_makes_the_grid_non_official(side, cas):
    grille = grille_ccf(side.diplome)
    lignes = criteres_de_grille(grille)
    if cas == "grille_low":
        grille.confiance = Confiance.BASSE
    elif cas == "ligne_low":
        lignes[1].confiance = Confiance.BASSE
    else:
        grille.niveaux_attestes = False
    resultat = officialite(grille, lignes)
    assert not resultat.officielle
    assert resultat.mention == MENTION == "Grille non officielle — à vérifier"
    attendu = {
        "grille_low": "la structure de la grille est reconstruite",
        "ligne_low": "1 ligne sur 3 est reconstruite",
        "niveaux": "les libellés des quatre niveaux ne sont pas attestés",
    }[cas]
    assert any(r.startswith(attendu) for r in resultat.raisons)
    assert "le DDFPT doit importer la grille nationale" in resultat.message
    assert resultat.niveaux_a_verifier is (cas == "niveaux")
    # unattested labels are never printed: the neutral ones replace them
    assert (libelles_niveaux(grille)[0] == "Niveau 1") is (cas == "niveaux")


def test_medium_lines_are_attested(side):
    grille = grille_ccf(side.diplome)
    lignes = criteres_de_grille(grille)
    for c in lignes:
        c.confiance = Confiance.MOYENNE
    assert officialite(grille, lignes).officielle


def test_real_grids_official_or_not(referentiels_charges, side):
    """MCV E31 (6 attested lines) and E32 are official; MCV E33 (11 reconstructed lines,
    neutral levels) and MA E31/E32 are not."""
    resultats = {}
    for grille in GrilleCCF.objects.filter(diplome__code__in=["MCV-A", "MA"]).select_related(
        "diplome"
    ):
        lignes = criteres_de_grille(grille)
        resultats[(grille.diplome.code, grille.epreuve)] = (
            officialite(grille, lignes).officielle,
            len(lignes),
        )
    assert resultats[("MCV-A", "E31")] == (True, 6)
    assert resultats[("MCV-A", "E32")] == (True, 7)
    assert resultats[("MCV-A", "E33")] == (False, 11)
    assert resultats[("MA", "E31")] == (False, 17)
    assert resultats[("MA", "E32")] == (False, 4)


# --- the grid page ---------------------------------------------------------------------------


def test_e33_page_shows_banner_neutral_levels_and_marked_lines(
    referentiels_charges, as_persona, side
):
    gc = grille_candidat(side, "E33")
    response, html = _page(as_persona("enseignant"), side, gc)
    page = response.context["page"]
    assert not page.officialite.officielle
    assert "Grille non officielle — à vérifier" in html
    assert "11 lignes sur 11 sont reconstruites" in html
    assert "les libellés des quatre niveaux ne sont pas attestés" in html
    assert "le DDFPT doit importer la grille nationale" in html
    assert "(0 / 11 positionnés)" in html
    # neutral level labels, each marked « à vérifier »; the unattested ones never shown
    entete = html.split("<thead>")[1].split("</thead>")[0]
    assert entete.count('<span class="badge a-verifier">à vérifier</span>') == 4
    assert "Novice" not in entete and "Niveau 4" in entete
    # every reconstructed line: a focusable marker described by its source (shown on hover
    # and on focus by certification.css, no script)
    marques = re.findall(
        r'<button type="button" class="ccf-marque" aria-describedby="(ccf-src\d+)">'
        r"Ligne reconstruite — à vérifier</button>",
        html,
    )
    assert len(marques) == 11
    critere = Critere.objects.get(pk=int(marques[0].removeprefix("ccf-src")))
    assert f'id="{marques[0]}" role="tooltip">Source : {critere.source}</span>' in html
    assert "<script>" not in html and "style=" not in html


def test_official_grid_page_has_no_banner_nor_marker(referentiels_charges, as_persona, side):
    gc = grille_candidat(side, "E31")
    _response, html = _page(as_persona("enseignant"), side, gc)
    assert "Grille non officielle" not in html
    assert "ccf-marque" not in html
    assert "à vérifier</span>" not in html.split("<thead>")[1].split("</thead>")[0]
    assert "(0 / 6 positionnés)" in html
    # C1.0 is an application convention: its code is never shown as a competence
    assert "C1.0</span> –" not in html
    assert "Communication (critère transversal des grilles E31/E32)" in html


# --- the PDF ---------------------------------------------------------------------------------


def test_pdf_of_non_official_grid_has_the_mention_on_every_page(
    referentiels_charges, personas, side
):
    division = df.division_terminale(side)
    apprenant = df.candidat(side, division, nom="Dupont", prenom="Léa", numero="0212345678")
    gc = df.grille_candidat(side, apprenant, _grille_reelle(side, "E33"), verrouillee=False)
    pages = _pages(_pdf(personas, gc))
    assert len(pages) >= 2  # 11 lines: the mention must repeat, not only on the first page
    for texte in pages:
        assert "Grille non officielle — à vérifier" in texte
    tout = " ".join(pages)
    assert tout.count("Ligne reconstruite — à vérifier") == 11 + 1  # + the legend
    assert "Niveau 1 (à vérifier)" in tout and "Niveau 4 (à vérifier)" in tout
    assert "Novice" not in tout and "Expert" not in tout
    assert "11 lignes sur 11 sont reconstruites" in tout


def test_pdf_of_ma_grid_marks_unattested_levels(referentiels_charges, personas, side):
    ma = GrilleCCF.objects.get(diplome__code="MA", epreuve="E32")
    division = df.division_terminale(side, "TMA", diplome=ma.diplome)
    gc = df.grille_candidat(side, df.candidat(side, division), ma, verrouillee=False)
    pages = _pages(_pdf(personas, gc))
    assert all("Grille non officielle — à vérifier" in t for t in pages)
    assert "Niveau 2 (à vérifier)" in " ".join(pages)


def test_pdf_of_official_grid_has_no_mention(referentiels_charges, personas, side):
    division = df.division_terminale(side)
    gc = df.grille_candidat(
        side, df.candidat(side, division), _grille_reelle(side, "E31"), verrouillee=False
    )
    tout = " ".join(_pages(_pdf(personas, gc)))
    assert "non officielle" not in tout and "reconstruite" not in tout
    assert "Novice" in tout and "(à vérifier)" not in tout
    assert "Communication (critère transversal des grilles E31/E32)" in tout
    assert "C1.0 Communication" not in tout


def test_candidate_grid_of_the_factory_is_official(side):
    gc = grille_candidat(side, apprenant=candidat(side))
    assert officialite(gc.grille, criteres_de_grille(gc.grille)).officielle
