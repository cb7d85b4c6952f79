"""The one scale of mastery (DESIGN.md), used by every positioning in the product:
évaluation résultats, bilan entreprise, bilan intermédiaire, attestation, LSL.

Codes, symbols and labels live here; the colours live in one custom-properties file,
static/cpro/css/maitrise.css, used by the screens and the PDFs alike (tests/cpro/test_maitrise.py
checks that both name the same levels). Legends are rendered by `{% legende_maitrise %}`."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Maitrise(models.TextChoices):
    NE = "NE", _("Non évalué")
    N1 = "1", _("Non acquis")
    N2 = "2", _("En cours d'acquisition")
    N3 = "3", _("Partiellement acquis")
    N4 = "4", _("Acquis et transférable")


@dataclass(frozen=True)
class Rendu:
    code: str  # NE, 1..4
    symbole: str  # bilan symbol: NE, −−, −, +, ++
    css: str  # colour class: lvl-ne (blue), lvl-1 (red) … lvl-4 (dark green)
    libelle: str
    lsl: str  # level in the LSL livret
    court: str  # label in a legend: "non acquis"
    libelle_lsl: str  # the national livret's wording: "non maîtrisée"


RENDUS = {
    Maitrise.NE: Rendu("NE", "NE", "lvl-ne", "Non évalué", "NE", "non évalué", "non évaluée"),
    Maitrise.N1: Rendu(
        "1", "−−", "lvl-1", "Non acquis / non maîtrisé", "1", "non acquis", "non maîtrisée"
    ),
    Maitrise.N2: Rendu(
        "2",
        "−",
        "lvl-2",
        "En cours d'acquisition / insuffisamment maîtrisé",
        "2",
        "en cours d'acquisition",
        "insuffisamment maîtrisée",
    ),
    Maitrise.N3: Rendu(
        "3",
        "+",
        "lvl-3",
        "Partiellement acquis / maîtrisé",
        "3",
        "partiellement acquis",
        "maîtrisée",
    ),
    Maitrise.N4: Rendu(
        "4",
        "++",
        "lvl-4",
        "Acquis et transférable / bien maîtrisé",
        "4",
        "acquis et transférable",
        "bien maîtrisée",
    ),
}


def rendu(value) -> Rendu:
    """The rendering of a level; anything empty or unknown renders as NE."""
    try:
        return RENDUS[Maitrise(str(value))]
    except ValueError:
        return RENDUS[Maitrise.NE]


# The order of the national livret: 1 to 4, then NE.
ORDRE_LSL = (Maitrise.N1, Maitrise.N2, Maitrise.N3, Maitrise.N4, Maitrise.NE)

# The choices of a level in a form or a grid cell: "NE", "1 −−" … "4 ++" (code and symbol).
OPTIONS_NIVEAU = [
    (r.code, r.code if r.code == r.symbole else f"{r.code} {r.symbole}") for r in RENDUS.values()
]
