"""PDF of a learner's project record (« Générer en PDF » on the record page), rendered by
WeasyPrint in the worker. Params: {"projet": pk, "apprenant": pk}; `render` re-checks that
both belong to the job's establishment and that the learner is in the projet's team: the job
may run long after the request that queued it. Three kinds, one per reader: the staff, the
learner himself (his own record) and the tutor (the learners he follows), each re-checked
against the job's requester."""

from django.template.loader import render_to_string
from django.utils.text import slugify

from cpro import perms
from cpro.models import Membership
from cpro.pipeline_exports import Exporter, ExportError, exporter
from projets import queries
from projets.models import Projet


def _pk(params, key):
    value = (params or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _DossierPdf(Exporter):
    """The record: projet (title, description, divisions, teachers), stages with their
    deliverables and state, the learner's carnet de bord, the teachers' comments and the
    assessments of every year — what the record page shows to whoever asked for it (the
    learner and the tutor read the same page as the team, without its forms)."""

    def peut_lire(self, apprenant) -> bool:
        raise NotImplementedError

    refus = "Vous ne pouvez pas exporter ce dossier de projet."

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
        if not self.peut_lire(apprenant):
            raise ExportError(self.refus)
        progress(30)
        from weasyprint import CSS, HTML  # heavy import, only in the worker

        contexte = {
            "etablissement": etab,
            "d": queries.dossier(projet, apprenant),
            "exemplaire": self.exemplaire,
        }
        html = render_to_string("projets/pdf_dossier.html", contexte)
        css = render_to_string("projets/pdf_dossier.css", contexte)
        data = HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
        progress(95)
        nom = slugify(f"chef-d-oeuvre-{apprenant.membership.user.nom_complet}") or "dossier"
        return f"{nom}.pdf", "application/pdf", data


def _membership(job) -> Membership | None:
    return Membership.objects.filter(
        user=job.demandeur, etablissement=job.etablissement, active=True
    ).first()


@exporter
class DossierProjetPdf(_DossierPdf):
    """A learner's record, exported by the staff of the establishment."""

    kind = "projet_dossier_pdf"
    permission = perms.VOIR_PROJETS
    libelle = "Dossier de projet d'un apprenant (PDF)"
    exemplaire = ""

    def peut_lire(self, apprenant) -> bool:
        # Staff read every record of the establishment; the projet lookup checked the tenant.
        return True


@exporter
class DossierProjetPdfApprenant(_DossierPdf):
    """The learner's own record (« Mon projet »): re-checked against the job's requester, who
    must still be that learner, active."""

    kind = "projet_dossier_pdf_apprenant"
    permission = perms.MON_PROJET
    libelle = "Mon dossier de projet (PDF)"
    exemplaire = "Exemplaire de l'apprenant"
    refus = "Vous ne pouvez exporter que votre propre dossier de projet."

    def peut_lire(self, apprenant) -> bool:
        m = _membership(self.job)
        return m is not None and perms.peut(m, perms.MON_PROJET, apprenant)


@exporter
class DossierProjetPdfTuteur(_DossierPdf):
    """The record of a learner the tutor follows through a current PFMP affectation (read
    only), re-checked when the job runs: an affectation archived meanwhile → refused."""

    kind = "projet_dossier_pdf_tuteur"
    permission = perms.PROJETS_TUTEUR
    libelle = "Dossier de projet d'un apprenant suivi (PDF)"
    exemplaire = "Exemplaire du tuteur (lecture seule)"
    refus = "Vous ne suivez plus cet apprenant : impossible d'exporter son dossier de projet."

    def peut_lire(self, apprenant) -> bool:
        m = _membership(self.job)
        return m is not None and perms.peut(m, perms.PROJETS_TUTEUR, apprenant)
