from tests.access import EVERYONE, STAFF, Access


def _export(p):
    """A finished CSV export of the journal, requested by establishment A's DDFPT."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cpro.models import ExportJob

    job = ExportJob.objects.filter(demandeur=p.a.ddfpt.user).first()
    if job is None:
        job = ExportJob.objects.create(
            etablissement=p.a.etablissement,
            demandeur=p.a.ddfpt.user,
            kind="journal_csv",
            status=ExportJob.Status.TERMINE,
            filename="journal.csv",
            content_type="text/csv",
            expire_le=timezone.now() + timezone.timedelta(hours=1),
        )
        job.file.save("journal.csv", ContentFile(b"Date;Auteur"), save=True)
    return {"job_id": job.pk}


ACCESS = [
    Access(
        "etab:connexion",
        public=True,
        allowed=EVERYONE,
        ok=302,
        overrides={"anonyme": 200, "autre_etab": 200},
    ),
    Access(
        "etab:deconnexion",
        method="POST",
        public=True,
        allowed=EVERYONE,
        ok=302,
        overrides={"anonyme": 302, "autre_etab": 302},
    ),
    Access("etab:accueil", allowed=EVERYONE),
    Access("etab:choix_diplome", allowed=STAFF),
    Access("etab:espace_personnel", allowed=EVERYONE),
    Access("etab:journal", allowed={"ddfpt", "chef"}),
    Access("etab:journal_exporter", method="POST", allowed={"ddfpt", "chef"}, ok=302),
    # Exports belong to their requester: other members of the establishment get 403.
    Access("etab:export_etat", kwargs=_export, allowed={"ddfpt"}),
    Access("etab:export_telecharger", kwargs=_export, allowed={"ddfpt"}),
]
