"""Object rules of the projets permissions on a learner (registered in cpro.perms, asked with
`peut`):

- MON_PROJET: the learner himself (his own carnet de bord, his own projets);
- PROJETS_TUTEUR: a tutor who follows the learner through a current (non-archived) PFMP
  affectation — read only.

VOIR_PROJETS and GERER_PROJETS keep the default rule (same establishment). Changing,
archiving or deleting a projet asks more: `encadre` (one of its teachers, or the DDFPT) — the
creation's rights applied to an existing projet.
"""

from cpro import perms
from cpro.models import Apprenant, Membership, Role
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


def encadre(membership: Membership | None, projet) -> bool:
    """The member may change the projet: GERER_PROJETS in its establishment, and the DDFPT or
    one of the projet's teachers (a prefetched `enseignants` is read without a query)."""
    if membership is None or membership.etablissement_id != projet.etablissement_id:
        return False
    if not perms.a_permission(membership, perms.GERER_PROJETS):
        return False
    if membership.role == Role.DDFPT:
        return True
    return any(u.pk == membership.user_id for u in projet.enseignants.all())
