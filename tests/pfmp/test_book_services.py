"""Book apprenant services: publications, limits, uploads (type, content, size, EXIF),
comments, audit."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from cpro.models import AuditLog
from pfmp import services_book as services
from pfmp.models import CommentairePublication, MediaPublication, Publication
from tests.evaluations.factories import mini_referentiel
from tests.pfmp.book_factories import (
    MOV,
    MP4,
    WEBM,
    PublicationFactory,
    exif_avec_gps,
    media_photo,
    photo_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_temporaire")]


def champs(**kw):
    base = {
        "titre": "Mise en rayon de la promotion",
        "description": "J'ai implanté la tête de gondole.",
        "situation": Publication.Situation.ENTREPRISE,
        "lieu": "Carrefour Market",
        "date": timezone.localdate() - datetime.timedelta(days=1),
        "taches": [],
        "competences": [],
        "mise_en_avant": False,
    }
    return {**base, **kw}


@pytest.fixture
def eleve(personas):
    return personas.a.apprenant.apprenant


@pytest.fixture
def user(personas):
    return personas.a.apprenant.user


# --- publications ----------------------------------------------------------------------------


def test_creer_publication_avec_referentiel(personas, eleve, user):
    ref = mini_referentiel(personas.a.diplome)
    pub = services.creer_publication(
        eleve, par=user, **champs(taches=ref["taches"][:1], competences=ref["competences"])
    )
    assert pub.apprenant == eleve
    assert list(pub.taches.all()) == ref["taches"][:1]
    assert pub.competences.count() == 2


@pytest.mark.parametrize(
    ("modif", "champ"),
    [
        ({"titre": "  "}, "titre"),
        ({"titre": "x" * 256}, "titre"),
        ({"description": "x" * 5001}, "description"),
        ({"situation": "LUNE"}, "situation"),
        ({"lieu": "x" * 256}, "lieu"),
        ({"date": None}, "date"),
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "date"),
    ],
)
def test_creer_publication_refus(eleve, user, modif, champ):
    with pytest.raises(ValidationError) as exc:
        services.creer_publication(eleve, par=user, **champs(**modif))
    assert champ in exc.value.error_dict
    assert not Publication.objects.exists()


def test_taches_d_un_autre_diplome_refusees(personas, eleve, user):
    autre = mini_referentiel(personas.a.diplome2)
    with pytest.raises(ValidationError) as exc:
        services.creer_publication(eleve, par=user, **champs(taches=autre["taches"]))
    assert "taches" in exc.value.error_dict


def test_un_autre_ne_publie_pas_pour_l_apprenant(personas, eleve):
    with pytest.raises(PermissionDenied):
        services.creer_publication(eleve, par=personas.a.apprenti.user, **champs())


def test_modifier_par_l_auteur_seulement(personas, eleve, user):
    pub = PublicationFactory(apprenant=eleve)
    services.modifier_publication(pub, par=user, **champs(titre="Nouveau titre"))
    pub.refresh_from_db()
    assert pub.titre == "Nouveau titre"
    with pytest.raises(PermissionDenied):
        services.modifier_publication(pub, par=personas.a.enseignant.user, **champs())


def test_mises_en_avant_plafonnees(settings, eleve, user):
    settings.BOOK_MISES_EN_AVANT_MAX = 2
    PublicationFactory.create_batch(2, apprenant=eleve, mise_en_avant=True)
    with pytest.raises(ValidationError) as exc:
        services.creer_publication(eleve, par=user, **champs(mise_en_avant=True))
    assert "déjà 2 publications mises en avant" in exc.value.error_dict["mise_en_avant"][0].message
    # an already highlighted publication stays highlighted when edited
    pub = Publication.objects.filter(mise_en_avant=True).first()
    services.modifier_publication(pub, par=user, **champs(mise_en_avant=True))
    # unhighlighting one frees a place
    services.modifier_publication(pub, par=user, **champs(mise_en_avant=False))
    services.creer_publication(eleve, par=user, **champs(mise_en_avant=True))
    assert Publication.objects.filter(mise_en_avant=True).count() == 2


def test_supprimer_publication_journal_et_fichiers(
    personas, eleve, user, settings, django_capture_on_commit_callbacks
):
    pub = PublicationFactory(apprenant=eleve)
    media = media_photo(pub)
    chemin = settings.MEDIA_ROOT / media.fichier.name
    CommentairePublication.objects.create(
        publication=pub, auteur=personas.a.enseignant.user, texte="ok"
    )
    with pytest.raises(PermissionDenied):
        services.supprimer_publication(pub, par=personas.a.apprenti.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_publication(pub, par=user)
    assert not Publication.objects.exists()
    entree = AuditLog.objects.get(action="book.publication_supprimee")
    assert entree.acteur == user
    assert entree.etablissement == personas.a.etablissement
    assert entree.avant["medias"] == 1 and entree.avant["commentaires"] == 1
    assert not chemin.exists()  # removed once the transaction commits


# --- media -----------------------------------------------------------------------------------


def test_photo_gps_exif_supprime_orientation_appliquee(eleve, user):
    pub = PublicationFactory(apprenant=eleve)
    contenu = photo_bytes("JPEG", size=(40, 20), exif=exif_avec_gps(orientation=6))
    with Image.open(io.BytesIO(contenu)) as origine:
        assert origine.getexif().get_ifd(0x8825)  # the GPS block is really there
    (media,) = services.ajouter_medias(pub, [upload("IMG_0001.JPG", contenu)], par=user)
    assert media.type == MediaPublication.Type.PHOTO
    assert media.content_type == "image/jpeg"
    assert media.fichier.name.startswith(f"book/{eleve.etablissement_id}/{eleve.pk}/")
    assert media.fichier.name.endswith(".jpg") and "IMG_0001" not in media.fichier.name
    with media.fichier.open("rb") as f:
        stocke = f.read()
    assert b"Exif" not in stocke and b"TelephoneDeTest" not in stocke
    with Image.open(io.BytesIO(stocke)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
        assert image.size == (20, 40)  # orientation 6 (rotated 90°) applied before stripping
    assert media.taille == len(stocke)


@pytest.mark.parametrize(("fmt", "nom"), [("PNG", "a.png"), ("WEBP", "a.webp")])
def test_photos_png_webp_nettoyees(eleve, user, fmt, nom):
    pub = PublicationFactory(apprenant=eleve)
    (media,) = services.ajouter_medias(
        pub, [upload(nom, photo_bytes(fmt, exif=exif_avec_gps()))], par=user
    )
    with media.fichier.open("rb") as f, Image.open(f) as image:
        assert image.format == fmt
        assert not image.getexif()


@pytest.mark.parametrize(
    ("nom", "contenu", "type_"),
    [
        ("clip.mp4", MP4, "video/mp4"),
        ("clip.webm", WEBM, "video/webm"),
        ("clip.MOV", MOV, "video/quicktime"),
    ],
)
def test_videos_acceptees(eleve, user, nom, contenu, type_):
    pub = PublicationFactory(apprenant=eleve)
    (media,) = services.ajouter_medias(pub, [upload(nom, contenu)], par=user, legende="Démo")
    assert media.type == MediaPublication.Type.VIDEO
    assert media.content_type == type_
    assert media.legende == "Démo"
    with media.fichier.open("rb") as f:
        assert f.read() == contenu


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("notes.pdf", b"%PDF-1.4 ...", "n'est pas accepté"),
        ("script.svg", b"<svg/>", "n'est pas accepté"),
        ("photo.jpg", b"#!/bin/sh\necho pirate\n" * 10, "ne correspond pas à une photo .jpg"),
        ("photo.jpg", photo_bytes("PNG"), "ne correspond pas à une photo .jpg"),
        ("photo.png", b"", "est vide"),
        (
            "video.mp4",
            b"<html><script>alert(1)</script></html>" * 5,
            "ne correspond pas à une vidéo",
        ),
        ("video.webm", MP4, "ne correspond pas à une vidéo .webm"),
        (
            "video.mp4",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 50,
            "vidéo .mp4",
        ),
    ],
)
def test_televersements_refuses(eleve, user, nom, contenu, message):
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_medias(pub, [upload(nom, contenu)], par=user)
    assert message in exc.value.error_dict["fichiers"][0].message
    assert not MediaPublication.objects.exists()


def test_photo_trop_grosse(settings, eleve, user):
    settings.BOOK_PHOTO_TAILLE_MAX = 100
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_medias(pub, [upload("grande.jpg", photo_bytes(size=(300, 300)))], par=user)
    assert "dépasse la taille maximale" in exc.value.error_dict["fichiers"][0].message


def test_video_trop_grosse(settings, eleve, user):
    settings.BOOK_VIDEO_TAILLE_MAX = 50
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_medias(pub, [upload("clip.mp4", MP4)], par=user)
    assert "La vidéo « clip.mp4 » dépasse" in exc.value.error_dict["fichiers"][0].message


def test_au_plus_n_medias_et_rien_n_est_ecrit_si_un_fichier_est_refuse(settings, eleve, user):
    settings.BOOK_MEDIAS_MAX = 3
    pub = PublicationFactory(apprenant=eleve)
    services.ajouter_medias(pub, [upload("a.png", photo_bytes("PNG"))], par=user)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_medias(
            pub, [upload(f"{i}.png", photo_bytes("PNG")) for i in range(3)], par=user
        )
    assert "au plus 3" in exc.value.error_dict["fichiers"][0].message
    with pytest.raises(ValidationError):
        services.ajouter_medias(
            pub, [upload("b.png", photo_bytes("PNG")), upload("c.jpg", b"pas une image")], par=user
        )
    assert pub.medias.count() == 1


def test_medias_seulement_par_l_auteur(personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(PermissionDenied):
        services.ajouter_medias(
            pub, [upload("a.png", photo_bytes("PNG"))], par=personas.a.ddfpt.user
        )


def test_supprimer_media_journalise(eleve, user):
    media = media_photo(PublicationFactory(apprenant=eleve), legende="Vitrine")
    services.supprimer_media(media, par=user)
    assert not MediaPublication.objects.exists()
    assert AuditLog.objects.get(action="book.media_supprime").avant["legende"] == "Vitrine"


# --- comments --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["enseignant", "ddfpt"])
def test_commentaire_equipe_pedagogique(personas, eleve, role):
    pub = PublicationFactory(apprenant=eleve)
    par = personas.a.membership(role).user
    c = services.commenter_publication(pub, par=par, texte="  Belle argumentation.  ")
    assert c.texte == "Belle argumentation." and c.auteur == par
    entree = AuditLog.objects.get(action="book.commentaire_ajoute")
    assert entree.acteur == par and entree.apres["commentaire"] == c.pk


@pytest.mark.parametrize("who", ["chef", "tuteur", "apprenant", "apprenti"])
def test_commentaire_refuse_hors_equipe(personas, eleve, who):
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(PermissionDenied):
        services.commenter_publication(pub, par=personas.a.membership(who).user, texte="x")


def test_commentaire_autre_etablissement_refuse(personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(PermissionDenied):
        services.commenter_publication(pub, par=personas.b.enseignant.user, texte="x")


@pytest.mark.parametrize(("texte", "message"), [("   ", "vide"), ("x" * 1001, "1000 caractères")])
def test_commentaire_invalide(personas, eleve, texte, message):
    pub = PublicationFactory(apprenant=eleve)
    with pytest.raises(ValidationError) as exc:
        services.commenter_publication(pub, par=personas.a.enseignant.user, texte=texte)
    assert message in exc.value.error_dict["texte"][0].message
    assert not CommentairePublication.objects.exists()


# --- demo ------------------------------------------------------------------------------------


def test_demo_book_idempotent(personas, eleve):
    ref = mini_referentiel(personas.a.diplome)
    items = [
        {
            "titre": "Vitrine de Noël",
            "date": timezone.localdate() - datetime.timedelta(days=10),
            "situation": Publication.Situation.ETABLISSEMENT,
            "taches": [ref["taches"][0].code],
            "competences": [ref["competences"][0].code],
            "mise_en_avant": True,
            "photos": [("vitrine.png", photo_bytes("PNG"))],
        }
    ]
    (pub,) = services.demo_book(eleve, items)
    assert pub.medias.count() == 1 and pub.taches.count() == 1 and pub.mise_en_avant
    assert services.demo_book(eleve, items) == []
    assert Publication.objects.count() == 1
