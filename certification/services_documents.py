"""Documents of the commission de certification: the official PDF of a CCF grid, the ZIP of a
division's locked grids and the CSV of the proposed notes.

Nothing here changes a grid. The PDF and the ZIP are produced by the export pipeline
(certification/exporters.py): these functions only queue the job. The official naming of the
files (`E31_<numéro>_<NOM>_<Prénom>.pdf`) and the CSV of the recapitulative view live here too,
so that the exporter, the tests and any other caller share one rule.
"""

import logging
import re
import unicodedata

from django.core.files.base import ContentFile
from django.db import transaction

from certification import rendu as rendus
from cpro.audit import journaliser
from cpro.csv_export import ecrire_csv
from cpro.models import ExportJob
from cpro.services import lancer_export

logger = logging.getLogger(__name__)

SANS_NUMERO = "sans-numero"

# Letters that NFKD does not decompose into a base letter + accent.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d"}
)


def partie_fichier(texte: str) -> str:
    """One readable, filename-safe part: accents dropped (« Léa » → « Lea », « Œ » → « OE »),
    spaces and apostrophes turned into hyphens (« N'Diaye » → « N-Diaye »), anything else
    outside [A-Za-z0-9-] removed, hyphens never doubled nor at the ends."""
    texte = unicodedata.normalize("NFKD", (texte or "").translate(_LIGATURES))
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    texte = re.sub(r"[\s'’‘`´_.]+", "-", texte)
    texte = re.sub(r"[^A-Za-z0-9-]", "", texte)
    return re.sub(r"-{2,}", "-", texte).strip("-")


def nom_fichier_grille(*, epreuve: str, numero: str, nom: str, prenom: str) -> str:
    """The official name of a grid's PDF: `E31_0212345678_DUPONT_Lea.pdf` (épreuve code,
    numéro de candidat (letters and digits only) or « sans-numero », last name in capitals,
    first name)."""
    parties = [
        partie_fichier(epreuve) or "Epreuve",
        partie_fichier(numero).replace("-", "") or SANS_NUMERO,
        partie_fichier(nom).upper() or "NOM",
        partie_fichier(prenom) or "Prenom",
    ]
    return "_".join(parties) + ".pdf"


def nom_fichier_document(doc) -> str:
    """The official name of the PDF of a printable grid (queries_documents.DocumentGrille)."""
    return nom_fichier_grille(
        epreuve=doc.grille.epreuve, numero=doc.numero, nom=doc.nom, prenom=doc.prenom
    )


def nom_fichier_zip(*, epreuve: str, division: str, session: int) -> str:
    """`E31_TMCVA_2027.zip`: épreuve code, division, session."""
    return (
        f"{partie_fichier(epreuve) or 'Epreuve'}_{partie_fichier(division) or 'division'}_"
        f"{session}.zip"
    )


def nom_fichier_csv(*, diplome: str, session: int, division: str = "") -> str:
    """`notes-ccf_Bac-Pro-MCV-A_TMCVA_2027.csv` (division omitted when all are listed)."""
    parties = ["notes-ccf", partie_fichier(diplome) or "diplome"]
    if division:
        parties.append(partie_fichier(division))
    return "_".join([*parties, str(session)]) + ".csv"


# --- the PDF frozen at lock time ---------------------------------------------------------------


class PdfFigeIntrouvable(Exception):
    """The stored PDF of a locked grid is missing from the storage (never re-rendered)."""


def figer_pdf(grille_candidat, *, rendu=None) -> bytes:
    """Render the PDF of `grille_candidat` as it stands in the database now and store it on
    the grid (`pdf_fige`, private storage under MEDIA_ROOT). Called by the lock, inside its
    transaction (certification.services.verrouiller_grille): the grid is read again, so the
    PDF carries the lock mention. Writes: one file, `GrilleCandidat.pdf_fige`. Returns the
    bytes. Any rendering error propagates (the caller refuses the lock)."""
    from certification import queries_documents as queries

    documents = queries.documents_grilles(grille_candidat.etablissement_id, [grille_candidat.pk])
    if not documents:
        raise ValueError(f"grille {grille_candidat.pk} introuvable")
    doc = documents[0]
    data = (rendu or rendus.RenduGrilles()).pdf(doc)
    ancien = grille_candidat.pdf_fige.name
    grille_candidat.pdf_fige.save(nom_fichier_document(doc), ContentFile(data), save=False)
    grille_candidat.save(update_fields=["pdf_fige"])
    if ancien:
        _effacer_apres_commit(grille_candidat.pdf_fige.storage, ancien)
    return data


