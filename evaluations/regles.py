"""Object rules of the évaluation permissions (registered in cpro.perms, asked with `peut`).

- SAISIR_EVALUATIONS on an évaluation (informations, learners, criteria, resources, the grid):
  the DDFPT of its establishment, its author and its evaluating teachers;
- SUPPRIMER_EVALUATIONS: the DDFPT and its author.

The lock is not a permission: `services.exiger_modifiable` refuses writes on a locked one.
"""

from cpro import perms
from cpro.models import Membership, Role
from evaluations.models import Evaluation


def ids_enseignants(evaluation: Evaluation) -> set:
    """The evaluating teachers' user ids: those read by queries.page_liste, else the prefetch
    when the accessor made one (else 1 query)."""
    ids = getattr(evaluation, "ids_enseignants", None)
    if ids is not None:
        return ids
    return {u.pk for u in evaluation.enseignants.all()}


@perms.regle(perms.SAISIR_EVALUATIONS)
def modifier(membership: Membership, evaluation: Evaluation) -> bool:
    if not perms.meme_etablissement(membership, evaluation):
        return False
    if membership.role == Role.DDFPT:
        return True
    return evaluation.auteur_id == membership.user_id or membership.user_id in ids_enseignants(
        evaluation
    )


@perms.regle(perms.SUPPRIMER_EVALUATIONS)
def supprimer(membership: Membership, evaluation: Evaluation) -> bool:
    if not perms.meme_etablissement(membership, evaluation):
        return False
    return membership.role == Role.DDFPT or evaluation.auteur_id == membership.user_id
