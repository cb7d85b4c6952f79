"""Book apprenant: the rules of publications, their photos and videos, teachers' comments and
the export request. Every function validates everything before writing.

Uploaded photos are decoded and re-encoded with Pillow (EXIF orientation applied, then every
metadata block — EXIF, GPS, XMP, ICC, text chunks — dropped); videos are checked by extension
and magic bytes and stored as uploaded. Files are stored privately (MEDIA_ROOT, no public URL)
under a random name and served only by the checked view `pfmp:book_media`.

Limits come from settings so that tests can lower them: BOOK_PHOTO_TAILLE_MAX (10 Mo),
BOOK_VIDEO_TAILLE_MAX (100 Mo), BOOK_MEDIAS_MAX (10 per publication), BOOK_MISES_EN_AVANT_MAX
(10 per learner).
"""

import datetime
import io
import os
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from cpro.audit import journaliser
from cpro.models import Apprenant, Membership, Role
from cpro.ressources import supprimer_fichiers_apres_commit
from pfmp.models import CommentairePublication, MediaPublication, Publication
from referentiels.models import Competence, Tache

TITRE_MAX = 255
DESCRIPTION_MAX = 5000
LIEU_MAX = 255
LEGENDE_MAX = 255
COMMENTAIRE_MAX = 1000
PIXELS_MAX = 50_000_000

# extension → Pillow format; the re-encoded file keeps the format of its content.
PHOTO_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
FORMAT_SORTIE = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime"}
# ISO-BMFF brands that are still images (HEIC, AVIF): an `ftyp` box is not enough for a video.
_MARQUES_IMAGES = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_ATOMES_MOV = {b"ftyp", b"moov", b"wide", b"mdat", b"free", b"skip", b"pnot"}

# Who may comment: the teaching team, not the chef (who reads only).
ROLES_COMMENTAIRE = (Role.ENSEIGNANT, Role.DDFPT)


def limites() -> dict:
    """The current limits (read at call time: tests override the settings)."""
    return {
        "photo": getattr(settings, "BOOK_PHOTO_TAILLE_MAX", 10 * 1024 * 1024),
        "video": getattr(settings, "BOOK_VIDEO_TAILLE_MAX", 100 * 1024 * 1024),
        "medias": getattr(settings, "BOOK_MEDIAS_MAX", 10),
        "mises_en_avant": getattr(settings, "BOOK_MISES_EN_AVANT_MAX", 10),
    }


def _mo(octets: int) -> str:
    valeur = octets / (1024 * 1024)
    texte = f"{valeur:.1f}".replace(".", ",")
    return texte[:-2] if texte.endswith(",0") else texte


# --- ownership -------------------------------------------------------------------------------


def exiger_proprietaire(publication: Publication, par) -> None:
    """Only the learner who wrote a publication changes it (403 otherwise)."""
    if publication.apprenant.membership.user_id != getattr(par, "pk", None):
        raise PermissionDenied


def peut_commenter(membership: Membership | None) -> bool:
    return membership is not None and membership.active and membership.role in ROLES_COMMENTAIRE


# --- publications ----------------------------------------------------------------------------


