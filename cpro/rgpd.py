"""Learner data (RGPD): what each module holds about a learner, how it is exported and what
erasure does with it.

Each module declares its learner data in `<app>/rgpd.py`, imported at start-up by
`autodiscover_modules("rgpd")` (cpro.apps), like its exporters. A declaration is a subclass of
`DonneesApprenant` registered with `@declarer` (pretix's `BaseDataShredder`,
registered per plugin, is the model). It says, for each of its models that has a path to a
learner or to a user (`modeles`):

- `Regle(export, sort, detail)`: where the rows go in the export (a key of donnees.json, or
  the ZIP) and their fate at erasure (`Sort.SUPPRIME`, `Sort.PSEUDONYMISE`, `Sort.CONSERVE`);
- `HorsDonneesApprenant(motif)`: not learner data, and why.

`tests/gestion/test_rgpd_couverture.py` walks every model with a path to `Apprenant` or to the
user model and fails, naming it, when no declaration claims it.

The orchestration (order, transaction, audit entry, ZIP) is `gestion.rgpd`'s; a declaration
only answers for its own models through the hooks of `DonneesApprenant`. This module is the
ground floor: it imports no module app.

The second half of this file is the ground floor's own declaration (accounts, learner
profiles, export files, audit log).
"""

import enum
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast

from cpro.models import Apprenant, AuditLog, ExportJob, Membership, User
from cpro.ressources import supprimer_fichiers_apres_commit

NOM_EFFACE = "Apprenant effacé"
EFFACE = "[effacé]"
FORMAT = "cpro-rgpd-apprenant/1"


# --- declaration API -------------------------------------------------------------------------


class Sort(enum.StrEnum):
    """What erasure does with a model's rows about the learner."""

    SUPPRIME = "supprimé"
    PSEUDONYMISE = "pseudonymisé"  # kept; what identifies the learner is cleared or replaced
    CONSERVE = "conservé"  # kept as is, now attached to the pseudonym (school record)


@dataclass(frozen=True)
class Regle:
    """A model holding learner data: where it goes in the export, what erasure does."""

    export: str
    sort: Sort
    detail: str = ""

    def __post_init__(self):
        if not self.export or not isinstance(self.sort, Sort):
            raise ValueError("Une règle RGPD déclare un export et un sort à l'effacement.")


@dataclass(frozen=True)
class HorsDonneesApprenant:
    """A model with a path to a learner or a user that holds no learner data."""

    motif: str

    def __post_init__(self):
        if not self.motif.strip():
            raise ValueError("« Hors données apprenant » se justifie : motif obligatoire.")


@dataclass(frozen=True)
class FichierExport:
    """A stored file copied into the export ZIP under `chemin`."""

    chemin: str
    fichier: FieldFile


@dataclass
class Retention:
    """Rows (with a file) removed once their learner left more than the retention period ago.

    `vers_apprenant` is the lookup from the row to its Apprenant (e.g. "publication__apprenant")."""

    lignes: QuerySet
    vers_apprenant: str
    champ_fichier: str
    champ_taille: str | None = None


@dataclass
class Effacement:
    """One erasure in progress, handed to every declaration (inside the transaction).

    `gardes`: {model label: [querysets of pks]} — rows kept alive because a row kept by another
    module points to them (see `DonneesApprenant.gardes`). `compte`: counts a declaration
    adds to the erasure's audit entry. Files are deleted once the transaction commits
    (`supprimer_fichiers`; never before: a rollback keeps them)."""

    apprenant: Apprenant
    gardes: dict[str, list[QuerySet]] = field(default_factory=dict)
    compte: dict = field(default_factory=dict)

    @property
    def pseudonyme(self) -> str:
        """The name shown for the learner from now on (`str(apprenant)` once erased)."""
        return f"{NOM_EFFACE.upper()} n°{self.apprenant.pk}"

    def sauf_gardes(self, qs: QuerySet) -> QuerySet:
        for garde in self.gardes.get(qs.model._meta.label, []):
            qs = qs.exclude(pk__in=garde)
        return qs

    def supprimer_fichiers(self, noms: Iterable[str], *, storage) -> None:
        supprimer_fichiers_apres_commit(*noms, storage=storage)


