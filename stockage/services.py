"""Espace de stockage: every write, with its rules.

- Who: `regles.peut_ecrire` (owner of a personal space; DDFPT and the diplôme's teachers on a
  shared space, the chef only reads) → `Interdit` (403) otherwise.
- Names: stripped, 1..NOM_MAX characters, no « / » or « \\ », unique among the siblings of
  the same kind (case ignored). A renamed file keeps its checked extension.
- Files: the same checks as the fiches' resources (scenarios.fiche.verifier_fichier: ≤ 10 Mo,
  allowed type, content matching the extension), stored privately under a random name.
- Quota: what a staff member dropped in the establishment (his own space and the shared ones)
  counts against his STOCKAGE_QUOTA_OCTETS, checked in the upload's transaction with his
  personal space row locked (two simultaneous uploads cannot both pass the limit).
- Move: inside the same space only, never a folder into itself or one of its sub-folders.
- Delete: a file at once; a folder at once when empty, otherwise only once confirmed
  (`ConfirmationRequise` lists what goes). Stored bytes are removed after commit.
- Attach to a scénario / évaluation: the stored bytes are copied server-side through the
  module's own service (its rights, lock and resource limit apply): deleting the stored file
  later never breaks the resource.
Every change is in the audit log (`stockage.*`).
"""

import hashlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Lower

from cpro import audit, perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit
from cpro.models import Membership
from cpro.ressources import supprimer_fichiers_apres_commit
from cpro.tenancy import diplomes_accessibles
from evaluations import services as services_evaluations
from evaluations.models import Evaluation
from scenarios import services as services_scenarios
from scenarios.fiche import TYPES_AUTORISES, ConfirmationRequise, nom_stocke, verifier_fichier
from scenarios.models import Scenario
from stockage.models import NOM_MAX, Dossier, Espace, Fichier
from stockage.regles import peut_ecrire

MO = 1024 * 1024

# French labels of the audit codes and keys written here, for the Journal des actions (when
# cpro.audit offers the declaration: it is being added alongside this module).
_declarer_libelles = getattr(audit, "declarer_libelles", None)
if _declarer_libelles is not None:
    _declarer_libelles(
        {
            "stockage.dossier_creation": "Création d'un dossier de l'espace de stockage",
            "stockage.depot": "Dépôt d'un fichier dans l'espace de stockage",
            "stockage.renommage": "Renommage dans l'espace de stockage",
            "stockage.deplacement": "Déplacement dans l'espace de stockage",
            "stockage.suppression": "Suppression dans l'espace de stockage",
            "stockage.jonction": "Fichier de l'espace de stockage joint à une fiche",
        },
        {
            "espace": "Espace de stockage",
            "emplacement": "Emplacement",
            "sous_dossiers": "Sous-dossiers supprimés",
            "fichiers": "Fichiers supprimés",
            "ressource": "Ressource créée",
        },
    )


def quota() -> int:
    return settings.STOCKAGE_QUOTA_OCTETS


def en_mo(octets: int) -> str:
    """« 123,4 Mo » (decimal comma; whole numbers without decimals: « 500 Mo »; a few bytes
    are « 0,1 Mo », never « 0 Mo »)."""
    valeur = round(octets / MO, 1)
    if octets > 0 and valeur < 0.1:
        valeur = 0.1
    texte = f"{valeur:.0f}" if valeur == int(valeur) else f"{valeur:.1f}".replace(".", ",")
    return f"{texte} Mo"


def utilise(etablissement_id, user) -> int:
    """Bytes `user` has stored in the establishment (every space)."""
    total = Fichier.objects.filter(etablissement_id=etablissement_id, depose_par=user).aggregate(
        total=Sum("taille")
    )["total"]
    return total or 0


def _emplacement(dossier: Dossier | None) -> str:
    """Where an item sits, for the audit log: a folder's name, or « racine »."""
    return dossier.nom if dossier is not None else "racine"


# --- spaces ----------------------------------------------------------------------------------


