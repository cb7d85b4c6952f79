"""« Imprimer le référentiel » : the chosen diplôme's référentiel as a printable PDF."""

from django.template.loader import render_to_string
from django.utils import timezone

from cpro import perms
from cpro.exports import Exporter, ExportError, exporter
from referentiels import queries
from referentiels.models import Diplome


@exporter
class ReferentielPdf(Exporter):
    """Renders templates/referentiels/referentiel_pdf.html (+ its .css) with WeasyPrint.

    Params: {"diplome": pk} — a diplôme prepared by the job's establishment (checked again
    here: the job may run long after the request).
    """

    kind = "referentiel_pdf"
    permission = perms.IMPRIMER_REFERENTIEL
    libelle = "Référentiel du diplôme (PDF)"

    def render(self, progress):
        etablissement = self.job.etablissement
        pk = (self.job.params or {}).get("diplome")
        diplome = None
        if isinstance(pk, int) and not isinstance(pk, bool):
            diplome = Diplome.objects.filter(pk=pk, etablissements=etablissement).first()
        if diplome is None:
            raise ExportError(
                "Ce diplôme n'est pas préparé dans votre établissement : impossible d'imprimer "
                "son référentiel."
            )
        progress(10)
        ref = queries.referentiel_complet(diplome)
        context = {"ref": ref, "etablissement": etablissement, "date": timezone.localdate()}
        html = render_to_string("referentiels/referentiel_pdf.html", context)
        css = render_to_string("referentiels/referentiel_pdf.css", context)
        progress(40)
        from weasyprint import CSS, HTML  # heavy import, only in the worker

        data = HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
        progress(95)
        return f"referentiel-{diplome.code}.pdf", "application/pdf", data
