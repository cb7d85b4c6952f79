"""Template helpers available in every template (declared as builtins in settings)."""

from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from cpro.maitrise import ORDRE_LSL, RENDUS, rendu
from cpro.urls_tools import etab_reverse, gabarit_url

register = template.Library()


@register.simple_tag(takes_context=True)
def eurl(context, name, **kwargs):
    """{% eurl "referentiels:navigateur" pk=1 %} → URL under the current establishment.

    With integer arguments only (ids), the URL is reversed once per request and name, then
    formatted: a list of hundreds of rows with several links each would otherwise spend most of
    its time in `reverse`."""
    request = context["request"]
    if kwargs and all(type(v) is int for v in kwargs.values()):
        gabarits = request.__dict__.setdefault("_cpro_gabarits_url", {})
        cle = (name, *sorted(kwargs))
        gabarit = gabarits.get(cle)
        if gabarit is None:
            gabarit = gabarits[cle] = gabarit_url(request, name, sorted(kwargs))
        return gabarit.format(**kwargs)
    return etab_reverse(request, name, **kwargs)


@register.simple_tag
def niveau(value, code=None):
    """A mastery level as a cell: colour and symbol together, never colour alone.
    `code` replaces the symbol (e.g. the évaluation's nature Int / C / E in dashboards)."""
    r = rendu(value)
    return format_html(
        '<span class="lvl {}" title="{}">{}</span>', r.css, r.libelle, code or r.symbole
    )


@register.simple_tag
def legende_maitrise(intitule=None, lsl=False):
    """The legend of the mastery scale, the same wherever a level is shown:
    "Niveaux : [NE] non évalué · [−−] 1 non acquis · … · [++] 4 acquis et transférable".
    `lsl=True`: the livret's order and wording ("Degré de maîtrise : [1] non maîtrisées · …").
    `intitule` replaces the heading ("" for none). The caller's <p> holds its class and any
    sentence that follows."""
    if lsl:
        # The livret's legend speaks of the competences: « 1 non maîtrisées ».
        niveaux = [(r.code, r.lsl, f"{r.libelle_lsl}s") for r in (RENDUS[m] for m in ORDRE_LSL)]
        defaut = "Degré de maîtrise :"
    else:
        niveaux = [
            (r.code, r.symbole, r.court if r.code == r.symbole else f"{r.code} {r.court}")
            for r in RENDUS.values()
        ]
        defaut = "Niveaux :"
    intitule = defaut if intitule is None else intitule
    items = format_html_join(
        " · ", "{} {}", ((niveau(code, affiche), texte) for code, affiche, texte in niveaux)
    )
    return format_html("{} {}", intitule, items) if intitule else items


@cache
def _maitrise_css() -> str:
    with open(finders.find("cpro/css/maitrise.css"), encoding="utf-8") as f:
        return f.read()


@register.simple_tag
def maitrise_css():
    """The scale's custom properties and colour rules (static/cpro/css/maitrise.css), inlined
    in the stylesheets of the PDFs, which WeasyPrint renders without a static files server."""
    return mark_safe(_maitrise_css())  # noqa: S308 (a file of the repository, not user data)


@register.filter
def date_fr(value):
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""
