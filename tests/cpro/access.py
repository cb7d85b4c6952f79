from tests.access import EVERYONE, STAFF, Access


def _export(p):
    from cpro.models import ExportJob

    job = ExportJob.objects.filter(demandeur=p.a.enseignant.user).first()
    return {"job_id": job.pk}


ACCESS = [
    Access("etab:connexion", public=True, allowed=EVERYONE, ok=302,
           overrides={"anonyme": 200, "autre_etab": 200}),
    Access("etab:deconnexion", method="POST", public=True, allowed=EVERYONE, ok=302,
           overrides={"anonyme": 302, "autre_etab": 302}),
    Access("etab:accueil", allowed=EVERYONE),
    Access("etab:choix_diplome", allowed=STAFF),
    Access("etab:espace_personnel", allowed=EVERYONE),
    Access("etab:journal", allowed={"ddfpt", "chef"}),
    # Exports belong to their requester: other members of the establishment get 403.
    Access("etab:export_etat", kwargs=_export, allowed={"enseignant"}),
    Access("etab:export_telecharger", kwargs=_export, allowed={"enseignant"}),
]
