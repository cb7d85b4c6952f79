"""Small but real files of every accepted type, built in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.scenarios.factories import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20


def _entree(nom: str) -> zipfile.ZipInfo:
    # A fixed date: the same call gives the same bytes (the default is the current second).
    return zipfile.ZipInfo(nom, date_time=(2026, 1, 1, 0, 0, 0))


def odf(mimetype="application/vnd.oasis.opendocument.text") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(_entree("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr(_entree("content.xml"), "<office:document-content/>")
    return buf.getvalue()


def ooxml(dossier="word/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(_entree("[Content_Types].xml"), "<Types/>")
        z.writestr(_entree(f"{dossier}document.xml"), "<document/>")
    return buf.getvalue()


def televerse(nom: str, contenu: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(nom, contenu, content_type=content_type)


ACCEPTES = [
    ("cours.pdf", PDF),
    ("fiche.odt", odf()),
    ("tableau.ods", odf("application/vnd.oasis.opendocument.spreadsheet")),
    ("diapo.odp", odf("application/vnd.oasis.opendocument.presentation")),
    ("fiche.docx", ooxml("word/")),
    ("tableau.xlsx", ooxml("xl/")),
    ("diapo.pptx", ooxml("ppt/")),
    ("photo.png", PNG),
    ("photo.jpg", JPG),
    ("photo.JPEG", JPG),
    ("consignes.txt", "Consignes : préparer l'accueil du client.\n".encode()),
    ("video.mp4", MP4),
]