def _valider_publication(
    apprenant: Apprenant,
    *,
    titre: str,
    description: str,
    situation: str,
    lieu: str,
    date: datetime.date | None,
    taches,
    competences,
    mise_en_avant: bool,
    publication: Publication | None = None,
) -> dict:
    erreurs = {}
    titre = (titre or "").strip()
    description = (description or "").strip()
    lieu = (lieu or "").strip()
    if not titre:
        erreurs["titre"] = "Le titre est obligatoire."
    elif len(titre) > TITRE_MAX:
        erreurs["titre"] = f"Le titre ne peut pas dépasser {TITRE_MAX} caractères."
    if len(description) > DESCRIPTION_MAX:
        erreurs["description"] = (
            f"La description ne peut pas dépasser {DESCRIPTION_MAX} caractères "
            f"({len(description)} actuellement)."
        )
    if situation not in Publication.Situation.values:
        erreurs["situation"] = (
            "Choisissez une situation : en établissement, en entreprise ou à l'extérieur."
        )
    if len(lieu) > LIEU_MAX:
        erreurs["lieu"] = f"Le lieu ne peut pas dépasser {LIEU_MAX} caractères."
    if date is None:
        erreurs["date"] = "La date est obligatoire."
    elif date > timezone.localdate():
        erreurs["date"] = "La date ne peut pas être dans le futur."
    diplome_id = apprenant.division.diplome_id if apprenant.division_id else None
    taches, competences = list(taches or []), list(competences or [])
    if any(t.diplome_id != diplome_id for t in taches):
        erreurs["taches"] = "Choisissez des tâches du référentiel de votre diplôme."
    if any(c.diplome_id != diplome_id for c in competences):
        erreurs["competences"] = "Choisissez des compétences du référentiel de votre diplôme."
    if mise_en_avant and not (publication and publication.mise_en_avant):
        maximum = limites()["mises_en_avant"]
        autres = Publication.objects.filter(apprenant=apprenant, mise_en_avant=True)
        if publication is not None:
            autres = autres.exclude(pk=publication.pk)
        if autres.count() >= maximum:
            erreurs["mise_en_avant"] = (
                f"Vous avez déjà {maximum} publications mises en avant : retirez la mise en "
                "avant de l'une d'elles avant d'en choisir une autre."
            )
    if erreurs:
        raise ValidationError(erreurs)
    return {
        "titre": titre,
        "description": description,
        "situation": situation,
        "lieu": lieu,
        "date": date,
        "mise_en_avant": bool(mise_en_avant),
        "taches": taches,
        "competences": competences,
    }


def _verrouiller_apprenant(apprenant: Apprenant) -> None:
    # Serialises the "at most N mises en avant / media" checks of one learner.
    Apprenant.objects.select_for_update().filter(pk=apprenant.pk).first()


@transaction.atomic
def creer_publication(
    apprenant: Apprenant, *, par, fichiers=(), legende: str = "", **champs
) -> Publication:
    """The learner publishes a trace of a learning situation, with optional photos/videos.

    Validates the fields (title ≤ 255, description ≤ 5000, date not in the future, tasks and
    competences of the learner's diplôme, mises en avant ≤ BOOK_MISES_EN_AVANT_MAX) and every
    file before writing. Writes: one Publication, its M2M links, one MediaPublication per
    file (and the stored files)."""
    if apprenant.membership.user_id != getattr(par, "pk", None):
        raise PermissionDenied
    _verrouiller_apprenant(apprenant)
    donnees = _valider_publication(apprenant, **champs)
    prepares = preparer_medias(fichiers, deja=0, legende=legende)
    taches, competences = donnees.pop("taches"), donnees.pop("competences")
    publication = Publication.objects.create(apprenant=apprenant, **donnees)
    publication.taches.set(taches)
    publication.competences.set(competences)
    _enregistrer_medias(publication, prepares)
    return publication


@transaction.atomic
def modifier_publication(publication: Publication, *, par, **champs) -> Publication:
    """The author changes their publication (same rules as creation). Writes: the row and its
    M2M links."""
    exiger_proprietaire(publication, par)
    _verrouiller_apprenant(publication.apprenant)
    donnees = _valider_publication(publication.apprenant, publication=publication, **champs)
    taches, competences = donnees.pop("taches"), donnees.pop("competences")
    for champ, valeur in donnees.items():
        setattr(publication, champ, valeur)
    publication.save()
    publication.taches.set(taches)
    publication.competences.set(competences)
    return publication


def _supprimer_fichiers_apres_commit(noms: list[str]) -> None:
    supprimer_fichiers_apres_commit(
        *noms, storage=MediaPublication._meta.get_field("fichier").storage
    )


