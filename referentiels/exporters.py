"""Référentiel exports: « Imprimer le référentiel » (the chosen diplôme as a printable PDF)
and the DDFPT's spreadsheet to edit and re-import (ODS)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from cpro import perms
from cpro.pipeline_exports import Exporter, ExportError, exporter
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


@exporter
class ReferentielOds(Exporter):
    """The référentiel of one diplôme version as an ODS spreadsheet the DDFPT edits and
    re-imports (referentiels/tableur.py).

    Params: {"diplome": pk} — any loaded diplôme version: référentiels are shared by every
    establishment and the DDFPT maintains them (the administration page lists and imports
    them all). DDFPT only (the permission is checked again by the download view).
    """

    kind = "referentiel_ods"
    permission = perms.IMPORTER_REFERENTIEL
    libelle = "Référentiel du diplôme (tableur ODS à modifier)"

    def render(self, progress):
        from referentiels.services import document_referentiel
        from referentiels.tableur import MIMETYPE_ODS, ecrire_ods

        pk = (self.job.params or {}).get("diplome")
        diplome = None
        if isinstance(pk, int) and not isinstance(pk, bool):
            diplome = Diplome.objects.filter(pk=pk).first()
        if diplome is None:
            raise ExportError("Ce référentiel n'existe plus : impossible de l'exporter.")
        progress(10)
        document = document_referentiel(diplome)
        progress(50)
        data = ecrire_ods(document)
        progress(95)
        nom = slugify(f"referentiel-{diplome.code}-{diplome.version}")
        return f"{nom}.ods", MIMETYPE_ODS, data
