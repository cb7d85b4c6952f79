"""Is a CCF grid the national grid, or partly reconstructed? The one place that decides it.

A grid (referentiels.GrilleCCF) is "officielle" when nothing on it is reconstructed: the grid's
own provenance is not "low", none of its lines (`GrilleCCF.lignes`) is a reconstructed
criterion (confiance "low"), and its four level labels are attested (`niveaux_attestes`).
Otherwise the grid page shows a banner, the PDF carries « Grille non officielle — à vérifier »
on every page, reconstructed lines carry a marker, and the level labels are the neutral
« Niveau 1 … 4 » marked « à vérifier ».

Pure functions: no query (the caller passes the lines it already read).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from referentiels.models import Confiance

MENTION = "Grille non officielle — à vérifier"
NIVEAUX_NEUTRES = ["Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4"]
NB_NIVEAUX = 4


def ligne_reconstruite(critere) -> bool:
    """A line of the grid whose criterion was reconstructed (not found in an official or
    attested text)."""
    return critere.confiance == Confiance.BASSE


def libelles_niveaux(grille) -> list[str]:
    """The four column labels of the grid: the référentiel's when they are attested for this
    grid (completed with « Niveau n » if some are missing), else the neutral « Niveau 1 … 4 »
    (never a reconstructed label printed as official)."""
    if not grille.niveaux_attestes:
        return list(NIVEAUX_NEUTRES)
    libelles = [str(x) for x in (grille.niveaux or [])][:NB_NIVEAUX]
    return libelles + NIVEAUX_NEUTRES[len(libelles) :]


@dataclass(frozen=True)
class Officialite:
    officielle: bool
    raisons: tuple[str, ...]  # what is reconstructed, French sentences
    niveaux_a_verifier: bool
    nb_reconstruites: int

    @property
    def mention(self) -> str:
        return "" if self.officielle else MENTION

    @property
    def message(self) -> str:
        """The banner of the grid page (empty for an official grid)."""
        if self.officielle:
            return ""
        return _(
            "%(mention)s : %(raisons)s. Cette grille n'est pas la grille nationale de "
            "l'épreuve : le DDFPT doit importer la grille nationale (Référentiels) avant de "
            "l'utiliser en commission de certification."
        ) % {"mention": MENTION, "raisons": " ; ".join(self.raisons)}


def officialite(grille, lignes) -> Officialite:
    """Decide whether `grille` (a GrilleCCF) with its `lignes` (its Critere lines, already
    read) is the official grid, and say what is reconstructed."""
    lignes = list(lignes)
    reconstruites = [c for c in lignes if ligne_reconstruite(c)]
    raisons = []
    if reconstruites:
        raisons.append(
            ngettext(
                "%(n)d ligne sur %(total)d est reconstruite (critère non retrouvé dans un "
                "texte officiel)",
                "%(n)d lignes sur %(total)d sont reconstruites (critères non retrouvés dans un "
                "texte officiel)",
                len(reconstruites),
            )
            % {"n": len(reconstruites), "total": len(lignes)}
        )
    elif grille.confiance == Confiance.BASSE:
        raisons.append(_("la structure de la grille est reconstruite"))
    if not grille.niveaux_attestes:
        raisons.append(
            _("les libellés des quatre niveaux ne sont pas attestés (affichés « Niveau 1 … 4 »)")
        )
    return Officialite(
        officielle=not raisons,
        raisons=tuple(raisons),
        niveaux_a_verifier=not grille.niveaux_attestes,
        nb_reconstruites=len(reconstruites),
    )
