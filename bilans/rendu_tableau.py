"""HTML of the dashboard's rows of cells, built in Python.

Three years of a learner's évaluations make a full dashboard of 38 criteria × 180 columns =
6,840 cells: through the template engine (a `{% for %}` iteration and five variable lookups per
cell) that was most of the page time (bench/README.md). The markup is the one of
`templates/bilans/_tableau_donnees.html`; every text is escaped here.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cpro.maitrise import rendu


def virgule(nombre: float, decimales: int = 2) -> str:
    """1.5 → "1,50" (decimal comma)."""
    return f"{nombre:.{decimales}f}".replace(".", ",")


def html_cel(cel) -> str:
    """The coloured cell of one résultat (nature code + symbol; tooltip: date, évaluation,
    teachers, level). Same column and level → same markup: built once per column and level."""
    cache = cel.colonne.__dict__.setdefault("_html_cellules", {})
    html = cache.get(cel.niveau)
    if html is None:
        html = cache[cel.niveau] = (
            f'<span class="tb-cel {cel.classes}" tabindex="0" title="{escape(cel.infobulle)}">'
            f'<span class="tb-nat">{escape(cel.colonne.code_nature)}</span> '
            f'<span class="tb-sym" aria-hidden="true">{cel.rendu.symbole}</span></span>'
        )
    return html


def html_ligne_complete(ligne) -> SafeString:
    """The `<td>`s of one criterion in the full view: one per column, empty when no résultat."""
    return mark_safe(  # noqa: S308 (values escaped)
        "".join(f"<td>{html_cel(cel)}</td>" if cel else "<td></td>" for cel in ligne.cellules)
    )


def html_ligne_compacte(ligne) -> SafeString:
    """The compact view's cell of one criterion: its résultats side by side."""
    resultats = ligne.resultats
    if not resultats:
        return mark_safe('<span class="vide">Pas encore évalué</span>')  # noqa: S308 (values escaped)
    items = "".join(f"<li>{html_cel(cel)}</li>" for cel in resultats)
    return mark_safe(f'<ul class="tb-liste">{items}</ul>')  # noqa: S308 (values escaped)


def html_positions(positions) -> SafeString:
    """The `<td>`s of one learner in the vue classes: per competence the level (colour and
    symbol), "suggéré" or the ✓ of the validated bilan."""
    parts = []
    for p in positions:
        r = p.rendu
        niveau = f'<span class="lvl {r.css}" title="{escape(r.libelle)}">{r.symbole}</span>'
        if p.suggere:
            mention = '<span class="vc-mention">suggéré</span>'
            parts.append(f'<td class="vc-case vc-suggere">{niveau} {mention}</td>')
        elif p.date:
            date = f"{p.date:%d/%m/%Y}"
            parts.append(
                f'<td class="vc-case">{niveau} <span class="vc-valide" title="Bilan validé du '
                f'{date}"><span aria-hidden="true">✓</span><span class="visuellement-cache">'
                f"bilan validé du {date}</span></span></td>"
            )
        else:
            parts.append(f'<td class="vc-case">{niveau}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (values escaped)


def html_entetes(colonnes) -> SafeString:
    """The header cells of the full view: one per évaluation (nature, tooltip)."""
    return mark_safe(  # noqa: S308 (values escaped)
        "".join(
            f'<th scope="col" class="tb-col{" tb-col-e" if col.entreprise else ""}" '
            f'title="{escape(col.infobulle)}"><abbr title="{escape(col.libelle_nature)}">'
            f"{escape(col.code_nature)}</abbr></th>"
            for col in colonnes
        )
    )


def html_pourquoi(lignes: list[dict]) -> SafeString:
    """The rows of the "Pourquoi ce niveau ?" table (BlocCompetence.pourquoi)."""
    parts = []
    for o in lignes:
        r = rendu(o["niveau"])
        parts.append(
            f"<tr><td>{o['date']:%d/%m/%Y}</td><td>{escape(o['titre'])}</td>"
            f'<td>{escape(o["critere"])}</td><td><abbr title="{escape(o["libelle_nature"])}">'
            f'{escape(o["nature"])}</abbr></td><td><span class="lvl {r.css}" '
            f'title="{escape(r.libelle)}">{r.symbole}</span></td>'
            f'<td class="tb-poids">{escape(o["poids"])}</td></tr>'
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