class DonneesApprenant:
    """What one module holds about a learner. Every hook has a harmless default, so a
    declaration implements only what its models need.

    Erasure calls, for every declaration in `ordre`: `a_supprimer` (the counts shown before
    confirming), then `effacer` (identity still readable), then — once every `effacer` ran —
    `pseudonymiser` (the ground floor's runs first: later ones see the pseudonym)."""

    identifiant: str = ""
    ordre: int = 50
    modeles: dict[str, Regle | HorsDonneesApprenant] = {}

    # export (right of access)
    def exporter(self, apprenant: Apprenant) -> dict:
        """Sections of donnees.json (also rendered in donnees.pdf); JSON-able but for dates
        and decimals (serialised by DjangoJSONEncoder)."""
        return {}

    def fichiers(self, apprenant: Apprenant) -> list[FichierExport]:
        """Stored files copied into the export ZIP."""
        return []

    def objets(self, apprenant: Apprenant) -> list[QuerySet]:
        """Rows that belong to the learner: the audit entries about them are exported."""
        return []

    # erasure (right to erasure)
    def gardes(self, apprenant: Apprenant) -> dict[str, QuerySet]:
        """{label of a lower module's model: pks} that rows kept here point to, so that its
        module does not delete them (a draft bilan used by a kept livret)."""
        return {}

    def a_supprimer(self, apprenant: Apprenant, effacement: Effacement) -> dict[str, QuerySet]:
        """{name: rows deleted}, in deletion order; the names are the counts shown on the
        confirmation page and recorded in the audit entry."""
        return {}

    def conserves(self, apprenant: Apprenant) -> dict[str, int]:
        """{name: count} of what is kept, for the confirmation page."""
        return {}

    def effacer(
        self, apprenant: Apprenant, effacement: Effacement, lignes: dict[str, QuerySet]
    ) -> None:
        """Delete `lignes` (from `a_supprimer`) and clear the personal texts kept here."""
        for qs in lignes.values():
            qs.delete()

    def pseudonymiser(self, apprenant: Apprenant, effacement: Effacement) -> None:
        """Replace the learner's identity in what is kept (runs after every `effacer`)."""

    # retention
    def retention(self, apprenants: QuerySet) -> Retention | None:
        """What goes once `apprenants` (who left long enough ago) pass the retention period."""
        return None


_REGISTRE: dict[str, DonneesApprenant] = {}


def declarer(cls: type[DonneesApprenant]) -> type[DonneesApprenant]:
    """Register a declaration (class decorator). A model is claimed by one declaration only."""
    if not cls.identifiant:
        raise ValueError(f"{cls.__name__} doit définir un identifiant")
    deja = _REGISTRE.get(cls.identifiant)
    if deja is not None and type(deja).__qualname__ != cls.__qualname__:
        raise ValueError(f"Déclaration RGPD déjà enregistrée : {cls.identifiant}")
    for label in cls.modeles:
        for autre in _REGISTRE.values():
            if autre.identifiant != cls.identifiant and label in autre.modeles:
                raise ValueError(f"{label} est déjà revendiqué par {autre.identifiant}")
    _REGISTRE[cls.identifiant] = cls()
    return cls


def declarations() -> list[DonneesApprenant]:
    """Every declaration, in `ordre`."""
    return sorted(_REGISTRE.values(), key=lambda d: (d.ordre, d.identifiant))


def revendications() -> dict[str, tuple[str, Regle | HorsDonneesApprenant]]:
    """{model label: (declaration, claim)} over every declaration."""
    return {
        label: (d.identifiant, regle) for d in declarations() for label, regle in d.modeles.items()
    }


# helpers shared by the declarations


def personne(user) -> str:
    return str(user) if user is not None else ""


def codes(items) -> list[str]:
    return [i.code for i in items]


# --- the ground floor's learner data ---------------------------------------------------------

# Identity fields of the audit entries about a learner's profile or account
# (gestion.services.etat_apprenant / etat_compte).
CHAMPS_IDENTITE = (
    "nom",
    "prenom",
    "nom_usage",
    "email",
    "identifiant",
    "ine",
    "eleve_id",
    "date_naissance",
    "sexe",
)


