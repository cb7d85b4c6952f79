"""Access-checked accessors of the core (another establishment's object → 404)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cpro.models import AuditLog, ExportJob
from cpro.pipeline_exports import get_exporter


def export_pour(request, job_id) -> ExportJob:
    """An export of this establishment that the user may read: their own, and only while the
    role still grants the exporter's permission."""
    job = get_object_or_404(ExportJob, pk=job_id, etablissement=request.etablissement)
    if job.demandeur_id != request.user.pk:
        raise PermissionDenied
    if get_exporter(job.kind).permission not in request.cpro_perms:
        raise PermissionDenied
    return job


def journal(etablissement):
    return AuditLog.objects.filter(etablissement=etablissement).select_related("acteur")
