"""HTML of the scénarios list's rows, built in Python from the values `page_liste` read.

Each row carries its « Actions » menu (export ODT / DOCX / .scpro, move up / down, file in a
folder, duplicate, edit, share, delete): seven forms. Through the template engine (an include
per row and one per export group) 150 scénarios took 270 ms on a loaded machine, ~14 times
the trivial page, the most expensive page of the load test (bench/CHARGE.md). Same HTML as
the templates it replaced (tests/scenarios/test_rendu_liste.py renders both); every value is
escaped here. One CSRF token for the page, as `{% csrf_token %}` gives within one rendering.
"""

from dataclasses import dataclass
from html import escape  # = django.utils.html.escape on str, without its lazy wrapper

from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe

from cpro import perms
from cpro.urls_tools import gabarit_url

_GLISSER = ' draggable="true"'
_POIGNEE = '<span class="sc-poignee" aria-hidden="true" title="Glisser pour déplacer">⠿</span>'
_PRIVE = ' <span class="badge sc-prive">Privé</span>'
_FORMATS = (
    ("odt", "Ouvrir au format ODT pour impression", "ODT"),
    ("docx", "Ouvrir au format DOCX pour impression", "DOCX"),
    ("scpro", "Exporter pour l'importer dans le Cpro d'un autre établissement", ".scpro"),
)


@dataclass(frozen=True)
class ContexteListe:
    """What every row of the page shares: rights, the CSRF field, the link templates."""

    peut_creer: bool
    peut_evaluer: bool
    user_pk: int
    csrf: str  # the hidden input
    urls: dict[str, str]  # `str.format` templates of the links, field {pk}


def contexte(request) -> ContexteListe:
    noms = {
        "voir": ("scenarios:voir", "pk"),
        "creer_grille": ("evaluations:creer", "scenario"),
        "exporter": ("scenarios:exporter", "pk"),
        "deplacer": ("scenarios:deplacer", "pk"),
        "classer": ("scenarios:classer", "pk"),
        "dupliquer": ("scenarios:dupliquer", "pk"),
        "modifier": ("scenarios:modifier", "pk"),
        "confidentialite": ("scenarios:confidentialite", "pk"),
        "supprimer": ("scenarios:supprimer", "pk"),
    }
    return ContexteListe(
        peut_creer=perms.CREER_SCENARIOS in request.cpro_perms,
        peut_evaluer=perms.SAISIR_EVALUATIONS in request.cpro_perms,
        user_pk=request.user.pk,
        csrf=(
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        ),
        urls={
            cle: gabarit_url(request, nom, [arg]).replace("{" + arg + "}", "{pk}")
            for cle, (nom, arg) in noms.items()
        },
    )


def _url(ctx: ContexteListe, cle: str, pk: int) -> str:
    return ctx.urls[cle].format(pk=pk)


def _export(ctx: ContexteListe, pk: int, titre: str) -> str:
    """scenarios/_export_boutons.html, compact (a list row)."""
    action = _url(ctx, "exporter", pk)
    formulaires = "".join(
        f'\n  <form method="post" action="{action}" class="inline">{ctx.csrf}'
        f'<input type="hidden" name="format" value="{fmt}">'
        f'<button type="submit" class="bouton secondaire petit" title="{aide}">{libelle}'
        f'<span class="visuellement-cache"> « {titre} »</span></button></form>'
        for fmt, aide, libelle in _FORMATS
    )
    return (
        '\n<div class="sc-en-ligne export-scenario" role="group" '
        f'aria-label="Exporter le scénario « {titre} »">{formulaires}\n</div>\n'
    )


def _organiser(ctx: ContexteListe, s, titre: str, dossiers) -> str:
    pk = s.pk
    classer = ""
    if dossiers:
        options = "".join(
            f'<option value="{g.dossier.pk}"'
            f"{' selected' if g.dossier.pk == s.dossier_id else ''}>{escape(g.dossier.nom)}"
            "</option>"
            for g in dossiers
        )
        classer = (
            "\n"
            f'        <form method="post" action="{_url(ctx, "classer", pk)}" '
            f'class="sc-en-ligne sc-classer">{ctx.csrf}\n'
            f'          <label for="classer-{pk}">Classer dans</label>\n'
            f'          <select name="dossier" id="classer-{pk}">\n'
            '            <option value="">Hors dossier</option>\n'
            f"            {options}\n"
            "          </select>\n"
            '          <button type="submit" class="bouton secondaire petit">Classer'
            f'<span class="visuellement-cache"> « {titre} »</span></button>\n'
            "        </form>\n"
            "        "
        )
    return (
        "\n"
        '        <p class="sc-actions-groupe">Organiser</p>\n'
        f'        <form method="post" action="{_url(ctx, "deplacer", pk)}" '
        f'class="sc-en-ligne">{ctx.csrf}\n'
        '          <button type="submit" name="sens" value="haut" '
        'class="bouton secondaire petit">↑ Monter'
        f'<span class="visuellement-cache"> « {titre} »</span></button>\n'
        '          <button type="submit" name="sens" value="bas" '
        'class="bouton secondaire petit">↓ Descendre'
        f'<span class="visuellement-cache"> « {titre} »</span></button>\n'
        "        </form>\n"
        f"        {classer}\n"
        f'        <form method="post" action="{_url(ctx, "dupliquer", pk)}" '
        f'class="sc-en-ligne">{ctx.csrf}<button type="submit" class="bouton secondaire petit">'
        f'Dupliquer<span class="visuellement-cache"> « {titre} »</span></button></form>\n'
        "        "
    )


