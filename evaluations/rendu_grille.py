"""HTML of the grid's rows (learner, cells, comment), built in Python from plain values.

A 35 × 20 grid has 700 cells: rendered through the template engine (an include per cell) that
was 85 % of the page time (bench/README.md), and as 700 `<select>`s of six options each it was
6,800 elements for the browser to build (now ~1,950). A cell is now one `<button>` (its
accessible name says learner, criterion and level) and `static/cpro/js/grille.js` opens one
shared menu of levels for the whole grid. The "Saisie sans JavaScript" page (`?formulaire=1`)
still renders a `<select>` per cell, posted with the cell's original value (`o-…`) for
conflict detection. Every value is escaped here.
"""

from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cpro.maitrise import OPTIONS_NIVEAU, RENDUS

# What the cell's button shows: "NE", "1 −−" … "4 ++" (as the select's options), "·" if empty.
_AFFICHAGE = {"": "·", **dict(OPTIONS_NIVEAU)}
# The level in the accessible name: "… : partiellement acquis".
_NOM_NIVEAU = {"": "non renseigné", **{r.code: r.court for r in RENDUS.values()}}
# The <option> list for each current level ("" = empty), built once.
_OPTIONS = {
    courant: '<option value=""{}>·</option>'.format(" selected" if not courant else "")
    + "".join(
        f'\n<option value="{v}"{" selected" if v == courant else ""}>{libelle}</option>'
        for v, libelle in OPTIONS_NIVEAU
    )
    for courant in ["", *(v for v, _ in OPTIONS_NIVEAU)]
}
_CSS = {r.code: r.css for r in RENDUS.values()}
_CLASSES = {"": "cellule cellule-vide", **{code: f"cellule {css}" for code, css in _CSS.items()}}
_VALEURS = {"": "", **{code: f' value="{code}"' for code in _CSS}}
_LECTURE = {
    r.code: f'<span class="lvl {r.css}" title="{escape(r.libelle)}">{r.symbole}</span>'
    for r in RENDUS.values()
}

# The levels of the shared menu (evaluations/_grille_menu.html): code, shown label, name;
# last, clearing the cell.
CHOIX_MENU = [
    *((code, _AFFICHAGE[code], _NOM_NIVEAU[code].capitalize()) for code, _ in OPTIONS_NIVEAU),
    ("", _AFFICHAGE[""], "Vider la case"),
]


def html_case(
    apprenant_id: int,
    critere_id: int,
    niveau: str,
    *,
    editable: bool,
    nom: str = "",
    code: str = "",
    etat: str = "",
    message: str = "",
    formulaire: bool = False,
) -> str:
    """One `<td>` of the grid from plain values. `nom` and `code`: the learner's display name
    and the criterion's code, already escaped (only used when editable). `formulaire`: the
    no-JS page's `<select>` instead of the button."""
    cle = f"{apprenant_id}-{critere_id}"
    niveau = niveau if niveau in _CSS else ""
    classes = f"cellule {_CSS[niveau]}" if niveau else "cellule cellule-vide"
    if etat == "erreur":
        classes += " cellule-erreur"
    if not editable:
        corps = _LECTURE.get(niveau) or '<span class="visuellement-cache">non renseigné</span>'
        return f'<td class="{classes}" id="cel-{cle}">{corps}</td>'
    if formulaire:
        corps = (
            f'<select id="s-{cle}" name="c-{cle}" class="saisie" aria-label="{nom} – {code}">\n'
            f"{_OPTIONS[niveau]}\n</select>"
            f'<input type="hidden" name="o-{cle}" value="{niveau}">'
        )
    else:
        # tabindex -1 everywhere: grille.js gives the one tab stop of the grid (roving).
        valeur = f' value="{niveau}"' if niveau else ""
        corps = (
            f'<button type="button" class="saisie" id="s-{cle}"{valeur} tabindex="-1" '
            f'aria-haspopup="listbox" aria-label="{nom} – {code} : {_NOM_NIVEAU[niveau]}">'
            f"{_AFFICHAGE[niveau]}</button>"
        )
    if etat == "ok":
        corps += '<span class="etat etat-ok" role="status">enregistré</span>'
    elif etat == "erreur":
        corps += f'<span class="etat etat-erreur" role="alert">{escape(message)}</span>'
    return f'<td class="{classes}" id="cel-{cle}">{corps}</td>'


