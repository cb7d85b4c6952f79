"""Daily backup (beat schedule "sauvegarder-instance" in cpro/settings.py)."""

from celery import shared_task

from sauvegarde import services


@shared_task(name="sauvegarde.tasks.sauvegarder_instance")
def sauvegarder_instance() -> str:
    """Back up the instance into SAUVEGARDE_DOSSIER, keeping SAUVEGARDE_CONSERVER archives."""
    return str(services.sauvegarder().archive)
