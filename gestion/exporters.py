"""RGPD exporter: everything Cpro holds about one learner (right of access).

Params: {"apprenant": pk}. The file is a ZIP archive:
- `donnees.json`: the structured data (gestion.rgpd.donnees_apprenant; dates ISO 8601);
- `donnees.pdf`: the same data as a readable French summary (WeasyPrint);
- the stored files the modules declare (`<app>/rgpd.py`, `DonneesApprenant.fichiers`): today
  `medias/<publication>-<media>-<nom>`, the photos and videos of the learner's book.

Registered at start-up by `autodiscover_modules("exporters")` (cpro.apps). The job may run
long after the request, so `render` checks again that the requester is still allowed to manage the
establishment's people and that the learner belongs to the establishment.
"""

import io
import zipfile

from django.utils import timezone

from cpro import perms
from cpro.models import Apprenant, Membership
from cpro.pipeline_exports import Exporter, ExportError, exporter
from gestion import rgpd


def _pdf(donnees: dict, apprenant: Apprenant) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "gestion/rgpd_export_pdf.html",
        {
            "d": donnees,
            "etablissement": apprenant.etablissement,
            "date": timezone.localdate(),
            "css": render_to_string("gestion/rgpd_export_pdf.css"),
        },
    )
    # Nothing is fetched: no image, no network, no file system.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


@exporter
class DonneesApprenant(Exporter):
    kind = rgpd.KIND_EXPORT
    permission = perms.GERER_PERSONNES
    libelle = "Données personnelles d'un apprenant (RGPD)"

    def apprenant(self) -> Apprenant:
        etab = self.job.etablissement
        membership = Membership.objects.filter(
            user=self.job.demandeur, etablissement=etab, active=True
        ).first()
        if not perms.a_permission(membership, self.permission):
            raise ExportError("Votre profil ne permet pas d'exporter les données d'un apprenant.")
        pk = (self.job.params or {}).get("apprenant")
        apprenant = None
        if isinstance(pk, int) and not isinstance(pk, bool):
            apprenant = (
                Apprenant.objects.filter(pk=pk, etablissement=etab)
                .select_related("membership__user", "etablissement")
                .first()
            )
        if apprenant is None:
            raise ExportError("Cet apprenant n'existe pas ou plus dans votre établissement.")
        return apprenant

    def render(self, progress):
        apprenant = self.apprenant()
        donnees = rgpd.donnees_apprenant(apprenant)
        progress(30)
        pdf = _pdf(donnees, apprenant)
        progress(60)
        tampon = io.BytesIO()
        with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("donnees.json", rgpd.json_donnees(donnees))
            archive.writestr("donnees.pdf", pdf)
            fichiers = rgpd.fichiers_export(apprenant)
            absents = []
            for i, f in enumerate(fichiers, start=1):
                try:
                    with f.fichier.open("rb") as fichier:
                        # Photos and videos are already compressed.
                        archive.writestr(f.chemin, fichier.read(), zipfile.ZIP_STORED)
                except (OSError, ValueError):
                    absents.append(f.chemin)
                progress(60 + i * 35 // len(fichiers))
            if absents:
                archive.writestr(
                    "fichiers-absents.txt",
                    "Ces fichiers du book n'ont pas pu être lus sur le serveur :\n"
                    + "\n".join(absents)
                    + "\n",
                )
        nom = f"donnees-apprenant-{apprenant.pk}-{timezone.localdate():%Y%m%d}.zip"
        return nom, "application/zip", tampon.getvalue()


@exporter
class FichesConnexionPdf(Exporter):
    """One card per learner of a division with their login and a new temporary password.

    The passwords are generated here, in the worker, so they exist only in this private file
    (downloadable by its requester, deleted at expiry)."""

    kind = "fiches_connexion"
    permission = perms.GERER_PERSONNES
    libelle = "Fiches de connexion des apprenants"

    def render(self, progress):
        from django.conf import settings
        from django.template.loader import render_to_string
        from django.urls import reverse
        from django.utils import timezone
        from weasyprint import HTML

        from cpro.models import Division
        from cpro.pipeline_exports import ExportError
        from gestion.services import generer_identifiants_division

        etab = self.job.etablissement
        division = Division.objects.filter(
            pk=self.job.params.get("division"), etablissement=etab
        ).first()
        if division is None:
            raise ExportError("Cette division n'existe pas dans votre établissement.")
        fiches = generer_identifiants_division(
            division, par=self.job.demandeur, tous=bool(self.job.params.get("tous"))
        )
        if not fiches:
            raise ExportError(
                "Tous les apprenants de cette division se sont déjà connectés : aucune fiche "
                "à imprimer. Cochez « tous les apprenants » pour leur donner un nouveau mot de "
                "passe."
            )
        progress(50)
        html = render_to_string(
            "gestion/fiches_connexion_pdf.html",
            {
                "etablissement": etab,
                "division": division,
                "fiches": fiches,
                "adresse": settings.SITE_URL.rstrip("/")
                + reverse("etab:connexion", kwargs={"etab": etab.slug}),
                "date": timezone.localdate(),
                "css": render_to_string("gestion/fiches_connexion_pdf.css"),
            },
        )
        data = HTML(string=html).write_pdf()
        return f"fiches-connexion-{division.nom}.pdf", "application/pdf", data
