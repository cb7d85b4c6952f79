"""Thin Celery wrappers: ids in, a service call."""

from celery import shared_task

from cpro import services


@shared_task(name="cpro.tasks.executer_export")
def executer_export(job_id: str) -> None:
    services.executer_export(job_id)


@shared_task(name="cpro.tasks.purger_exports_expires")
def purger_exports_expires() -> int:
    return services.purger_exports_expires()


@shared_task(name="cpro.tasks.marquer_exports_bloques")
def marquer_exports_bloques() -> int:
    return services.marquer_exports_bloques()
