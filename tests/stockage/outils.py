"""Stored files and folders for the stockage tests, written through the services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from stockage import services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(nom: str = "consignes.pdf", contenu: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


def espace_de(membership):
    return services.espace_personnel(membership)


def espace_partage(side, diplome=None):
    """The shared space of `side`'s diplôme (created through its DDFPT)."""
    diplome = diplome or side.diplome
    return next(e for e in services.espaces_partages(side.ddfpt) if e.diplome_id == diplome.pk)


def dossier_dans(espace, par, nom: str = "Séquence 1", parent=None):
    return services.creer_dossier(espace, parent=parent, nom=nom, par=par.user)


def fichier_dans(espace, par, nom: str = "consignes.pdf", contenu: bytes = PDF, dossier=None):
    return services.deposer(espace, dossier=dossier, fichier=pdf(nom, contenu), par=par.user)


def fichier_de(side, nom: str = "consignes.pdf"):
    """A file of the personal space of `side`'s teacher."""
    return fichier_dans(espace_de(side.enseignant), side.enseignant, nom)
