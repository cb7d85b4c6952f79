"""Factories and helpers of the book apprenant tests (files built in memory with Pillow)."""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pfmp.models import CommentairePublication, MediaPublication, Publication


def activer_book(side) -> None:
    side.etablissement.book_active = True
    side.etablissement.save(update_fields=["book_active"])


def apprenant_de(side, name: str = "apprenant"):
    return side.membership(name).apprenant


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    apprenant = None
    titre = factory.Sequence(lambda n: f"Vente conseil au rayon sport {n}")
    description = "J'ai accueilli un client et je lui ai présenté deux modèles de chaussures."
    situation = Publication.Situation.ENTREPRISE
    lieu = "Magasin Sport 2000, Villeurbanne"
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))


def photo_bytes(fmt: str = "JPEG", size=(40, 30), color=(200, 40, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def exif_avec_gps(orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "TelephoneDeTest"  # Make
    exif[0x0110] = "Modele X"  # Model
    if orientation:
        exif[0x0112] = orientation
    gps = {1: "N", 2: (45.0, 46.0, 12.5), 3: "E", 4: (4.0, 52.0, 3.1)}
    exif[0x8825] = gps  # GPSInfo IFD
    return exif.tobytes()


def upload(nom: str, contenu: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(nom, contenu, content_type=content_type)


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 100
)
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 200


def media_photo(publication, legende: str = "", **kwargs) -> MediaPublication:
    media = MediaPublication(
        publication=publication,
        type=MediaPublication.Type.PHOTO,
        content_type="image/png",
        legende=legende,
        **kwargs,
    )
    contenu = photo_bytes("PNG")
    media.taille = len(contenu)
    media.fichier.save("photo.png", ContentFile(contenu), save=True)
    return media


def media_video(publication, legende: str = "") -> MediaPublication:
    media = MediaPublication(
        publication=publication,
        type=MediaPublication.Type.VIDEO,
        content_type="video/mp4",
        legende=legende,
        taille=len(MP4),
    )
    media.fichier.save("video.mp4", ContentFile(MP4), save=True)
    return media


def commentaire(
    publication, auteur, texte="Très bonne analyse du besoin."
) -> CommentairePublication:
    return CommentairePublication.objects.create(
        publication=publication, auteur=auteur, texte=texte
    )
