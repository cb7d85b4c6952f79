"""The three tabs a scénario and an évaluation share (contexte, liaison avec le référentiel,
ressources): their rules and their reads, written once for any `scenarios.models.FicheBase`.

Who may write is not decided here: each module's services check it (the scénario's author;
the évaluation's editors and its lock) and then call these functions, inside their own
transaction. Messages name the fiche through `FicheBase.UN` / `FicheBase.DU`.

Rules:
- contexte: stripped, at most CONTEXTE_MAX characters;
- liaison: only the tasks and criteria of the fiche's diplôme;
- resources: at most RESSOURCES_MAX per fiche, files up to FICHIER_TAILLE_MAX of an allowed
  type (extension and content both checked; the client's content type is never trusted),
  stored privately under a random name; links in http(s) only. Stored files are removed only
  once the transaction that deleted their rows has committed.
"""

import os
import uuid
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Max, Q

from cpro.ressources import (
    RESSOURCE_TITRE_MAX,
    supprimer_fichiers_apres_commit,
    titre_ressource,
    valider_lien,
)
from referentiels.models import Critere, NatureReferentiel, Tache
from referentiels.queries import referentiel_complet
from scenarios.models import FicheBase, RessourceBase

CONTEXTE_MAX = 20_000
RESSOURCES_MAX = 30
FICHIER_TAILLE_MAX = 10 * 1024 * 1024

# extension → content type served (the client's content type is never trusted)
TYPES_AUTORISES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "mp4": "video/mp4",
}
EXTENSIONS_LIBELLE = "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPG, TXT, MP4"
_OOXML_DOSSIER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


class ConfirmationRequise(Exception):  # noqa: N818 - a request for confirmation, not an error
    """Raised before any write when an action would delete data (an évaluation's résultats):
    the view shows `message` and `details` and posts again with confirmation."""

    def __init__(self, message: str, details: list[str]):
        super().__init__(message)
        self.message = message
        self.details = details


# --- contexte --------------------------------------------------------------------------------


def nettoyer_contexte(contexte: str) -> str:
    contexte = (contexte or "").strip()
    if len(contexte) > CONTEXTE_MAX:
        raise ValidationError(
            {"contexte": f"Le contexte ne peut pas dépasser {CONTEXTE_MAX} caractères."}
        )
    return contexte


# --- liaison with the référentiel ------------------------------------------------------------


def tache_du_diplome(fiche: FicheBase, tache_id) -> Tache:
    tache = Tache.objects.filter(pk=tache_id, diplome_id=fiche.diplome_id).first()
    if tache is None:
        raise ValidationError(
            f"Cette tâche professionnelle n'appartient pas au référentiel {fiche.DU}."
        )
    return tache


def _du_referentiel_transversal(fiche: FicheBase) -> Q:
    """The criteria of the fiche's establishment's transversal référentiel."""
    return Q(
        competence__diplome__etablissement_id=fiche.etablissement_id,
        competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
    )


def critere_du_diplome(fiche: FicheBase, critere_id) -> Critere:
    """A criterion of the fiche's diplôme or of its establishment's transversal référentiel
    (any other → ValidationError)."""
    critere = (
        Critere.objects.filter(
            Q(competence__diplome_id=fiche.diplome_id) | _du_referentiel_transversal(fiche),
            pk=critere_id,
        )
        .select_related("competence__diplome")
        .first()
    )
    if critere is None:
        raise ValidationError(
            f"Ce critère d'évaluation n'appartient pas au référentiel {fiche.DU}."
        )
    return critere


def basculer_tache(fiche: FicheBase, tache_id) -> bool:
    """Select the task (of the fiche's diplôme) if it was not, unselect it otherwise; returns
    True when it is now selected. Writes: one row of `fiche.taches`."""
    tache = tache_du_diplome(fiche, tache_id)
    if fiche.taches.filter(pk=tache.pk).exists():
        fiche.taches.remove(tache)
        return False
    fiche.taches.add(tache)
    return True


