"""HTML of the grid cells, built in Python.

A 35 × 20 grid has 700 cells, each a `<select>` of six options: rendered through the template
engine (an include per cell, ~80 variable lookups each) that was 85 % of the page time
(bench/README.md). The markup is the one the grid's JS (`static/cpro/js/grille.js`) and the
tests expect; every value is escaped here.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cpro.maitrise import OPTIONS_NIVEAU
from evaluations.queries_grille import Cellule

# The <option> list for each current level ("" = empty), built once.
_OPTIONS = {
    courant: '<option value=""{}>·</option>'.format(" selected" if not courant else "")
    + "".join(
        f'\n<option value="{v}"{" selected" if v == courant else ""}>{libelle}</option>'
        for v, libelle in OPTIONS_NIVEAU
    )
    for courant in ["", *(v for v, _ in OPTIONS_NIVEAU)]
}


def html_cellule(
    cel: Cellule, *, editable: bool, nom: str | None = None, etat: str = "", message: str = ""
) -> SafeString:
    """One `<td>` of the grid. `nom`: the learner's escaped display name (computed once per
    row by `html_cellules`)."""
    a, c = cel.apprenant_id, cel.critere_id
    r = cel.rendu
    classes = f"cellule {r.css}" if r else "cellule cellule-vide"
    if etat == "erreur":
        classes += " cellule-erreur"
    debut = f'<td class="{classes}" id="cel-{a}-{c}" data-apprenant="{a}" data-critere="{c}">\n'
    if editable:
        if nom is None:
            nom = escape(str(cel.apprenant.membership.user))
        niveau = cel.niveau or ""
        corps = (
            f'<select id="s-{a}-{c}" name="c-{a}-{c}" class="saisie" '
            f'aria-label="{nom} – {escape(cel.critere.code)}">\n'
            f"{_OPTIONS.get(niveau, _OPTIONS[''])}\n</select>"
            f'<input type="hidden" name="o-{a}-{c}" value="{escape(niveau)}">'
        )
        if etat == "ok":
            corps += '<span class="etat etat-ok" role="status">enregistré</span>'
        elif etat == "erreur":
            corps += f'<span class="etat etat-erreur" role="alert">{escape(message)}</span>'
    elif r:
        corps = f'<span class="lvl {r.css}" title="{escape(r.libelle)}">{r.symbole}</span>'
    else:
        corps = '<span class="visuellement-cache">non renseigné</span>'
    return mark_safe(f"{debut}{corps}\n</td>")  # noqa: S308 (values escaped)


def html_cellules(cellules: list[Cellule], *, editable: bool) -> SafeString:
    """The cells of one row (same learner)."""
    if not cellules:
        return mark_safe("")  # noqa: S308 (values escaped)
    nom = escape(str(cellules[0].apprenant.membership.user)) if editable else None
    return mark_safe("".join(html_cellule(cel, editable=editable, nom=nom) for cel in cellules))  # noqa: S308 (values escaped)


def preparer(grille, *, editable: bool):
    """Sets `ligne.html` on every row of `grille` (queries_grille.Grille); returns it."""
    for ligne in grille.lignes:
        ligne.html = html_cellules(ligne.cellules, editable=editable)
    return grille
