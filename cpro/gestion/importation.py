"""Reading the people-import files: SIECLE `ElevesSansAdresses.xml` and CSV.

Pure parsing, no database: a file becomes a list of `LigneImport` (one learner each) plus the
errors found, each naming the line or element. Matching against the establishment's learners
and every write happen in `cpro.gestion.services` (`analyser_import`, `importer_apprenants`).

CSV columns (header row required, order free, `;` or `,`, UTF-8 with or without BOM, or
Windows-1252): nom;prenom;date_naissance;ine;eleve_id;division;statut — `statut` optional
(scolaire / apprenti).
"""

import csv
import datetime
import io
import unicodedata
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from lxml import etree

from cpro.models import Statut, ine_validator

TAILLE_MAX = 5 * 1024 * 1024

COLONNES_CSV = ("nom", "prenom", "date_naissance", "ine", "eleve_id", "division", "statut")
COLONNES_OBLIGATOIRES = COLONNES_CSV[:-1]
_ALIAS_COLONNES = {
    "date_de_naissance": "date_naissance",
    "nom_de_famille": "nom",
    "id_national": "ine",
    "classe": "division",
}
_STATUTS = {"scolaire": Statut.SCOLAIRE, "apprenti": Statut.APPRENTI, "apprentie": Statut.APPRENTI}

EXEMPLE_CSV = (
    "nom;prenom;date_naissance;ine;eleve_id;division;statut\n"
    "Martin;Léa;14/03/2008;1234567890A;501234;1MCV;scolaire\n"
    "Nguyen;Hugo;02/11/2007;2345678901B;501235;1MCV;apprenti\n"
    "Durand;Inès;27/06/2009;3456789012C;501236;2MRC;\n"
)


class FichierInvalide(Exception):
    """The file as a whole cannot be read (format, encoding, structure)."""


@dataclass
class LigneImport:
    """One learner read from a file. `statut` is empty when the file does not say."""

    reference: str
    nom: str
    prenom: str
    date_naissance: datetime.date | None
    ine: str = ""
    eleve_id: str = ""
    division: str = ""
    statut: str = ""

    def to_session(self) -> dict:
        data = asdict(self)
        data["date_naissance"] = self.date_naissance.isoformat() if self.date_naissance else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> "LigneImport":
        data = dict(data)
        if data.get("date_naissance"):
            data["date_naissance"] = datetime.date.fromisoformat(data["date_naissance"])
        return cls(**data)


@dataclass
class Lecture:
    format: str  # "SIECLE" or "CSV"
    lignes: list[LigneImport] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)
    ignores: list[str] = field(default_factory=list)


def _texte(value) -> str:
    return " ".join((value or "").split())


def _date(value: str, formats=("%d/%m/%Y",)) -> datetime.date:
    for fmt in formats:
        try:
            date = datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if date.year < 1900 or date > datetime.date.today():
            break
        return date
    raise ValueError(value)


def _valider(reference: str, brut: dict, *, formats_date, division_obligatoire: bool):
    """Build a LigneImport from raw strings, or return the list of its errors."""
    erreurs = []
    nom, prenom = _texte(brut.get("nom")), _texte(brut.get("prenom"))
    ine = _texte(brut.get("ine")).upper().replace(" ", "")
    eleve_id = _texte(brut.get("eleve_id"))
    division = _texte(brut.get("division"))
    statut_brut = _texte(brut.get("statut")).lower()
    if not nom:
        erreurs.append(f"{reference} : le nom est obligatoire.")
    if not prenom:
        erreurs.append(f"{reference} : le prénom est obligatoire.")
    if len(nom) > 150 or len(prenom) > 150:
        erreurs.append(f"{reference} : nom ou prénom trop long (150 caractères au plus).")
    date = None
    date_brute = _texte(brut.get("date_naissance"))
    if not date_brute:
        erreurs.append(f"{reference} : la date de naissance est obligatoire.")
    else:
        try:
            date = _date(date_brute, formats_date)
        except ValueError:
            erreurs.append(
                f"{reference} : date de naissance invalide « {date_brute} » "
                "(format attendu jj/mm/aaaa)."
            )
    if not ine and not eleve_id:
        erreurs.append(f"{reference} : l'INE ou l'identifiant ELEVE_ID est obligatoire.")
    if ine:
        try:
            ine_validator(ine)
        except ValidationError:
            erreurs.append(
                f"{reference} : INE invalide « {ine} » (11 caractères, chiffres et lettres)."
            )
    if len(eleve_id) > 20:
        erreurs.append(f"{reference} : ELEVE_ID trop long (20 caractères au plus).")
    if division_obligatoire and not division:
        erreurs.append(f"{reference} : la division est obligatoire.")
    if len(division) > 40:
        erreurs.append(f"{reference} : nom de division trop long (40 caractères au plus).")
    statut = ""
    if statut_brut:
        statut = _STATUTS.get(statut_brut, "")
        if not statut:
            erreurs.append(
                f"{reference} : statut inconnu « {statut_brut} » (scolaire ou apprenti)."
            )
    if erreurs:
        return None, erreurs
    ligne = LigneImport(
        reference=reference,
        nom=nom,
        prenom=prenom,
        date_naissance=date,
        ine=ine,
        eleve_id=eleve_id,
        division=division,
        statut=statut,
    )
    return ligne, []


# --- SIECLE ----------------------------------------------------------------------------------


def _parser(encoding=None):
    # No entity expansion, no DTD loading, no network: a hostile file reads nothing else.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        encoding=encoding,
    )


def _declare_encodage(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]


