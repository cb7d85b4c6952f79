"""French agreement in templates (declared as builtins in settings, like cpro_tags).

Django's `pluralize` follows the English rule (0 → plural: "0 validées"); French keeps the
singular below two ("0 validée", "1 validée", "2 validées"). Names take "d'" before a vowel
sound: "le bilan d'ANDRÉ Léa", "le bilan de BERNARD Tom".

    {{ n }} fiche{{ n|pluriel }}              → 0 fiche, 1 fiche, 2 fiches
    {{ n|pluriel:"a,ont" }}                   → a / ont
    {{ n|accord:"validée" }}                  → 0 validée, 2 validées
    {{ n|accord:"à revoir,à revoir" }}        → 2 à revoir (invariable)
    Bilan {{ apprenant|de }}                  → Bilan d'ANDRÉ Léa / Bilan de BERNARD Tom
    {{ apprenant|genre:"inscrit,inscrite" }}  → inscrit / inscrite / inscrit(e) (sex unknown)
    {{ apprenant|statut_accorde }}            → apprenti / apprentie / apprenti(e) / scolaire
"""

import unicodedata

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from cpro.models import accorder_genre

register = template.Library()


def _nombre(valeur) -> float | None:
    """A count from a number, a numeric string or a sized collection (as `pluralize` does)."""
    if isinstance(valeur, int | float):
        return valeur
    if isinstance(valeur, str):
        try:
            return float(valeur.replace(",", "."))
        except ValueError:
            return None
    try:
        return len(valeur)
    except TypeError:
        return None


def est_pluriel(valeur) -> bool:
    """French rule: plural from two on (|n| ≥ 2); 0, 1 and 1,5 are singular."""
    n = _nombre(valeur)
    return n is not None and abs(n) >= 2


def _formes(arg: str) -> tuple[str, str]:
    if "," in arg:
        singulier, pluriel = arg.split(",", 1)
        return singulier, pluriel
    return "", arg


@register.filter(is_safe=False)
def pluriel(valeur, arg="s"):
    """The plural suffix of French: "" below two, "s" (or the given suffix) from two on;
    "singulier,pluriel" picks between two words. Unknown values give the singular."""
    singulier, pluriel_ = _formes(arg)
    return pluriel_ if est_pluriel(valeur) else singulier


def _pluriel_de(mot: str) -> str:
    if mot.endswith(("s", "x", "z")):
        return mot
    return f"{mot}s"


@register.filter(is_safe=False)
def accord(valeur, mot):
    """The count followed by the word agreed with it: `{{ 2|accord:"validée" }}` → "2 validées".
    The plural adds "s" (nothing after s, x or z); "singulier,pluriel" gives both forms."""
    if "," in mot:
        singulier, pluriel_ = mot.split(",", 1)
    else:
        singulier, pluriel_ = mot, _pluriel_de(mot)
    n = _nombre(valeur)
    affiche = valeur if not isinstance(valeur, list | tuple | set | dict) else n
    return f"{affiche} {pluriel_ if est_pluriel(valeur) else singulier}"


_VOYELLES = set("aeiou")


def _sans_accent(lettre: str) -> str:
    return unicodedata.normalize("NFD", lettre)[0].lower()


def elide(suivant: str) -> bool:
    """Whether "de" becomes "d'" before this word: a vowel, a y followed by a consonant
    (d'Yves), not a y followed by a vowel (de Yann). Not before h: a name's h may be aspirated
    (de Hamel) or mute (d'Hugo) and nothing in a name tells which: "de" is kept there."""
    mot = suivant.lstrip()
    if not mot:
        return False
    premiere = _sans_accent(mot[0])
    if premiere in _VOYELLES:
        return True
    if premiere == "y":
        return len(mot) > 1 and _sans_accent(mot[1]) not in _VOYELLES | {"y"}
    return False


def de_texte(valeur) -> str:
    """Plain text for Python messages: `f"Le livret {de_texte(apprenant)} est enregistré."`."""
    texte = str(valeur)
    return f"d'{texte}" if elide(texte) else f"de {texte}"


@register.filter(needs_autoescape=True)
def de(valeur, autoescape=True):
    """The name after "de", elided before a vowel sound: "d'ANDRÉ Léa", "de BERNARD Tom"."""
    texte = str(valeur)
    echappe = conditional_escape(texte) if autoescape else texte
    prefixe = "d'" if elide(texte) else "de "
    return mark_safe(f"{prefixe}{echappe}")  # noqa: S308 (the name is escaped above)


def _sexe(valeur) -> str:
    """The sex code of a learner, a membership with a learner, or the code itself."""
    if isinstance(valeur, str):
        return valeur
    sexe = getattr(valeur, "sexe", None)
    if sexe is None:
        sexe = getattr(getattr(valeur, "apprenant", None), "sexe", None)
    return sexe or ""


@register.filter(is_safe=False)
def genre(valeur, arg):
    """The word agreed with the learner's sex: `{{ apprenant|genre:"inscrit,inscrite" }}`
    gives "inscrit", "inscrite", or "inscrit(e)" when the sex is unknown."""
    masculin, _sep, feminin = arg.partition(",")
    return accorder_genre(_sexe(valeur), masculin, feminin or masculin)


@register.filter(is_safe=False)
def statut_accorde(apprenant):
    """The learner's status in words, agreed: apprenti / apprentie / apprenti(e) / scolaire."""
    libelle = getattr(apprenant, "libelle_statut", None)
    return libelle if libelle is not None else ""
