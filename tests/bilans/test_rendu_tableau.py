"""The dashboard and class-view cells built in Python (bilans.rendu_tableau)."""

import datetime
from types import SimpleNamespace

from bilans.queries_tableaux import Cellule, Colonne, LigneCritere, Position
from bilans.rendu_tableau import html_ligne_compacte, html_ligne_complete, html_positions


def colonne(titre="Accueil <client>", nature="C"):
    return Colonne(
        pk=1,
        date=datetime.date(2026, 10, 5),
        titre=titre,
        nature=nature,
        niveau="PREMIERE",
        annee="2026-2027",
        enseignants=["Anne O'Neil"],
    )


def test_full_row_one_cell_per_column_with_escaped_tooltip():
    col = colonne()
    ligne = LigneCritere(SimpleNamespace(), [Cellule(col, "3"), None])
    html = html_ligne_complete(ligne)
    assert html.count("<td>") == 2 and html.endswith("<td></td>")
    assert '<span class="tb-cel lvl-3 tb-ecole" tabindex="0"' in html
    assert "05/10/2026 – Accueil &lt;client&gt; – Anne O&#x27;Neil" in html
    assert '<span class="tb-nat">C</span> <span class="tb-sym" aria-hidden="true">+</span>' in html
    assert "<client>" not in html


def test_compact_row_lists_the_results_or_says_none():
    col = colonne(nature="E")
    html = html_ligne_compacte(LigneCritere(SimpleNamespace(), [None, Cellule(col, "1")]))
    assert html.startswith('<ul class="tb-liste"><li><span class="tb-cel lvl-1 tb-entreprise"')
    vide = html_ligne_compacte(LigneCritere(SimpleNamespace(), [None]))
    assert vide == '<span class="vide">Pas encore évalué</span>'


def test_class_view_positions():
    html = html_positions(
        [
            Position("2", True),
            Position("4", False, datetime.date(2026, 11, 2)),
            Position("NE", False),
        ]
    )
    assert '<td class="vc-case vc-suggere"><span class="lvl lvl-2"' in html
    assert '<span class="vc-mention">suggéré</span>' in html
    assert 'title="Bilan validé du 02/11/2026"' in html
    assert html.endswith(
        '<td class="vc-case"><span class="lvl lvl-ne" title="Non évalué">NE</span></td>'
    )


def test_headers_and_pourquoi_rows_are_escaped():
    from bilans.rendu_tableau import html_entetes, html_pourquoi

    entetes = html_entetes([colonne(), colonne(nature="E")])
    assert entetes.count('<th scope="col"') == 2 and entetes.count("tb-col-e") == 1
    assert "Accueil &lt;client&gt;" in entetes and "<client>" not in entetes
    lignes = html_pourquoi(
        [
            {
                "date": datetime.date(2026, 10, 5),
                "titre": "<script>x</script>",
                "critere": "C1.1-1",
                "nature": "C",
                "libelle_nature": "Complexe",
                "niveau": "4",
                "poids": "1,50",
            }
        ]
    )
    assert lignes.startswith("<tr><td>05/10/2026</td><td>&lt;script&gt;x&lt;/script&gt;</td>")
    assert '<span class="lvl lvl-4" title="Acquis et transférable' in lignes
    assert '<td class="tb-poids">1,50</td></tr>' in lignes


def test_same_column_and_level_share_the_cell_markup():
    col = colonne()
    a, b = Cellule(col, "2"), Cellule(col, "2")
    ligne = html_ligne_complete(LigneCritere(SimpleNamespace(), [a, b, Cellule(col, "4")]))
    assert ligne.count("lvl-2 tb-ecole") == 2 and ligne.count("lvl-4 tb-ecole") == 1


def test_bilan_form_contributions_rows():
    from bilans.rendu_tableau import html_contributions
    from bilans.suggestion import Contribution, Observation

    o = Observation(
        "3",
        datetime.date(2026, 9, 1),
        "INT",
        titre="<b>Vente</b>",
        critere="C1.1-2",
        enseignant="DUPONT Ana",
    )
    html = html_contributions([Contribution(o, 0.5)])
    attendu = [
        "<tr><td>01/09/2026</td><td>&lt;b&gt;Vente&lt;/b&gt; ",
        '<span class="discret">(DUPONT Ana)</span></td><td>C1.1-2</td><td>Int</td>',
        '<td><span class="lvl lvl-3" title="Partiellement acquis / maîtrisé">+</span></td>',
        "<td>0,50</td></tr>",
    ]
    assert html == "".join(attendu)