@transaction.atomic
def supprimer_publication(publication: Publication, *, par) -> None:
    """The author deletes a publication with its media and comments.

    Writes: an audit entry `book.publication_supprimee` (title, date, counts), deletes the
    rows; the stored files are removed once the transaction commits."""
    exiger_proprietaire(publication, par)
    noms = [m.fichier.name for m in publication.medias.all() if m.fichier]
    journaliser(
        "book.publication_supprimee",
        par=par,
        etablissement=publication.apprenant.etablissement,
        objet=publication,
        avant={
            "titre": publication.titre,
            "date": publication.date.isoformat(),
            "situation": publication.situation,
            "medias": len(noms),
            "commentaires": publication.commentaires.count(),
        },
    )
    publication.delete()
    _supprimer_fichiers_apres_commit(noms)


# --- media -----------------------------------------------------------------------------------


@dataclass
class MediaPrepare:
    """A validated upload, ready to store: re-encoded bytes (photo) or the upload (video)."""

    type: str
    extension: str
    content_type: str
    taille: int
    legende: str
    contenu: bytes | None = None
    fichier: object = None


def _extension(nom: str) -> str:
    return os.path.splitext(nom or "")[1].lower().lstrip(".")


def _erreur(message: str) -> ValidationError:
    return ValidationError({"fichiers": message})