@declarer
class Compte(DonneesApprenant):
    """The learner's identity, account, division and the export files about them."""

    identifiant = "cpro.compte"
    ordre = 0
    modeles = {
        "cpro.Apprenant": Regle(
            "identite, divisions",
            Sort.PSEUDONYMISE,
            "INE, ELEVE_ID, date de naissance, sexe et nom d'usage effacés ; statut, division, "
            "numéro de candidat et date de sortie conservés",
        ),
        "cpro.User": Regle(
            "identite (nom, prénom), compte",
            Sort.PSEUDONYMISE,
            "« Apprenant effacé n°… », sans e-mail, mot de passe inutilisable, inactif",
        ),
        "cpro.Membership": Regle(
            "compte (actif, créé le)",
            Sort.CONSERVE,
            "le rattachement (désactivé) à l'établissement porte le dossier conservé",
        ),
        "cpro.ExportJob": Regle(
            "non exporté (fichiers temporaires)",
            Sort.SUPPRIME,
            "fichiers exportés le concernant ou qu'il a demandés",
        ),
        # Third-party models of the account, claimed although the coverage test skips them.
        "account.EmailAddress": Regle("compte (email)", Sort.SUPPRIME),
        "account.EmailConfirmation": Regle("non exporté", Sort.SUPPRIME, "avec son adresse"),
        "mfa.Authenticator": Regle("non exporté (secrets)", Sort.SUPPRIME),
        "guardian.UserObjectPermission": Regle("non exporté", Sort.SUPPRIME),
    }

    def exporter(self, apprenant):
        user = apprenant.membership.user
        division = apprenant.division
        return {
            "etablissement": {
                "uai": apprenant.etablissement.uai,
                "nom": apprenant.etablissement.nom,
            },
            "identite": {
                "nom": user.last_name,
                "prenom": user.first_name,
                "nom_usage": apprenant.nom_usage,
                "date_naissance": apprenant.date_naissance,
                "sexe": apprenant.sexe,
                "ine": apprenant.ine,
                "eleve_id": apprenant.eleve_id,
                "statut": apprenant.statut,
                "numero_candidat": apprenant.numero_candidat,
                "code_mef": apprenant.code_mef,
                "options": apprenant.options,
                "date_sortie": apprenant.date_sortie,
            },
            "compte": {
                "identifiant": user.username,
                "email": user.email,
                "compte_actif": apprenant.membership.active,
                "cree_le": apprenant.membership.cree_le,
                "derniere_connexion": user.last_login,
            },
            "divisions": [
                {
                    "nom": division.nom,
                    "annee": division.annee.libelle,
                    "diplome": division.diplome.code,
                    "diplome_intitule": division.diplome.intitule,
                    "niveau": division.niveau,
                    "niveau_libelle": division.get_niveau_display(),
                }
            ]
            if division
            else [],
        }

    def a_supprimer(self, apprenant, effacement):
        return {
            "exports": ExportJob.objects.filter(
                Q(demandeur_id=apprenant.membership.user_id) | Q(params__apprenant=apprenant.pk),
                etablissement=apprenant.etablissement,
            )
        }

    def effacer(self, apprenant, effacement, lignes):
        exports = lignes["exports"]
        noms = list(exports.exclude(file="").values_list("file", flat=True))
        exports.delete()
        effacement.supprimer_fichiers(noms, storage=ExportJob._meta.get_field("file").storage)

    def pseudonymiser(self, apprenant, effacement):
        _anonymiser_compte(apprenant)


def _anonymiser_compte(apprenant: Apprenant) -> None:
    """Pseudonymise the account and the profile (`str(user)` is now the pseudonym)."""
    user = apprenant.membership.user
    user.username = f"efface-{user.pk}"
    user.last_name = NOM_EFFACE
    user.first_name = f"n°{apprenant.pk}"
    user.email = ""
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    for label in ("account.EmailAddress", "mfa.Authenticator", "guardian.UserObjectPermission"):
        try:
            modele = apps.get_model(label)
        except LookupError:  # an optional app not installed: nothing of it to delete
            continue
        modele.objects.filter(user=user).delete()
    apprenant.ine = ""
    apprenant.eleve_id = ""
    apprenant.date_naissance = None
    apprenant.nom_usage = ""
    apprenant.sexe = ""
    apprenant.save(update_fields=["ine", "eleve_id", "date_naissance", "nom_usage", "sexe"])


@declarer
class Journal(DonneesApprenant):
    """The audit log: exported (entries about the learner and their objects, and what they
    did); at erasure the learner's identity is replaced in every entry of the establishment."""

    identifiant = "cpro.journal"
    ordre = 1000  # last: it reads the objects of every other declaration
    modeles = {
        "cpro.AuditLog": Regle(
            "journal",
            Sort.PSEUDONYMISE,
            "nom, identifiant, e-mail, INE et ELEVE_ID remplacés par le pseudonyme dans toutes "
            "les entrées de l'établissement ; champs d'identité des entrées sur son profil ou "
            "son compte remplacés par « [effacé] »",
        ),
    }

    def exporter(self, apprenant):
        entrees = (
            AuditLog.objects.filter(etablissement=apprenant.etablissement)
            .filter(filtre_journal(apprenant))
            .select_related("acteur")
            .order_by("cree_le", "pk")
        )
        return {
            "journal": [
                {
                    "date": e.cree_le,
                    "acteur": personne(e.acteur),
                    "action": e.action,
                    "objet": e.objet_repr,
                    "avant": e.avant,
                    "apres": e.apres,
                }
                for e in entrees
            ]
        }

    def effacer(self, apprenant, effacement, lignes):
        # Here, not in `pseudonymiser`: the identity must still be readable to be searched.
        effacement.compte["journal_expurge"] = expurger_journal(apprenant, effacement.pseudonyme)


