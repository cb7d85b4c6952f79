"""The one CSV writer of Cpro: every CSV file that leaves the establishment goes through it.

Files are made for a spreadsheet on a school computer (Excel, LibreOffice): UTF-8 with a byte
order mark, semicolons, CRLF line ends. A text cell beginning with `=`, `+`, `-`, `@`, a tab
or a carriage return would be read as a formula (CSV injection, OWASP): such a cell is
prefixed with an apostrophe, which the spreadsheet shows as plain text. Numbers are written
as numbers (decimal comma) and never prefixed.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

DANGEREUX = ("=", "+", "-", "@", "\t", "\r")


def neutraliser(valeur) -> str:
    """The cell as text, safe to open in a spreadsheet."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, int | float | Decimal):
        return str(valeur).replace(".", ",")
    texte = str(valeur)
    if texte.startswith(DANGEREUX):
        return "'" + texte
    return texte


def ecrire_csv(entete: Iterable, lignes: Iterable[Iterable]) -> bytes:
    """The whole file: header then rows, every cell through `neutraliser`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutraliser(x) for x in entete])
    for ligne in lignes:
        writer.writerow([neutraliser(x) for x in ligne])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
