"""Template helpers available in every template (declared as builtins in settings)."""

from django import template
from django.utils.html import format_html

from cpro.maitrise import rendu
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


@register.filter
def date_fr(value):
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""
