"""Test data of the livrets: an apprentice on PFMP périodes (pfmp's portfolio factories), with
a maître d'apprentissage and a référent."""

import datetime

from django.utils import timezone

from cpro.models import AnneeScolaire
from tests.pfmp import portfolio_factories as pf


def affectation(side, *, debut=None, jours: int = 18, tuteur="tuteur", apprenant=None, **kwargs):
    """An affectation of `side`'s apprentice (or `apprenant`) on a new période of the current
    school year (by default ended 30 days ago), with `side`'s tutor as maître
    d'apprentissage and its first teacher as référent."""
    aujourd_hui = timezone.localdate()
    debut = debut or aujourd_hui - datetime.timedelta(days=30 + jours)
    periode = pf.periode(
        side,
        annee=AnneeScolaire.courante(debut),
        date_debut=debut,
        date_fin=debut + datetime.timedelta(days=jours),
        titre=kwargs.pop("titre", None) or f"Période du {debut:%d/%m/%Y}",
    )
    return pf.affectation(
        periode,
        apprenant or side.apprenti.apprenant,
        tuteur=side.membership(tuteur) if isinstance(tuteur, str) else tuteur,
        referent=side.enseignant.user,
        entreprise=pf.entreprise(side),
        **kwargs,
    )


def de_persona(p):
    """A's apprentice on a période of A (cached on the personas object: one per test)."""
    if not hasattr(p, "_livret_affectation"):
        p._livret_affectation = affectation(p.a)
    return p._livret_affectation
