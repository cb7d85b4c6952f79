"""The PDF of a CCF grid (WeasyPrint), shared by the lock (the stored PDF), the downloads and
the ZIP of a division's grids."""

from django.template.loader import render_to_string

from certification import queries_documents as queries


class RenduGrilles:
    """Renders grids with WeasyPrint, sharing the font configuration and the parsed
    stylesheet between the grids of one export (−30 % per grid in a ZIP, bench/README.md)."""

    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration  # heavy import, only in the worker

        self.font_config = FontConfiguration()
        self._css: dict[str, object] = {}

    def pdf(self, doc: queries.DocumentGrille) -> bytes:
        """The PDF of one grid (CSS passed as a string: no file or network access)."""
        from weasyprint import CSS, HTML

        gc = doc.grille_candidat
        context = {
            "doc": doc,
            "etablissement": gc.etablissement,
            "diplome": doc.grille.diplome,
            "unite": doc.grille.unite,
        }
        html = render_to_string("certification/pdf_grille.html", context)
        texte_css = render_to_string("certification/pdf_grille.css", context)
        css = self._css.get(texte_css)
        if css is None:
            css = self._css[texte_css] = CSS(string=texte_css, font_config=self.font_config)
        return HTML(string=html).write_pdf(stylesheets=[css], font_config=self.font_config)


def pdf_grille(doc: queries.DocumentGrille) -> bytes:
    """The PDF of one grid."""
    return RenduGrilles().pdf(doc)