def _nettoyer_photo(fichier, extension: str, nom: str) -> tuple[bytes, str, str]:
    """Decode the photo (Pillow verify, then load), apply its EXIF orientation and re-encode
    the pixels alone: no EXIF, GPS, XMP, ICC or text chunk survives."""
    illisible = _erreur(
        f"Le contenu de « {nom} » ne correspond pas à une photo .{extension} "
        "(fichier renommé ou endommagé)."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fichier.seek(0)
            with Image.open(fichier) as image:
                image.verify()
            fichier.seek(0)
            with Image.open(fichier) as image:
                if image.format != PHOTO_FORMATS[extension]:
                    raise illisible
                if image.width * image.height > PIXELS_MAX:
                    raise _erreur(f"La photo « {nom} » est trop grande (plus de 50 mégapixels).")
                image.load()
                image = ImageOps.exif_transpose(image)
                format_ = PHOTO_FORMATS[extension]
                a_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                if format_ == "JPEG":
                    mode = "L" if image.mode in ("L", "1") else "RGB"
                elif format_ == "PNG" and image.mode in ("L", "LA", "RGB", "RGBA"):
                    mode = image.mode
                else:
                    mode = "RGBA" if a_alpha else "RGB"
                converti = image.convert(mode)
                # A fresh image from the raw pixels: nothing of `info` (metadata) is carried.
                propre = Image.frombytes(mode, converti.size, converti.tobytes())
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise illisible from exc
    finally:
        fichier.seek(0)
    sortie = io.BytesIO()
    options = {"JPEG": {"quality": 88, "optimize": True}, "PNG": {"optimize": True}}
    propre.save(sortie, format=format_, **options.get(format_, {"quality": 85}))
    ext, content_type = FORMAT_SORTIE[format_]
    return sortie.getvalue(), ext, content_type


def _video_conforme(extension: str, debut: bytes) -> bool:
    if extension == "webm":
        return debut.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in debut[:64]
    if len(debut) < 12:
        return False
    atome = debut[4:8]
    if extension == "mp4":
        return atome == b"ftyp" and debut[8:12] not in _MARQUES_IMAGES
    if extension == "mov":
        return atome in _ATOMES_MOV and not (atome == b"ftyp" and debut[8:12] in _MARQUES_IMAGES)
    return False


def preparer_media(fichier, *, legende: str = "") -> MediaPrepare:
    """Validate one upload (type by extension and content, size) and prepare what to store.
    Raises ValidationError({"fichiers": message in French}); writes nothing."""
    nom = os.path.basename(getattr(fichier, "name", "") or "fichier")
    extension = _extension(nom)
    legende = (legende or "").strip()
    if len(legende) > LEGENDE_MAX:
        raise ValidationError(
            {"legende": f"La légende ne peut pas dépasser {LEGENDE_MAX} caractères."}
        )
    lim = limites()
    if extension not in PHOTO_FORMATS and extension not in VIDEO_TYPES:
        raise _erreur(
            f"« {nom} » n'est pas accepté. Photos : jpg, png, webp ; vidéos : mp4, webm, mov."
        )
    if not fichier.size:
        raise _erreur(f"Le fichier « {nom} » est vide.")
    if extension in PHOTO_FORMATS:
        if fichier.size > lim["photo"]:
            raise _erreur(
                f"La photo « {nom} » dépasse la taille maximale de {_mo(lim['photo'])} Mo "
                f"({_mo(fichier.size)} Mo)."
            )
        contenu, ext, content_type = _nettoyer_photo(fichier, extension, nom)
        return MediaPrepare(
            type=MediaPublication.Type.PHOTO,
            extension=ext,
            content_type=content_type,
            taille=len(contenu),
            legende=legende,
            contenu=contenu,
        )
    if fichier.size > lim["video"]:
        raise _erreur(
            f"La vidéo « {nom} » dépasse la taille maximale de {_mo(lim['video'])} Mo "
            f"({_mo(fichier.size)} Mo)."
        )
    fichier.seek(0)
    debut = fichier.read(64)
    fichier.seek(0)
    if not _video_conforme(extension, debut):
        raise _erreur(
            f"Le contenu de « {nom} » ne correspond pas à une vidéo .{extension} "
            "(fichier renommé ou endommagé)."
        )
    return MediaPrepare(
        type=MediaPublication.Type.VIDEO,
        extension=extension,
        content_type=VIDEO_TYPES[extension],
        taille=fichier.size,
        legende=legende,
        fichier=fichier,
    )


def preparer_medias(fichiers, *, deja: int, legende: str = "") -> list[MediaPrepare]:
    """Validate a batch of uploads against the per-publication cap (`deja` already there)."""
    fichiers = [f for f in (fichiers or []) if f]
    maximum = limites()["medias"]
    if deja + len(fichiers) > maximum:
        reste = max(0, maximum - deja)
        raise _erreur(
            f"Une publication compte au plus {maximum} photos ou vidéos : vous pouvez encore "
            f"en ajouter {reste}."
        )
    return [preparer_media(f, legende=legende) for f in fichiers]


def _enregistrer_medias(publication: Publication, prepares: list[MediaPrepare]) -> list:
    ordre = (publication.medias.aggregate(m=Max("ordre"))["m"] or 0) + 1
    crees, noms = [], []
    try:
        for i, p in enumerate(prepares):
            media = MediaPublication(
                publication=publication,
                type=p.type,
                content_type=p.content_type,
                taille=p.taille,
                legende=p.legende,
                ordre=ordre + i,
            )
            contenu = ContentFile(p.contenu) if p.contenu is not None else p.fichier
            media.fichier.save(f"{uuid.uuid4().hex}.{p.extension}", contenu, save=False)
            noms.append(media.fichier.name)
            media.save()
            crees.append(media)
    except BaseException:
        from django.core.files.storage import default_storage

        for nom in noms:
            default_storage.delete(nom)
        raise
    return crees


@transaction.atomic
def ajouter_medias(publication: Publication, fichiers, *, par, legende: str = "") -> list:
    """The author adds photos/videos (≤ BOOK_MEDIAS_MAX per publication). Every file is
    validated before the first one is stored. Writes: one MediaPublication per file and the
    stored (cleaned) files."""
    exiger_proprietaire(publication, par)
    _verrouiller_apprenant(publication.apprenant)
    if not [f for f in (fichiers or []) if f]:
        raise _erreur("Choisissez au moins une photo ou une vidéo.")
    prepares = preparer_medias(fichiers, deja=publication.medias.count(), legende=legende)
    return _enregistrer_medias(publication, prepares)


@transaction.atomic
def supprimer_media(media: MediaPublication, *, par) -> None:
    """The author removes one photo/video. Writes: an audit entry `book.media_supprime`,
    deletes the row; the file is removed once the transaction commits."""
    publication = media.publication
    exiger_proprietaire(publication, par)
    journaliser(
        "book.media_supprime",
        par=par,
        etablissement=publication.apprenant.etablissement,
        objet=media,
        avant={
            "publication": publication.pk,
            "titre": publication.titre,
            "type": media.type,
            "legende": media.legende,
        },
    )
    nom = media.fichier.name
    media.delete()
    _supprimer_fichiers_apres_commit([nom])


# --- comments --------------------------------------------------------------------------------


@transaction.atomic
def commenter_publication(publication: Publication, *, par, texte: str) -> CommentairePublication:
    """A teacher or the DDFPT of the learner's establishment comments a publication (the
    chef reads only: 403). Text required, ≤ 1000 characters.

    Writes: one CommentairePublication and an audit entry `book.commentaire_ajoute`."""
    etab = publication.apprenant.etablissement
    membership = Membership.objects.filter(user=par, etablissement=etab, active=True).first()
    if not peut_commenter(membership):
        raise PermissionDenied
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError({"texte": "Le commentaire est vide."})
    if len(texte) > COMMENTAIRE_MAX:
        raise ValidationError(
            {"texte": f"Le commentaire ne peut pas dépasser {COMMENTAIRE_MAX} caractères."}
        )
    commentaire = CommentairePublication.objects.create(
        publication=publication, auteur=par, texte=texte
    )
    journaliser(
        "book.commentaire_ajoute",
        par=par,
        etablissement=etab,
        objet=publication,
        apres={"commentaire": commentaire.pk, "texte": texte[:200]},
    )
    return commentaire


# --- export ----------------------------------------------------------------------------------

KIND_APPRENANT = "book_pdf"
KIND_EQUIPE = "book_pdf_equipe"


def demander_export(apprenant: Apprenant, *, par, equipe: bool, mises_en_avant: bool):
    """Queue the PDF « une page pour chacune de mes réussites ! » of a learner's book: the
    learner's own (kind book_pdf) or, for the team, a learner's (kind book_pdf_equipe).
    Writes: one ExportJob (task queued on commit, see cpro.services.lancer_export)."""
    from cpro.services import lancer_export

    if not equipe and apprenant.membership.user_id != getattr(par, "pk", None):
        raise PermissionDenied
    return lancer_export(
        etablissement=apprenant.etablissement,
        par=par,
        kind=KIND_EQUIPE if equipe else KIND_APPRENANT,
        params={"apprenant": apprenant.pk, "mises_en_avant": bool(mises_en_avant)},
    )


# --- demo ------------------------------------------------------------------------------------


@transaction.atomic
def demo_book(apprenant: Apprenant, publications: list[dict]) -> list[Publication]:
    """Demo data: add the publications of `apprenant` that do not exist yet (idempotent, keyed
    on the title). Each dict: titre, date, and optionally description, situation, lieu,
    taches / competences (codes of the learner's diplôme), mise_en_avant, and photos — a list
    of (file name, bytes) going through the same cleaning as an upload.

    Writes: Publication rows with their links and media; nothing for existing titles."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    diplome_id = apprenant.division.diplome_id if apprenant.division_id else None
    existants = set(Publication.objects.filter(apprenant=apprenant).values_list("titre", flat=True))
    crees = []
    for item in publications:
        if item["titre"] in existants:
            continue
        taches = Tache.objects.filter(diplome_id=diplome_id, code__in=item.get("taches", []))
        competences = Competence.objects.filter(
            diplome_id=diplome_id, code__in=item.get("competences", [])
        )
        donnees = _valider_publication(
            apprenant,
            titre=item["titre"],
            description=item.get("description", ""),
            situation=item.get("situation", Publication.Situation.ETABLISSEMENT),
            lieu=item.get("lieu", ""),
            date=item["date"],
            taches=taches,
            competences=competences,
            mise_en_avant=item.get("mise_en_avant", False),
        )
        fichiers = [SimpleUploadedFile(nom, data) for nom, data in item.get("photos", [])]
        prepares = preparer_medias(fichiers, deja=0)
        taches, competences = donnees.pop("taches"), donnees.pop("competences")
        publication = Publication.objects.create(apprenant=apprenant, **donnees)
        publication.taches.set(taches)
        publication.competences.set(competences)
        _enregistrer_medias(publication, prepares)
        crees.append(publication)
        existants.add(item["titre"])
    return crees
