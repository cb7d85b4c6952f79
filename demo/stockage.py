"""Demo data of the espace de stockage: the personal spaces of two teachers and the shared
space of Bac Pro MCV option A, with folders and small generated files (PDF, PNG, text),
written through the module's services (same checks, quota and audit as a real upload).

Idempotent: a folder or a file is identified by its space, its parent folder and its name.
"""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw

from demo.socle import DemoContext
from stockage import services
from stockage.models import Dossier, Fichier


def _pdf(titre: str, lignes: list[str]) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi: accented Latin letters) with a title and lines."""

    def texte(s: str) -> str:
        s = s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return s.encode("cp1252", "replace").decode("latin-1")

    ops = ["BT /F1 18 Tf 60 780 Td", f"({texte(titre)}) Tj", "/F1 11 Tf 0 -30 Td"]
    for ligne in lignes:
        ops += [f"({texte(ligne)}) Tj", "0 -16 Td"]
    ops.append("ET")
    flux = "\n".join(ops).encode("latin-1")
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(flux) + flux + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    sortie = io.BytesIO()
    sortie.write(b"%PDF-1.4\n")
    positions = []
    for i, objet in enumerate(objets, start=1):
        positions.append(sortie.tell())
        sortie.write(b"%d 0 obj\n" % i + objet + b"\nendobj\n")
    xref = sortie.tell()
    sortie.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1))
    for p in positions:
        sortie.write(b"%010d 00000 n \n" % p)
    sortie.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objets) + 1, xref)
    )
    return sortie.getvalue()


def _png(titre: str, couleur: tuple[int, int, int]) -> bytes:
    """A 600×400 poster-like PNG."""
    image = Image.new("RGB", (600, 400), couleur)
    dessin = ImageDraw.Draw(image)
    dessin.rectangle((30, 30, 570, 370), outline=(255, 255, 255), width=8)
    dessin.rectangle((80, 250, 520, 320), fill=(255, 255, 255))
    dessin.text((100, 120), titre, fill=(255, 255, 255))
    sortie = io.BytesIO()
    image.save(sortie, format="PNG")
    return sortie.getvalue()


def _txt(lignes: list[str]) -> bytes:
    return ("\n".join(lignes) + "\n").encode("utf-8")


# (owner key or "partage:<diplôme code>", folder path, file name, who drops it, bytes builder)
FICHIERS = [
    (
        "prof_mcva",
        "",
        "Progression annuelle 1MCVA.pdf",
        "prof_mcva",
        lambda: _pdf(
            "Progression annuelle – 1re MCV A",
            [
                "Période 1 : accueillir et conseiller le client (séquences 1 à 3)",
                "Période 2 : vendre et fidéliser (séquences 4 à 6)",
                "PFMP 1 : du 12/01 au 06/02",
                "Période 3 : animer l'espace commercial (séquences 7 et 8)",
            ],
        ),
    ),
    (
        "prof_mcva",
        "Séquence 1 – Accueil du client",
        "Fiche de préparation.pdf",
        "prof_mcva",
        lambda: _pdf(
            "Séquence 1 – Accueil du client",
            [
                "Objectif : accueillir le client en magasin et identifier son besoin.",
                "Durée : 3 séances de 2 heures.",
                "Supports : vidéo d'une vente, jeu de rôle en binôme, grille d'observation.",
            ],
        ),
    ),
    (
        "prof_mcva",
        "Séquence 1 – Accueil du client",
        "Grille d'observation.txt",
        "prof_mcva",
        lambda: _txt(
            [
                "Grille d'observation – jeu de rôle « accueil »",
                "- Salue le client et se présente",
                "- Pose des questions ouvertes",
                "- Reformule le besoin",
                "- Propose un produit adapté",
            ]
        ),
    ),
    (
        "prof_mcva",
        "Séquence 1 – Accueil du client/Supports visuels",
        "Affiche promotion rentrée.png",
        "prof_mcva",
        lambda: _png("PROMOTION RENTREE -20 %", (31, 78, 156)),
    ),
    (
        "prof_mcvb",
        "Prospection",
        "Fichier prospects – consignes.pdf",
        "prof_mcvb",
        lambda: _pdf(
            "Prospection téléphonique",
            [
                "Constituer un fichier de 20 prospects du secteur.",
                "Préparer l'argumentaire et le traitement des objections.",
            ],
        ),
    ),
    (
        "partage:MCV-A",
        "",
        "Progression commune de l'équipe.pdf",
        "prof_mcva",
        lambda: _pdf(
            "Progression commune – Bac Pro MCV A",
            [
                "Seconde : famille des métiers de la relation client",
                "Première : blocs 1 et 2, PFMP de 4 semaines",
                "Terminale : blocs 3, CCF et chef-d'œuvre",
            ],
        ),
    ),
    (
        "partage:MCV-A",
        "Sujets CCF",
        "Calendrier des CCF.txt",
        "ddfpt",
        lambda: _txt(
            [
                "Calendrier des CCF – Bac Pro MCV A",
                "E31 : semaine du 09/03",
                "E32 : semaine du 30/03",
                "E33 : semaine du 11/05",
            ]
        ),
    ),
    (
        "partage:MCV-A",
        "Sujets CCF",
        "Grille E31 vierge.pdf",
        "prof_seconde",
        lambda: _pdf("Grille E31 – situation de vente", ["Compétences C1 à C4", "Note sur 20"]),
    ),
]


def _espace(ctx: DemoContext, cle: str):
    if cle.startswith("partage:"):
        code = cle.split(":", 1)[1]
        diplome = ctx.diplomes[code]
        return next(
            e
            for e in services.espaces_partages(ctx.personnes["ddfpt"])
            if e.diplome_id == diplome.pk
        )
    return services.espace_personnel(ctx.personnes[cle])


def _dossier(espace, chemin: str, par):
    """The folder at `chemin` (« A/B ») of `espace`, created when missing."""
    parent = None
    for nom in [n for n in chemin.split("/") if n]:
        existant = Dossier.objects.filter(espace=espace, parent=parent, nom=nom).first()
        parent = existant or services.creer_dossier(espace, parent=parent, nom=nom, par=par)
    return parent


@transaction.atomic
def construire(ctx: DemoContext) -> None:
    for cle, chemin, nom, auteur, contenu in FICHIERS:
        membership = ctx.personnes.get(auteur)
        if membership is None:
            continue
        par = membership.user
        espace = _espace(ctx, cle)
        dossier = _dossier(espace, chemin, par)
        if Fichier.objects.filter(espace=espace, dossier=dossier, nom=nom).exists():
            continue
        services.deposer(espace, dossier=dossier, fichier=ContentFile(contenu(), name=nom), par=par)
