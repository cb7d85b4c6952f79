"""The grid cells built in Python (evaluations.rendu_grille): markup and escaping."""

from types import SimpleNamespace

from evaluations.queries_grille import Cellule
from evaluations.rendu_grille import html_cellule, html_cellules


def cel(niveau="", nom="Léa Martin", code="C1.1-1"):
    apprenant = SimpleNamespace(pk=7, membership=SimpleNamespace(user=nom))
    return Cellule(apprenant=apprenant, critere=SimpleNamespace(pk=9, code=code), niveau=niveau)


def test_editable_cell_selects_the_level_and_keeps_the_original():
    html = html_cellule(cel("3"), editable=True)
    assert html.startswith('<td class="cellule lvl-3" id="cel-7-9" data-apprenant="7"')
    assert '<select id="s-7-9" name="c-7-9" class="saisie"' in html
    assert 'aria-label="Léa Martin – C1.1-1"' in html
    assert '<option value="3" selected>3 +</option>' in html
    assert html.count(" selected") == 1
    assert '<input type="hidden" name="o-7-9" value="3">' in html


def test_empty_editable_cell_selects_the_blank_option():
    html = html_cellule(cel(""), editable=True)
    assert 'class="cellule cellule-vide"' in html
    assert '<option value="" selected>·</option>' in html and html.count(" selected") == 1


def test_read_only_cells():
    assert '<span class="lvl lvl-4" title="Acquis et transférable' in html_cellule(
        cel("4"), editable=False
    )
    vide = html_cellule(cel(""), editable=False)
    assert "non renseigné" in vide and "<select" not in vide


def test_states_after_a_save():
    assert 'role="status">enregistré</span>' in html_cellule(cel("1"), editable=True, etat="ok")
    erreur = html_cellule(cel("1"), editable=True, etat="erreur", message="Grille <verrouillée>")
    assert "cellule-erreur" in erreur
    assert 'role="alert">Grille &lt;verrouillée&gt;</span>' in erreur


def test_names_and_codes_are_escaped():
    html = html_cellules(
        [cel("2", nom='<img src=x onerror="alert(1)">', code="<b>")], editable=True
    )
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; – &lt;b&gt;" in html