def basculer_critere(fiche: FicheBase, critere_id, *, avant_retrait=None) -> bool:
    """Select or unselect a criterion of the fiche's diplôme or an active one of its
    establishment's transversal référentiel; returns True when it is now selected.
    `avant_retrait(critere)` runs before a removal (it may refuse it by raising, or
    clean up what depends on the criterion). Writes: one row of `fiche.criteres`."""
    critere = critere_du_diplome(fiche, critere_id)
    if not fiche.criteres.filter(pk=critere.pk).exists():
        if critere.competence.diplome.transversal and not (
            critere.actif and critere.competence.active
        ):
            raise ValidationError(
                "Ce critère transversal est désactivé par l'établissement : il ne peut plus "
                "être ajouté."
            )
        fiche.criteres.add(critere)
        return True
    if avant_retrait is not None:
        avant_retrait(critere)
    fiche.criteres.remove(critere)
    return False


@dataclass
class Liaison:
    """What the « Liaison avec le référentiel » tab shows (a fixed number of queries)."""

    ref: object  # referentiels.queries.ReferentielComplet
    taches: set  # selected task ids
    criteres: set  # selected criterion ids
    competences_marquees: set  # competence ids linked to the selected tasks by the matrix
    activite: object  # the open activity tab
    groupe: object  # the open competence group tab
    par_activite: dict  # activity id → number of selected tasks
    par_groupe: dict  # group id → number of selected criteria
    taches_choisies: list
    competences_choisies: list  # [(competence, [criteres choisis])]
    criteres_avec_resultats: set  # selected criterion ids that already have résultats
    # The establishment's transversal competences (each with `criteres_liaison`, `nb_choisis`,
    # `ouverte`): the active ones, plus any selected criterion since deactivated.
    transversales: list = field(default_factory=list)
    transversales_choisies: list = field(default_factory=list)  # [(competence, [criteres])]

    # Codes of the open tabs ("" when the référentiel has no activity / group): templates
    # read these, never `activite.code` on a missing tab.
    @property
    def activite_code(self) -> str:
        return self.activite.code if self.activite else ""

    @property
    def groupe_code(self) -> str:
        return self.groupe.code if self.groupe else ""


def liaison(
    fiche: FicheBase,
    *,
    activite_code=None,
    groupe_code=None,
    critere_actif=None,
    criteres_avec_resultats=frozenset(),
) -> Liaison:
    """The liaison tab of a fiche: the whole référentiel of its diplôme (referentiel_complet)
    plus the selection, a fixed number of queries whatever the size. Green markers come from
    the task↔competence matrix; `critere_actif` keeps its competence open; without a tab asked
    for, the first one holding a selection opens (else the first one)."""
    ref = referentiel_complet(fiche.diplome)
    taches = set(fiche.taches.values_list("pk", flat=True))
    criteres = set(fiche.criteres.values_list("pk", flat=True))
    marquees = set()
    par_activite = {}
    taches_choisies = []
    for a in ref.activites:
        choisies = [t for t in a.taches.all() if t.pk in taches]
        taches_choisies.extend(choisies)
        par_activite[a.pk] = a.nb_choisies = len(choisies)
    for ligne in ref.matrice:
        if ligne.tache.pk in taches:
            marquees.update(c.pk for c, _lien in ligne.tache.competences_liees)
    par_groupe = {}
    competences_choisies = []
    for g in ref.groupes:
        n = 0
        for c in g.competences.all():
            choisis = [cr for cr in c.criteres.all() if cr.pk in criteres]
            c.nb_choisis = len(choisis)
            c.marquee = c.pk in marquees
            c.ouverte = bool(choisis) or any(cr.pk == critere_actif for cr in c.criteres.all())
            n += len(choisis)
            if choisis:
                competences_choisies.append((c, choisis))
        par_groupe[g.pk] = g.nb_choisis = n
    activite = next((a for a in ref.activites if a.code == activite_code), None)
    activite = activite or next((a for a in ref.activites if par_activite[a.pk]), None)
    activite = activite or (ref.activites[0] if ref.activites else None)
    groupe = next((g for g in ref.groupes if g.code == groupe_code), None)
    groupe = groupe or next((g for g in ref.groupes if par_groupe[g.pk]), None)
    groupe = groupe or (ref.groupes[0] if ref.groupes else None)
    transversales, transversales_choisies = _transversales(fiche, criteres, critere_actif)
    return Liaison(
        ref=ref,
        taches=taches,
        criteres=criteres,
        competences_marquees=marquees,
        activite=activite,
        groupe=groupe,
        par_activite=par_activite,
        par_groupe=par_groupe,
        taches_choisies=taches_choisies,
        competences_choisies=competences_choisies,
        criteres_avec_resultats=set(criteres_avec_resultats) & criteres,
        transversales=transversales,
        transversales_choisies=transversales_choisies,
    )


