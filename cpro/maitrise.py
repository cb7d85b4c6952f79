"""The one scale of mastery (DESIGN.md), used by every positioning in the product:
évaluation résultats, bilan entreprise, bilan intermédiaire, attestation, LSL."""

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


RENDUS = {
    Maitrise.NE: Rendu("NE", "NE", "lvl-ne", "Non évalué", "NE"),
    Maitrise.N1: Rendu("1", "−−", "lvl-1", "Non acquis / non maîtrisé", "1"),
    Maitrise.N2: Rendu("2", "−", "lvl-2", "En cours d'acquisition / insuffisamment maîtrisé", "2"),
    Maitrise.N3: Rendu("3", "+", "lvl-3", "Partiellement acquis / maîtrisé", "3"),
    Maitrise.N4: Rendu("4", "++", "lvl-4", "Acquis et transférable / bien maîtrisé", "4"),
}


def rendu(value) -> Rendu:
    """The rendering of a level; anything empty or unknown renders as NE."""
    try:
        return RENDUS[Maitrise(str(value))]
    except ValueError:
        return RENDUS[Maitrise.NE]


# The choices of a level in a form or a grid cell: "NE", "1 −−" … "4 ++" (code and symbol).
OPTIONS_NIVEAU = [
    (r.code, r.code if r.code == r.symbole else f"{r.code} {r.symbole}") for r in RENDUS.values()
]