def espace_personnel(membership: Membership) -> Espace:
    """The membership's own space, created on first use. Writes: at most one Espace row."""
    espace, _ = Espace.objects.get_or_create(
        membership=membership, defaults={"etablissement_id": membership.etablissement_id}
    )
    return espace


def espaces_partages(membership: Membership) -> list[Espace]:
    """The shared spaces `membership` may open: one per diplôme it works on (every diplôme of
    the establishment for the DDFPT and the chef), created on first use.

    Writes: the missing Espace rows (one INSERT at most); 2 or 3 queries."""
    diplomes = list(diplomes_accessibles(membership))
    etab_id = membership.etablissement_id
    existants = {
        e.diplome_id: e
        for e in Espace.objects.filter(etablissement_id=etab_id, diplome__in=diplomes)
    }
    manquants = [d for d in diplomes if d.pk not in existants]
    if manquants:
        Espace.objects.bulk_create(
            [Espace(etablissement_id=etab_id, diplome=d) for d in manquants],
            ignore_conflicts=True,
        )
        existants = {
            e.diplome_id: e
            for e in Espace.objects.filter(etablissement_id=etab_id, diplome__in=diplomes)
        }
    resultat = []
    for d in diplomes:
        espace = existants[d.pk]
        espace.diplome = d
        resultat.append(espace)
    return resultat


# --- checks ----------------------------------------------------------------------------------


def _membership(par, objet) -> Membership | None:
    return perms.membership_de(par, objet.etablissement_id)


def exiger_lecture(objet, par) -> None:
    if not perms.peut(_membership(par, objet), perms.UTILISER_STOCKAGE, objet):
        raise Interdit("Vous n'avez pas accès à cet espace de stockage.")


def exiger_ecriture(objet, par) -> None:
    if not peut_ecrire(_membership(par, objet), objet):
        raise Interdit("Vous ne pouvez que consulter cet espace de stockage.")


def nettoyer_nom(nom: str, champ: str = "nom") -> str:
    nom = " ".join((nom or "").split())
    if not nom:
        raise ValidationError({champ: "Le nom est obligatoire."})
    if len(nom) > NOM_MAX:
        raise ValidationError({champ: f"Le nom ne peut pas dépasser {NOM_MAX} caractères."})
    if "/" in nom or "\\" in nom or nom in (".", ".."):
        raise ValidationError(
            {champ: "Le nom ne peut pas contenir « / » ni « \\ », ni être « . » ou « .. »."}
        )
    return nom


def _dossier_de_l_espace(espace: Espace, dossier: Dossier | None) -> None:
    if dossier is not None and dossier.espace_id != espace.pk:
        raise ValidationError(
            {"dossier": "Un élément ne peut être rangé que dans un dossier du même espace."}
        )


def _exiger_nom_libre(modele, espace: Espace, champ_parent: str, parent, nom: str, exclu=None):
    """Refuse a name already used by a sibling of the same kind (case ignored)."""
    qs = modele.objects.annotate(nom_min=Lower("nom")).filter(
        espace=espace, nom_min=nom.lower(), **{champ_parent: parent}
    )
    if exclu is not None:
        qs = qs.exclude(pk=exclu.pk)
    if qs.exists():
        quoi = "dossier" if modele is Dossier else "fichier"
        ou = f"le dossier « {parent.nom} »" if parent else "la racine de l'espace"
        raise ValidationError({"nom": f"Un {quoi} « {nom} » existe déjà dans {ou}."})


def _nom_disponible(espace: Espace, dossier: Dossier | None, nom: str) -> str:
    """`nom`, or « nom (2).ext », « nom (3).ext »… when a file of the folder has it."""
    pris = set(
        Fichier.objects.filter(espace=espace, dossier=dossier)
        .annotate(nom_min=Lower("nom"))
        .values_list("nom_min", flat=True)
    )
    if nom.lower() not in pris:
        return nom
    base, ext = os.path.splitext(nom)
    n = 2
    while f"{base} ({n}){ext}".lower() in pris:
        n += 1
    return f"{base} ({n}){ext}"[-NOM_MAX:]