def _transversales(fiche: FicheBase, criteres: set, critere_actif) -> tuple[list, list]:
    """The transversal block of the liaison: 1 query whatever the size."""
    offerts = Critere.objects.filter(
        _du_referentiel_transversal(fiche),
        Q(actif=True, competence__active=True) | Q(pk__in=criteres),
    ).select_related("competence")
    competences: list = []
    for cr in offerts.order_by("competence__ordre", "competence__code", "ordre", "code"):
        if not competences or competences[-1].pk != cr.competence_id:
            competences.append(cr.competence)
            cr.competence.criteres_liaison = []
        competences[-1].criteres_liaison.append(cr)
    choisies = []
    for c in competences:
        choisis = [cr for cr in c.criteres_liaison if cr.pk in criteres]
        c.nb_choisis = len(choisis)
        c.ouverte = bool(choisis) or any(cr.pk == critere_actif for cr in c.criteres_liaison)
        if choisis:
            choisies.append((c, choisis))
    return competences, choisies


# --- resources: files ------------------------------------------------------------------------


def _extension(nom: str) -> str:
    return os.path.splitext(nom or "")[1].lower().lstrip(".")


def nom_stocke(nom: str) -> str:
    """A random stored name keeping the extension (the original name is kept in the row)."""
    ext = _extension(nom)
    return f"{uuid.uuid4().hex}.{ext}" if ext else uuid.uuid4().hex


def contenu_conforme(extension: str, debut: bytes, fichier) -> bool:
    """Does the content look like what its extension says? (magic numbers, ZIP members)."""
    if extension == "pdf":
        return debut.startswith(b"%PDF-")
    if extension == "png":
        return debut.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return debut.startswith(b"\xff\xd8\xff")
    if extension == "mp4":
        return len(debut) >= 12 and debut[4:8] == b"ftyp"
    if extension == "txt":
        if b"\x00" in debut:
            return False
        try:
            debut.decode("utf-8")
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is fine
            if exc.start < len(debut) - 3:
                return False
        return True
    if extension in ("odt", "ods", "odp", "docx", "xlsx", "pptx"):
        if not debut.startswith(b"PK\x03\x04"):
            return False
        try:
            fichier.seek(0)
            with zipfile.ZipFile(fichier) as archive:
                noms = archive.namelist()
                if extension in ("odt", "ods", "odp"):
                    if "mimetype" not in noms:
                        return False
                    attendu = TYPES_AUTORISES[extension].encode()
                    return archive.read("mimetype").strip() == attendu
                return "[Content_Types].xml" in noms and any(
                    n.startswith(_OOXML_DOSSIER[extension]) for n in noms
                )
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
        finally:
            fichier.seek(0)
    return False


def verifier_fichier(fichier) -> str:
    """Validate an uploaded file (size, extension, content); returns its extension."""
    if fichier is None:
        raise ValidationError({"fichier": "Choisissez un fichier à déposer."})
    if fichier.size > FICHIER_TAILLE_MAX:
        taille = f"{fichier.size / (1024 * 1024):.1f}".replace(".", ",")
        raise ValidationError(
            {"fichier": f"Le fichier dépasse la taille maximale de 10 Mo ({taille} Mo)."}
        )
    if fichier.size == 0:
        raise ValidationError({"fichier": "Le fichier est vide."})
    extension = _extension(fichier.name)
    if extension not in TYPES_AUTORISES:
        raise ValidationError(
            {
                "fichier": "Ce type de fichier n'est pas accepté. Types acceptés : "
                f"{EXTENSIONS_LIBELLE}."
            }
        )
    fichier.seek(0)
    debut = fichier.read(8192)
    fichier.seek(0)
    if not contenu_conforme(extension, debut, fichier):
        raise ValidationError(
            {
                "fichier": f"Le contenu du fichier ne correspond pas à son extension .{extension} "
                "(fichier renommé ou endommagé)."
            }
        )
    return extension


