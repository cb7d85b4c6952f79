"""PFMP exporters: the book apprenant as a PDF, « une page pour chacune de mes réussites ! ».

Params: {"apprenant": pk, "mises_en_avant": bool}. Two kinds, because the download view
re-checks the exporter's permission against the requester's role:
- "book_pdf" (MON_BOOK): a learner's own book;
- "book_pdf_equipe" (VOIR_BOOK): a learner's book exported by the team.

The job may run long after the request, so `render` checks again the module activation, the
establishment and the requester's right on that learner. Photos are read from the private
storage and embedded as data: URIs; WeasyPrint's fetcher accepts nothing else (no network,
no file system).
"""

import base64
import io

from django.utils import timezone
from django.utils.text import slugify

from cpro import perms
from cpro.models import Apprenant, Membership
from cpro.pipeline_exports import Exporter, ExportError, exporter
from cpro.tenancy import diplomes_accessibles
from pfmp.models import MediaPublication

PHOTO_PDF_MAX = 1200  # pixels on the longest side: enough for print, keeps the PDF small


def _photo_data_uri(media: MediaPublication) -> str | None:
    """The stored photo, downscaled, as a data: URI (None if it cannot be read)."""
    from PIL import Image

    try:
        with media.fichier.open("rb") as fichier, Image.open(fichier) as image:
            image.load()
            image.thumbnail((PHOTO_PDF_MAX, PHOTO_PDF_MAX))
            alpha = image.mode in ("RGBA", "LA", "PA")
            image = image.convert("RGBA" if alpha else "RGB")
            sortie = io.BytesIO()
            if alpha:
                image.save(sortie, format="PNG")
                mime = "image/png"
            else:
                image.save(sortie, format="JPEG", quality=85)
                mime = "image/jpeg"
    except (OSError, ValueError, SyntaxError):
        return None
    return f"data:{mime};base64,{base64.b64encode(sortie.getvalue()).decode('ascii')}"


def _nom_video(media: MediaPublication, numero: int) -> str:
    extension = media.fichier.name.rsplit(".", 1)[-1].upper() if media.fichier else ""
    taille = f"{media.taille / (1024 * 1024):.1f}".replace(".", ",")
    base = media.legende or f"Vidéo {numero}"
    return f"{base} ({extension}, {taille} Mo)"


class _BookPdf(Exporter):
    def apprenant(self) -> Apprenant:
        raise NotImplementedError

    def _params_apprenant(self):
        pk = (self.job.params or {}).get("apprenant")
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ExportError("Aucun apprenant n'est indiqué : impossible d'exporter le book.")
        return pk

    def render(self, progress):
        from django.template.loader import render_to_string
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        from pfmp.queries_book import publications_du_book

        etab = self.job.etablissement
        if not etab.book_active:
            raise ExportError(
                "Le book apprenant n'est pas activé dans votre établissement. "
                "Le DDFPT peut l'activer."
            )
        apprenant = self.apprenant()
        mises_en_avant = bool((self.job.params or {}).get("mises_en_avant"))
        publications = list(publications_du_book(apprenant, mises_en_avant=mises_en_avant))
        if not publications:
            raise ExportError(
                "Aucune publication mise en avant à exporter."
                if mises_en_avant
                else "Le book est vide : aucune publication à exporter."
            )
        pages = []
        for i, publication in enumerate(publications, start=1):
            photos, videos = [], []
            for media in publication.medias.all():
                if media.type == MediaPublication.Type.PHOTO:
                    uri = _photo_data_uri(media)
                    if uri:
                        photos.append({"src": uri, "legende": media.legende})
                else:
                    videos.append(_nom_video(media, len(videos) + 1))
            pages.append({"publication": publication, "photos": photos, "videos": videos})
            progress(i * 80 // len(publications))
        html = render_to_string(
            "pfmp/book/export_pdf.html",
            {
                "etablissement": etab,
                "apprenant": apprenant,
                "pages": pages,
                "mises_en_avant": mises_en_avant,
                "date": timezone.localdate(),
                "css": render_to_string("pfmp/book/export_pdf.css"),
            },
        )
        fetcher = URLFetcher(allowed_protocols=("data",))
        data = HTML(string=html, url_fetcher=fetcher).write_pdf()
        nom = slugify(apprenant.user.nom_complet)[:80] or "apprenant"
        return f"book-{nom}.pdf", "application/pdf", data


_SELECT = ("membership__user", "division__diplome", "etablissement")


@exporter
class BookPdf(_BookPdf):
    """The learner's own book."""

    kind = "book_pdf"
    permission = perms.MON_BOOK
    libelle = "Mon book (PDF)"

    def apprenant(self) -> Apprenant:
        apprenant = (
            Apprenant.objects.filter(
                pk=self._params_apprenant(),
                etablissement=self.job.etablissement,
                membership__user=self.job.demandeur,
                membership__active=True,
            )
            .select_related(*_SELECT)
            .first()
        )
        if apprenant is None:
            raise ExportError("Vous ne pouvez exporter que votre propre book.")
        return apprenant


@exporter
class BookPdfEquipe(_BookPdf):
    """A learner's book, exported by a member of the teaching team."""

    kind = "book_pdf_equipe"
    permission = perms.VOIR_BOOK
    libelle = "Book d'un apprenant (PDF)"

    def apprenant(self) -> Apprenant:
        etab = self.job.etablissement
        membership = Membership.objects.filter(
            user=self.job.demandeur, etablissement=etab, active=True
        ).first()
        if not perms.a_permission(membership, perms.VOIR_BOOK):
            raise ExportError("Votre profil ne permet pas d'exporter le book d'un apprenant.")
        apprenant = (
            Apprenant.objects.filter(
                pk=self._params_apprenant(),
                etablissement=etab,
                division__diplome__in=diplomes_accessibles(membership),
            )
            .select_related(*_SELECT)
            .first()
        )
        if apprenant is None:
            raise ExportError(
                "Cet apprenant n'existe pas ou plus dans votre établissement : impossible "
                "d'exporter son book."
            )
        return apprenant
