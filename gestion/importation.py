"""Reading the people-import files: SIECLE `ElevesSansAdresses.xml` and CSV.

Pure parsing, no database: a file becomes a list of `LigneImport` (one learner each) plus the
errors found, each naming the line or element. Matching against the establishment's learners
and every write happen in `gestion.services` (`analyser_import`, `importer_apprenants`).

**SIECLE** (BEE_ELEVES / DONNEES): ELEVES/ELEVE[@ELEVE_ID] with ID_NATIONAL, NOM_DE_FAMILLE,
NOM_USAGE, PRENOM, DATE_NAISS, CODE_SEXE, CODE_MEF, CODE_STATUT, DATE_SORTIE;
OPTIONS/OPTION[@ELEVE_ID]/OPTIONS_ELEVE with NUM_OPTION, CODE_MODALITE_ELECT, CODE_MATIERE;
STRUCTURES/STRUCTURES_ELEVE[@ELEVE_ID]/STRUCTURE with CODE_STRUCTURE and TYPE_STRUCTURE ("D" =
the division, "G" = a group). Element names checked against open-source SIECLE importers: Pix
(1024pix/pix, test of its `import-students` route: NOM_DE_FAMILLE, NOM_USAGE, CODE_MEF,
CODE_STATUT « ST » / « AP », DATE_SORTIE, file in ISO-8859-15) and the SambaEdu / GEPI readers
of SIECLE exports (OPTIONS / OPTION / OPTIONS_ELEVE, TYPE_STRUCTURE D or G).

- CODE_STATUT: « ST » → scolaire, « AP » → apprenti; any other code is an error of the line
  (never a silent default); an absent or empty CODE_STATUT leaves the current statut
  (scolaire for a new learner).
- DATE_SORTIE in the past or today: the learner has left; they are placed in no division
  (current division cleared), the date is kept in `Apprenant.date_sortie`; a learner who left
  and is not in Cpro yet is not created. The account is not deactivated (that stays a DDFPT
  action, « Désactiver le compte », which ends the sessions). DATE_SORTIE in the future (a
  departure announced in advance): the learner is still there, imported as usual, and the
  preview says « départ annoncé le … »; the date is only recorded by an import made after it.
- CODE_SEXE: 1 → masculin, 2 → féminin (`Apprenant.sexe`, used only for French agreement:
  « apprentie », « inscrite »); another code is an error of the line; absent or empty leaves
  the current value.
- NOM_USAGE → `Apprenant.nom_usage` (empty when equal to the legal name). The account's
  last_name stays the legal NOM_DE_FAMILLE: the LSL and the official documents need it.
- CODE_MEF (11 characters) → `Apprenant.code_mef`; the division's MEF is derived from its
  learners in `gestion.services.analyser_import`. An empty CODE_MEF never clears a code.
- OPTIONS → `Apprenant.options` [{"code_matiere", "modalite", "rang"}] (modalité S, O or F;
  others are errors). A file with no OPTIONS section leaves the options as they are.

**Encoding**: the XML declaration is honoured; without one (XML) and for CSV: UTF-8 (with or
without BOM), else Windows-1252 when a byte 0x80–0x9F is present (’, Œ, œ… of Excel files;
those bytes are control characters in ISO-8859-x), else ISO-8859-15 (SIECLE's encoding: Œ, œ,
Ÿ, € are not in ISO-8859-1, whose reading turns « CŒUR » into « C¼UR »).

CSV columns (header row required, order free, `;` or `,`): nom;prenom;date_naissance;ine;
eleve_id;division;statut — `statut` optional (scolaire / apprenti, or ST / AP). Optional too,
absent = left as they are: nom_usage, code_mef, date_sortie (jj/mm/aaaa), options
(« 030201:O|020700:F », code matière:modalité, rang = position) and sexe (or genre: M / F,
masculin / féminin, garçon / fille, 1 / 2; empty = not said).
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from lxml import etree

from cpro.models import Sexe, Statut, ine_validator

TAILLE_MAX = 5 * 1024 * 1024

COLONNES_CSV = ("nom", "prenom", "date_naissance", "ine", "eleve_id", "division", "statut")
COLONNES_OBLIGATOIRES = COLONNES_CSV[:-1]
COLONNES_FACULTATIVES = ("statut", "nom_usage", "code_mef", "date_sortie", "options", "sexe")
_ALIAS_COLONNES = {
    "date_de_naissance": "date_naissance",
    "nom_de_famille": "nom",
    "id_national": "ine",
    "classe": "division",
    "mef": "code_mef",
    "genre": "sexe",
    "code_sexe": "sexe",
}
_STATUTS = {
    "scolaire": Statut.SCOLAIRE,
    "apprenti": Statut.APPRENTI,
    "apprentie": Statut.APPRENTI,
    "st": Statut.SCOLAIRE,
    "ap": Statut.APPRENTI,
}
# CODE_SEXE of SIECLE (1 / 2) and the words a CSV may use; keys are lower-case, unaccented.
_SEXES = {
    "1": Sexe.MASCULIN,
    "2": Sexe.FEMININ,
    "m": Sexe.MASCULIN,
    "f": Sexe.FEMININ,
    "h": Sexe.MASCULIN,
    "masculin": Sexe.MASCULIN,
    "feminin": Sexe.FEMININ,
    "homme": Sexe.MASCULIN,
    "femme": Sexe.FEMININ,
    "garcon": Sexe.MASCULIN,
    "fille": Sexe.FEMININ,
}
# SIECLE CODE_STATUT (see the module docstring for the sources).
STATUTS_SIECLE = {"ST": Statut.SCOLAIRE, "AP": Statut.APPRENTI}
# CODE_MODALITE_ELECT of an option: S (enseignement de spécialité / tronc commun), O (option
# obligatoire), F (option facultative).
MODALITES = ("S", "O", "F")
_CODE_MEF = re.compile(r"[0-9A-Z]{11}")
_CODE_MATIERE = re.compile(r"[0-9]{6}")

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
    sexe: str = ""  # "M" / "F"; empty: the file does not say (the current value is kept)
    # None: the file does not say (the current value is kept).
    nom_usage: str | None = None
    code_mef: str = ""  # empty: not given (an import never clears a MEF code)
    options: list[dict] | None = None
    # `sortie_indiquee`: the file says whether the learner left (SIECLE always does; a CSV
    # only with a date_sortie column). `date_sortie`: left on that day (today or before);
    # `depart_annonce`: a future DATE_SORTIE, shown only.
    sortie_indiquee: bool = False
    date_sortie: datetime.date | None = None
    depart_annonce: datetime.date | None = None

    _DATES = ("date_naissance", "date_sortie", "depart_annonce")

    def to_session(self) -> dict:
        data = asdict(self)
        for nom in self._DATES:
            valeur = getattr(self, nom)
            data[nom] = valeur.isoformat() if valeur else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> "LigneImport":
        data = dict(data)
        for nom in cls._DATES:
            if data.get(nom):
                data[nom] = datetime.date.fromisoformat(data[nom])
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


def _date_sortie(value: str) -> datetime.date:
    # A departure may be announced in advance: future dates are accepted here.
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            date = datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if date.year >= 1900:
            return date
    raise ValueError(value)


def _valider_options(reference: str, brutes, erreurs: list[str]) -> list[dict] | None:
    """[(code_matiere, modalite, rang)] raw strings → sorted option dicts (errors appended)."""
    if brutes is None:
        return None
    options, rangs = [], set()
    for code, modalite, rang in brutes:
        code, modalite, rang = _texte(code), _texte(modalite).upper(), _texte(rang)
        if not _CODE_MATIERE.fullmatch(code):
            erreurs.append(
                f"{reference} : code matière d'option invalide « {code} » (6 chiffres attendus)."
            )
            continue
        if modalite not in MODALITES:
            erreurs.append(
                f"{reference} : modalité d'option inconnue « {modalite} » pour la matière "
                f"{code} (S, O ou F attendu)."
            )
            continue
        if not rang.isdigit() or int(rang) < 1 or int(rang) in rangs:
            erreurs.append(
                f"{reference} : rang d'option invalide ou en double « {rang} » pour la "
                f"matière {code}."
            )
            continue
        rangs.add(int(rang))
        options.append({"code_matiere": code, "modalite": modalite, "rang": int(rang)})
    return sorted(options, key=lambda o: o["rang"])


def _valider(
    reference: str,
    brut: dict,
    *,
    formats_date,
    division_obligatoire: bool,
    statuts=_STATUTS,
    statuts_attendus="scolaire ou apprenti",
):
    """Build a LigneImport from raw strings, or return the list of its errors.

    Optional keys of `brut` (absent or None: the file does not say): nom_usage, code_mef,
    date_sortie, options (list of raw (code_matiere, modalite, rang))."""
    erreurs = []
    nom, prenom = _texte(brut.get("nom")), _texte(brut.get("prenom"))
    ine = _texte(brut.get("ine")).upper().replace(" ", "")
    eleve_id = _texte(brut.get("eleve_id"))
    division = _texte(brut.get("division"))
    statut_brut = _texte(brut.get("statut"))
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

    sortie_indiquee = "date_sortie" in brut and brut["date_sortie"] is not None
    date_sortie = depart_annonce = None
    sortie_brute = _texte(brut.get("date_sortie"))
    if sortie_brute:
        try:
            sortie = _date_sortie(sortie_brute)
        except ValueError:
            erreurs.append(
                f"{reference} : date de sortie invalide « {sortie_brute} » "
                "(format attendu jj/mm/aaaa)."
            )
        else:
            if sortie <= datetime.date.today():
                date_sortie = sortie
            else:
                depart_annonce = sortie
    if date_sortie:
        division = ""  # a learner who left is placed in no division
    elif division_obligatoire and not division:
        erreurs.append(f"{reference} : la division est obligatoire.")
    if len(division) > 40:
        erreurs.append(f"{reference} : nom de division trop long (40 caractères au plus).")
    statut = ""
    if statut_brut:
        statut = statuts.get(statut_brut.lower(), "")
        if not statut:
            erreurs.append(f"{reference} : statut inconnu « {statut_brut} » ({statuts_attendus}).")
    nom_usage = brut.get("nom_usage")
    if nom_usage is not None:
        nom_usage = _texte(nom_usage)
        if nom_usage.casefold() == nom.casefold():
            nom_usage = ""  # the same as the legal name: no distinct usage name
        if len(nom_usage) > 150:
            erreurs.append(f"{reference} : nom d'usage trop long (150 caractères au plus).")
    code_mef = _texte(brut.get("code_mef")).upper()
    if code_mef and not _CODE_MEF.fullmatch(code_mef):
        erreurs.append(
            f"{reference} : code MEF invalide « {code_mef} » (11 chiffres ou lettres attendus)."
        )
    sexe = ""
    sexe_brut = _texte(brut.get("sexe"))
    if sexe_brut:
        cle = unicodedata.normalize("NFKD", sexe_brut).encode("ascii", "ignore").decode()
        sexe = _SEXES.get(cle.lower(), "")
        if not sexe:
            erreurs.append(
                f"{reference} : sexe inconnu « {sexe_brut} » (1 ou 2 dans SIECLE ; "
                "M ou F, masculin ou féminin dans un fichier CSV)."
            )
    options = _valider_options(reference, brut.get("options"), erreurs)
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
        sexe=sexe,
        nom_usage=nom_usage,
        code_mef=code_mef,
        options=options,
        sortie_indiquee=sortie_indiquee,
        date_sortie=date_sortie,
        depart_annonce=depart_annonce,
    )
    return ligne, []


# --- SIECLE ----------------------------------------------------------------------------------


def _parser():
    # No entity expansion, no DTD loading, no network: a hostile file reads nothing else.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def _declare_encodage(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]


def _detecter(data: bytes) -> str:
    """Text of a file that does not declare its encoding: UTF-8, else Windows-1252 when a byte
    0x80–0x9F is present (’ Œ œ … in Windows-1252, control characters in ISO-8859-x), else
    ISO-8859-15 (Œ œ Ÿ €, absent from ISO-8859-1)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if any(0x80 <= octet <= 0x9F for octet in data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined
            raise FichierInvalide(
                "Encodage du fichier non reconnu : enregistrez-le en UTF-8, ISO-8859-15 "
                "ou Windows-1252."
            ) from exc
    return data.decode("iso-8859-15")


def _arbre_xml(data: bytes):
    if not _declare_encodage(data):
        # No declaration: XML says UTF-8, SIECLE files say ISO-8859-15; detect and hand
        # libxml2 UTF-8 (same lines, so the error messages keep their line numbers).
        data = _detecter(data).encode("utf-8")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "encod" in message.lower() or "utf-8" in message.lower():
            raise FichierInvalide(
                "Le fichier XML n'est pas correctement encodé (ISO-8859-15 ou UTF-8 attendu, "
                f"conformément à sa déclaration) : ligne {exc.lineno}."
            ) from exc
        raise FichierInvalide(
            f"Le fichier XML est mal formé (ligne {exc.lineno}) : {exc.msg}."
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise FichierInvalide("Le fichier contient une déclaration DOCTYPE, refusée par sécurité.")
    return root


def _options_siecle(root) -> dict[str, list] | None:
    """{ELEVE_ID: [(CODE_MATIERE, CODE_MODALITE_ELECT, NUM_OPTION)]}, None without OPTIONS."""
    section = root.find("DONNEES/OPTIONS")
    if section is None:
        return None
    options: dict[str, list] = {}
    for option in section.iterfind("OPTION"):
        liste = options.setdefault((option.get("ELEVE_ID") or "").strip(), [])
        for o in option.iterfind("OPTIONS_ELEVE"):
            liste.append(
                (
                    o.findtext("CODE_MATIERE"),
                    o.findtext("CODE_MODALITE_ELECT"),
                    o.findtext("NUM_OPTION"),
                )
            )
    return options


def lire_siecle(data: bytes) -> Lecture:
    """Read a SIECLE `ElevesSansAdresses.xml` export (see the module docstring).

    Pupils without a division (structure of type "D") who have not left are listed in
    `ignores`, not imported.
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
    options = _options_siecle(root)
    lecture = Lecture(format="SIECLE")
    for eleve in eleves.iterfind("ELEVE"):
        eleve_id = (eleve.get("ELEVE_ID") or "").strip()
        reference = f"Élève ELEVE_ID « {eleve_id} » (ligne {eleve.sourceline})"
        if not eleve_id:
            lecture.erreurs.append(
                f"Élément ELEVE ligne {eleve.sourceline} : attribut ELEVE_ID absent."
            )
            continue
        nom_usage = eleve.find("NOM_USAGE")
        brut = {
            "nom": eleve.findtext("NOM_DE_FAMILLE"),
            "prenom": eleve.findtext("PRENOM"),
            "date_naissance": eleve.findtext("DATE_NAISS"),
            "ine": eleve.findtext("ID_NATIONAL"),
            "eleve_id": eleve_id,
            "division": divisions.get(eleve_id, ""),
            "statut": eleve.findtext("CODE_STATUT"),
            "sexe": eleve.findtext("CODE_SEXE"),
            "nom_usage": None if nom_usage is None else (nom_usage.text or ""),
            "code_mef": eleve.findtext("CODE_MEF"),
            "date_sortie": eleve.findtext("DATE_SORTIE") or "",
            "options": None if options is None else options.get(eleve_id, []),
        }
        if not brut["division"] and not _a_quitte(brut["date_sortie"]):
            lecture.ignores.append(
                f"{reference} : {_texte(brut['nom'])} {_texte(brut['prenom'])}, sans division."
            )
            continue
        ligne, erreurs = _valider(
            reference,
            brut,
            formats_date=("%d/%m/%Y",),
            division_obligatoire=True,
            statuts={code.lower(): statut for code, statut in STATUTS_SIECLE.items()},
            statuts_attendus="CODE_STATUT SIECLE « ST » scolaire ou « AP » apprenti attendu",
        )
        lecture.erreurs.extend(erreurs)
        if ligne:
            lecture.lignes.append(ligne)
    return lecture


def _a_quitte(date_sortie: str) -> bool:
    try:
        return _date_sortie(_texte(date_sortie)) <= datetime.date.today()
    except ValueError:
        return bool(_texte(date_sortie))  # invalid: let _valider report it


# --- CSV -------------------------------------------------------------------------------------


def _decoder(data: bytes) -> str:
    if b"\x00" in data:
        raise FichierInvalide(
            "Encodage du fichier non reconnu (UTF-16 ?) : enregistrez-le en CSV UTF-8 "
            "ou Windows-1252."
        )
    return _detecter(data)


def _colonne(nom: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    cle = "_".join(sans_accents.strip().lower().replace("-", " ").split())
    return _ALIAS_COLONNES.get(cle, cle)


def _options_csv(valeur: str) -> list:
    """« 030201:O|020700:F » (an optional third part gives the rang, else the position)."""
    options = []
    for i, element in enumerate(p for p in valeur.split("|") if p.strip()):
        parties = [p.strip() for p in element.split(":")]
        code, modalite, rang = (parties + ["", "", ""])[:3]
        options.append((code, modalite, rang or str(i + 1)))
    return options


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
            f"{';'.join(COLONNES_CSV)} (facultatives : {', '.join(COLONNES_FACULTATIVES)})."
        )
    lecture = Lecture(format="CSV")
    try:
        for valeurs in reader:
            if not any(v.strip() for v in valeurs):
                continue
            reference = f"Ligne {reader.line_num}"
            brut = dict(zip(colonnes, valeurs, strict=False))
            if brut.get("options") is not None:
                brut["options"] = _options_csv(brut["options"])
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
