"""The référentiel as an ODS spreadsheet the DDFPT edits, and back.

`ecrire_ods(document) -> bytes` writes a `cpro-referentiel` document (see
fixtures/referentiels/README.md) as one sheet per kind, first row = French headers, one row per
item; `lire_ods(contenu) -> document` reads it back (the same dict, so the loader, its
validation and its preview are shared with the JSON import). `lire_document(contenu)` accepts
either format, recognised by content, never by file name.

Reading is strict: a wrong sheet or header, an empty or duplicated code, an unknown parent code
→ ReferentielInvalide listing every problem with its sheet and row; nothing is written. Every
cell is read as the text it shows (a number or a formula result included), so a code such as
« 0101 » or « 4 » stays text.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils import timezone

from referentiels.models import Confiance, Niveau
from referentiels.services import TAILLE_MAX, ReferentielInvalide, lire_json

MIMETYPE_ODS = "application/vnd.oasis.opendocument.spreadsheet"
# content.xml of the largest référentiel is well under 2 Mo; a zip bomb is refused unread.
TAILLE_XML_MAX = 20 * 1024 * 1024
LIGNES_MAX = 20_000
COLONNES_MAX = 64

CONFIANCE_MOTS = {
    Confiance.HAUTE: "Élevée",
    Confiance.MOYENNE: "Moyenne",
    Confiance.BASSE: "Faible",
}
# Accepted on import (compared without accents or case), besides the words above.
_CONFIANCE_LUE = {
    "elevee": "high",
    "haute": "high",
    "verifie": "high",
    "verifiee": "high",
    "high": "high",
    "moyenne": "medium",
    "medium": "medium",
    "faible": "low",
    "basse": "low",
    "reconstruit": "low",
    "reconstruite": "low",
    "low": "low",
}

LISEZ_MOI = "Lisez-moi"
DIPLOME = "Diplôme"
UNITES = "Unités"
ACTIVITES = "Activités et tâches"
COMPETENCES = "Compétences"
CRITERES = "Critères"
INDICATEURS = "Indicateurs"
MATRICE = "Matrice"
GRILLES = "Grilles CCF"
LSL = "Compétences LSL"

PROV = ("Source", "Confiance")
NIVEAUX_DESCRIPTEURS = tuple(x for n in range(1, 5) for x in (f"Niveau {n}", f"Descripteur {n}"))
NOTE = {"scale": "Note : barème", "label": "Note : libellé", "formation": "Note : formation"}

# Sheet → its headers, in order. Headers are matched by name (order free, case free).
FEUILLES = {
    DIPLOME: (
        "Code",
        "Version",
        "Intitulé",
        "Intitulé court",
        "Code diplôme",
        "Famille de métiers",
        "Niveaux",
        "Texte de référence",
        "Avertissements (un par ligne)",
        *PROV,
    ),
    UNITES: (
        "Code",
        "Épreuve",
        "Intitulé",
        "Mode d'évaluation",
        "Coefficient",
        "En CCF",
        *PROV,
    ),
    ACTIVITES: ("Type", "Code", "Intitulé", "Activité (code parent)", *PROV),
    COMPETENCES: (
        "Type",
        "Code",
        "Intitulé",
        "Bloc (code parent)",
        "Unité du bloc",
        "Compétences détaillées (une par ligne)",
        "Correspondances",
        "Convention de l'application",
        *PROV,
    ),
    CRITERES: ("Compétence (code parent)", "Code", "Intitulé", *NIVEAUX_DESCRIPTEURS, *PROV),
    INDICATEURS: (
        "Compétence",
        "Critère (code parent)",
        "Code",
        "Intitulé",
        *PROV,
    ),
    MATRICE: ("Tâche", "Compétence", *PROV),
    GRILLES: (
        "Épreuve",
        "Unité",
        "Titre",
        "Description",
        "Niveau 1",
        "Niveau 2",
        "Niveau 3",
        "Niveau 4",
        "Libellés des niveaux attestés",
        "Compétences",
        "Lignes (critères)",
        "Champs d'en-tête (un par ligne)",
        "Commentaires (un par ligne)",
        *NOTE.values(),
        *PROV,
    ),
    LSL: ("Code", "Intitulé", "Compétences", *PROV),
}

TYPE_ACTIVITE, TYPE_TACHE = "Activité", "Tâche"
TYPE_BLOC, TYPE_COMPETENCE = "Bloc", "Compétence"


def _cle(texte: str) -> str:
    """Comparison key: no accents, no case, single spaces."""
    sans = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(sans.casefold().split())


def _oui_non(value: bool) -> str:
    return "Oui" if value else "Non"


# --- writing ---------------------------------------------------------------------------------


def _lisez_moi(document: dict) -> list[str]:
    d = document["diplome"]
    mots = ", ".join(f"« {m} »" for m in CONFIANCE_MOTS.values())
    return [
        f"Référentiel {d['intitule']} — code {d['code']}, version {d['version']}",
        f"Exporté de Cpro le {timezone.localdate():%d/%m/%Y}.",
        "",
        "Comment modifier ce fichier",
        "1. Les codes sont les clés : chaque ligne est rapprochée de l'élément de même code "
        "(un critère : même code dans la même compétence ; un indicateur : même code dans le "
        "même critère). Pour corriger un libellé, modifiez le libellé, jamais le code.",
        "2. Un libellé modifié met à jour l'élément existant : les évaluations déjà saisies sur "
        "un critère sont conservées telles quelles.",
        "3. Une ligne ajoutée avec un nouveau code crée un élément.",
        "4. Supprimer une ligne ne supprime jamais rien : l'élément est seulement signalé "
        "« absent du fichier » dans l'aperçu, et conservé.",
        "5. Changer la version (feuille « Diplôme ») crée une nouvelle version du diplôme, qui "
        "coexiste avec l'ancienne ; la même version met à jour les éléments par leur code.",
        f"6. Confiance : {mots}. « Élevée » = vérifiée sur le texte officiel ; « Moyenne » et "
        "« Faible » (reconstruit) restent « à vérifier ». Source : d'où vient l'information "
        "(ex. « Annexe I du référentiel, BO du … »).",
        "7. Listes dans une cellule : une valeur par ligne (Ctrl+Entrée dans LibreOffice) ; "
        "pour des codes, la virgule ou le point-virgule conviennent aussi. Oui/Non pour les "
        "colonnes « En CCF », « Convention de l'application », « Libellés des niveaux "
        "attestés ».",
        "8. Ne renommez ni les feuilles ni les en-têtes de colonnes et n'ajoutez pas de feuille ; "
        "cette feuille « Lisez-moi » est ignorée à l'import.",
        "9. Enregistrez au format ODS (tableur OpenDocument), puis importez le fichier dans Cpro "
        "(Administration › Référentiels). Un aperçu montre les ajouts, les modifications "
        "(avant → après), les éléments inchangés et absents avant tout enregistrement. Au "
        "moindre problème (feuille, ligne et raison indiquées), rien n'est enregistré.",
    ]


def _lignes(document: dict) -> dict[str, list[list]]:
    """Rows of each sheet (without headers). A cell is a str, a number, or None."""

    def prov(x):
        return [x.get("source") or "", CONFIANCE_MOTS.get(x.get("confiance"), "")]

    def liste(values):
        return "\n".join(values or [])

    d = document["diplome"]
    niveaux = ", ".join(str(Niveau(n).label) for n in d.get("niveaux") or [] if n in Niveau.values)
    feuilles = {
        DIPLOME: [
            [
                d["code"],
                d["version"],
                d["intitule"],
                d["intitule_court"],
                d.get("code_diplome") or "",
                d.get("famille") or "",
                niveaux,
                d.get("texte") or "",
                liste(d.get("avertissements")),
                *prov(d),
            ]
        ],
        UNITES: [
            [
                u["code"],
                u.get("epreuve") or "",
                u["intitule"],
                u.get("mode") or "",
                u.get("coefficient"),
                _oui_non(u.get("ccf")),
                *prov(u),
            ]
            for u in document["unites"]
        ],
        ACTIVITES: [],
        COMPETENCES: [],
        CRITERES: [],
        INDICATEURS: [],
        MATRICE: [[x["tache"], x["competence"], *prov(x)] for x in document["matrice"]],
        GRILLES: [],
        LSL: [
            [x["code"], x["intitule"], liste(x.get("competences")), *prov(x)]
            for x in document["competences_lsl"]
        ],
    }
    for a in document["activites"]:
        feuilles[ACTIVITES].append([TYPE_ACTIVITE, a["code"], a["intitule"], "", *prov(a)])
        for t in a["taches"]:
            feuilles[ACTIVITES].append([TYPE_TACHE, t["code"], t["intitule"], a["code"], *prov(t)])
    for g in document["groupes"]:
        feuilles[COMPETENCES].append(
            [TYPE_BLOC, g["code"], g["intitule"], "", g.get("unite") or "", "", "", "", *prov(g)]
        )
        for c in g["competences"]:
            feuilles[COMPETENCES].append(
                [
                    TYPE_COMPETENCE,
                    c["code"],
                    c["intitule"],
                    g["code"],
                    "",
                    liste(c.get("details")),
                    liste(c.get("correspondances")),
                    _oui_non(c.get("convention")),
                    *prov(c),
                ]
            )
            for cr in c.get("criteres") or []:
                descripteurs = [
                    v for x in cr.get("descripteurs") or [] for v in (x["niveau"], x["descripteur"])
                ]
                descripteurs += [""] * (8 - len(descripteurs))
                feuilles[CRITERES].append(
                    [c["code"], cr["code"], cr["intitule"], *descripteurs, *prov(cr)]
                )
                for i in cr.get("indicateurs") or []:
                    feuilles[INDICATEURS].append(
                        [c["code"], cr["code"], i["code"], i["intitule"], *prov(i)]
                    )
    for gr in document["grilles_ccf"]:
        note = gr.get("note") or {}
        feuilles[GRILLES].append(
            [
                gr["epreuve"],
                gr.get("unite") or "",
                gr["titre"],
                gr.get("description") or "",
                *gr["niveaux"],
                _oui_non(gr.get("niveaux_attestes", gr.get("confiance") != "low")),
                liste(gr.get("competences")),
                liste(gr.get("lignes")),
                liste(gr.get("champs_entete")),
                liste(gr.get("commentaires")),
                *(str(note.get(k) or "") for k in NOTE),
                *prov(gr),
            ]
        )
    return feuilles


def ecrire_ods(document: dict) -> bytes:
    """A valid `cpro-referentiel` document as an ODS spreadsheet (odfpy)."""
    from odf import teletype
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    entete = Style(name="entete", family="table-cell")
    entete.addElement(TextProperties(fontweight="bold"))
    entete.addElement(TableCellProperties(backgroundcolor="#dde5f0"))
    doc.automaticstyles.addElement(entete)
    largeurs = {}
    for nom, largeur in (("etroite", "2.5cm"), ("moyenne", "4cm"), ("large", "9cm")):
        style = Style(name=f"col-{nom}", family="table-column")
        style.addElement(TableColumnProperties(columnwidth=largeur))
        doc.automaticstyles.addElement(style)
        largeurs[nom] = style

    def cellule(value, style=None):
        kwargs = {"stylename": style} if style else {}
        if isinstance(value, int | float) and not isinstance(value, bool):
            cell = TableCell(valuetype="float", value=value, **kwargs)
            cell.addElement(P(text=str(value).replace(".", ",")))
            return cell
        cell = TableCell(valuetype="string", **kwargs)
        for ligne in str(value if value is not None else "").split("\n") if value else []:
            p = P()
            teletype.addTextToElement(p, ligne)
            cell.addElement(p)
        return cell

    def largeur(entete_colonne: str):
        if entete_colonne in ("Intitulé", "Description", "Titre", "Source") or "(un" in (
            entete_colonne
        ):
            return largeurs["large"]
        if entete_colonne.startswith("Descripteur") or entete_colonne.startswith("Note :"):
            return largeurs["large"]
        if entete_colonne in ("Type", "Code", "Version", "Coefficient", "En CCF"):
            return largeurs["etroite"]
        return largeurs["moyenne"]

    lisez_moi = Table(name=LISEZ_MOI)
    lisez_moi.addElement(TableColumn(stylename=largeurs["large"]))
    for i, ligne in enumerate(_lisez_moi(document)):
        row = TableRow()
        row.addElement(cellule(ligne, entete if i in (0, 3) else None))
        lisez_moi.addElement(row)
    doc.spreadsheet.addElement(lisez_moi)

    for nom, lignes in _lignes(document).items():
        table = Table(name=nom)
        for h in FEUILLES[nom]:
            table.addElement(TableColumn(stylename=largeur(h)))
        row = TableRow()
        for h in FEUILLES[nom]:
            row.addElement(cellule(h, entete))
        table.addElement(row)
        for ligne in lignes:
            row = TableRow()
            for value in ligne:
                row.addElement(cellule(value))
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


# --- reading ---------------------------------------------------------------------------------

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


@dataclass
class Ligne:
    """One data row of a sheet: its number in the spreadsheet and its cells by header."""

    numero: int
    cellules: dict[str, str]

    def __getitem__(self, entete: str) -> str:
        return self.cellules.get(entete, "")


def _texte_paragraphe(element) -> str:
    """The text a spreadsheet shows for one text:p (ODF white-space rules)."""
    morceaux = []

    def parcourir(el):
        if el.text:
            morceaux.append(re.sub(r"[ \t\r\n]+", " ", el.text))
        for enfant in el:
            if enfant.tag == _q("text", "s"):
                morceaux.append(" " * int(enfant.get(_q("text", "c"), "1") or 1))
            elif enfant.tag == _q("text", "tab"):
                morceaux.append("\t")
            elif enfant.tag == _q("text", "line-break"):
                morceaux.append("\n")
            elif enfant.tag in (_q("office", "annotation"), _q("text", "note")):
                pass  # comments are not content
            else:
                parcourir(enfant)
            if enfant.tail:
                morceaux.append(re.sub(r"[ \t\r\n]+", " ", enfant.tail))

    parcourir(element)
    return "".join(morceaux)


def _texte_cellule(cell) -> str:
    """A cell as text: its paragraphs (one per line); a value without text (number, date,
    formula result written by another tool) as its stored value."""
    paragraphes = [_texte_paragraphe(p) for p in cell.findall(_q("text", "p"))]
    if paragraphes:
        return "\n".join(paragraphes).strip()
    for attr in ("value", "date-value", "time-value", "boolean-value", "string-value"):
        value = cell.get(_q("office", attr))
        if value is not None:
            return value.strip()
    return ""


def _feuilles(contenu: bytes) -> dict[str, list[tuple[int, list[str]]]]:
    """Sheet name → its non-empty rows as (row number, cell texts). ReferentielInvalide when
    the content is not a readable ODS spreadsheet."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    illisible = ReferentielInvalide(
        ["Le fichier n'est pas un tableur ODS lisible (enregistrez-le au format ODS)."]
    )
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as z:
            noms = set(z.namelist())
            if "mimetype" not in noms or "content.xml" not in noms:
                raise illisible
            if z.read("mimetype")[:100].strip() != MIMETYPE_ODS.encode():
                raise ReferentielInvalide(
                    [
                        "Le fichier n'est pas un tableur ODS (un texte ou une présentation "
                        "OpenDocument ?) : exportez le référentiel et modifiez ce tableur."
                    ]
                )
            if z.getinfo("content.xml").file_size > TAILLE_XML_MAX:
                raise ReferentielInvalide(["Le tableur est trop volumineux une fois décompressé."])
            xml = z.read("content.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError):
        raise illisible from None
    try:
        racine = fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError):
        raise illisible from None

    feuilles = {}
    total = 0
    for table in racine.iter(_q("table", "table")):
        nom = table.get(_q("table", "name"), "")
        lignes = []
        numero = 0
        for row in table.iter(_q("table", "table-row")):
            repete = int(row.get(_q("table", "number-rows-repeated"), "1") or 1)
            cellules = []
            for cell in row:
                if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                    continue
                n = int(cell.get(_q("table", "number-columns-repeated"), "1") or 1)
                texte = _texte_cellule(cell)
                # Trailing empty cells are often repeated thousands of times: never expanded.
                cellules.extend([texte] * min(n, max(COLONNES_MAX - len(cellules), 0)))
            while cellules and not cellules[-1]:
                cellules.pop()
            if cellules:
                for _ in range(min(repete, LIGNES_MAX)):
                    numero += 1
                    total += 1
                    lignes.append((numero, cellules))
                    if total > LIGNES_MAX:
                        raise ReferentielInvalide(
                            [
                                f"Le tableur a plus de {LIGNES_MAX} lignes : ce n'est pas "
                                "un référentiel."
                            ]
                        )
            else:
                numero += repete
        feuilles[nom] = lignes
    return feuilles


