"""Object rules of the livrets permissions (registered in cpro.perms, asked with `peut`).

- SUIVRE_LIVRETS on an affectation (a période of the livret): a teacher (enseignant, DDFPT) of
  the période's establishment, the learner being an apprentice;
- LIVRETS_TUTEUR on an affectation: the maître d'apprentissage assigned on it (his membership);
- MON_LIVRET on a learner (cpro Apprenant): the apprentice himself.
"""

from cpro import perms
from cpro.models import Apprenant, Membership, Statut
from pfmp.models import Affectation


@perms.regle(perms.SUIVRE_LIVRETS)
def suivre(membership: Membership, affectation: Affectation) -> bool:
    return (
        membership.etablissement_id == affectation.periode.etablissement_id
        and affectation.apprenant.statut == Statut.APPRENTI
    )


@perms.regle(perms.LIVRETS_TUTEUR)
def maitre(membership: Membership, affectation: Affectation) -> bool:
    return (
        affectation.tuteur_id == membership.pk
        and affectation.apprenant.statut == Statut.APPRENTI
        and not affectation.archivee
    )


@perms.regle(perms.MON_LIVRET)
def mon_livret(membership: Membership, apprenant: Apprenant) -> bool:
    return apprenant.membership_id == membership.pk and apprenant.statut == Statut.APPRENTI
