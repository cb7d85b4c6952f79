"""Object rules of the bilan permissions (registered in cpro.perms, asked with `peut`).

- REDIGER_BILANS on a bilan or a learner, DEVERROUILLER_BILANS on a bilan: the object belongs
  to the membership's establishment (the default rule: no rule here);
- SUPPRIMER_BILANS on a draft: its author or the DDFPT (whether it is still a draft is the
  service's check, a message rather than a 403).
"""

from bilans.models import BilanIntermediaire
from cpro import perms
from cpro.models import Membership, Role


@perms.regle(perms.SUPPRIMER_BILANS)
def supprimer(membership: Membership, bilan: BilanIntermediaire) -> bool:
    if not perms.meme_etablissement(membership, bilan):
        return False
    return membership.role == Role.DDFPT or bilan.auteur_id == membership.user_id