# --- folders ---------------------------------------------------------------------------------


@transaction.atomic
def creer_dossier(espace: Espace, *, parent: Dossier | None, nom: str, par) -> Dossier:
    """Writers of the space. Writes: one Dossier row; audit `stockage.dossier_creation`."""
    exiger_ecriture(espace, par)
    _dossier_de_l_espace(espace, parent)
    nom = nettoyer_nom(nom)
    _exiger_nom_libre(Dossier, espace, "parent", parent, nom)
    dossier = Dossier.objects.create(
        etablissement_id=espace.etablissement_id,
        espace=espace,
        parent=parent,
        nom=nom,
        cree_par=par,
    )
    journaliser(
        "stockage.dossier_creation",
        par=par,
        etablissement=espace.etablissement,
        objet=dossier,
        apres={"nom": nom, "espace": str(espace), "emplacement": _emplacement(parent)},
    )
    return dossier


@transaction.atomic
def renommer_dossier(dossier: Dossier, *, nom: str, par) -> Dossier:
    """Writers of the space. Writes: the folder's name; audit `stockage.renommage`."""
    exiger_ecriture(dossier, par)
    nom = nettoyer_nom(nom)
    _exiger_nom_libre(Dossier, dossier.espace, "parent", dossier.parent, nom, exclu=dossier)
    avant = dossier.nom
    dossier.nom = nom
    dossier.save(update_fields=["nom"])
    journaliser(
        "stockage.renommage",
        par=par,
        etablissement=dossier.etablissement,
        objet=dossier,
        avant={"nom": avant},
        apres={"nom": nom},
    )
    return dossier


def descendants(dossier: Dossier) -> list[Dossier]:
    """The folder's sub-folders at any depth (1 query over the space's folders)."""
    enfants: dict = {}
    for d in Dossier.objects.filter(espace_id=dossier.espace_id).only("pk", "parent_id", "nom"):
        enfants.setdefault(d.parent_id, []).append(d)
    resultat, pile = [], [dossier.pk]
    while pile:
        for d in enfants.get(pile.pop(), []):
            resultat.append(d)
            pile.append(d.pk)
    return resultat


@transaction.atomic
def deplacer_dossier(dossier: Dossier, *, parent: Dossier | None, par) -> Dossier:
    """Writers of the space; inside the same space; never into itself or a sub-folder.
    Writes: the folder's parent; audit `stockage.deplacement`."""
    exiger_ecriture(dossier, par)
    _dossier_de_l_espace(dossier.espace, parent)
    if parent is not None and (
        parent.pk == dossier.pk or parent.pk in {d.pk for d in descendants(dossier)}
    ):
        raise ValidationError(
            {
                "dossier": "Un dossier ne peut pas être déplacé dans lui-même ni dans un de ses "
                "sous-dossiers."
            }
        )
    _exiger_nom_libre(Dossier, dossier.espace, "parent", parent, dossier.nom, exclu=dossier)
    avant = _emplacement(dossier.parent)
    dossier.parent = parent
    dossier.save(update_fields=["parent"])
    journaliser(
        "stockage.deplacement",
        par=par,
        etablissement=dossier.etablissement,
        objet=dossier,
        avant={"emplacement": avant},
        apres={"emplacement": _emplacement(parent)},
    )
    return dossier


def contenu_dossier(dossier: Dossier) -> tuple[list[Dossier], list[Fichier]]:
    """What deleting the folder removes: its sub-folders and every file in them."""
    sous = descendants(dossier)
    fichiers = list(
        Fichier.objects.filter(dossier_id__in=[dossier.pk, *(d.pk for d in sous)]).order_by(
            "nom", "pk"
        )
    )
    return sous, fichiers


