"""PDF of a learner's project record (« Générer en PDF » on the record page), rendered by
WeasyPrint in the worker. Params: {"projet": pk, "apprenant": pk}; `render` re-checks that
both belong to the job's establishment and that the learner is in the projet's team: the job
may run long after the request that queued it."""

from django.template.loader import render_to_string
from django.utils.text import slugify

from cpro import perms
from cpro.pipeline_exports import Exporter, ExportError, exporter
from projets import queries
from projets.models import Projet


def _pk(params, key):
    value = (params or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@exporter
class DossierProjetPdf(Exporter):
    """The record: projet (title, description, divisions, teachers), stages with their
    deliverables and state, the learner's carnet de bord, the teachers' comments and the
    assessments of every year."""

    kind = "projet_dossier_pdf"
    permission = perms.VOIR_PROJETS
    libelle = "Dossier de projet d'un apprenant (PDF)"

    def render(self, progress):
        etab = self.job.etablissement
        projet = (
            Projet.objects.filter(pk=_pk(self.job.params, "projet"), etablissement=etab)
            .prefetch_related("etapes", "divisions", "enseignants")
            .first()
        )
        apprenant = (
            projet.apprenants.filter(pk=_pk(self.job.params, "apprenant"))
            .select_related("membership__user", "division")
            .first()
            if projet
            else None
        )
        if projet is None or apprenant is None:
            raise ExportError(
                "Ce dossier de projet n'existe pas (ou plus) dans votre établissement."
            )
        progress(30)
        from weasyprint import CSS, HTML  # heavy import, only in the worker

        contexte = {"etablissement": etab, "d": queries.dossier(projet, apprenant)}
        html = render_to_string("projets/pdf_dossier.html", contexte)
        css = render_to_string("projets/pdf_dossier.css", contexte)
        data = HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
        progress(95)
        nom = slugify(f"chef-d-oeuvre-{apprenant.membership.user.nom_complet}") or "dossier"
        return f"{nom}.pdf", "application/pdf", data
