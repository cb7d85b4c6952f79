"""Background tasks of the évaluations (Celery beat)."""

import logging

from celery import shared_task

from evaluations import agregats

logger = logging.getLogger(__name__)


@shared_task(name="evaluations.tasks.verifier_agregats")
def verifier_agregats() -> int:
    """Daily: compare the stored suggestion aggregates with the résultats and log any drift
    (an error per learner, nothing corrected: `manage.py verifier_agregats --corriger` does).
    Returns the number of differences."""
    ecarts = agregats.derive()
    for e in ecarts[:100]:
        logger.error("Agrégat de suggestion incohérent : %s", e)
    if ecarts:
        logger.error(
            "%d écart(s) dans les agrégats de la suggestion : manage.py verifier_agregats "
            "--corriger",
            len(ecarts),
        )
    else:
        logger.info("Agrégats de la suggestion : 0 écart.")
    return len(ecarts)
