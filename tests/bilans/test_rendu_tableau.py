"""The dashboard and class-view cells built in Python (bilans.rendu_tableau)."""

import datetime
import re

from bilans.queries_tableaux import Colonne, Position
from bilans.rendu_tableau import CasesTableau, html_positions


def colonne(titre="Accueil <client>", nature="C", pk=1):
    return Colonne(
        pk=pk,
        date=datetime.date(2026, 10, 5),
        titre=titre,
        nature=nature,
        niveau="PREMIERE",
        annee="2026-2027",
        enseignants=["Anne O'Neil"],
    )


def test_full_row_one_cell_per_shown_column_without_tooltip():
    cases = CasesTableau([colonne(pk=1), colonne(pk=2), colonne(pk=3)], [1, 2])
    html = cases.ligne_complete({0: "4", 1: "3"})  # column 0 not shown (an earlier year)
    assert html.count("<td>") == 2 and html.endswith("<td></td>")
    assert '<td><span class="tb-cel lvl-3 tb-ecole">' in html and "lvl-4" not in html
    assert (
        '<td><span class="tb-cel lvl-3 tb-ecole">C <span class="tb-sym" aria-hidden="true">+'
        '</span><span class="visuellement-cache"> niveau 3</span></span></td>'
    ) in html
    # the évaluation is said once, in the column header, not in every cell
    assert "title=" not in html and "Accueil" not in html
    entetes = cases.entetes()
    assert entetes.count('<th scope="col"') == 2
    assert "05/10/2026 – Accueil &lt;client&gt; – Anne O&#x27;Neil – Complexe [C]" in entetes


def test_compact_row_lists_the_results_or_says_none():
    cases = CasesTableau([colonne(pk=7), colonne(nature="E", pk=8)], [0, 1])
    html = cases.ligne_compacte({1: "1"})
    assert html.startswith(
        '<ul class="tb-liste"><li><span class="tb-cel lvl-1 tb-entreprise" '
        'aria-describedby="tb-e8">'
    )
    assert cases.ligne_compacte({}) == '<span class="vide">Pas encore évalué</span>'
    assert '<span class="visuellement-cache"> non évalué</span>' in cases.ligne_compacte({0: "NE"})
    descriptions = cases.descriptions()
    assert descriptions.startswith('<ul class="tb-descriptions" hidden><li id="tb-e7">')
    assert "Accueil &lt;client&gt;" in descriptions and "<client>" not in descriptions


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
    assert "title=" not in entetes
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
    cases = CasesTableau([colonne(pk=1), colonne(pk=2)], [0, 1])
    a = cases.ligne_complete({0: "2", 1: "4"})
    b = cases.ligne_complete({0: "2"})
    assert a.count("lvl-2 tb-ecole") == 1 and b.count("lvl-2 tb-ecole") == 1
    assert cases._td[(0, "2")] in a and len(cases._td) == 2


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


def test_suggestion_charge_le_pourquoi_a_la_demande():
    """The suggestion cell: level, latest validated bilan, and an empty « Pourquoi ce
    niveau ? » that loads its URL (HTMX) or links to it; everything escaped."""
    from bilans.rendu_tableau import html_suggestion

    html = html_suggestion("C<1>", "3", "/p/1/?date=2026-01-01&x=<y>")
    url = "/p/1/?date=2026-01-01&amp;x=&lt;y&gt;"
    assert f'<details class="tb-pourquoi" hx-get="{url}" hx-trigger="toggle once"' in html
    assert f'<a href="{url}">Voir les observations</a> de C&lt;1&gt; prises en compte' in html
    assert '<span class="lvl lvl-3"' in html and "Bilan validé" not in html
    assert "<table" not in html
    valide = html_suggestion("C1", "2", "/p/", bilan_valide=(datetime.date(2026, 2, 3), "4"))
    assert (
        '<p class="tb-valide"><span class="tb-etiquette">Bilan validé du 03/02/2026 :</span> '
        '<span class="lvl lvl-4"'
    ) in valide


def test_explication_poids_autres_et_regle():
    from bilans.rendu_tableau import html_explication
    from bilans.suggestion import MAX_POURQUOI, Observation, suggerer

    ref = datetime.date(2026, 6, 1)
    observations = [
        Observation("3", datetime.date(2026, 1, 1) + datetime.timedelta(days=i), "INT", "<T>")
        for i in range(MAX_POURQUOI + 2)
    ]
    html = html_explication("C<1>", suggerer(observations, ref), ref)
    assert "pour C&lt;1&gt; au 01/06/2026" in html and "&lt;T&gt;" in html
    assert html.count("<tr><td>") == MAX_POURQUOI
    assert "… et 2 observations plus anciennes ou de poids plus faible" in html
    assert re.search(r"Poids total</th><td class=\"tb-poids\">\d+,\d\d</td>", html)
    assert "médiane pondérée" in html
    vide = html_explication("C1", suggerer([], ref), ref)
    assert "Aucune observation" in vide and "<table" not in vide