def filtre_journal(apprenant: Apprenant) -> Q:
    """Audit entries about the learner: their profile, account, user, the objects that belong
    to them (`objets` of every declaration), and what they did themself."""
    q = Q(objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk))
    q |= Q(objet_type=Membership._meta.label, objet_id=str(apprenant.membership_id))
    q |= Q(objet_type=User._meta.label, objet_id=str(apprenant.membership.user_id))
    q |= Q(acteur_id=apprenant.membership.user_id)
    for declaration in declarations():
        for qs in declaration.objets(apprenant):
            ids = [str(pk) for pk in qs.values_list("pk", flat=True)]
            if ids:
                q |= Q(objet_type=qs.model._meta.label, objet_id__in=ids)
    return q


def _jetons_identite(apprenant: Apprenant) -> list[str]:
    """The strings that identify the learner in free text, longest first."""
    user = apprenant.membership.user
    nom, prenom = user.last_name.strip(), user.first_name.strip()
    jetons = {
        str(user),
        f"{prenom} {nom}",
        f"{nom} {prenom}",
        user.username,
        user.email,
        apprenant.ine,
        apprenant.eleve_id,
        apprenant.nom_usage,
    }
    return sorted((j.strip() for j in jetons if len(j.strip()) >= 3), key=len, reverse=True)


def _remplacer(valeur, motif: re.Pattern, remplacement: str):
    if isinstance(valeur, str):
        return motif.sub(remplacement, valeur)
    if isinstance(valeur, list):
        return [_remplacer(v, motif, remplacement) for v in valeur]
    if isinstance(valeur, dict):
        return {k: _remplacer(v, motif, remplacement) for k, v in valeur.items()}
    return valeur


def _masquer_identite(valeur):
    if isinstance(valeur, dict):
        return {
            k: (EFFACE if k in CHAMPS_IDENTITE and v else _masquer_identite(v))
            for k, v in valeur.items()
        }
    if isinstance(valeur, list):
        return [_masquer_identite(v) for v in valeur]
    return valeur


def expurger_journal(apprenant: Apprenant, pseudonyme: str) -> int:
    """Remove the learner's identity from the establishment's audit log; returns how many
    entries changed. Candidates are found in the database (the JSON is searched as text, in
    its stored form: raw on PostgreSQL, \\u-escaped on SQLite), then rewritten in Python."""
    jetons = _jetons_identite(apprenant)
    if not jetons:
        return 0
    motif = re.compile("|".join(re.escape(j) for j in jetons), re.IGNORECASE)
    sur_lui = Q(objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk)) | Q(
        objet_type=Membership._meta.label, objet_id=str(apprenant.membership_id)
    )
    candidats = sur_lui
    for jeton in jetons:
        formes = {jeton, jeton.upper()}
        for forme in formes | {json.dumps(f)[1:-1] for f in formes}:
            candidats |= (
                Q(objet_repr__icontains=forme)
                | Q(avant_texte__icontains=forme)
                | Q(apres_texte__icontains=forme)
            )
    entrees = (
        AuditLog.objects.filter(etablissement=apprenant.etablissement)
        .annotate(
            avant_texte=Cast("avant", output_field=TextField()),
            apres_texte=Cast("apres", output_field=TextField()),
        )
        .filter(candidats)
    )
    sur_lui_cles = {
        (Apprenant._meta.label, str(apprenant.pk)),
        (Membership._meta.label, str(apprenant.membership_id)),
    }
    modifiees = []
    for entree in entrees:
        avant, apres = entree.avant, entree.apres
        if (entree.objet_type, entree.objet_id) in sur_lui_cles:
            avant, apres = _masquer_identite(avant), _masquer_identite(apres)
        avant = _remplacer(avant, motif, pseudonyme)
        apres = _remplacer(apres, motif, pseudonyme)
        repr_ = motif.sub(pseudonyme, entree.objet_repr)[:255]
        if (avant, apres, repr_) != (entree.avant, entree.apres, entree.objet_repr):
            entree.avant, entree.apres, entree.objet_repr = avant, apres, repr_
            modifiees.append(entree)
    AuditLog.objects.bulk_update(modifiees, ["avant", "apres", "objet_repr"], batch_size=500)
    return len(modifiees)
