"""HTML of the dashboard's rows of cells, built in Python.

Three years of a learner's évaluations make a full dashboard of 38 criteria × 180 columns =
6,840 cells: through the template engine (a `{% for %}` iteration and five variable lookups per
cell) that was most of the page time (bench/README.md). The markup is the one of
`templates/bilans/_tableau_donnees.html`; every text is escaped here.
"""

from html import escape as _escape_html

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bilans.suggestion import MAX_POURQUOI
from cpro.maitrise import RENDUS, rendu
from evaluations.models import Nature


def virgule(nombre: float, decimales: int = 2) -> str:
    """1.5 → "1,50" (decimal comma)."""
    return f"{nombre:.{decimales}f}".replace(".", ",")


VIDE = "<td></td>"


def _niveaux() -> dict[str, tuple[str, str, str]]:
    """Level → (colour class, symbol, short accessible text), once per call."""
    return {
        r.code: (r.css, r.symbole, " non évalué" if r.code == "NE" else f" niveau {r.code}")
        for r in RENDUS.values()
    }


class CasesTableau:
    """The cells of one dashboard. `colonnes` = every column read (all the learner's years:
    the suggestion weighs them all), `affichees` = the indices of the columns shown, in
    order. A cell carries only what is its own (nature code, symbol, level as short
    accessible text); the évaluation (date, title, teachers, nature) is said once, in the
    column header (full view) or in one description per évaluation that the compact cells
    point to (`aria-describedby`). static/cpro/js/tableaux.js builds the visible tooltip from
    there. Same column and level → same markup: built once."""

    def __init__(self, colonnes: list, affichees: list[int]):
        self.colonnes = colonnes
        self.affichees = affichees
        self.montrees = set(affichees)
        self._position = {i: p for p, i in enumerate(affichees)}
        self._niveaux = _niveaux()
        self._td: dict[tuple[int, str], str] = {}
        self._li: dict[tuple[int, str], str] = {}

    def cellule(self, i: int, niveau: str, attributs: str = "") -> str:
        """The coloured cell of a résultat of column `i`: nature code (Int, C, E: no escaping
        needed) + symbol; "niveau 3" for screen readers (the legend says what 3 means)."""
        col = self.colonnes[i]
        css, symbole, texte = self._niveaux.get(niveau) or self._niveaux["NE"]
        forme = "tb-entreprise" if col.entreprise else "tb-ecole"
        return (
            f'<span class="tb-cel {css} {forme}"{attributs}>{col.code_nature} '
            f'<span class="tb-sym" aria-hidden="true">{symbole}</span>'
            f'<span class="visuellement-cache">{texte}</span></span>'
        )

    def ligne_complete(self, niveaux: dict[int, str]) -> SafeString:
        """The `<td>`s of one criterion in the full view: one per shown column."""
        parts = [VIDE] * len(self.affichees)
        position, cache = self._position, self._td
        for i, n in niveaux.items():
            p = position.get(i)
            if p is not None:
                html = cache.get((i, n))
                if html is None:
                    html = cache[(i, n)] = f"<td>{self.cellule(i, n)}</td>"
                parts[p] = html
        return mark_safe("".join(parts))  # noqa: S308 (values escaped)

    def ligne_compacte(self, niveaux: dict[int, str]) -> SafeString:
        """The compact view's cell of one criterion: its résultats side by side."""
        montrees, cache, items = self.montrees, self._li, []
        for i, n in niveaux.items():
            if i in montrees:
                html = cache.get((i, n))
                if html is None:
                    ref = f' aria-describedby="tb-e{self.colonnes[i].pk}"'
                    html = cache[(i, n)] = f"<li>{self.cellule(i, n, ref)}</li>"
                items.append(html)
        if not items:
            return mark_safe('<span class="vide">Pas encore évalué</span>')  # noqa: S308
        return mark_safe(f'<ul class="tb-liste">{"".join(items)}</ul>')  # noqa: S308

    def descriptions(self) -> SafeString:
        """The compact view's évaluations, said once (ids `tb-e<pk>`, hidden: read through
        the cells' `aria-describedby` and by the tooltip)."""
        items = "".join(
            f'<li id="tb-e{col.pk}">{_escape_html(col.description)}</li>'
            for col in (self.colonnes[i] for i in self.affichees)
        )
        return mark_safe(f'<ul class="tb-descriptions" hidden>{items}</ul>')  # noqa: S308

    def entetes(self) -> SafeString:
        """The header cells of the full view: one per shown column, its nature code visible
        and its whole description for screen readers."""
        return html_entetes([self.colonnes[i] for i in self.affichees])


