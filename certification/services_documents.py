"""Documents of the commission de certification: the official PDF of a CCF grid, the ZIP of a
division's locked grids and the CSV of the proposed notes.

Nothing here changes a grid. The PDF and the ZIP are produced by the export pipeline
(certification/exporters.py): these functions only queue the job. The official naming of the
files (`E31_<numéro>_<NOM>_<Prénom>.pdf`) and the CSV of the recapitulative view live here too,
so that the exporter, the tests and any other caller share one rule.
"""

import re
import unicodedata

from cpro.csv_export import ecrire_csv
from cpro.models import ExportJob
from cpro.services import lancer_export

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
