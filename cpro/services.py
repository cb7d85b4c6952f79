"""Core services: exports pipeline and account administration primitives."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cpro.models import ExportJob, export_upload_to
from cpro.pipeline_exports import ExportError, get_exporter

logger = logging.getLogger(__name__)

MESSAGE_ECHEC = (
    "La génération du fichier a échoué. Réessayez ; si le problème persiste, contactez le DDFPT."
)
MESSAGE_INTERROMPU = (
    "Le traitement a été interrompu (service d'arrière-plan arrêté). Relancez l'export."
)
MESSAGE_INDISPONIBLE = "L'export est momentanément indisponible, réessayez plus tard."

_ACTIFS = (ExportJob.Status.EN_ATTENTE, ExportJob.Status.EN_COURS)


class _ExportAbandonne(Exception):
    """The job was failed by someone else (sweeper, redelivery) while this attempt ran."""


def lancer_export(*, etablissement, par, kind: str, params: dict | None = None) -> ExportJob:
    """Create an ExportJob and queue its Celery task once the transaction commits.

    Writes: one ExportJob row (status PENDING, expiry = now + EXPORT_RETENTION_HOURS).
    Tasks queued: `cpro.tasks.executer_export(job_id)` on commit. If the broker cannot be
    reached the job is failed at once with MESSAGE_INDISPONIBLE (never left pending, never a
    500): callers redirect to the job's page, which shows that message.
    """
    get_exporter(kind)  # unknown kind → ValueError before anything is written
    job = ExportJob.objects.create(
        etablissement=etablissement,
        demandeur=par,
        kind=kind,
        params=params or {},
        expire_le=timezone.now() + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    )
    transaction.on_commit(lambda: _publier(job))
    return job


def _publier(job: ExportJob) -> None:
    # By name, through the Celery app: cpro.tasks imports this module (no import cycle).
    from cpro.celery import app

    try:
        task = app.tasks["cpro.tasks.executer_export"]
        task.delay(str(job.pk))
    except Exception:  # broker unreachable (kombu OperationalError, OSError…)
        logger.exception("Export %s (%s): la tâche n'a pas pu être publiée", job.pk, job.kind)
        now = timezone.now()
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.EN_ATTENTE).update(
            status=ExportJob.Status.ECHEC, error=MESSAGE_INDISPONIBLE, termine_le=now, maj_le=now
        )
        job.status, job.error, job.termine_le, job.maj_le = (
            ExportJob.Status.ECHEC,
            MESSAGE_INDISPONIBLE,
            now,
            now,
        )


def _attempt(job_id, tentative: int):
    """The rows of this attempt: the job while it is still running under this attempt."""
    return ExportJob.objects.filter(
        pk=job_id, status=ExportJob.Status.EN_COURS, tentatives=tentative
    )


def _set_progress(job_id, tentative: int, percent: int) -> None:
    updated = _attempt(job_id, tentative).update(
        progress=max(0, min(99, int(percent))), maj_le=timezone.now()
    )
    if not updated:
        raise _ExportAbandonne


def _supprimer_fichiers(job: ExportJob) -> None:
    """Delete every file stored under the job's directory (a finished file or the remains of an
    interrupted write): nothing of a failed or expired job stays on the storage."""
    folder = export_upload_to(job, "").rstrip("/")
    storage = job.file.storage
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        files = []
    for name in files:
        storage.delete(f"{folder}/{name}")
    if job.file and storage.exists(job.file.name):
        storage.delete(job.file.name)


def _echouer_interrompu(job_id, tentative: int | None = None) -> bool:
    """Fail a pending/running job with MESSAGE_INTERROMPU; False if it had already ended."""
    rows = ExportJob.objects.filter(pk=job_id, status__in=_ACTIFS)
    if tentative is not None:
        rows = rows.filter(tentatives=tentative)
    now = timezone.now()
    failed = rows.update(
        status=ExportJob.Status.ECHEC,
        error=MESSAGE_INTERROMPU,
        file="",
        termine_le=now,
        maj_le=now,
    )
    if failed:
        job = ExportJob.objects.get(pk=job_id)
        _supprimer_fichiers(job)
    return bool(failed)


def executer_export(job_id) -> ExportJob | None:
    """Run the exporter of a job and store its file (called by the Celery task).

    Writes: the job's status (PENDING → RUNNING → DONE or FAILED), attempts, progress, last
    activity, file, error, termine_le.
    - A job already finished is left alone (a task delivered twice does nothing).
    - A job already RUNNING was started by an attempt whose worker died before acknowledging
      the message (acks_late: the broker redelivers it): it is failed with MESSAGE_INTERROMPU
      rather than run again (a job that killed its worker would kill the next one too).
    - The file is stored only once complete, and the job points to it only in the same UPDATE
      that marks it DONE: a job never exposes a partial file. If the job was failed meanwhile
      (stale-job sweeper), the stored file is deleted and the job stays failed.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.EN_ATTENTE).update(
        status=ExportJob.Status.EN_COURS,
        progress=0,
        tentatives=F("tentatives") + 1,
        maj_le=timezone.now(),
    )
    job = ExportJob.objects.select_related("etablissement", "demandeur").filter(pk=job_id).first()
    if job is None or job.est_fini:
        return job
    if not claimed:
        logger.warning("Export %s (%s) redelivered after a dead attempt", job.pk, job.kind)
        _echouer_interrompu(job.pk)
        job.refresh_from_db()
        return job
    tentative = job.tentatives
    stored = ""
    try:
        renderer = get_exporter(job.kind)(job)
        filename, content_type, data = renderer.render(
            lambda p: _set_progress(job.pk, tentative, p)
        )
        stored = job.file.storage.save(export_upload_to(job, filename), ContentFile(data))
    except _ExportAbandonne:
        fields = None
    except ExportError as exc:
        fields = {"status": ExportJob.Status.ECHEC, "error": str(exc)}
    except Exception:
        logger.exception("Export %s (%s) failed", job.pk, job.kind)
        fields = {"status": ExportJob.Status.ECHEC, "error": MESSAGE_ECHEC}
    else:
        fields = {
            "status": ExportJob.Status.TERMINE,
            "progress": 100,
            "file": stored,
            "filename": filename,
            "content_type": content_type,
        }
    now = timezone.now()
    if fields is None or not _attempt(job.pk, tentative).update(
        **fields, termine_le=now, maj_le=now
    ):
        logger.warning("Export %s (%s) ended after being failed: result dropped", job.pk, job.kind)
        if stored:
            job.file.storage.delete(stored)
    job.refresh_from_db()
    return job


