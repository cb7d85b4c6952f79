"""Livret d'apprentissage exporters: one apprentice's livret for one school year as a PDF.

Params: {"apprenant": pk, "annee": first calendar year}. Two kinds, because the download view
re-checks the exporter's permission against the requester's role:
- "livret_apprentissage_pdf" (VOIR_LIVRETS): exported by the team;
- "livret_apprentissage_pdf_apprenti" (MON_LIVRET): the apprentice's own.

The job may run long after the request: `render` checks again the establishment, the
requester's right on that apprentice and the apprentice's statut. The content is the livret
page's (livrets.queries.contenu_livret): périodes, activities and journal weeks read from pfmp,
observations, visits and acknowledgements of the livret. WeasyPrint fetches nothing (no
network, no file system).
"""

from django.utils import timezone
from django.utils.text import slugify

from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Membership, Statut
from cpro.pipeline_exports import Exporter, ExportError, exporter

_SELECT = ("membership__user", "division__diplome", "etablissement")


class _LivretPdf(Exporter):
    def _params(self) -> tuple[int, int]:
        params = self.job.params or {}
        pk, debut = params.get("apprenant"), params.get("annee")
        for valeur in (pk, debut):
            if not isinstance(valeur, int) or isinstance(valeur, bool):
                raise ExportError("Livret non précisé : impossible de l'exporter.")
        return pk, debut

    def _apprentis(self):
        return Apprenant.objects.filter(
            etablissement=self.job.etablissement, statut=Statut.APPRENTI
        ).select_related(*_SELECT)

    def apprenant(self, pk: int) -> Apprenant:
        raise NotImplementedError

    def render(self, progress):
        from django.template.loader import render_to_string
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        from livrets.queries import contenu_livret

        pk, debut = self._params()
        apprenant = self.apprenant(pk)
        annee = AnneeScolaire.objects.filter(debut=debut).first()
        if annee is None:
            raise ExportError("Année scolaire inconnue : impossible d'exporter le livret.")
        contenu = contenu_livret(apprenant, annee)
        progress(40)
        html = render_to_string(
            "livrets/export_pdf.html",
            {
                "etablissement": self.job.etablissement,
                "contenu": contenu,
                "apprenant": apprenant,
                "annee": annee,
                "date": timezone.localdate(),
                "css": render_to_string("livrets/export_pdf.css"),
            },
        )
        progress(60)
        data = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
        nom = slugify(apprenant.user.nom_complet)[:80] or "apprenti"
        return f"livret-apprentissage-{nom}-{annee.libelle}.pdf", "application/pdf", data


@exporter
class LivretPdfEquipe(_LivretPdf):
    """An apprentice's livret, exported by a member of the teaching team."""

    kind = "livret_apprentissage_pdf"
    permission = perms.VOIR_LIVRETS
    libelle = "Livret d'apprentissage (PDF)"

    def apprenant(self, pk: int) -> Apprenant:
        membership = Membership.objects.filter(
            user=self.job.demandeur, etablissement=self.job.etablissement, active=True
        ).first()
        if not perms.a_permission(membership, perms.VOIR_LIVRETS):
            raise ExportError("Votre profil ne permet pas d'exporter un livret d'apprentissage.")
        apprenant = self._apprentis().filter(pk=pk).first()
        if apprenant is None:
            raise ExportError(
                "Cet apprenti n'existe pas ou plus dans votre établissement : impossible "
                "d'exporter son livret."
            )
        return apprenant


@exporter
class LivretPdfApprenti(_LivretPdf):
    """The apprentice's own livret."""

    kind = "livret_apprentissage_pdf_apprenti"
    permission = perms.MON_LIVRET
    libelle = "Mon livret d'apprentissage (PDF)"

    def apprenant(self, pk: int) -> Apprenant:
        apprenant = (
            self._apprentis()
            .filter(pk=pk, membership__user=self.job.demandeur, membership__active=True)
            .first()
        )
        if apprenant is None:
            raise ExportError("Vous ne pouvez exporter que votre propre livret.")
        return apprenant