def _arbre_xml(data: bytes):
    encoding = None
    if not _declare_encodage(data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "iso-8859-1"  # SIECLE's usual encoding, declaration missing
    try:
        root = etree.fromstring(data, _parser(encoding))
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "encod" in message.lower() or "utf-8" in message.lower():
            raise FichierInvalide(
                "Le fichier XML n'est pas correctement encodé (ISO-8859-1 ou UTF-8 attendu, "
                f"conformément à sa déclaration) : ligne {exc.lineno}."
            ) from exc
        raise FichierInvalide(
            f"Le fichier XML est mal formé (ligne {exc.lineno}) : {exc.msg}."
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise FichierInvalide("Le fichier contient une déclaration DOCTYPE, refusée par sécurité.")
    return root


def lire_siecle(data: bytes) -> Lecture:
    """Read a SIECLE `ElevesSansAdresses.xml` export.

    Pupils without a division (structure of type "D") are listed in `ignores`, not imported.
    """
    root = _arbre_xml(data)
    if root.tag != "BEE_ELEVES":
        raise FichierInvalide(
            "Ce fichier n'est pas un export SIECLE « ElevesSansAdresses » "
            f"(élément racine BEE_ELEVES attendu, « {root.tag} » trouvé)."
        )
    eleves = root.find("DONNEES/ELEVES")
    if eleves is None:
        raise FichierInvalide("Élément DONNEES/ELEVES absent : le fichier ne contient aucun élève.")
    divisions: dict[str, str] = {}
    for struct in root.iterfind("DONNEES/STRUCTURES/STRUCTURES_ELEVE"):
        for s in struct.iterfind("STRUCTURE"):
            if _texte(s.findtext("TYPE_STRUCTURE")) == "D":
                divisions[struct.get("ELEVE_ID", "").strip()] = _texte(s.findtext("CODE_STRUCTURE"))
    lecture = Lecture(format="SIECLE")
    for eleve in eleves.iterfind("ELEVE"):
        eleve_id = (eleve.get("ELEVE_ID") or "").strip()
        reference = f"Élève ELEVE_ID « {eleve_id} » (ligne {eleve.sourceline})"
        if not eleve_id:
            lecture.erreurs.append(
                f"Élément ELEVE ligne {eleve.sourceline} : attribut ELEVE_ID absent."
            )
            continue
        brut = {
            "nom": eleve.findtext("NOM_DE_FAMILLE"),
            "prenom": eleve.findtext("PRENOM"),
            "date_naissance": eleve.findtext("DATE_NAISS"),
            "ine": eleve.findtext("ID_NATIONAL"),
            "eleve_id": eleve_id,
            "division": divisions.get(eleve_id, ""),
        }
        if not brut["division"]:
            lecture.ignores.append(
                f"{reference} : {_texte(brut['nom'])} {_texte(brut['prenom'])}, sans division."
            )
            continue
        ligne, erreurs = _valider(
            reference, brut, formats_date=("%d/%m/%Y",), division_obligatoire=True
        )
        lecture.erreurs.extend(erreurs)
        if ligne:
            lecture.lignes.append(ligne)
    return lecture


# --- CSV -------------------------------------------------------------------------------------


def _decoder(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise FichierInvalide(
            "Encodage du fichier non reconnu (UTF-16 ?) : enregistrez-le en CSV UTF-8 "
            "ou Windows-1252."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FichierInvalide(
            "Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou Windows-1252."
        ) from exc


def _colonne(nom: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    cle = "_".join(sans_accents.strip().lower().replace("-", " ").split())
    return _ALIAS_COLONNES.get(cle, cle)


def lire_csv(data: bytes) -> Lecture:
    """Read a CSV file of learners (see the module docstring for the columns)."""
    texte = _decoder(data)
    premiere = texte.split("\n", 1)[0]
    delimiteur = ";" if premiere.count(";") >= premiere.count(",") else ","
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=delimiteur)
    try:
        entete = next(reader)
    except StopIteration:
        raise FichierInvalide("Le fichier est vide.") from None
    except csv.Error as exc:
        raise FichierInvalide(f"Fichier CSV illisible (ligne 1) : {exc}.") from exc
    colonnes = [_colonne(c) for c in entete]
    manquantes = [c for c in COLONNES_OBLIGATOIRES if c not in colonnes]
    if manquantes:
        raise FichierInvalide(
            f"Colonnes manquantes : {', '.join(manquantes)}. Colonnes attendues (ligne 1) : "
            f"{';'.join(COLONNES_CSV)} (statut facultatif)."
        )
    lecture = Lecture(format="CSV")
    try:
        for valeurs in reader:
            if not any(v.strip() for v in valeurs):
                continue
            reference = f"Ligne {reader.line_num}"
            brut = dict(zip(colonnes, valeurs, strict=False))
            ligne, erreurs = _valider(
                reference,
                brut,
                formats_date=("%d/%m/%Y", "%Y-%m-%d"),
                division_obligatoire=True,
            )
            lecture.erreurs.extend(erreurs)
            if ligne:
                lecture.lignes.append(ligne)
    except csv.Error as exc:
        raise FichierInvalide(f"Fichier CSV illisible (ligne {reader.line_num}) : {exc}.") from exc
    if not lecture.lignes and not lecture.erreurs:
        raise FichierInvalide("Le fichier ne contient aucun apprenant (seulement l'en-tête).")
    return lecture


def lire_fichier(nom: str, data: bytes) -> Lecture:
    """Read an uploaded file, XML or CSV depending on its content."""
    if len(data) > TAILLE_MAX:
        raise FichierInvalide("Le fichier dépasse la taille maximale de 5 Mo.")
    if not data.strip():
        raise FichierInvalide("Le fichier est vide.")
    debut = data[:100].lstrip(b"\xef\xbb\xbf").lstrip()
    if debut.startswith(b"<") or nom.lower().endswith(".xml"):
        return lire_siecle(data)
    return lire_csv(data)
