"""Core exporters."""

from django.utils import timezone

from cpro import perms
from cpro.csv_export import ecrire_csv
from cpro.exports import Exporter, exporter
from cpro.models import AuditLog


@exporter
class JournalCsv(Exporter):
    """The establishment's audit log as CSV (Excel-friendly: UTF-8 with BOM, semicolons)."""

    kind = "journal_csv"
    permission = perms.VOIR_JOURNAL
    libelle = "Journal des actions (CSV)"

    def render(self, progress):
        entries = AuditLog.objects.filter(etablissement=self.job.etablissement).select_related(
            "acteur"
        )
        total = entries.count() or 1

        def lignes():
            for i, e in enumerate(entries.iterator(chunk_size=1000), start=1):
                yield [
                    timezone.localtime(e.cree_le).strftime("%d/%m/%Y %H:%M"),
                    str(e.acteur) if e.acteur else "",
                    e.action,
                    e.objet_repr,
                    e.avant or "",
                    e.apres or "",
                ]
                if i % 1000 == 0:
                    progress(i * 100 // total)

        data = ecrire_csv(["Date", "Auteur", "Action", "Objet", "Avant", "Après"], lignes())
        return "journal-des-actions.csv", "text/csv; charset=utf-8", data


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

        from cpro.exports import ExportError
        from cpro.gestion.services import generer_identifiants_division
        from cpro.models import Division

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
