"""Core exporters."""

from django.utils import timezone

from cpro import perms
from cpro.csv_export import ecrire_csv
from cpro.models import AuditLog
from cpro.pipeline_exports import Exporter, exporter


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