def export_bloque_avant(now: datetime.datetime | None = None) -> datetime.datetime:
    """Jobs pending or running with no sign of life since this moment are considered dead."""
    now = now or timezone.now()
    return now - datetime.timedelta(minutes=settings.EXPORT_TIMEOUT_MINUTES)


def marquer_exports_bloques(now: datetime.datetime | None = None) -> int:
    """Stale-job sweeper (beat, and lazily from the progress page): fail with
    MESSAGE_INTERROMPU every job pending or running with no sign of life for
    EXPORT_TIMEOUT_MINUTES (its worker died or no worker runs). Returns how many."""
    stale = ExportJob.objects.filter(status__in=_ACTIFS, maj_le__lt=export_bloque_avant(now))
    count = 0
    for job_id in stale.values_list("pk", flat=True):
        count += _echouer_interrompu(job_id)
    if count:
        logger.warning("%d export(s) interrompu(s) marqué(s) en échec", count)
    return count


def verifier_export(job: ExportJob) -> ExportJob:
    """The lazy sweeper for one job (progress page): the user sees the failure without beat."""
    if not job.est_fini and job.maj_le < export_bloque_avant():
        _echouer_interrompu(job.pk)
        job.refresh_from_db()
    return job


def purger_exports_expires(now: datetime.datetime | None = None) -> int:
    """Delete expired export files and their rows; returns how many jobs were removed."""
    now = now or timezone.now()
    count = 0
    expired = ExportJob.objects.filter(expire_le__lt=now).only("pk", "etablissement_id", "file")
    for job in expired.iterator():
        _supprimer_fichiers(job)
        job.delete()
        count += 1
    return count
