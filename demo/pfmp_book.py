"""Demo book apprenant: a few realistic publications for two learners of 1MCVA (the scolaire
and the apprentice given as ready-made logins), each with a small photo drawn with Pillow.

Idempotent: a publication is identified by its title (services_book.demo_book).
"""

import datetime
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from cpro.models import Apprenant, Statut
from pfmp.models import Publication
from pfmp.services_book import demo_book


def _photo(couleur: tuple[int, int, int], accent: tuple[int, int, int]) -> bytes:
    """A 480×360 PNG: a coloured 'shop window' with shelves — enough to show a picture."""
    image = Image.new("RGB", (480, 360), couleur)
    dessin = ImageDraw.Draw(image)
    dessin.rectangle((30, 40, 450, 320), outline=(255, 255, 255), width=6)
    for y in (120, 200, 280):
        dessin.line((30, y, 450, y), fill=(255, 255, 255), width=4)
    for x, y in ((70, 80), (180, 150), (300, 230), (380, 90)):
        dessin.ellipse((x, y, x + 50, y + 30), fill=accent)
    sortie = io.BytesIO()
    image.save(sortie, format="PNG")
    return sortie.getvalue()


def _publications(aujourd_hui: datetime.date, rang: int) -> list[dict]:
    def il_y_a(jours: int) -> datetime.date:
        return aujourd_hui - datetime.timedelta(days=jours + 3 * rang)

    return [
        {
            "titre": "Vitrine de la rentrée au magasin pédagogique",
            "description": (
                "Avec mon groupe, j'ai conçu la vitrine sur le thème de la rentrée : choix des "
                "produits, plan d'implantation, balisage des prix et mise en lumière. J'ai appris "
                "à respecter un planogramme et à vérifier la lisibilité des prix depuis la rue."
            ),
            "situation": Publication.Situation.ETABLISSEMENT,
            "lieu": "Magasin pédagogique du lycée",
            "date": il_y_a(40),
            "taches": ["A4A-T6", "A4A-T8"],
            "competences": ["C4A.2"],
            "mise_en_avant": True,
            "photos": [("vitrine.png", _photo((31, 78, 156), (245, 180, 0)))],
        },
        {
            "titre": "Vente conseil d'une paire de chaussures de running",
            "description": (
                "Pendant ma PFMP, j'ai accueilli une cliente qui préparait un semi-marathon. "
                "Je l'ai questionnée sur sa pratique, j'ai proposé deux modèles adaptés et "
                "j'ai conclu la vente avec des chaussettes techniques en vente additionnelle."
            ),
            "situation": Publication.Situation.ENTREPRISE,
            "lieu": "Magasin de sport, Villeurbanne",
            "date": il_y_a(20),
            "taches": ["A1-T2", "A1-T4", "A1-T7"],
            "competences": ["C1.2", "C1.3"],
            "mise_en_avant": True,
            "photos": [("rayon-running.png", _photo((30, 107, 53), (255, 255, 255)))],
        },
        {
            "titre": "Stand au salon de l'étudiant",
            "description": (
                "J'ai présenté la formation aux collégiens et à leurs parents sur le stand du "
                "lycée : accueil, présentation du diplôme et réponses aux questions."
            ),
            "situation": Publication.Situation.EXTERIEUR,
            "lieu": "Salon de l'étudiant, Eurexpo",
            "date": il_y_a(10),
            "taches": ["A1-T3"],
            "competences": ["C1.0"],
            "photos": [("salon.png", _photo((179, 38, 30), (232, 238, 248)))],
        },
        {
            "titre": "Inventaire tournant du rayon textile",
            "description": (
                "J'ai compté le stock du rayon avec le scanner, relevé les écarts et proposé "
                "une commande de réassort au responsable."
            ),
            "situation": Publication.Situation.ENTREPRISE,
            "lieu": "Magasin de sport, Villeurbanne",
            "date": il_y_a(5),
            "taches": ["A4A-T2", "A4A-T5"],
            "competences": ["C4A.1"],
        },
    ]


def construire_book(ctx) -> None:
    """Add the demo publications of two 1MCVA learners (nothing if they already exist)."""
    division = ctx.divisions["1MCVA"]
    apprenants = [
        Apprenant.objects.filter(division=division, statut=statut)
        .select_related("division", "membership")
        .order_by("pk")
        .first()
        for statut in (Statut.SCOLAIRE, Statut.APPRENTI)
    ]
    aujourd_hui = timezone.localdate()
    for rang, apprenant in enumerate(a for a in apprenants if a is not None):
        publications = _publications(aujourd_hui, rang)
        demo_book(apprenant, publications if rang == 0 else publications[1:])
