"""HTML of the bilan form's competences, built in Python.

A bilan positions 15 to 50 competences: through the template engine each one cost a
`{% for %}` over six `<option>`s and a dozen variable lookups, and its « Pourquoi ? » table of
15 observations — most of the page time (bench/README.md). Here the `<option>` list is built
once per current level (as evaluations.rendu_grille does for the grid), and « Pourquoi ? » is
an empty `<details>` whose opening loads the table (`bilans:bilan_pourquoi`, HTMX; without
JavaScript a link to the same URL). Every text is escaped here.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bilans.forms_bilans import CHOIX_NIVEAUX
from cpro.maitrise import rendu
from evaluations.models import Nature

# The <option> list for each current level ("" or an unknown value: none selected).
_OPTIONS = {
    courant: "".join(
        f'<option value="{v}"{" selected" if v == courant else ""}>{escape(libelle)}</option>'
        for v, libelle in CHOIX_NIVEAUX
    )
    for courant in ["", *(v for v, _l in CHOIX_NIVEAUX)]
}


def html_niveau(niveau: str) -> str:
    """A mastery level: colour and symbol together (as the `niveau` template tag)."""
    r = rendu(niveau)
    return f'<span class="lvl {r.css}" title="{escape(r.libelle)}">{r.symbole}</span>'


def html_competence(ligne, *, courant: str, erreurs, url_pourquoi: str) -> SafeString:
    """One competence of the form: label, the level `<select>` (described by its suggestion
    and its errors), the suggestion, the errors, and « Pourquoi ? » loaded on demand.
    `ligne`: queries_bilans.LigneEdition; `courant`: the level to select (the posted value
    when the form is bound); `erreurs`: the field's error messages."""
    c = ligne.positionnement.competence
    ident = f"id_niveau_{c.pk}"
    decrit = f"suggestion-{ident}" + (f" erreurs-{ident}" if erreurs else "")
    invalide = ' aria-invalid="true"' if erreurs else ""
    bloc_erreurs = (
        f'<div class="erreurs" role="alert" id="erreurs-{ident}">'
        + "".join(f"<p>{escape(e)}</p>" for e in erreurs)
        + "</div>\n"
        if erreurs
        else ""
    )
    url = escape(url_pourquoi)
    return mark_safe(  # noqa: S308 (values escaped)
        f'<div class="bilan-competence">\n'
        f'<label for="{ident}"><span class="code">{escape(c.code)}</span> '
        f"{escape(c.intitule)}</label>\n"
        f'<select name="niveau_{c.pk}" id="{ident}" required aria-describedby="{decrit}"'
        f"{invalide}>{_OPTIONS.get(courant, _OPTIONS[''])}</select>\n"
        # The newline right after the span ends the suggestion (tests read it so).
        f'<span class="bilan-suggestion" id="suggestion-{ident}">Suggéré : '
        f"{html_niveau(ligne.suggestion)}</span>\n"
        f"{bloc_erreurs}"
        f'<details class="bilan-pourquoi" hx-get="{url}" hx-trigger="toggle once" '
        f'hx-target="find .bilan-pourquoi-contenu" hx-swap="innerHTML">'
        f"<summary>Pourquoi ?</summary>"
        f'<div class="bilan-pourquoi-contenu"><p><a href="{url}">Voir les observations</a> '
        f"de {escape(c.code)} prises en compte et la règle de calcul.</p></div>"
        f"</details>\n</div>"
    )


def html_evaluations(evaluations) -> SafeString:
    """The `<li>`s of the évaluations taken into account: (date, titre, nature, verrouillée)
    rows (queries_bilans.page_edition)."""
    codes = {n.value: escape(n.code) for n in Nature}
    verrou = ' <span class="badge verrou">Verrouillée</span>'
    return mark_safe(  # noqa: S308 (values escaped)
        "".join(
            f'<li>{date:%d/%m/%Y} – {escape(titre)} <span class="badge">'
            f"{codes.get(nature, escape(nature))}</span>{verrou if verrouillee else ''}</li>"
            for date, titre, nature, verrouillee in evaluations
        )
    )


def _erreurs(bf) -> tuple[str, str]:
    """(the error list as Django renders it, the id it adds to aria-describedby)."""
    if not bf.errors:
        return "", ""
    ident = f"{bf.auto_id}_error"
    items = "".join(f"<li>{escape(e)}</li>" for e in bf.errors)
    return f'<ul class="errorlist" id="{ident}">{items}</ul>\n', ident


def _valeur(bf) -> str:
    if bf.form.is_bound:
        return bf.form.data.get(bf.html_name, "")
    valeur = bf.initial
    if valeur is None:
        return ""
    return valeur.isoformat() if hasattr(valeur, "isoformat") else str(valeur)


def html_champ_saisie(bf, *, type_: str = "text", attrs: str = "") -> SafeString:
    """The `<div class="champ">` of a one-line field (the date, the note): label, help text,
    errors, input — Django's `as_field_group` markup, without its per-widget templates."""
    ident = bf.auto_id
    erreurs, id_erreurs = _erreurs(bf)
    decrit = " ".join(filter(None, [f"{ident}_helptext" if bf.help_text else "", id_erreurs]))
    aide = (
        f'<div class="helptext" id="{ident}_helptext">{escape(bf.help_text)}</div>\n'
        if bf.help_text
        else ""
    )
    requis = " required" if bf.field.required else ""
    decrit = f' aria-describedby="{decrit}"' if decrit else ""
    invalide = ' aria-invalid="true"' if id_erreurs else ""
    return mark_safe(  # noqa: S308 (values escaped)
        f'<div class="champ"><label for="{ident}">{escape(bf.label)} :</label>\n{aide}{erreurs}'
        f'<input type="{type_}" name="{bf.html_name}" value="{escape(_valeur(bf))}"{attrs}'
        f'{requis}{decrit}{invalide} id="{ident}"></div>'
    )


def html_champ_texte(bf, *, maximum: int) -> SafeString:
    """The `<div class="champ">` of the constats or conseils: label, textarea, the character
    counter (static/cpro/js/bilans.js), errors."""
    ident = bf.auto_id
    compteur = f"compteur-{bf.html_name}"
    valeur = _valeur(bf)
    erreurs = (
        '<div class="erreurs" role="alert">'
        + "".join(f"<p>{escape(e)}</p>" for e in bf.errors)
        + "</div>"
        if bf.errors
        else ""
    )
    return mark_safe(  # noqa: S308 (values escaped)
        f'<div class="champ">\n<label for="{ident}">{escape(bf.label)} :</label>\n'
        f'<textarea name="{bf.html_name}" cols="40" rows="6" maxlength="{maximum}" '
        f'data-compteur="{compteur}" data-max="{maximum}" id="{ident}">\n{escape(valeur)}'
        f'</textarea>\n<p class="discret compteur"><output id="{compteur}" for="{ident}">'
        f"{len(valeur)}</output> / {maximum} caractères</p>\n{erreurs}</div>"
    )
