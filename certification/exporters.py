"""Documents of the commission de certification, rendered by WeasyPrint in the worker:

- "grille_ccf_pdf": one candidate's CCF grid, laid out as the national grid, officially named
  `E31_<numéro>_<NOM>_<Prénom>.pdf`;
- "grilles_ccf_zip": one such PDF per locked grid of a division, épreuve and session.

A locked grid is served from the PDF stored when it was locked (`GrilleCandidat.pdf_fige`),
never re-rendered: a later référentiel import does not change a signed document.

Each re-checks in `render` that what the params name belongs to the job's establishment: the
job may run long after the request that queued it.
"""

import io
import zipfile

from certification import queries_documents as queries
from certification import rendu
from certification import services_documents as services
from cpro import perms
from cpro.models import Division
from cpro.pipeline_exports import Exporter, ExportError, exporter
from referentiels.models import GrilleCCF


def _pk(params, key):
    value = (params or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Kept under their former names (callers and tests): the renderer lives in certification.rendu
# and the file name in services_documents, so that the lock (services_documents.figer_pdf) does
# not import this module, which imports it (no import cycle).
nom_fichier = services.nom_fichier_document
RenduGrilles = rendu.RenduGrilles
pdf_grille = rendu.pdf_grille


def pdf_document(doc: queries.DocumentGrille, rendu: RenduGrilles, *, par=None) -> bytes:
    """A locked grid: the PDF stored when it was locked (never re-rendered); a grid in
    progress: rendered now, as a « document de travail »."""
    if not doc.verrouillee:
        return rendu.pdf(doc)
    try:
        return services.pdf_grille_verrouillee(doc, rendu=rendu, par=par)
    except services.PdfFigeIntrouvable:
        raise ExportError(
            f"Le PDF enregistré au verrouillage de la grille {doc.grille.epreuve} de "
            f"{doc.nom} {doc.prenom} est introuvable : le DDFPT doit la déverrouiller puis la "
            "verrouiller de nouveau."
        ) from None


@exporter
class GrilleCcfPdf(Exporter):
    """One candidate's CCF grid: header (académie, session, établissement, diplôme, épreuve,
    candidate, numéro, dates), criteria × 4 levels with descriptors and the chosen level
    ticked, note proposée, comment, members with a signature space, lock mention.
    Params: {"grille_candidat": pk}."""

    kind = "grille_ccf_pdf"
    permission = perms.VOIR_CERTIFICATION
    libelle = "Grille CCF d'un candidat (PDF)"

    def render(self, progress):
        pk = _pk(self.job.params, "grille_candidat")
        documents = queries.documents_grilles(self.job.etablissement, [pk]) if pk else []
        if not documents:
            raise ExportError("Cette grille n'existe pas (ou plus) dans votre établissement.")
        progress(30)
        doc = documents[0]
        data = pdf_document(doc, RenduGrilles(), par=self.job.demandeur)
        progress(95)
        return nom_fichier(doc), "application/pdf", data


def _noms_uniques(noms: list[str]) -> list[str]:
    """Two candidates with the same name and no numéro would collide in the ZIP: the second
    becomes `…_2.pdf`."""
    vus: dict[str, int] = {}
    result = []
    for nom in noms:
        n = vus.get(nom, 0) + 1
        vus[nom] = n
        result.append(nom if n == 1 else nom.removesuffix(".pdf") + f"_{n}.pdf")
    return result


@exporter
class GrillesCcfZip(Exporter):
    """The locked grids of a division for one épreuve and session, one officially named PDF
    each, in `E31_<division>_<session>.zip`. Grids still in progress are skipped; none locked
    → a French error. Params: {"division": pk, "epreuve": GrilleCCF pk, "session": year}.
    Progress per grid."""

    kind = "grilles_ccf_zip"
    permission = perms.VOIR_CERTIFICATION
    libelle = "Grilles CCF verrouillées d'une division (ZIP)"

    def render(self, progress):
        etab = self.job.etablissement
        params = self.job.params or {}
        division = Division.objects.filter(pk=_pk(params, "division"), etablissement=etab).first()
        grille = GrilleCCF.objects.filter(
            pk=_pk(params, "epreuve"), diplome__etablissements=etab
        ).first()
        session = _pk(params, "session")
        if division is None or grille is None or session is None:
            raise ExportError(
                "Cette division ou cette épreuve n'existe pas dans votre établissement."
            )
        pks = queries.grilles_verrouillees(etab, division=division, grille=grille, session=session)
        if not pks:
            raise ExportError(
                f"Aucune grille {grille.epreuve} verrouillée pour la division {division.nom} "
                f"(session {session}) : rien à exporter. Verrouillez les grilles complètes "
                "puis relancez l'export."
            )
        documents = queries.documents_grilles(etab, pks)
        progress(5)
        buffer = io.BytesIO()
        noms = _noms_uniques([nom_fichier(doc) for doc in documents])
        rendu = RenduGrilles()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for i, (doc, nom) in enumerate(zip(documents, noms, strict=True), start=1):
                archive.writestr(nom, pdf_document(doc, rendu, par=self.job.demandeur))
                progress(5 + i * 90 // len(documents))
        nom_zip = services.nom_fichier_zip(
            epreuve=grille.epreuve, division=division.nom, session=session
        )
        return nom_zip, "application/zip", buffer.getvalue()