def html_groupes(groupes, *, compacte: bool, nb_colonnes: int, avec_suggestions: bool):
    """The `<tbody>`s of the dashboard (queries_tableaux.BlocGroupe): per group its header
    row, per competence its header row, its criteria (cells of `ligne.html_complete` or
    `ligne.html_compacte`) and its suggestion row. Built here rather than by three nested
    `{% for %}`: the template's loops were a quarter of the page time (bench/README.md)."""
    largeur = 2 if compacte else nb_colonnes + 1
    colspan = "" if compacte else f' colspan="{nb_colonnes}"'
    parts = []
    for g in groupes:
        groupe = g.groupe
        unite = (
            f' <span class="badge">Unité {_escape_html(groupe.unite.code)}</span>'
            if groupe.unite
            else ""
        )
        parts.append(
            f'<tbody>\n<tr class="tb-groupe"><th scope="colgroup" colspan="{largeur}">'
            f"{_escape_html(groupe.code)} – {_escape_html(groupe.intitule)}{unite}</th></tr>\n"
        )
        for bloc in g.competences:
            c = bloc.competence
            parts.append(
                f'<tr class="tb-competence"><th scope="colgroup" colspan="{largeur}">'
                f'<span class="code">{_escape_html(c.code)}</span> – '
                f"{_escape_html(c.intitule)}</th></tr>\n"
            )
            for ligne in bloc.criteres:
                intitule = _escape_html(ligne.critere.intitule)
                critere = f'<th scope="row" class="tb-critere">{intitule}</th>'
                if compacte:
                    parts.append(
                        f'<tr>{critere}<td class="tb-compact">{ligne.html_compacte}</td></tr>\n'
                    )
                else:
                    parts.append(f"<tr>{critere}{ligne.html_complete}</tr>\n")
            if avec_suggestions:
                parts.append(
                    '<tr class="tb-suggestion"><th scope="row">Niveau de professionnalisation '
                    f"de la compétence</th><td{colspan}>{bloc.html_suggestion}</td></tr>\n"
                )
        parts.append("</tbody>\n")
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)


def html_options_apprenants(camarades, choisi) -> SafeString:
    """The `<option>`s of the learner select (queries_tableaux.Camarade), `choisi` (a pk or
    None) selected: 35 of them were a tenth of the template's time."""
    return mark_safe(  # noqa: S308 (values escaped)
        "".join(
            f'<option value="{a.pk}"{" selected" if a.pk == choisi else ""}>'
            f"{_escape_html(a.nom)}</option>"
            for a in camarades
        )
    )


def html_position(niveau: str, suggere: bool, date) -> str:
    """One `<td>` of the vue classes: the level (colour and symbol), "suggéré" or the ✓ of the
    validated bilan."""
    r = rendu(niveau)
    lvl = f'<span class="lvl {r.css}" title="{escape(r.libelle)}">{r.symbole}</span>'
    if suggere:
        return f'<td class="vc-case vc-suggere">{lvl} <span class="vc-mention">suggéré</span></td>'
    if date:
        jour = f"{date:%d/%m/%Y}"
        return (
            f'<td class="vc-case">{lvl} <span class="vc-valide" title="Bilan validé du '
            f'{jour}"><span aria-hidden="true">✓</span><span class="visuellement-cache">'
            f"bilan validé du {jour}</span></span></td>"
        )
    return f'<td class="vc-case">{lvl}</td>'


