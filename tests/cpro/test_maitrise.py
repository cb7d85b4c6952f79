"""One look for the mastery scale: its colours in static/cpro/css/maitrise.css only, used by the
screens and the PDFs; its legend rendered by one tag, typed by hand in no template."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string

from cpro.maitrise import RENDUS, Maitrise, rendu

RACINE = Path(settings.BASE_DIR)
MAITRISE_CSS = RACINE / "static" / "cpro" / "css" / "maitrise.css"
FEUILLES_PDF = ("bilans/pdf_documents.css", "evaluations/export_apprenti.css")


def _proprietes(css: str) -> dict[str, str]:
    """The custom properties declared in a stylesheet: {"--lvl-1": "#c62828", …}."""
    return {
        nom: valeur.strip().lower() for nom, valeur in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", css)
    }


def _feuilles():
    """Every other stylesheet of the project, for the screens and for the documents."""
    for dossier in (RACINE / "static", RACINE / "templates"):
        for chemin in sorted(dossier.rglob("*.css")):
            if chemin != MAITRISE_CSS:
                yield chemin


def test_chaque_niveau_a_ses_couleurs():
    css = MAITRISE_CSS.read_text(encoding="utf-8")
    proprietes = _proprietes(css)
    for r in RENDUS.values():
        assert re.fullmatch(r"#[0-9a-f]{6}", proprietes[f"--{r.css}"]), r.css
        assert re.fullmatch(r"#[0-9a-f]{6}", proprietes[f"--{r.css}-teinte"]), r.css
        assert re.search(rf"\.{r.css} \{{ background: var\(--{r.css}\);", css), r.css
    # Nothing there for a level maitrise.py does not know.
    niveaux = {r.css for r in RENDUS.values()}
    declares = {re.sub(r"-teinte$", "", n[2:]) for n in proprietes if n.startswith("--lvl-")}
    assert declares - {"lvl-texte-clair", "lvl-texte-sombre"} == niveaux


def test_aucune_autre_feuille_ne_type_les_couleurs_de_l_echelle():
    couleurs = {
        v
        for n, v in _proprietes(MAITRISE_CSS.read_text(encoding="utf-8")).items()
        if re.fullmatch(r"--lvl-(ne|\d)(-teinte)?", n)
    }
    assert len(couleurs) == 2 * len(RENDUS)
    for chemin in _feuilles():
        css = chemin.read_text(encoding="utf-8").lower()
        assert not re.search(r"--lvl-[\w-]+\s*:", css), f"{chemin}: déclare une couleur de niveau"
        for couleur in couleurs:
            assert couleur not in css, f"{chemin}: {couleur} est une couleur de l'échelle"


def test_ecrans_et_pdf_partagent_le_meme_fichier():
    fichier = MAITRISE_CSS.read_text(encoding="utf-8")
    cpro_css = (RACINE / "static" / "cpro" / "css" / "cpro.css").read_text(encoding="utf-8")
    assert cpro_css.split("\n@import", 1)[1].startswith(' url("maitrise.css");')
    for feuille in FEUILLES_PDF:
        assert fichier in render_to_string(feuille, {}), feuille


@pytest.mark.parametrize("feuille", FEUILLES_PDF)
def test_le_pdf_rend_les_couleurs(feuille):
    """WeasyPrint resolves the custom properties: each level's chip is filled with its colour."""
    from pypdf import PdfReader
    from weasyprint import CSS, HTML

    proprietes = _proprietes(MAITRISE_CSS.read_text(encoding="utf-8"))
    html = "".join(f'<span class="lvl {r.css}">{r.symbole}</span> ' for r in RENDUS.values())
    pdf = HTML(string=f"<p>{html}</p>").write_pdf(
        stylesheets=[CSS(string=render_to_string(feuille, {}))]
    )
    contenu = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    remplissages = {
        tuple(round(float(x) * 255) for x in m.split())
        for m in re.findall(r"([\d.]+ [\d.]+ [\d.]+) rg", contenu)
    }
    for r in RENDUS.values():
        hexa = proprietes[f"--{r.css}"]
        assert tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5)) in remplissages, r.css


def _rendre(source: str) -> str:
    return Template(source).render(Context({}))


def test_legende_de_l_echelle():
    html = _rendre("{% legende_maitrise %}")
    assert re.sub(r' title="[^"]*"', "", html) == (
        'Niveaux : <span class="lvl lvl-ne">NE</span> non évalué · '
        '<span class="lvl lvl-1">−−</span> 1 non acquis · '
        '<span class="lvl lvl-2">−</span> 2 en cours d&#x27;acquisition · '
        '<span class="lvl lvl-3">+</span> 3 partiellement acquis · '
        '<span class="lvl lvl-4">++</span> 4 acquis et transférable'
    )
    # Each chip is the one {% niveau %} renders in the tables: colour, symbol and label.
    for m in Maitrise:
        assert _rendre(f'{{% niveau "{m.value}" %}}') in html
    assert "style=" not in html


def test_legende_sans_intitule():
    assert _rendre('{% legende_maitrise "" %}').startswith('<span class="lvl lvl-ne"')


def test_legende_du_livret():
    html = re.sub(r' title="[^"]*"', "", _rendre("{% legende_maitrise lsl=True %}"))
    assert html == (
        'Degré de maîtrise : <span class="lvl lvl-1">1</span> non maîtrisées · '
        '<span class="lvl lvl-2">2</span> insuffisamment maîtrisées · '
        '<span class="lvl lvl-3">3</span> maîtrisées · '
        '<span class="lvl lvl-4">4</span> bien maîtrisées · '
        '<span class="lvl lvl-ne">NE</span> non évaluées'
    )


def test_aucun_gabarit_ne_tape_l_echelle_a_la_main():
    """A level's chip comes from {% niveau %}, {% legende_maitrise %} or a Rendu's `css`,
    never from a class typed in a template."""
    tapes = []
    for chemin in sorted((RACINE / "templates").rglob("*.html")):
        texte = chemin.read_text(encoding="utf-8")
        for m in re.finditer(r'class="[^"{]*\blvl-(ne|[1-4])\b', texte):
            tapes.append(f"{chemin.relative_to(RACINE)}: {m.group(0)}")
    assert tapes == []


def test_rendu_inconnu_vaut_ne():
    assert rendu("") is RENDUS[Maitrise.NE] and rendu(None) is RENDUS[Maitrise.NE]