@transaction.atomic
def supprimer_dossier(dossier: Dossier, *, par, confirme: bool = False) -> int:
    """Writers of the space. An empty folder goes at once; otherwise `ConfirmationRequise`
    (before any write) lists its content, and `confirme=True` deletes it all.

    Writes: deletes the folder, its sub-folders and files (cascade); audit
    `stockage.suppression`; stored files removed after commit. Returns the files deleted."""
    exiger_ecriture(dossier, par)
    sous, fichiers = contenu_dossier(dossier)
    if (sous or fichiers) and not confirme:
        details = [f"Dossier « {d.nom} »" for d in sous] + [
            f"Fichier « {f.nom} » ({en_mo(f.taille)})" for f in fichiers
        ]
        raise ConfirmationRequise(
            f"Le dossier « {dossier.nom} » n'est pas vide : tout son contenu sera supprimé.",
            details,
        )
    journaliser(
        "stockage.suppression",
        par=par,
        etablissement=dossier.etablissement,
        objet=dossier,
        avant={
            "nom": dossier.nom,
            "sous_dossiers": [d.nom for d in sous],
            "fichiers": [f.nom for f in fichiers],
        },
    )
    noms = [f.fichier.name for f in fichiers]
    dossier.delete()
    supprimer_fichiers_apres_commit(*noms, storage=_stockage())
    return len(fichiers)


# --- files -----------------------------------------------------------------------------------


def _stockage():
    return Fichier._meta.get_field("fichier").storage


def _empreinte(fichier) -> str:
    h = hashlib.sha256()
    fichier.seek(0)
    for bloc in fichier.chunks():
        h.update(bloc)
    fichier.seek(0)
    return h.hexdigest()


@transaction.atomic
def deposer(espace: Espace, *, dossier: Dossier | None, fichier, par) -> Fichier:
    """Writers of the space. Checks the file like a fiche's resource, then the uploader's quota
    (his personal space row locked for the check), then stores it under a random name; a name
    already used in the folder becomes « nom (2).ext ».

    Writes: one Fichier row and one stored file; audit `stockage.depot`."""
    exiger_ecriture(espace, par)
    _dossier_de_l_espace(espace, dossier)
    extension = verifier_fichier(fichier)
    nom = nettoyer_nom(os.path.basename(fichier.name or ""), "fichier")
    membership = _membership(par, espace)
    perso = espace_personnel(membership)
    Espace.objects.select_for_update().filter(pk=perso.pk).first()
    deja = utilise(espace.etablissement_id, par)
    if deja + fichier.size > quota():
        raise ValidationError(
            {
                "fichier": f"Quota dépassé : {en_mo(deja)} utilisés sur {en_mo(quota())}, et ce "
                f"fichier fait {en_mo(fichier.size)}. Supprimez des fichiers de vos espaces "
                "avant d'en déposer un autre."
            }
        )
    objet = Fichier(
        etablissement_id=espace.etablissement_id,
        espace=espace,
        dossier=dossier,
        nom=_nom_disponible(espace, dossier, nom),
        taille=fichier.size,
        content_type=TYPES_AUTORISES[extension],
        sha256=_empreinte(fichier),
        depose_par=par,
    )
    objet.fichier.save(nom_stocke(nom), fichier, save=False)
    stocke = objet.fichier.name
    try:
        objet.save()
    except Exception:
        _stockage().delete(stocke)
        raise
    journaliser(
        "stockage.depot",
        par=par,
        etablissement=espace.etablissement,
        objet=objet,
        apres={
            "nom": objet.nom,
            "taille": objet.taille,
            "espace": str(espace),
            "emplacement": _emplacement(dossier),
        },
    )
    return objet


@transaction.atomic
def renommer_fichier(fichier: Fichier, *, nom: str, par) -> Fichier:
    """Writers of the space. The checked extension stays: « Consignes » for « a.pdf » becomes
    « Consignes.pdf ». Writes: the file's name; audit `stockage.renommage`."""
    exiger_ecriture(fichier, par)
    nom = nettoyer_nom(nom)
    extension = fichier.extension
    if extension and os.path.splitext(nom)[1].lower() != f".{extension}":
        nom = nettoyer_nom(f"{nom}.{extension}")
    _exiger_nom_libre(Fichier, fichier.espace, "dossier", fichier.dossier, nom, exclu=fichier)
    avant = fichier.nom
    fichier.nom = nom
    fichier.save(update_fields=["nom", "modifie_le"])
    journaliser(
        "stockage.renommage",
        par=par,
        etablissement=fichier.etablissement,
        objet=fichier,
        avant={"nom": avant},
        apres={"nom": nom},
    )
    return fichier


