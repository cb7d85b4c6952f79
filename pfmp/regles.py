"""Object rules of the PFMP permissions on an affectation (registered in cpro.perms, asked
with `peut`). An affectation has no establishment of its own: it is its période's.

- SUIVRE_PORTFOLIOS: a teacher (enseignant, DDFPT) of the affectation's establishment;
- PORTFOLIOS_TUTEUR: the tutor assigned on the affectation (the tutor's membership).
"""

from cpro import perms
from cpro.models import Membership
from pfmp.models import Affectation


def etablissement_id(affectation: Affectation) -> int:
    return affectation.periode.etablissement_id


@perms.regle(perms.SUIVRE_PORTFOLIOS)
def suivre(membership: Membership, affectation: Affectation) -> bool:
    return membership.etablissement_id == etablissement_id(affectation)


@perms.regle(perms.PORTFOLIOS_TUTEUR)
def tuteur(membership: Membership, affectation: Affectation) -> bool:
    return affectation.tuteur_id == membership.pk
