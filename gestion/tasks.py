"""Background tasks of the administration (Celery beat)."""

from celery import shared_task

from gestion import rgpd


@shared_task(name="gestion.tasks.appliquer_retention")
def appliquer_retention() -> int:
    """Daily: expired exports and book media of learners gone for longer than
    RGPD_RETENTION_JOURS (the same service as `manage.py appliquer_retention`)."""
    bilan = rgpd.appliquer_retention()
    return bilan.medias