@transaction.atomic
def deplacer_fichier(fichier: Fichier, *, dossier: Dossier | None, par) -> Fichier:
    """Writers of the space; into a folder of the same space (or its root).
    Writes: the file's folder; audit `stockage.deplacement`."""
    exiger_ecriture(fichier, par)
    _dossier_de_l_espace(fichier.espace, dossier)
    _exiger_nom_libre(Fichier, fichier.espace, "dossier", dossier, fichier.nom, exclu=fichier)
    avant = _emplacement(fichier.dossier)
    fichier.dossier = dossier
    fichier.save(update_fields=["dossier", "modifie_le"])
    journaliser(
        "stockage.deplacement",
        par=par,
        etablissement=fichier.etablissement,
        objet=fichier,
        avant={"emplacement": avant},
        apres={"emplacement": _emplacement(dossier)},
    )
    return fichier


@transaction.atomic
def supprimer_fichier(fichier: Fichier, *, par) -> None:
    """Writers of the space. Writes: deletes the row; audit `stockage.suppression`; the
    stored file is removed after commit (resources made from it keep their own copy)."""
    exiger_ecriture(fichier, par)
    journaliser(
        "stockage.suppression",
        par=par,
        etablissement=fichier.etablissement,
        objet=fichier,
        avant={"nom": fichier.nom, "taille": fichier.taille, "espace": str(fichier.espace)},
    )
    nom = fichier.fichier.name
    fichier.delete()
    supprimer_fichiers_apres_commit(nom, storage=_stockage())


# --- attach to a scénario / an évaluation ----------------------------------------------------


def contenu(fichier: Fichier) -> bytes:
    """The stored bytes, checked against the fingerprint taken at upload."""
    try:
        with fichier.fichier.open("rb") as f:
            donnees = f.read()
    except FileNotFoundError as exc:
        raise ValidationError("Le fichier stocké est introuvable.") from exc
    if hashlib.sha256(donnees).hexdigest() != fichier.sha256:
        raise ValidationError("Le fichier stocké a été altéré : il ne peut pas être joint.")
    return donnees


@transaction.atomic
def joindre(fichier: Fichier, *, cible: Scenario | Evaluation, par, titre: str = ""):
    """Readers of the file's space. Adds the file to the resources of `cible` (a scénario: its
    author only; an évaluation: its editors, refused when locked) through that module's
    `ajouter_fichier`, from a server-side copy of the stored bytes: the usual type, size and
    content checks and the resource limit apply again.

    Writes: one resource row and one stored copy (by the target's service); audit
    `stockage.jonction`. Returns the resource."""
    exiger_lecture(fichier, par)
    if cible.etablissement_id != fichier.etablissement_id:
        raise Interdit("Ce fichier n'appartient pas à cet établissement.")
    copie = ContentFile(contenu(fichier), name=fichier.nom)
    if isinstance(cible, Scenario):
        ressource = services_scenarios.ajouter_fichier(cible, titre=titre, fichier=copie, par=par)
    elif isinstance(cible, Evaluation):
        ressource = services_evaluations.ajouter_fichier(cible, titre=titre, fichier=copie, par=par)
    else:  # pragma: no cover - a programming error
        raise TypeError(f"Cible inconnue : {type(cible).__name__}")
    journaliser(
        "stockage.jonction",
        par=par,
        etablissement=fichier.etablissement,
        objet=fichier,
        # "scenario" / "evaluation": ids the establishment backup renumbers (sauvegarde.journal).
        apres={
            cible._meta.model_name: cible.pk,
            "titre": cible.titre,
            "ressource": ressource.titre,
        },
    )
    return ressource
