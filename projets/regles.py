"""Object rules of the projets permissions on a learner (registered in cpro.perms, asked with
`peut`):

- MON_PROJET: the learner himself (his own carnet de bord, his own projets);
- PROJETS_TUTEUR: a tutor who follows the learner through a current (non-archived) PFMP
  affectation — read only.

VOIR_PROJETS and GERER_PROJETS keep the default rule (same establishment).
"""

from cpro import perms
from cpro.models import Apprenant, Membership
from pfmp.models import Affectation


@perms.regle(perms.MON_PROJET)
def mon_projet(membership: Membership, apprenant: Apprenant) -> bool:
    return apprenant.membership_id == membership.pk


@perms.regle(perms.PROJETS_TUTEUR)
def tuteur(membership: Membership, apprenant: Apprenant) -> bool:
    return (
        apprenant.etablissement_id == membership.etablissement_id
        and Affectation.objects.filter(
            apprenant=apprenant, tuteur=membership, archivee=False
        ).exists()
    )
