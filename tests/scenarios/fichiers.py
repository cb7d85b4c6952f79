"""Small but real files of every accepted type, built in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.scenarios.factories import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20


def odf(mimetype="application/vnd.oasis.opendocument.text") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def ooxml(dossier="word/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{dossier}document.xml", "<document/>")
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