def _auteur(ctx: ContexteListe, s, titre: str) -> str:
    pk = s.pk
    if s.prive:
        bascule = (
            '<input type="hidden" name="prive" value="0"><button type="submit" '
            'class="bouton secondaire petit">Partager'
            f'<span class="visuellement-cache"> « {titre} »</span></button>\n'
            "            "
        )
    else:
        bascule = (
            '<input type="hidden" name="prive" value="1"><button type="submit" '
            'class="bouton secondaire petit">Rendre privé'
            f'<span class="visuellement-cache"> « {titre} »</span></button>'
        )
    return (
        "\n"
        '        <p class="sc-actions-groupe">Auteur</p>\n'
        '        <div class="sc-en-ligne">\n'
        f'          <a class="bouton secondaire petit" href="{_url(ctx, "modifier", pk)}">'
        f'Éditer<span class="visuellement-cache"> « {titre} »</span></a>\n'
        f'          <form method="post" action="{_url(ctx, "confidentialite", pk)}" '
        f'class="sc-en-ligne">{ctx.csrf}\n'
        f"            {bascule}\n"
        "          </form>\n"
        f'          <a class="bouton danger petit" href="{_url(ctx, "supprimer", pk)}">'
        f'Supprimer<span class="visuellement-cache"> « {titre} »</span></a>\n'
        "        </div>\n"
        "        "
    )


def html_scenario(ctx: ContexteListe, s, dossiers) -> str:
    """One scénario's `<li>` (scenarios/_scenario.html as it was): title, author, resources,
    Ouvrir, Créer une grille, and the « Actions » menu; `dossiers` are the section's folders
    offered by « Classer dans »."""
    pk, titre = s.pk, escape(s.titre)
    voir = _url(ctx, "voir", pk)
    if s.auteur:
        auteur = f"{escape(s.auteur.first_name)} {escape(s.auteur.last_name)}"
    else:
        auteur = "auteur inconnu"
    if s.nb_ressources:
        auteur += f" · {s.nb_ressources} ressource{'s' if s.nb_ressources >= 2 else ''}"
    creer = ""
    if ctx.peut_evaluer:
        creer = (
            f'<a class="bouton petit" href="{_url(ctx, "creer_grille", pk)}">'
            "Créer une grille de positionnement"
            f'<span class="visuellement-cache"> à partir de « {titre} »</span></a>'
        )
    return (
        "\n"
        f'<li class="sc-item" id="scenario-{pk}" data-id="{pk}" tabindex="-1"'
        f"{_GLISSER if ctx.peut_creer else ''}>\n"
        '  <div class="sc-item-titre">\n'
        f"    {_POIGNEE if ctx.peut_creer else ''}\n"
        f'    <a href="{voir}">{titre}</a>{_PRIVE if s.prive else ""}\n'
        f'    <span class="discret sc-auteur">— {auteur}</span>\n'
        "  </div>\n"
        '  <div class="sc-item-actions">\n'
        f'    <a class="bouton secondaire petit" href="{voir}">Ouvrir'
        f'<span class="visuellement-cache"> « {titre} »</span></a>\n'
        f"    {creer}\n"
        '    <details class="sc-actions">\n'
        '      <summary class="bouton secondaire petit">Actions'
        f'<span class="visuellement-cache"> pour « {titre} »</span> '
        '<span aria-hidden="true">▾</span></summary>\n'
        '      <div class="sc-actions-panneau">\n'
        '        <p class="sc-actions-groupe">Exporter</p>\n'
        f"        {_export(ctx, pk, titre)}\n"
        f"        {_organiser(ctx, s, titre, dossiers) if ctx.peut_creer else ''}\n"
        f"        {_auteur(ctx, s, titre) if s.auteur_id == ctx.user_pk else ''}\n"
        "      </div>\n"
        "    </details>\n"
        "  </div>\n"
        "</li>\n"
    )


def preparer(request, sections) -> None:
    """Sets `html` on every scénario of the sections (in folders or not)."""
    ctx = contexte(request)
    for section in sections:
        conteneurs = [g.scenarios for g in section.dossiers] + [section.scenarios]
        for scenarios in conteneurs:
            for s in scenarios:
                s.html = mark_safe(  # noqa: S308 — every value is escaped above
                    html_scenario(ctx, s, section.dossiers)
                )