class _Lecteur:
    """Turns the sheets into a document, collecting every problem with its sheet and row."""

    def __init__(self, feuilles):
        self.feuilles = feuilles
        self.erreurs: list[str] = []

    def erreur(self, feuille: str, numero: int | None, message: str) -> None:
        ou = f"Feuille « {feuille} »" + (f", ligne {numero}" if numero else "")
        self.erreurs.append(f"{ou} : {message}")

    def entetes(self) -> None:
        """Checks the header row of every sheet (before any row is read: a wrong header would
        otherwise echo as unknown codes in the other sheets)."""
        self.colonnes: dict[str, dict[int, str]] = {}
        for nom, attendus in FEUILLES.items():
            lignes = self.feuilles[nom]
            if not lignes:
                self.erreur(nom, 1, "la ligne d'en-têtes est manquante.")
                continue
            num, entetes = lignes[0]
            par_cle = {_cle(h): h for h in attendus}
            colonnes = {}
            for i, h in enumerate(entetes):
                if not h:
                    continue
                vrai = par_cle.get(_cle(h))
                if vrai is None:
                    self.erreur(nom, num, f"colonne « {h} » inconnue.")
                elif vrai in colonnes.values():
                    self.erreur(nom, num, f"colonne « {h} » en double.")
                else:
                    colonnes[i] = vrai
            manquantes = [h for h in attendus if h not in colonnes.values()]
            if manquantes:
                liste = ", ".join(f"« {h} »" for h in manquantes)
                self.erreur(nom, num, f"colonne(s) manquante(s) : {liste}.")
            self.colonnes[nom] = colonnes

    def lignes(self, nom: str) -> list[Ligne]:
        colonnes = self.colonnes[nom]
        resultat = []
        for numero, cellules in self.feuilles[nom][1:]:
            if any(c for i, c in enumerate(cellules) if c and i not in colonnes):
                self.erreur(nom, numero, "une valeur est écrite hors des colonnes prévues.")
            resultat.append(
                Ligne(
                    numero,
                    {h: cellules[i] if i < len(cellules) else "" for i, h in colonnes.items()},
                )
            )
        return resultat

    def code(self, nom, ligne: Ligne, entete="Code", vus: dict | None = None, quoi="code") -> str:
        code = ligne[entete].strip()
        if not code:
            self.erreur(nom, ligne.numero, f"{quoi} vide (colonne « {entete} »).")
        elif vus is not None:
            if code in vus:
                self.erreur(
                    nom, ligne.numero, f"{quoi} « {code} » en double (déjà ligne {vus[code]})."
                )
            else:
                vus[code] = ligne.numero
        return code

    def provenance(self, nom, ligne: Ligne) -> dict:
        mot = ligne["Confiance"]
        confiance = _CONFIANCE_LUE.get(_cle(mot))
        if confiance is None:
            attendu = ", ".join(CONFIANCE_MOTS.values())
            if mot:
                self.erreur(
                    nom, ligne.numero, f"confiance « {mot} » inconnue (attendu : {attendu})."
                )
            else:
                self.erreur(nom, ligne.numero, f"confiance vide (attendu : {attendu}).")
            confiance = "low"
        return {"source": ligne["Source"], "confiance": confiance}

    def oui_non(self, nom, ligne: Ligne, entete: str) -> bool:
        valeur = _cle(ligne[entete])
        if valeur in ("oui", "vrai", "true", "1", "x"):
            return True
        if valeur in ("", "non", "faux", "false", "0"):
            return False
        self.erreur(nom, ligne.numero, f"« {entete} » doit valoir Oui ou Non.")
        return False

    @staticmethod
    def textes(valeur: str) -> list[str]:
        return [x.strip() for x in valeur.split("\n") if x.strip()]

    @staticmethod
    def codes(valeur: str) -> list[str]:
        return [x.strip() for x in re.split(r"[\n,;]", valeur) if x.strip()]

    def connus(self, nom, ligne: Ligne, codes: list[str], connus, quoi: str, ou: str):
        for code in codes:
            if code not in connus:
                self.erreur(nom, ligne.numero, f"{quoi} « {code} » inconnue (feuille « {ou} »).")

    # --- sheets --------------------------------------------------------------------------

    def diplome(self) -> dict:
        lignes = self.lignes(DIPLOME)
        if len(lignes) != 1:
            self.erreur(DIPLOME, None, "une seule ligne de diplôme est attendue sous les en-têtes.")
            return {}
        ligne = lignes[0]
        niveaux = []
        par_cle = {_cle(str(label)): code for code, label in Niveau.choices}
        par_cle.update({_cle(code): code for code in Niveau.values})
        for mot in self.codes(ligne["Niveaux"]):
            if _cle(mot) in par_cle:
                niveaux.append(par_cle[_cle(mot)])
            else:
                self.erreur(
                    DIPLOME,
                    ligne.numero,
                    f"niveau « {mot} » inconnu (Seconde, Première, Terminale).",
                )
        return {
            "code": self.code(DIPLOME, ligne),
            "version": self.code(DIPLOME, ligne, "Version", quoi="version"),
            "intitule": ligne["Intitulé"],
            "intitule_court": ligne["Intitulé court"],
            "code_diplome": ligne["Code diplôme"],
            "famille": ligne["Famille de métiers"],
            "niveaux": niveaux,
            "texte": ligne["Texte de référence"],
            "avertissements": self.textes(ligne["Avertissements (un par ligne)"]),
            **self.provenance(DIPLOME, ligne),
        }

    def unites(self) -> list[dict]:
        unites, vus = [], {}
        for ligne in self.lignes(UNITES):
            coefficient = None
            brut = ligne["Coefficient"].replace("\u00a0", "").replace(" ", "").replace(",", ".")
            if brut:
                try:
                    coefficient = float(brut)
                    coefficient = int(coefficient) if coefficient.is_integer() else coefficient
                except ValueError:
                    self.erreur(
                        UNITES,
                        ligne.numero,
                        f"coefficient « {ligne['Coefficient']} » : un nombre est attendu.",
                    )
            unites.append(
                {
                    "code": self.code(UNITES, ligne, vus=vus, quoi="code d'unité"),
                    "epreuve": ligne["Épreuve"],
                    "intitule": ligne["Intitulé"],
                    "mode": ligne["Mode d'évaluation"],
                    "coefficient": coefficient,
                    "ccf": self.oui_non(UNITES, ligne, "En CCF"),
                    **self.provenance(UNITES, ligne),
                }
            )
        return unites

    def _type(self, nom, ligne, parent: str, types: tuple[str, str]) -> str | None:
        type_ = {_cle(t): t for t in types}.get(_cle(ligne["Type"]))
        if type_ is None:
            self.erreur(
                nom,
                ligne.numero,
                f"type « {ligne['Type']} » inconnu (attendu : {types[0]} ou {types[1]}).",
            )
        elif type_ == types[0] and ligne[parent].strip():
            self.erreur(nom, ligne.numero, f"un(e) {types[0].lower()} n'a pas de code parent.")
        return type_

    def activites(self) -> list[dict]:
        parent = "Activité (code parent)"
        lignes = self.lignes(ACTIVITES)
        activites, vus_a, vus_t = {}, {}, {}
        taches = []
        for ligne in lignes:
            type_ = self._type(ACTIVITES, ligne, parent, (TYPE_ACTIVITE, TYPE_TACHE))
            if type_ == TYPE_ACTIVITE:
                code = self.code(ACTIVITES, ligne, vus=vus_a, quoi="code d'activité")
                item = {
                    "code": code,
                    "intitule": ligne["Intitulé"],
                    **self.provenance(ACTIVITES, ligne),
                    "taches": [],
                }
                activites.setdefault(code, item)
            elif type_ == TYPE_TACHE:
                taches.append(ligne)
        for ligne in taches:
            code = self.code(ACTIVITES, ligne, vus=vus_t, quoi="code de tâche")
            item = {
                "code": code,
                "intitule": ligne["Intitulé"],
                **self.provenance(ACTIVITES, ligne),
            }
            pere = ligne[parent].strip()
            if not pere:
                self.erreur(ACTIVITES, ligne.numero, f"tâche sans activité (colonne « {parent} »).")
            elif pere not in activites:
                self.erreur(ACTIVITES, ligne.numero, f"activité « {pere} » inconnue.")
            else:
                activites[pere]["taches"].append(item)
        return list(activites.values())

    def groupes(self, unites: set[str]) -> list[dict]:
        parent = "Bloc (code parent)"
        groupes, vus_g, vus_c = {}, {}, {}
        competences = []
        for ligne in self.lignes(COMPETENCES):
            type_ = self._type(COMPETENCES, ligne, parent, (TYPE_BLOC, TYPE_COMPETENCE))
            if type_ == TYPE_BLOC:
                code = self.code(COMPETENCES, ligne, vus=vus_g, quoi="code de bloc")
                unite = ligne["Unité du bloc"].strip() or None
                if unite and unite not in unites:
                    self.erreur(
                        COMPETENCES,
                        ligne.numero,
                        f"unité « {unite} » inconnue (feuille « {UNITES} »).",
                    )
                for entete in FEUILLES[COMPETENCES][5:8]:
                    if ligne[entete].strip() and not (
                        entete.startswith("Convention") and _cle(ligne[entete]) == "non"
                    ):
                        self.erreur(
                            COMPETENCES,
                            ligne.numero,
                            f"la colonne « {entete} » ne s'applique pas à un bloc.",
                        )
                item = {
                    "code": code,
                    "intitule": ligne["Intitulé"],
                    "unite": unite,
                    **self.provenance(COMPETENCES, ligne),
                    "competences": [],
                }
                groupes.setdefault(code, item)
            elif type_ == TYPE_COMPETENCE:
                competences.append(ligne)
        par_code = {}
        for ligne in competences:
            code = self.code(COMPETENCES, ligne, vus=vus_c, quoi="code de compétence")
            if ligne["Unité du bloc"].strip():
                self.erreur(
                    COMPETENCES,
                    ligne.numero,
                    "la colonne « Unité du bloc » ne s'applique qu'à un bloc.",
                )
            item = {
                "code": code,
                "intitule": ligne["Intitulé"],
                "details": self.textes(ligne["Compétences détaillées (une par ligne)"]),
                "correspondances": self.codes(ligne["Correspondances"]),
                "convention": self.oui_non(COMPETENCES, ligne, "Convention de l'application"),
                **self.provenance(COMPETENCES, ligne),
                "criteres": [],
            }
            pere = ligne[parent].strip()
            if not pere:
                self.erreur(
                    COMPETENCES, ligne.numero, f"compétence sans bloc (colonne « {parent} »)."
                )
            elif pere not in groupes:
                self.erreur(COMPETENCES, ligne.numero, f"bloc « {pere} » inconnu.")
            else:
                groupes[pere]["competences"].append(item)
                par_code.setdefault(code, item)
        self.par_competence = par_code
        return list(groupes.values())

    def criteres(self) -> None:
        parent = "Compétence (code parent)"
        vus = {}
        self.par_critere = {}
        for ligne in self.lignes(CRITERES):
            pere = self.code(CRITERES, ligne, parent, quoi="code de compétence")
            code = self.code(CRITERES, ligne, quoi="code de critère")
            if pere and code:
                cle = (pere, code)
                if cle in vus:
                    self.erreur(
                        CRITERES,
                        ligne.numero,
                        f"critère « {code} » de {pere} en double (déjà ligne {vus[cle]}).",
                    )
                    continue
                vus[cle] = ligne.numero
            valeurs = [
                ligne[h].strip() if h.startswith("Niveau") else ligne[h]
                for h in NIVEAUX_DESCRIPTEURS
            ]
            descripteurs = []
            if any(v.strip() for v in valeurs):
                if not all(valeurs[0::2]):
                    self.erreur(
                        CRITERES,
                        ligne.numero,
                        "les 4 niveaux doivent être nommés (Niveau 1 à Niveau 4), ou les 8 "
                        "colonnes laissées vides.",
                    )
                descripteurs = [
                    {"niveau": valeurs[i], "descripteur": valeurs[i + 1]} for i in range(0, 8, 2)
                ]
            item = {
                "code": code,
                "intitule": ligne["Intitulé"],
                "descripteurs": descripteurs,
                **self.provenance(CRITERES, ligne),
                "indicateurs": [],
            }
            if pere and pere not in self.par_competence:
                self.erreur(
                    CRITERES,
                    ligne.numero,
                    f"compétence « {pere} » inconnue (feuille « {COMPETENCES} »).",
                )
            elif pere and code:
                self.par_competence[pere]["criteres"].append(item)
                self.par_critere[(pere, code)] = item

    def indicateurs(self) -> None:
        vus = {}
        for ligne in self.lignes(INDICATEURS):
            comp = self.code(INDICATEURS, ligne, "Compétence", quoi="code de compétence")
            crit = self.code(INDICATEURS, ligne, "Critère (code parent)", quoi="code de critère")
            code = self.code(INDICATEURS, ligne, quoi="code d'indicateur")
            item = {
                "code": code,
                "intitule": ligne["Intitulé"],
                **self.provenance(INDICATEURS, ligne),
            }
            if not (comp and crit and code):
                continue
            if (comp, crit, code) in vus:
                self.erreur(
                    INDICATEURS,
                    ligne.numero,
                    f"indicateur « {code} » en double (déjà ligne {vus[(comp, crit, code)]}).",
                )
            elif (comp, crit) not in self.par_critere:
                self.erreur(
                    INDICATEURS,
                    ligne.numero,
                    f"critère « {crit} » de la compétence « {comp} » inconnu "
                    f"(feuille « {CRITERES} »).",
                )
            else:
                self.par_critere[(comp, crit)]["indicateurs"].append(item)
            vus[(comp, crit, code)] = ligne.numero

    def matrice(self, taches: set[str]) -> list[dict]:
        liens, vus = [], {}
        for ligne in self.lignes(MATRICE):
            tache = self.code(MATRICE, ligne, "Tâche", quoi="code de tâche")
            comp = self.code(MATRICE, ligne, "Compétence", quoi="code de compétence")
            if tache and tache not in taches:
                self.erreur(
                    MATRICE, ligne.numero, f"tâche « {tache} » inconnue (feuille « {ACTIVITES} »)."
                )
            if comp and comp not in self.par_competence:
                self.erreur(
                    MATRICE,
                    ligne.numero,
                    f"compétence « {comp} » inconnue (feuille « {COMPETENCES} »).",
                )
            if (tache, comp) in vus:
                self.erreur(
                    MATRICE,
                    ligne.numero,
                    f"lien « {tache} ↔ {comp} » en double (déjà ligne {vus[(tache, comp)]}).",
                )
            vus[(tache, comp)] = ligne.numero
            liens.append({"tache": tache, "competence": comp, **self.provenance(MATRICE, ligne)})
        return liens

    def grilles(self, unites: set[str]) -> list[dict]:
        grilles, vus = [], {}
        for ligne in self.lignes(GRILLES):
            epreuve = self.code(GRILLES, ligne, "Épreuve", vus=vus, quoi="épreuve")
            unite = ligne["Unité"].strip() or None
            if unite and unite not in unites:
                self.erreur(
                    GRILLES, ligne.numero, f"unité « {unite} » inconnue (feuille « {UNITES} »)."
                )
            comps = self.codes(ligne["Compétences"])
            self.connus(GRILLES, ligne, comps, self.par_competence, "compétence", COMPETENCES)
            possibles = {
                cr["code"]
                for c in comps
                if c in self.par_competence
                for cr in self.par_competence[c]["criteres"]
            }
            lignes = self.codes(ligne["Lignes (critères)"])
            for code in lignes:
                if code not in possibles:
                    self.erreur(
                        GRILLES,
                        ligne.numero,
                        f"ligne « {code} » : pas un critère des compétences de la grille.",
                    )
            niveaux = [ligne[f"Niveau {n}"].strip() for n in range(1, 5)]
            if not all(niveaux):
                self.erreur(
                    GRILLES,
                    ligne.numero,
                    "les 4 niveaux (Niveau 1 à Niveau 4) doivent être nommés.",
                )
            grilles.append(
                {
                    "epreuve": epreuve,
                    "unite": unite,
                    "titre": ligne["Titre"],
                    "description": ligne["Description"],
                    "niveaux": niveaux,
                    "champs_entete": self.textes(ligne["Champs d'en-tête (un par ligne)"]),
                    "commentaires": self.textes(ligne["Commentaires (un par ligne)"]),
                    "note": {k: ligne[h] for k, h in NOTE.items() if ligne[h]},
                    "competences": comps,
                    "lignes": lignes,
                    "niveaux_attestes": self.oui_non(
                        GRILLES, ligne, "Libellés des niveaux attestés"
                    ),
                    **self.provenance(GRILLES, ligne),
                }
            )
        return grilles

    def lsl(self) -> list[dict]:
        items, vus = [], {}
        for ligne in self.lignes(LSL):
            comps = self.codes(ligne["Compétences"])
            self.connus(LSL, ligne, comps, self.par_competence, "compétence", COMPETENCES)
            items.append(
                {
                    "code": self.code(LSL, ligne, vus=vus, quoi="code de compétence LSL"),
                    "intitule": ligne["Intitulé"],
                    "competences": comps,
                    **self.provenance(LSL, ligne),
                }
            )
        return items


