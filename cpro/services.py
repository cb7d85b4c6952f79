"""Core services: exports pipeline and account administration primitives."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cpro.exports import ExportError, get_exporter
from cpro.models import ExportJob

logger = logging.getLogger(__name__)

MESSAGE_ECHEC = (
    "La génération du fichier a échoué. Réessayez ; si le problème persiste, contactez le DDFPT."
)


def lancer_export(*, etablissement, par, kind: str, params: dict | None = None) -> ExportJob:
    """Create an ExportJob and queue its Celery task once the transaction commits.

    Writes: one ExportJob row (status PENDING, expiry = now + EXPORT_RETENTION_HOURS).
    Tasks queued: `cpro.tasks.executer_export(job_id)` on commit.
    """
    from cpro.tasks import executer_export as task

    get_exporter(kind)  # unknown kind → ValueError before anything is written
    job = ExportJob.objects.create(
        etablissement=etablissement,
        demandeur=par,
        kind=kind,
        params=params or {},
        expire_le=timezone.now() + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.delay(job_id))
    return job


def _set_progress(job_id, percent: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, int(percent))))


def executer_export(job_id) -> ExportJob | None:
    """Run the exporter of a job and store its file (called by the Celery task).

    Writes: the job's status (RUNNING → DONE or FAILED), progress, file, error, termine_le.
    A job already finished is left alone (a task delivered twice does nothing).
    """
    job = ExportJob.objects.select_related("etablissement", "demandeur").filter(pk=job_id).first()
    if job is None or job.est_fini:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EN_COURS, progress=0)
    try:
        renderer = get_exporter(job.kind)(job)
        filename, content_type, data = renderer.render(lambda p: _set_progress(job.pk, p))
    except ExportError as exc:
        job.status, job.error = ExportJob.Status.ECHEC, str(exc)
    except Exception:
        logger.exception("Export %s (%s) failed", job.pk, job.kind)
        job.status, job.error = ExportJob.Status.ECHEC, MESSAGE_ECHEC
    else:
        job.file.save(filename, ContentFile(data), save=False)
        job.filename, job.content_type = filename, content_type
        job.status, job.progress = ExportJob.Status.TERMINE, 100
    job.termine_le = timezone.now()
    job.save(
        update_fields=[
            "status",
            "progress",
            "file",
            "filename",
            "content_type",
            "error",
            "termine_le",
        ]
    )
    return job


def purger_exports_expires(now: datetime.datetime | None = None) -> int:
    """Delete expired export files and their rows; returns how many jobs were removed."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expire_le__lt=now).only("pk", "file").iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
