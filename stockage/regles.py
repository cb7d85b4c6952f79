"""Object rules of the espace de stockage (registered in cpro.perms, asked with `peut`).

UTILISER_STOCKAGE on a space (or a folder / file of it) = may open it and download from it:
- a personal space: its owner only (no one else, not even the DDFPT: it is his own work);
- a shared space (one per diplôme): the DDFPT and the chef of the establishment, and the
  teachers who manage that diplôme (Membership.diplomes).

Writing (`peut_ecrire`, asked by the services) is narrower on shared spaces: the chef only
reads them; the DDFPT administers them (he may rename, move or delete what anyone dropped).
"""

from cpro import perms
from cpro.models import Membership, Role
from stockage.models import Espace


def espace_de(objet) -> Espace:
    return objet if isinstance(objet, Espace) else objet.espace


def ids_diplomes(membership: Membership) -> set:
    """The diplômes a teacher manages (1 query, then kept on the membership object)."""
    ids = getattr(membership, "_stockage_diplomes", None)
    if ids is None:
        ids = set(membership.diplomes.values_list("pk", flat=True))
        membership._stockage_diplomes = ids
    return ids


@perms.regle(perms.UTILISER_STOCKAGE)
def lire(membership: Membership, objet) -> bool:
    espace = espace_de(objet)
    if not perms.meme_etablissement(membership, espace):
        return False
    if not espace.est_partage:
        return espace.membership_id == membership.pk
    if membership.role in (Role.DDFPT, Role.CHEF):
        return True
    return membership.role == Role.ENSEIGNANT and espace.diplome_id in ids_diplomes(membership)


def peut_ecrire(membership: Membership | None, objet) -> bool:
    """May `membership` add, rename, move or delete in the space of `objet`?"""
    if not perms.peut(membership, perms.UTILISER_STOCKAGE, objet):
        return False
    return membership.role != Role.CHEF or not espace_de(objet).est_partage
