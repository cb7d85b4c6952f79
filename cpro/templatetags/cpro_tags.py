"""Template helpers available in every template (declared as builtins in settings)."""

from django import template
from django.utils.html import format_html

from cpro.urls_tools import etab_reverse

register = template.Library()

NIVEAUX_MAITRISE = {
    # level: (symbol, css class, label) — DESIGN.md "One scale of mastery"
    "NE": ("NE", "lvl-ne", "Non évalué"),
    "1": ("−−", "lvl-1", "Non acquis"),
    "2": ("−", "lvl-2", "En cours d'acquisition"),
    "3": ("+", "lvl-3", "Partiellement acquis"),
    "4": ("++", "lvl-4", "Acquis et transférable"),
}


@register.simple_tag(takes_context=True)
def eurl(context, name, **kwargs):
    """{% eurl "referentiels:navigateur" pk=1 %} → URL under the current establishment."""
    return etab_reverse(context["request"], name, **kwargs)


@register.simple_tag
def niveau(value):
    """A mastery level as a cell: colour and symbol together, never colour alone."""
    key = "NE" if value in (None, "", "NE") else str(value)
    symbol, css, label = NIVEAUX_MAITRISE.get(key, NIVEAUX_MAITRISE["NE"])
    return format_html('<span class="lvl {}" title="{}">{}</span>', css, label, symbol)


@register.filter
def date_fr(value):
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""