def html_positions(positions, cache: dict | None = None) -> SafeString:
    """The `<td>`s of one learner in the vue classes. `cache` (shared by the rows of a page):
    each distinct (level, suggested, date) is built once."""
    cache = {} if cache is None else cache
    parts = []
    for p in positions:
        cle = (p.niveau, p.suggere, p.date)
        html = cache.get(cle)
        if html is None:
            html = cache[cle] = html_position(*cle)
        parts.append(html)
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)


def html_entetes(colonnes) -> SafeString:
    """The header cells of the full view: one per évaluation (nature code; the description,
    date – title – teachers – nature, as accessible text)."""
    return mark_safe(  # noqa: S308 (values escaped)
        "".join(
            f'<th scope="col" class="tb-col{" tb-col-e" if col.entreprise else ""}">'
            f'<span aria-hidden="true">{_escape_html(col.code_nature)}</span>'
            f'<span class="visuellement-cache">{_escape_html(col.description)}</span></th>'
            for col in colonnes
        )
    )


def html_pourquoi(lignes: list[dict]) -> SafeString:
    """The rows of the "Pourquoi ce niveau ?" table (BlocCompetence.pourquoi). The nature and
    level cells are built once per nature and per level, a title escaped once."""
    parts, natures, niveaux, textes = [], {}, {}, {}
    for o in lignes:
        nature = natures.get(o["nature"])
        if nature is None:
            nature = natures[o["nature"]] = (
                f'<td><abbr title="{_escape_html(o["libelle_nature"])}">'
                f"{_escape_html(o['nature'])}</abbr></td>"
            )
        niveau = niveaux.get(o["niveau"])
        if niveau is None:
            r = rendu(o["niveau"])
            niveau = niveaux[o["niveau"]] = (
                f'<td><span class="lvl {r.css}" title="{_escape_html(r.libelle)}">'
                f"{r.symbole}</span></td>"
            )
        titre = textes.get(o["titre"])
        if titre is None:
            titre = textes[o["titre"]] = _escape_html(o["titre"])
        parts.append(
            f"<tr><td>{o['date']:%d/%m/%Y}</td><td>{titre}</td>"
            f"<td>{_escape_html(o['critere'])}</td>{nature}{niveau}"
            f'<td class="tb-poids">{_escape_html(o["poids"])}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)


def _niveau_libelle(niveau: str) -> str:
    r = rendu(niveau)
    return (
        f'<span class="lvl {r.css}" title="{_escape_html(r.libelle)}">{r.symbole}</span> '
        f'<span class="tb-libelle">{_escape_html(r.libelle)}</span>'
    )


def html_suggestion(code: str, niveau: str, url_pourquoi: str, *, bilan_valide=None) -> SafeString:
    """The "Niveau de professionnalisation" cell of one competence: the suggested level, the
    level of the latest validated bilan that positions it (`bilan_valide`: (date, level), the
    transversal follow-up) and an empty « Pourquoi ce niveau ? » disclosure whose opening
    loads the explanation (`bilans:tableau_pourquoi`, HTMX, as the bilan form does); without
    JavaScript a link to the same URL. Its 15 observations per competence were a third of the
    page's markup."""
    url = _escape_html(url_pourquoi)
    valide = ""
    if bilan_valide is not None:
        date, niveau_valide = bilan_valide
        valide = (
            f'<p class="tb-valide"><span class="tb-etiquette">Bilan validé du {date:%d/%m/%Y} :'
            f"</span> {_niveau_libelle(niveau_valide)}</p>"
        )
    return mark_safe(  # noqa: S308 (values escaped)
        '<div class="tb-suggestion-contenu">'
        f'<p class="tb-suggere"><span class="tb-etiquette">Niveau suggéré :</span> '
        f"{_niveau_libelle(niveau)} "
        '<span class="discret">(suggestion)</span></p>'
        f"{valide}"
        f'<details class="tb-pourquoi" hx-get="{url}" hx-trigger="toggle once" '
        'hx-target="find .tb-pourquoi-contenu" hx-swap="innerHTML">'
        "<summary>Pourquoi ce niveau ?</summary>"
        '<div class="tb-pourquoi-contenu"><p><a href="'
        f'{url}">Voir les observations</a> de {_escape_html(code)} prises en compte et la règle '
        "de calcul.</p></div></details></div>"
    )


def lignes_pourquoi(contributions) -> list[dict]:
    """The contributions (bilans.suggestion.Contribution) as the rows of html_pourquoi (plain
    strings: the nature labels are translated once, not once per row)."""
    natures = {n.value: (n.code, str(n.label)) for n in Nature}
    return [
        {
            "date": c.observation.date,
            "titre": c.observation.titre,
            "critere": c.observation.critere,
            "nature": natures[c.observation.nature][0],
            "libelle_nature": natures[c.observation.nature][1],
            "niveau": c.observation.niveau,
            "poids": virgule(c.poids),
        }
        for c in contributions
    ]


def html_explication(code: str, suggestion, reference) -> SafeString:
    """« Pourquoi ce niveau ? » of one competence (bilans:tableau_pourquoi): the heaviest
    observations (MAX_POURQUOI) with their weights, the others summed up, the total and the
    rule."""
    parts = [
        '<p class="discret">Une suggestion calculée à partir des résultats : c\'est '
        "l'enseignant qui décide du positionnement dans le bilan.</p>"
    ]
    montrees = suggestion.principales(MAX_POURQUOI)
    if montrees:
        code = _escape_html(code)
        # A region of its own that scrolls (and takes the focus: keyboard users can scroll
        # it) when the table is wider than a phone.
        parts.append(
            f'<div class="tb-pourquoi-defilement" tabindex="0" role="region" '
            f'aria-label="Observations de {code}">'
            '<table class="tableau tb-contributions"><caption>Observations prises en compte '
            f"pour {code} au {reference:%d/%m/%Y}</caption>"
            '<thead><tr><th scope="col">Date</th><th scope="col">Évaluation</th>'
            '<th scope="col">Critère</th><th scope="col">Nature</th><th scope="col">Niveau</th>'
            '<th scope="col">Poids</th></tr></thead>'
            f"<tbody>{html_pourquoi(lignes_pourquoi(montrees))}</tbody><tfoot>"
        )
        n, reste = suggestion.autres(MAX_POURQUOI)
        if n:
            e = "s" if n >= 2 else ""
            parts.append(
                f'<tr><th scope="row" colspan="5">… et {n} observation{e} plus ancienne{e} ou '
                f'de poids plus faible</th><td class="tb-poids">{virgule(reste)}</td></tr>'
            )
        parts.append(
            '<tr><th scope="row" colspan="5">Poids total</th>'
            f'<td class="tb-poids">{virgule(suggestion.poids_total)}</td></tr></tfoot></table>'
            "</div>"
        )
    else:
        parts.append(
            '<p class="vide">Aucune observation (les « NE » ne comptent pas) : le niveau '
            "suggéré est NE.</p>"
        )
    parts.append(
        f'<p class="tb-formule"><strong>Règle :</strong> {_escape_html(suggestion.formule)}</p>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)


def html_contributions(contributions) -> SafeString:
    """The rows of the bilan form's "Pourquoi ?" table (suggestion contributions): date,
    évaluation (teacher), criterion, nature, level, weight."""
    parts = []
    for c in contributions:
        o = c.observation
        r = rendu(o.niveau)
        enseignant = (
            f' <span class="discret">({escape(o.enseignant)})</span>' if o.enseignant else ""
        )
        nature = "Int" if o.nature == "INT" else escape(o.nature)
        poids = virgule(c.poids)
        parts.append(
            f"<tr><td>{o.date:%d/%m/%Y}</td><td>{escape(o.titre)}{enseignant}</td>"
            f'<td>{escape(o.critere)}</td><td>{nature}</td><td><span class="lvl {r.css}" '
            f'title="{escape(r.libelle)}">{r.symbole}</span></td><td>{poids}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)