# --- resources: rows -------------------------------------------------------------------------


def _stockage(modele: type[RessourceBase]):
    return modele._meta.get_field("fichier").storage


def _verifier_place(fiche: FicheBase) -> None:
    if fiche.ressources.count() >= RESSOURCES_MAX:
        raise ValidationError(
            f"{fiche.UN} ne peut pas avoir plus de {RESSOURCES_MAX} ressources : "
            "supprimez-en une avant d'en ajouter une autre."
        )


def _prochain_ordre(fiche: FicheBase) -> int:
    return (fiche.ressources.aggregate(m=Max("ordre"))["m"] or 0) + 1


def ajouter_fichier(fiche: FicheBase, *, titre: str, fichier) -> RessourceBase:
    """Attach an uploaded file (see verifier_fichier); the title defaults to the file name.

    Writes: one resource row of the fiche and one stored file (deleted again if the row is
    not saved)."""
    _verifier_place(fiche)
    extension = verifier_fichier(fichier)
    nom_origine = os.path.basename(fichier.name)[:255]
    ressource = fiche.ressources.model(
        type=RessourceBase.Type.FICHIER,
        titre=titre_ressource(titre, nom_origine),
        nom_fichier=nom_origine,
        content_type=TYPES_AUTORISES[extension],
        taille=fichier.size,
        ordre=_prochain_ordre(fiche),
    )
    ressource.fiche = fiche
    ressource.fichier.save(nom_stocke(nom_origine), fichier, save=False)
    stocke = ressource.fichier.name
    try:
        ressource.save()
    except Exception:
        ressource.fichier.storage.delete(stocke)
        raise
    return ressource


def ajouter_lien(fiche: FicheBase, *, titre: str, url: str) -> RessourceBase:
    """Attach a link (http or https only); the title defaults to the address.

    Writes: one resource row of the fiche."""
    _verifier_place(fiche)
    url = valider_lien(url)
    return fiche.ressources.create(
        type=RessourceBase.Type.LIEN,
        titre=titre_ressource(titre, url[:RESSOURCE_TITRE_MAX]),
        url=url,
        ordre=_prochain_ordre(fiche),
    )


def supprimer_ressource(ressource: RessourceBase) -> None:
    """Writes: deletes the row; its stored file is removed after commit."""
    nom = ressource.fichier.name if ressource.fichier else ""
    ressource.delete()
    supprimer_fichiers_apres_commit(nom, storage=_stockage(type(ressource)))


def copier_ressources(source: FicheBase, cible: FicheBase) -> None:
    """Copy every resource of `source` to `cible` (a scénario duplicated, an évaluation made
    from a scénario): each stored file is copied under `cible`, never shared.

    Writes: one resource row (and one stored file) per resource; on error the files already
    copied are deleted (the caller's transaction rolls the rows back)."""
    modele = cible.ressources.model
    copies = []
    try:
        for r in source.ressources.all():
            nouvelle = modele(
                type=r.type,
                titre=r.titre,
                nom_fichier=r.nom_fichier,
                content_type=r.content_type,
                taille=r.taille,
                url=r.url,
                ordre=r.ordre,
            )
            nouvelle.fiche = cible
            if r.type == RessourceBase.Type.FICHIER and r.fichier:
                with r.fichier.open("rb") as f:
                    contenu = f.read()
                nouvelle.fichier.save(
                    nom_stocke(r.nom_fichier or r.fichier.name), ContentFile(contenu), save=False
                )
                copies.append(nouvelle.fichier.name)
            nouvelle.save()
    except Exception:
        for nom in copies:
            _stockage(modele).delete(nom)
        raise


def supprimer_fichiers_de(fiche: FicheBase) -> list[str]:
    """The stored files of the fiche's resources, to be removed after the fiche's deletion
    commits (`supprimer_fichiers_apres_commit`). Returns their names."""
    fichiers = [r.fichier.name for r in fiche.ressources.all() if r.fichier]
    supprimer_fichiers_apres_commit(*fichiers, storage=_stockage(fiche.ressources.model))
    return fichiers