def lire_ods(contenu: bytes) -> dict:
    """The `cpro-referentiel` document of an edited spreadsheet (see `ecrire_ods`).

    Raises ReferentielInvalide listing every problem (sheet + row). The document still goes
    through `valider_referentiel` (lengths, values) in the preview and the load.
    """
    feuilles = _feuilles(contenu)
    attendues = [LISEZ_MOI, *FEUILLES]
    erreurs = [
        f"Feuille « {nom} » inconnue (feuilles attendues : {', '.join(attendues)})."
        for nom in feuilles
        if nom not in attendues
    ]
    erreurs += [f"Feuille « {nom} » manquante." for nom in FEUILLES if nom not in feuilles]
    if erreurs:
        raise ReferentielInvalide(erreurs)
    lecteur = _Lecteur(feuilles)
    lecteur.entetes()
    if lecteur.erreurs:
        raise ReferentielInvalide(lecteur.erreurs)
    diplome = lecteur.diplome()
    unites = lecteur.unites()
    activites = lecteur.activites()
    codes_unites = {u["code"] for u in unites}
    groupes = lecteur.groupes(codes_unites)
    lecteur.criteres()
    lecteur.indicateurs()
    taches = {t["code"] for a in activites for t in a["taches"]}
    document = {
        "format": "cpro-referentiel",
        "format_version": 1,
        "diplome": diplome,
        "unites": unites,
        "activites": activites,
        "groupes": groupes,
        "matrice": lecteur.matrice(taches),
        "grilles_ccf": lecteur.grilles(codes_unites),
        "competences_lsl": lecteur.lsl(),
    }
    if lecteur.erreurs:
        raise ReferentielInvalide(lecteur.erreurs)
    return document


def lire_document(contenu: bytes) -> tuple[dict, str]:
    """(document, "ods" | "json") of an uploaded file, recognised by its content.

    Raises ReferentielInvalide (French messages) for a file too large, of another kind, or
    unreadable.
    """
    if len(contenu) > TAILLE_MAX:
        raise ReferentielInvalide(["Le fichier dépasse la taille maximale de 2 Mo."])
    if contenu[:4] == b"PK\x03\x04":
        return lire_ods(contenu), "ods"
    debut = contenu[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if debut[:1] in (b"{", b"["):
        return lire_json(contenu), "json"
    raise ReferentielInvalide(
        [
            "Le fichier n'est ni un tableur ODS ni un document JSON de référentiel : exportez le "
            "référentiel en ODS, modifiez-le, puis déposez le fichier enregistré au format ODS."
        ]
    )
