"""The grid cells built in Python (evaluations.rendu_grille): markup and escaping."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils.html import escape

from evaluations.queries_grille import Ligne
from evaluations.rendu_grille import CHOIX_MENU, html_case, html_commentaire, html_ligne


def cel(niveau="", nom="Léa Martin", code="C1.1-1"):
    """(niveau, name, code) of learner 7 × criterion 9, as html_cellule took them."""
    return niveau, nom, code


def html_cellule(cellule, *, editable, etat="", message="", formulaire=False):
    niveau, nom, code = cellule
    return html_case(
        7,
        9,
        niveau,
        editable=editable,
        nom=escape(nom),
        code=escape(code),
        etat=etat,
        message=message,
        formulaire=formulaire,
    )


def test_editable_cell_is_one_button_naming_learner_criterion_and_level():
    html = html_cellule(cel("3"), editable=True)
    assert html == (
        '<td class="cellule lvl-3" id="cel-7-9"><button type="button" class="saisie" '
        'id="s-7-9" value="3" tabindex="-1" aria-haspopup="listbox" '
        'aria-label="Léa Martin – C1.1-1 : partiellement acquis">3 +</button></td>'
    )
    assert "<select" not in html and "<option" not in html


def test_empty_editable_cell():
    html = html_cellule(cel(""), editable=True)
    assert 'class="cellule cellule-vide"' in html
    assert "value=" not in html  # button.value is ""
    assert 'aria-label="Léa Martin – C1.1-1 : non renseigné">·</button>' in html


def test_no_js_page_cell_is_a_select_with_the_original_value():
    html = html_cellule(cel("3"), editable=True, formulaire=True)
    assert '<select id="s-7-9" name="c-7-9" class="saisie"' in html
    assert 'aria-label="Léa Martin – C1.1-1"' in html
    assert '<option value="3" selected>3 +</option>' in html
    assert html.count(" selected") == 1
    assert '<input type="hidden" name="o-7-9" value="3">' in html
    assert "<button" not in html
    vide = html_cellule(cel(""), editable=True, formulaire=True)
    assert '<option value="" selected>·</option>' in vide and vide.count(" selected") == 1


def test_read_only_cells():
    assert '<span class="lvl lvl-4" title="Acquis et transférable' in html_cellule(
        cel("4"), editable=False
    )
    vide = html_cellule(cel(""), editable=False)
    assert "non renseigné" in vide and "<button" not in vide and "<select" not in vide


def test_states_after_a_save():
    assert 'role="status">enregistré</span>' in html_cellule(cel("1"), editable=True, etat="ok")
    erreur = html_cellule(cel("1"), editable=True, etat="erreur", message="Grille <verrouillée>")
    assert "cellule-erreur" in erreur
    assert 'role="alert">Grille &lt;verrouillée&gt;</span>' in erreur


def test_unknown_stored_level_renders_empty():
    assert "cellule-vide" in html_case(1, 2, "X", editable=True, nom="N", code="C")


def test_names_and_codes_are_escaped():
    nom = '<img src=x onerror="alert(1)">'
    ligne = Ligne(apprenant_id=7, nom=nom, statut="<i>", commentaire="")
    critere = SimpleNamespace(pk=9, code="<b>")
    for formulaire in (False, True):
        html = html_ligne(
            ligne,
            [critere],
            {(7, 9): "2"},
            editable=True,
            formulaire=formulaire,
            codes={9: escape(critere.code)},
        )
        assert "<img" not in html and "<b>" not in html and "<i>" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; – &lt;b&gt;" in html


def test_menu_offers_the_five_levels_and_clearing():
    assert [(code, affichage) for code, affichage, _ in CHOIX_MENU] == [
        ("NE", "NE"),
        ("1", "1 −−"),
        ("2", "2 −"),
        ("3", "3 +"),
        ("4", "4 ++"),
        ("", "·"),
    ]
    assert CHOIX_MENU[3][2] == "Partiellement acquis" and CHOIX_MENU[-1][2] == "Vider la case"


@pytest.mark.parametrize("editable", [True, False])
@pytest.mark.parametrize("texte", ["", 'Bonne posture.\nÀ revoir : <l\'oral> & "écrit".'])
def test_comment_cell_is_the_template_of_the_commenter_view(editable, texte):
    """The grid builds its comment cells in Python; after a save the commenter view answers
    evaluations/_cellule_commentaire.html: both give the same markup."""
    apprenant = SimpleNamespace(pk=7, membership=SimpleNamespace(user="O'BRIEN <Léa>"))
    gabarit = render_to_string(
        "evaluations/_cellule_commentaire.html",
        {
            "apprenant": apprenant,
            "commentaire": texte,
            "editable": editable,
            "etat": "",
            "message": "",
        },
    )
    nom = escape("O'BRIEN <Léa>")
    # (the template file ends with a newline)
    assert html_commentaire(7, nom, texte, editable=editable) == gabarit.removesuffix("\n")


def test_row_markup():
    ligne = Ligne(apprenant_id=7, nom="MARTIN Léa", statut="apprentie", commentaire="")
    criteres = [SimpleNamespace(pk=9, code="C1"), SimpleNamespace(pk=10, code="C2")]
    html = html_ligne(ligne, criteres, {(7, 9): "4"}, editable=False, formulaire=False, codes={})
    assert html.startswith(
        '<tr class="ligne" id="ligne-7"><th scope="row" class="nom">MARTIN Léa '
        '<span class="badge apprenti">apprentie</span></th><td class="cellule lvl-4" id="cel-7-9">'
    )
    assert '<td class="cellule cellule-vide" id="cel-7-10">' in html
    assert '<td class="commentaire" id="com-7">' in html and html.endswith("</tr>\n")


@pytest.mark.parametrize("formulaire", [False, True])
@pytest.mark.parametrize("editable", [False, True])
def test_row_cells_are_html_case(editable, formulaire):
    """The row builder (fast path of the buttons included) gives each level's `html_case`."""
    ligne = Ligne(apprenant_id=7, nom="O'BRIEN <Léa>", statut="", commentaire="")
    niveaux = ["", "NE", "1", "2", "3", "4", "X"]
    criteres = [SimpleNamespace(pk=10 + i, code=f"C<{i}>") for i in range(len(niveaux))]
    codes = {c.pk: escape(c.code) for c in criteres}
    stockes = {(7, c.pk): n for c, n in zip(criteres, niveaux, strict=True) if n}
    html = html_ligne(
        ligne, criteres, stockes, editable=editable, formulaire=formulaire, codes=codes
    )
    attendu = "".join(
        html_case(
            7,
            c.pk,
            n,
            editable=editable,
            nom=escape(ligne.nom),
            code=codes[c.pk],
            formulaire=formulaire,
        )
        for c, n in zip(criteres, niveaux, strict=True)
    )
    assert attendu in html