def effacer_pdf_fige(grille_candidat) -> None:
    """Forget the stored PDF (unlock): the row is emptied now, the file deleted after commit
    (a rolled-back unlock keeps it)."""
    nom = grille_candidat.pdf_fige.name
    if not nom:
        return
    storage = grille_candidat.pdf_fige.storage
    grille_candidat.pdf_fige = ""
    grille_candidat.save(update_fields=["pdf_fige"])
    _effacer_apres_commit(storage, nom)


def _effacer_apres_commit(storage, nom: str) -> None:
    def effacer():
        try:
            storage.delete(nom)
        except OSError:  # an orphan file is harmless: logged, not fatal
            logger.warning("PDF figé non supprimé : %s", nom, exc_info=True)

    transaction.on_commit(effacer)


def pdf_grille_verrouillee(doc, *, rendu=None, par=None) -> bytes:
    """The printed PDF of a locked grid (`doc`, a queries_documents.DocumentGrille): the
    bytes stored at lock time, never re-rendered, so a later référentiel import cannot change
    a signed document.

    A grid locked before the PDFs were stored (no `pdf_fige`) is rendered once, at its first
    download, and stored from then on (audit `certification.pdf_fige`). A stored PDF missing
    from the storage raises PdfFigeIntrouvable (the DDFPT unlocks and locks again)."""
    gc = doc.grille_candidat
    if gc.pdf_fige:
        try:
            with gc.pdf_fige.open("rb") as fichier:
                return fichier.read()
        except (FileNotFoundError, OSError) as exc:
            raise PdfFigeIntrouvable(gc.pdf_fige.name) from exc
    from certification.models import GrilleCandidat

    data = (rendu or rendus.RenduGrilles()).pdf(doc)
    nom = gc.pdf_fige.storage.save(
        gc.pdf_fige.field.generate_filename(gc, nom_fichier_document(doc)), ContentFile(data)
    )
    with transaction.atomic():
        # Only if still locked and still without a stored PDF (a concurrent first download
        # or an unlock in between keeps its own state).
        n = GrilleCandidat.objects.filter(
            pk=gc.pk, statut=GrilleCandidat.Statut.VERROUILLEE, pdf_fige=""
        ).update(pdf_fige=nom)
        if n:
            gc.pdf_fige.name = nom
            journaliser(
                "certification.pdf_fige",
                par=par,
                etablissement=gc.etablissement,
                objet=gc,
                avant={"pdf_fige": None},
                apres={"pdf_fige": nom, "motif": "grille verrouillée avant le stockage des PDF"},
            )
        else:
            _effacer_apres_commit(gc.pdf_fige.storage, nom)
    if n:
        return data
    gc.refresh_from_db(fields=["pdf_fige", "statut"])
    if gc.pdf_fige:
        return pdf_grille_verrouillee(doc, rendu=rendu, par=par)
    return data


def demander_pdf_grille(grille_candidat, *, par) -> ExportJob:
    """Queue the official PDF of one candidate's CCF grid (locked or not: an unlocked grid is
    printed as a « document de travail »).

    Writes: one ExportJob "grille_ccf_pdf" (params {"grille_candidat": pk}); task queued on
    commit. No audit entry: nothing changes.
    """
    return lancer_export(
        etablissement=grille_candidat.etablissement,
        par=par,
        kind="grille_ccf_pdf",
        params={"grille_candidat": grille_candidat.pk},
    )


def demander_zip_grilles(*, etablissement, division, grille, session: int, par) -> ExportJob:
    """Queue the ZIP of the locked grids of one division, épreuve (GrilleCCF) and session:
    one officially named PDF per locked grid.

    Writes: one ExportJob "grilles_ccf_zip" (params {"division", "epreuve", "session"}); task
    queued on commit. The exporter fails with a French message when no grid is locked.
    """
    return lancer_export(
        etablissement=etablissement,
        par=par,
        kind="grilles_ccf_zip",
        params={"division": division.pk, "epreuve": grille.pk, "session": int(session)},
    )


def recapitulatif_csv(recap) -> bytes:
    """The proposed notes of a recapitulative view (queries_documents.Recapitulatif) as CSV
    for a spreadsheet: UTF-8 with BOM, semicolons, decimal comma. One row per candidate:
    division; nom; prénom; numéro de candidat; then, per épreuve, the note (empty when there
    is none) and the grid's status."""
    entete = ["Division", "Nom", "Prénom", "Numéro de candidat"]
    for grille in recap.epreuves:
        entete += [f"{grille.epreuve} – note /20", f"{grille.epreuve} – statut"]
    lignes = []
    for bloc in recap.divisions:
        for ligne in bloc.lignes:
            row = [bloc.division.nom, ligne.nom, ligne.prenom, ligne.numero]
            for cellule in ligne.cellules:
                row += [cellule.note, cellule.libelle]
            lignes.append(row)
    return ecrire_csv(entete, lignes)