def html_commentaire(apprenant_id: int, nom: str, commentaire: str, *, editable: bool) -> str:
    """The comment cell, as `evaluations/_cellule_commentaire.html` renders it without a save
    state (the commenter view still answers with that template; tests compare both). `nom`:
    escaped."""
    if editable:
        texte = escape(commentaire)
        corps = (
            f'<textarea id="m-{apprenant_id}" name="m-{apprenant_id}" maxlength="1000" rows="2" '
            f'data-apprenant="{apprenant_id}" aria-label="Commentaire pour {nom} '
            f'(1000 caractères au plus)">{texte}</textarea>'
            f'<input type="hidden" name="om-{apprenant_id}" value="{texte}">\n'
        )
    else:
        corps = linebreaksbr(commentaire, autoescape=True)
    return f'<td class="commentaire" id="com-{apprenant_id}">\n{corps}\n</td>'


def html_ligne(ligne, criteres, niveaux, *, editable, formulaire, codes) -> str:
    """One `<tr>` of the grid: the learner, their cells, their comment."""
    a = ligne.apprenant_id
    nom = escape(ligne.nom)
    badge = f' <span class="badge apprenti">{escape(ligne.statut)}</span>' if ligne.statut else ""
    if editable and not formulaire:
        # The page's 700 buttons: `html_case` inlined (a third of the grid's Python time went
        # into its calls); tests/evaluations/test_rendu_grille.py checks both give the same.
        morceaux = []
        for c in criteres:
            n = niveaux.get((a, c.pk), "")
            if n not in _CSS:
                n = ""
            cle = f"{a}-{c.pk}"
            morceaux.append(
                f'<td class="{_CLASSES[n]}" id="cel-{cle}"><button type="button" class="saisie" '
                f'id="s-{cle}"{_VALEURS[n]} tabindex="-1" aria-haspopup="listbox" '
                f'aria-label="{nom} – {codes[c.pk]} : {_NOM_NIVEAU[n]}">{_AFFICHAGE[n]}'
                "</button></td>"
            )
        cases = "".join(morceaux)
    else:
        cases = "".join(
            html_case(
                a,
                c.pk,
                niveaux.get((a, c.pk), ""),
                editable=editable,
                nom=nom,
                code=codes.get(c.pk, ""),
                formulaire=formulaire,
            )
            for c in criteres
        )
    return (
        f'<tr class="ligne" id="ligne-{a}"><th scope="row" class="nom">{nom}{badge}</th>'
        f"{cases}{html_commentaire(a, nom, ligne.commentaire, editable=editable)}</tr>\n"
    )


def preparer(grille, *, editable: bool, formulaire: bool = False):
    """Sets on `grille` (queries_grille.Grille) `corps`, the markup of its rows, and for
    "Remplir une ligne ou une colonne" `options_apprenants` / `options_criteres`; returns
    it."""
    codes = {c.pk: escape(c.code) for c in grille.criteres}
    grille.corps = mark_safe(  # noqa: S308 (values escaped)
        "".join(
            html_ligne(
                ligne,
                grille.criteres,
                grille.niveaux,
                editable=editable,
                formulaire=formulaire,
                codes=codes,
            )
            for ligne in grille.lignes
        )
    )
    if editable:
        grille.options_apprenants = mark_safe(  # noqa: S308 (values escaped)
            "".join(
                f'<option value="{ligne.apprenant_id}">{escape(ligne.nom)}</option>'
                for ligne in grille.lignes
            )
        )
        grille.options_criteres = mark_safe(  # noqa: S308 (values escaped)
            "".join(
                f'<option value="{c.pk}">{codes[c.pk]} – {escape(_tronquer(c.intitule))}</option>'
                for c in grille.criteres
            )
        )
    return grille


def _tronquer(texte: str, longueur: int = 60) -> str:
    # As the template filter truncatechars:60 (which costs ~50 µs a call).
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"
