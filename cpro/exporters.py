"""Core exporters."""

import csv
import io

from cpro import perms
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
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["Date", "Auteur", "Action", "Objet", "Avant", "Après"])
        for i, e in enumerate(entries.iterator(chunk_size=1000), start=1):
            writer.writerow(
                [
                    e.cree_le.strftime("%d/%m/%Y %H:%M"),
                    str(e.acteur) if e.acteur else "",
                    e.action,
                    e.objet_repr,
                    e.avant or "",
                    e.apres or "",
                ]
            )
            if i % 1000 == 0:
                progress(i * 100 // total)
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        return "journal-des-actions.csv", "text/csv; charset=utf-8", data
