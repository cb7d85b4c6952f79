"""Editing an exported référentiel spreadsheet in a test, with odfpy (as a DDFPT would in
LibreOffice Calc)."""

import io
import zipfile

from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P


class Classeur:
    """An ODS opened with odfpy: `cellule`, `ecrire`, `ajouter_ligne`, then `octets()`."""

    def __init__(self, contenu: bytes):
        self.doc = load(io.BytesIO(contenu))

    def feuille(self, nom: str):
        for table in self.doc.spreadsheet.getElementsByType(Table):
            if table.getAttribute("name") == nom:
                return table
        raise KeyError(nom)

    def noms(self) -> list[str]:
        return [t.getAttribute("name") for t in self.doc.spreadsheet.getElementsByType(Table)]

    def lignes(self, nom: str) -> list:
        return self.feuille(nom).getElementsByType(TableRow)

    def valeurs(self, nom: str) -> list[list[str]]:
        return [
            [teletype.extractText(c) for c in row.getElementsByType(TableCell)]
            for row in self.lignes(nom)
        ]

    def colonne(self, nom: str, entete: str) -> int:
        return self.valeurs(nom)[0].index(entete)

    def ligne_de(self, nom: str, **criteres) -> int:
        """Index (0 = headers) of the first row whose named columns have these values."""
        valeurs = self.valeurs(nom)
        entetes = valeurs[0]
        for i, row in enumerate(valeurs[1:], 1):
            if all(row[entetes.index(k.replace("_", " "))] == v for k, v in criteres.items()):
                return i
        raise LookupError(criteres)

    def cellule(self, nom: str, ligne: int, entete: str):
        row = self.lignes(nom)[ligne]
        return row.getElementsByType(TableCell)[self.colonne(nom, entete)]

    def ecrire(self, nom: str, ligne: int, entete: str, texte: str):
        cell = self.cellule(nom, ligne, entete)
        for p in list(cell.getElementsByType(P)):
            cell.removeChild(p)
        for morceau in texte.split("\n"):
            p = P()
            teletype.addTextToElement(p, morceau)
            cell.addElement(p)
        return cell

    def remplacer_cellule(self, nom: str, ligne: int, entete: str, nouvelle: TableCell):
        ancienne = self.cellule(nom, ligne, entete)
        ancienne.parentNode.insertBefore(nouvelle, ancienne)
        ancienne.parentNode.removeChild(ancienne)

    def copier_ligne(self, nom: str, ligne: int) -> int:
        """Appends a copy of a row (same values); returns its index."""
        table = self.feuille(nom)
        source = self.lignes(nom)[ligne]
        row = TableRow()
        for cell in source.getElementsByType(TableCell):
            nouvelle = TableCell(valuetype="string")
            for morceau in teletype.extractText(cell).split("\n"):
                p = P()
                teletype.addTextToElement(p, morceau)
                nouvelle.addElement(p)
            row.addElement(nouvelle)
        table.addElement(row)
        return len(self.lignes(nom)) - 1

    def supprimer_ligne(self, nom: str, ligne: int):
        row = self.lignes(nom)[ligne]
        row.parentNode.removeChild(row)

    def renommer(self, nom: str, nouveau: str):
        self.feuille(nom).setAttribute("name", nouveau)

    def octets(self) -> bytes:
        out = io.BytesIO()
        self.doc.write(out)
        return out.getvalue()


def archive(fichiers: dict[str, bytes | str], mimetype: str | None) -> bytes:
    """A zip shaped like an OpenDocument file (mimetype first, stored)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if mimetype is not None:
            z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for nom, contenu in fichiers.items():
            z.writestr(zipfile.ZipInfo(nom), contenu, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()
