"""Move one establishment to another Cpro instance: `exporter` writes every row of its scope
(sauvegarde.perimetre) as versioned JSON lines plus its stored files; `importer` checks the
archive and the target, then inserts everything with new primary keys in one transaction.

Archive (same layout and checks as the instance backup, sauvegarde.archive):

    cpro-etablissement.json    {"format": "cpro-etablissement", "version": 1}
    donnees.jsonl              one line per row: {"m": "app.model", "k": source pk, "c": {…}}
    media/<chemin>             every file a row references (FileField), relative to MEDIA_ROOT
    manifeste.json             date, establishment, migrations, référentiels, rows per model,
                               SHA-256 and size of every member

In a row, a key towards a scope row holds that row's source pk ("k", only meaningful inside the
archive); a key towards a shared row holds its natural key (sauvegarde.perimetre.cle_naturelle),
e.g. a critère is [[["BAC-MCV", "2020"], "C1.1"], "1"]. Values are JSON: dates and times in ISO
8601 (microseconds kept), decimals and UUIDs as text. Ids inside the audit log's JSON follow
the same rule (sauvegarde.journal); an audit row about a shared row (a référentiel's critère)
carries that row's natural key in "r".
"""

import base64
import datetime
import decimal
import graphlib
import json
import logging
import os
import secrets
import shutil
import tempfile
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from cpro.models import AuditLog, Etablissement, Membership
from sauvegarde import archive, inventaire, journal, perimetre
from sauvegarde.erreurs import ArchiveInvalide, CibleNonVide, OperationImpossible

logger = logging.getLogger(__name__)

FORMAT = "cpro-etablissement"
VERSION = 1
FICHIER_FORMAT = "cpro-etablissement.json"
DONNEES = "donnees.jsonl"
PREFIXE = "cpro-etablissement-"
_LOT = 500


class ImportRefuse(CibleNonVide):
    """The target cannot take this establishment (slug, UAI, accounts, référentiels…)."""


def _verifier_manifeste(m: dict) -> None:
    etab = m.get("etablissement")
    modeles = m.get("modeles")
    if (
        not isinstance(etab, dict)
        or not all(isinstance(etab.get(c), str) and etab[c] for c in ("slug", "uai", "nom"))
        or not isinstance(modeles, dict)
        or not all(isinstance(n, int) and n >= 0 for n in modeles.values())
        or not isinstance(m.get("referentiels"), list)
        or not isinstance(m.get("migrations"), dict)
        or not isinstance(m.get("cree_le"), str)
    ):
        raise ArchiveInvalide("Le manifeste de l'archive est incomplet : archive refusée.")
    if modeles.get("cpro.etablissement") != 1:
        raise ArchiveInvalide("L'archive doit contenir exactement un établissement.")
    archive.verifier_entrees_fichiers(m.get("fichiers"), ETABLISSEMENT)
    if DONNEES not in m["fichiers"]:
        raise ArchiveInvalide("L'archive ne contient pas les données de l'établissement.")


ETABLISSEMENT = archive.Format(
    nom=FORMAT,
    version=VERSION,
    fichier_format=FICHIER_FORMAT,
    fixes=(DONNEES,),
    libelle="un export d'établissement Cpro",
    rien="Rien n'a été importé.",
    verifier_manifeste=_verifier_manifeste,
)


@dataclass
class ResultatExport:
    archive: Path
    manifeste: dict

    @property
    def lignes(self) -> int:
        return sum(self.manifeste["modeles"].values())


@dataclass
class ResultatImport:
    manifeste: dict
    etablissement: Etablissement
    comptes: dict[str, int]
    fichiers: int
    renommes: dict[str, str] = field(default_factory=dict)
    annees_creees: list[int] = field(default_factory=list)

    @property
    def lignes(self) -> int:
        return sum(self.comptes.values())


# --- values -----------------------------------------------------------------------------------


def encoder(valeur):
    """A column value as JSON (exact: microseconds and decimals kept)."""
    if isinstance(valeur, datetime.datetime | datetime.date | datetime.time):
        return valeur.isoformat()
    if isinstance(valeur, decimal.Decimal | uuid.UUID):
        return str(valeur)
    if isinstance(valeur, bytes | memoryview):
        return base64.b64encode(bytes(valeur)).decode()
    if isinstance(valeur, datetime.timedelta):
        return valeur.total_seconds()
    return valeur


def _decoder(f: models.Field, valeur):
    if valeur is None:
        return None
    if isinstance(f, models.BinaryField):
        return base64.b64decode(valeur)
    if isinstance(f, models.JSONField):
        return valeur
    if isinstance(f, models.DurationField):
        return datetime.timedelta(seconds=valeur)
    return f.to_python(valeur)


def _champs(modele) -> list[models.Field]:
    return [f for f in modele._meta.concrete_fields if not f.primary_key]


class _ClesNaturelles:
    """Natural keys of shared rows of one database, loaded per model on first use."""

    def __init__(self, using: str):
        self.using = using
        self._brut: dict[type, dict] = {}
        self._memo: dict[tuple, list] = {}
        self.utilises: dict[type, set] = defaultdict(set)

    def _charger(self, modele) -> dict:
        if modele not in self._brut:
            noms = perimetre.cle_naturelle(modele)
            attnames = [modele._meta.get_field(n).attname for n in noms]
            self._brut[modele] = {
                pk: tuple(vals)
                for pk, *vals in modele._base_manager.using(self.using).values_list("pk", *attnames)
            }
        return self._brut[modele]

    def de(self, modele, pk) -> list:
        cle = (modele, pk)
        if cle not in self._memo:
            brut = self._charger(modele)[pk]
            fields = [modele._meta.get_field(n) for n in perimetre.cle_naturelle(modele)]
            self._memo[cle] = [
                self.de(f.related_model, v) if f.is_relation and v is not None else encoder(v)
                for f, v in zip(fields, brut, strict=True)
            ]
            self.utilises[modele].add(pk)
        return self._memo[cle]

    def index(self, modele) -> dict[str, object]:
        """Natural key (as canonical JSON text) → pk, for every row of `modele`."""
        return {
            json.dumps(self.de(modele, pk), ensure_ascii=False): pk for pk in self._charger(modele)
        }


# --- export -----------------------------------------------------------------------------------


def _lignes_du_perimetre(m: perimetre.ModeleDuPerimetre, etab, using: str):
    User = get_user_model()
    qs = m.modele._base_manager.using(using)
    membres = Membership.objects.using(using).filter(etablissement=etab).values("user_id")
    if m.modele is Etablissement:
        return qs.filter(pk=etab.pk)
    if m.modele is User:
        return qs.filter(pk__in=membres)
    if m.vers_utilisateur:
        return qs.filter(**{f"{m.chemin}__in": membres})
    return qs.filter(**{m.chemin: etab})


def _journaliser(action: str, etab, using: str, apres: dict) -> None:
    """The establishment's audit entry of an export or an import (run by the operator from the
    command line: no acting user). Written on the database `using`, which cpro.audit does not
    take."""
    AuditLog.objects.using(using).create(
        etablissement=etab,
        acteur=None,
        action=action,
        objet_type=Etablissement._meta.label,
        objet_id=str(etab.pk),
        objet_repr=str(etab)[:255],
        apres=apres,
    )


def _nom_archive(dossier: Path, slug: str, moment: datetime.datetime) -> Path:
    base = f"{PREFIXE}{slug}-{timezone.localtime(moment):%Y%m%d-%H%M%S}"
    chemin = dossier / f"{base}.tar.gz"
    n = 1
    while chemin.exists():
        chemin = dossier / f"{base}-{n}.tar.gz"
        n += 1
    return chemin


def exporter(
    slug: str,
    *,
    dest: Path | None = None,
    using: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
) -> ResultatExport:
    """Write the archive of establishment `slug` into `dest` (default SAUVEGARDE_DOSSIER).

    Reads in one transaction (PostgreSQL: repeatable read, a consistent snapshot). A key
    towards a row outside the establishment (another establishment's tutor, a user who is not
    a member) is emptied when it may be, otherwise the row is left out; both are counted in the
    manifest ("hors_perimetre"). Written under a temporary name then renamed; checked after."""
    dossier = Path(dest or settings.SAUVEGARDE_DOSSIER)
    dossier.mkdir(parents=True, exist_ok=True)
    maintenant = timezone.now()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    travail = Path(tempfile.mkdtemp(prefix=".cpro-etablissement-", dir=dossier))
    partiel = None
    try:
        with transaction.atomic(using=using):
            conn = connections[using]
            if conn.vendor == "postgresql":
                with conn.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            etab = Etablissement.objects.using(using).filter(slug=slug).first()
            if etab is None:
                raise OperationImpossible(f"Aucun établissement n'a l'adresse « {slug} ».")
            donnees = travail / DONNEES
            comptes, hors, fichiers, naturelles = _ecrire_donnees(etab, using, donnees)
            with conn.cursor() as cur:
                migrations = inventaire.migrations_appliquees(cur)
        final = _nom_archive(dossier, slug, maintenant)
        partiel = dossier / f".{final.name}.{secrets.token_hex(4)}.partiel"
        manquants = []
        with open(partiel, "xb") as sortie:
            ecrivain = archive.EcrivainArchive(sortie, fmt=ETABLISSEMENT)
            ecrivain.ajouter_fichier(DONNEES, donnees)
            for nom in sorted(fichiers):
                chemin = media_root / nom
                if chemin.is_file() and not chemin.is_symlink():
                    ecrivain.ajouter_fichier(archive.PREFIXE_MEDIA + nom, chemin)
                else:
                    manquants.append(nom)
            propres = set(
                _diplome()
                ._base_manager.using(using)
                .filter(etablissement=etab)
                .values_list("pk", flat=True)
            )
            diplomes = naturelles.utilises.get(_diplome(), set()) - propres
            ecrivain.terminer(
                {
                    "cree_le": maintenant.isoformat(),
                    "etablissement": {"slug": etab.slug, "uai": etab.uai, "nom": etab.nom},
                    "migrations": migrations,
                    "referentiels": sorted(
                        (
                            dict(zip(("code", "version"), naturelles.de(_diplome(), pk)))  # noqa: B905
                            for pk in diplomes
                        ),
                        key=lambda d: (str(d["code"]), str(d["version"])),
                    ),
                    "referentiels_propres": [
                        dict(zip(("code", "version"), naturelles.de(_diplome(), pk)))  # noqa: B905
                        for pk in sorted(propres)
                    ],
                    "modeles": comptes,
                    "hors_perimetre": hors,
                    "medias": {"manquants": manquants},
                }
            )
            sortie.flush()
            os.fsync(sortie.fileno())
        os.replace(partiel, final)
    finally:
        if partiel is not None:
            partiel.unlink(missing_ok=True)
        shutil.rmtree(travail, ignore_errors=True)
    manifeste = archive.verifier_archive(final, ETABLISSEMENT)
    _journaliser(
        "etablissement.export",
        etab,
        using,
        {"archive": final.name, "lignes": sum(comptes.values()), "fichiers": len(fichiers)},
    )
    logger.info("Établissement %s exporté : %s", slug, final)
    return ResultatExport(archive=final, manifeste=manifeste)


def _diplome():
    from django.apps import apps

    return apps.get_model("referentiels", "Diplome")


def _ecrire_donnees(etab, using: str, destination: Path):
    naturelles = _ClesNaturelles(using)
    scope = perimetre.perimetre()
    dans = {m.modele for m in scope}
    cles: dict[type, set] = {}
    comptes: dict[str, int] = {}
    hors: Counter = Counter()
    fichiers: set[str] = set()
    with open(destination, "w", encoding="utf-8") as sortie:
        _ecrire_referentiels_propres(etab, using, sortie)
        for m in scope:
            qs = _lignes_du_perimetre(m, etab, using).order_by("pk")
            champs = _champs(m.modele)
            cles[m.modele] = set(qs.values_list("pk", flat=True))
            gardees = set()
            n = 0
            for pk, *valeurs in qs.values_list("pk", *[f.attname for f in champs]).iterator(
                chunk_size=2000
            ):
                contenu = {}
                for f, v in zip(champs, valeurs, strict=True):
                    if f.is_relation and v is not None:
                        if f.related_model in dans:
                            cibles = cles.get(f.related_model)
                            if cibles is not None and v not in cibles:
                                hors[f"{m.label}.{f.name}"] += 1
                                if not f.null:
                                    contenu = None
                                    break
                                v = None
                            v = encoder(v)
                        else:
                            v = naturelles.de(f.related_model, v)
                    elif isinstance(f, models.FileField):
                        v = str(v) if v else ""
                        if v:
                            fichiers.add(v)
                    else:
                        v = encoder(v)
                    contenu[f.name] = v
                if contenu is None:
                    continue
                ligne = {"m": m.label, "k": encoder(pk), "c": contenu}
                if m.label in perimetre.JSON_AVEC_IDS:
                    _ids_a_l_export(m.label, ligne, cles, naturelles)
                sortie.write(json.dumps(ligne, ensure_ascii=False) + "\n")
                gardees.add(pk)
                n += 1
            cles[m.modele] = gardees
            comptes[m.label] = n
    return comptes, dict(hors), fichiers, naturelles


def _modeles_referentiel() -> list:
    """The référentiel models (auto-created M2M tables included) in insertion order."""
    Diplome = _diplome()
    modeles = [
        m
        for m in apps.get_app_config(perimetre.APP_REFERENTIELS).get_models(
            include_auto_created=True
        )
        if perimetre.chemin(m, (Diplome,)) is not None
    ]
    graphe = graphlib.TopologicalSorter()
    for m in sorted(modeles, key=perimetre.label):
        graphe.add(
            m,
            *(
                f.related_model
                for f in perimetre.liens(m)
                if f.related_model in modeles and f.related_model is not m
            ),
        )
    return list(graphe.static_order())


def _ecrire_referentiels_propres(etab, using: str, sortie) -> None:
    """The établissement's own référentiels (its transversal competences: `Diplome.etablissement`
    set) travel with it, as lines marked "p" written first: their rows point to each other by
    source pk and to the establishment by its pk; the target has no copy of them."""
    Diplome = _diplome()
    propres = list(
        Diplome._base_manager.using(using).filter(etablissement=etab).values_list("pk", flat=True)
    )
    if not propres:
        return
    for modele in _modeles_referentiel():
        chemin_ = perimetre.chemin(modele, (Diplome,))
        filtre = {"pk__in": propres} if not chemin_ else {"__".join(chemin_) + "__in": propres}
        champs = _champs(modele)
        qs = modele._base_manager.using(using).filter(**filtre).order_by("pk")
        for pk, *valeurs in qs.values_list("pk", *[f.attname for f in champs]):
            contenu = {
                f.name: v if f.is_relation else encoder(v)
                for f, v in zip(champs, valeurs, strict=True)
            }
            ligne = {"m": perimetre.label(modele), "k": encoder(pk), "c": contenu, "p": True}
            sortie.write(json.dumps(ligne, ensure_ascii=False) + "\n")


def _cle_etablissement(imp: "_Import"):
    (cle,) = imp.nouvelles[perimetre.label(Etablissement)].keys()
    return cle


def _inserer_propre(imp: "_Import", ligne: dict) -> None:
    """One row of an establishment's own référentiel (see _ecrire_referentiels_propres)."""
    try:
        modele = apps.get_model(ligne["m"])
    except LookupError as exc:
        raise ArchiveInvalide(f"Modèle inconnu : {ligne['m']!r}. Rien n'a été importé.") from exc
    if modele._meta.app_label != perimetre.APP_REFERENTIELS:
        raise ArchiveInvalide(
            f"Ligne de référentiel invalide : {ligne['m']!r}. Rien n'a été importé."
        )
    par_nom = {f.name: f for f in _champs(modele)}
    valeurs = {}
    a_rattacher = []
    for nom, v in ligne["c"].items():
        f = par_nom.get(nom)
        if f is None:
            raise ArchiveInvalide(f"Champ inconnu dans {ligne['m']} : {nom}. Rien n'a été importé.")
        if f.is_relation and v is not None:
            cible = perimetre.label(f.related_model)
            if f.related_model is Etablissement:
                a_rattacher.append(f)
                v = None
            else:
                v = imp.propres.get(cible, {}).get(v)
                if v is None:
                    raise ArchiveInvalide(
                        f"Référence introuvable dans l'archive : {ligne['m']}.{nom}. "
                        "Rien n'a été importé."
                    )
        elif not f.is_relation:
            v = _decoder(f, v)
        valeurs[f.attname] = v
    objet = modele._base_manager.using(imp.using).create(**valeurs)
    imp.propres.setdefault(ligne["m"], {})[ligne["k"]] = objet.pk
    for f in a_rattacher:
        imp.rattacher.append((modele, objet.pk, f))


def _ids_a_l_export(label: str, ligne: dict, cles: dict, naturelles: "_ClesNaturelles") -> None:
    """Ids inside an audit row: a shared row's id becomes its natural key, an id of a row that
    is not in the archive (deleted since) becomes null (sauvegarde.journal)."""

    def correspondre(cible: str, valeur):
        try:
            modele = apps.get_model(cible)
        except LookupError:
            return None
        if modele in cles:
            return valeur if valeur in cles[modele] else None
        try:
            return {"cle": naturelles.de(modele, valeur)}
        except KeyError:
            return None

    contenu = ligne["c"]
    for nom in perimetre.JSON_AVEC_IDS[label]:
        contenu[nom] = journal.renumeroter(contenu[nom], correspondre)
    type_, ident = perimetre.REFERENCES_TEXTUELLES.get(label, (None, None))
    objet_type, objet_id = contenu.get(type_) or "", contenu.get(ident) or ""
    if objet_type and str(objet_id).isdigit():
        try:
            modele = apps.get_model(objet_type)
        except LookupError:
            return
        if modele not in cles:
            try:
                ligne["r"] = naturelles.de(modele, int(objet_id))
            except KeyError:
                ligne["r"] = None


# --- import -----------------------------------------------------------------------------------


def _lire_lignes(chemin: Path):
    with open(chemin, encoding="utf-8") as entree:
        for numero, texte in enumerate(entree, 1):
            try:
                ligne = json.loads(texte)
            except json.JSONDecodeError as exc:
                raise ArchiveInvalide(f"Ligne {numero} des données illisible.") from exc
            if (
                not isinstance(ligne, dict)
                or not isinstance(ligne.get("m"), str)
                or not isinstance(ligne.get("k"), int | str)
                or not isinstance(ligne.get("c"), dict)
            ):
                raise ArchiveInvalide(f"Ligne {numero} des données mal formée.")
            yield ligne


def _verifier_cible(manifeste: dict, donnees: Path, using: str) -> None:
    """Everything that can refuse the import, read-only: schema, slug, UAI, accounts,
    référentiels, unique values already taken on the target."""
    conn = connections[using]
    appliquees = set(MigrationRecorder(conn).applied_migrations())
    manquantes = sorted(
        f"{app}.{nom}"
        for app, noms in manifeste["migrations"].items()
        for nom in noms
        if (app, nom) not in appliquees
    )
    if manquantes:
        raise ImportRefuse(
            "L'instance cible n'a pas toutes les migrations de l'instance d'origine "
            f"({', '.join(manquantes[:5])}) : mettez Cpro à jour et lancez manage.py migrate "
            "avant d'importer. Rien n'a été importé."
        )
    etab = manifeste["etablissement"]
    existant = Etablissement.objects.using(using).filter(
        models.Q(slug=etab["slug"]) | models.Q(uai__iexact=etab["uai"])
    )
    for autre in existant:
        champ = "l'adresse" if autre.slug == etab["slug"] else "l'UAI"
        raise ImportRefuse(
            f"Un établissement avec {champ} de « {etab['nom']} » existe déjà sur cette instance "
            f"({autre.nom}, {autre.slug}, UAI {autre.uai}). Rien n'a été importé."
        )
    Diplome = _diplome()
    absents = [
        f"{d.get('code')} version {d.get('version')}"
        for d in manifeste["referentiels"]
        if not Diplome.objects.using(using)
        .filter(code=d.get("code"), version=d.get("version"))
        .exists()
    ]
    if absents:
        raise ImportRefuse(
            f"Référentiel(s) absent(s) de l'instance cible : {', '.join(absents)}. Chargez-les "
            "(manage.py charger_referentiels) avant d'importer. Rien n'a été importé."
        )
    User = get_user_model()
    comptes = [ligne["c"] for ligne in _lire_lignes(donnees) if ligne["m"] == perimetre.label(User)]
    pris = []
    for c in comptes:
        q = models.Q(username__iexact=c.get("username") or "")
        if c.get("email"):
            q |= models.Q(email__iexact=c["email"])
        autre = User._base_manager.using(using).filter(q).first()
        if autre is not None:
            pris.append(f"{c.get('username')} ({c.get('email') or 'sans e-mail'})")
    if pris:
        raise ImportRefuse(
            f"{len(pris)} compte(s) existe(nt) déjà sur l'instance cible (même identifiant ou "
            f"même e-mail) : {', '.join(pris[:10])}. Les comptes ne sont jamais fusionnés : "
            "renommez-les ou supprimez-les sur l'une des instances. Rien n'a été importé."
        )


@dataclass
class _Import:
    using: str
    naturelles: "_ClesNaturelles"
    scope: dict[str, perimetre.ModeleDuPerimetre]
    nouvelles: dict[str, dict] = field(default_factory=lambda: defaultdict(dict))
    index: dict[type, dict] = field(default_factory=dict)
    differes: list = field(default_factory=list)
    fichiers: list = field(default_factory=list)
    annees_creees: list = field(default_factory=list)
    # The establishment's own référentiel rows: label → source pk → new pk; keys to re-attach.
    propres: dict[str, dict] = field(default_factory=dict)
    rattacher: list = field(default_factory=list)

    def partage_existant(self, cible: str, cle) -> object | None:
        """The target's pk of the shared row `cle` of model `cible` (a label), or None."""
        if cle is None:
            return None
        try:
            modele = apps.get_model(cible)
        except LookupError:
            return None
        if modele not in self.index:
            self.index[modele] = self.naturelles.index(modele)
        return self.index[modele].get(json.dumps(cle, ensure_ascii=False))

    def correspondre(self, cible: str, valeur) -> object | None:
        """An id written in the audit JSON of the archive → the target's id (None if gone)."""
        if isinstance(valeur, dict):
            return self.partage_existant(cible, valeur.get("cle"))
        return self.nouvelles[cible].get(valeur) if cible in self.scope else None

    def partage(self, modele, cle):
        if modele not in self.index:
            self.index[modele] = self.naturelles.index(modele)
        texte = json.dumps(cle, ensure_ascii=False)
        pk = self.index[modele].get(texte)
        if pk is None and perimetre.label(modele) in perimetre.CREES_SI_ABSENTS:
            noms = perimetre.cle_naturelle(modele)
            if isinstance(cle, list) and len(cle) == len(noms):
                champs = {
                    n: modele._meta.get_field(n).to_python(v)
                    for n, v in zip(noms, cle, strict=True)
                }
                objet = modele._base_manager.using(self.using).create(**champs)
                pk = self.index[modele][texte] = objet.pk
                self.annees_creees.append(cle[0] if len(cle) == 1 else cle)
        if pk is None:
            raise ImportRefuse(
                f"Élément partagé absent de l'instance cible : {modele._meta.verbose_name} "
                f"{texte} (référentiel d'une autre version ?). Rien n'a été importé."
            )
        return pk


def _inserer(imp: _Import, label: str, lignes: list[dict]) -> None:
    m = imp.scope[label]
    modele = m.modele
    champs = _champs(modele)
    par_nom = {f.name: f for f in champs}
    reference_texte = perimetre.REFERENCES_TEXTUELLES.get(label)
    objets, a_differer, a_fichiers = [], [], []
    for position, ligne in enumerate(lignes):
        inconnus = set(ligne["c"]) - set(par_nom)
        if inconnus:
            raise ArchiveInvalide(
                f"Champ inconnu de cette version de Cpro dans {label} : "
                f"{', '.join(sorted(inconnus))}. Rien n'a été importé."
            )
        valeurs = {}
        for nom, v in ligne["c"].items():
            f = par_nom[nom]
            if f.is_relation and v is not None:
                cible = perimetre.label(f.related_model)
                if cible in imp.scope:
                    nouveau = imp.nouvelles[cible].get(v)
                    if nouveau is None:
                        if not f.null:
                            raise ArchiveInvalide(
                                f"Référence introuvable dans l'archive : {label}.{nom} → "
                                f"{cible} {v!r}. Rien n'a été importé."
                            )
                        a_differer.append((position, f, cible, v))
                    v = nouveau
                else:
                    v = imp.partage(f.related_model, v)
            elif isinstance(f, models.FileField):
                if v:
                    a_fichiers.append((position, f, v))
            else:
                try:
                    v = _decoder(f, v)
                except ValidationError as exc:
                    raise ArchiveInvalide(
                        f"Valeur illisible pour {label}.{nom} : {v!r}. Rien n'a été importé."
                    ) from exc
            valeurs[f.attname] = v
        if reference_texte:
            type_, ident = reference_texte
            cible = str(valeurs.get(type_) or "").lower()
            if cible in imp.scope and valeurs.get(ident):
                ancien = valeurs[ident]
                ancien = int(ancien) if str(ancien).isdigit() else ancien
                nouveau = imp.nouvelles[cible].get(ancien)
                if nouveau is not None:
                    valeurs[ident] = str(nouveau)
            elif "r" in ligne:
                nouveau = imp.partage_existant(cible, ligne["r"])
                valeurs[ident] = "" if nouveau is None else str(nouveau)
        for nom in perimetre.JSON_AVEC_IDS.get(label, ()):
            attname = par_nom[nom].attname
            valeurs[attname] = journal.renumeroter(valeurs.get(attname), imp.correspondre)
        objets.append(modele(**valeurs))
    pk = modele._meta.pk
    # An auto-increment key comes back from the insert; any other (a UUID) is drawn anew here.
    auto = isinstance(pk, AutoFieldMixin)
    colonnes = champs if auto else [pk, *champs]
    taille = max(connections[imp.using].ops.bulk_batch_size(colonnes, objets), 1)
    nouveaux = []
    for debut in range(0, len(objets), taille):
        lot = objets[debut : debut + taille]
        if not auto:
            for objet in lot:
                objet.pk = pk.get_default()
        retour = modele._base_manager.using(imp.using)._insert(
            lot,
            fields=colonnes,
            returning_fields=[pk] if auto else None,
            raw=True,
            using=imp.using,
        )
        nouveaux += retour if auto else [(objet.pk,) for objet in lot]
    if len(nouveaux) != len(lignes):
        raise OperationImpossible(f"Insertion incomplète dans {label}.")
    correspondance = imp.nouvelles[label]
    for ligne, (pk,) in zip(lignes, nouveaux, strict=True):
        if ligne["k"] in correspondance:
            raise ArchiveInvalide(f"Ligne en double dans {label} : {ligne['k']!r}.")
        correspondance[ligne["k"]] = pk
    for position, f, cible, ancien in a_differer:
        imp.differes.append((modele, nouveaux[position][0], f, cible, ancien))
    for position, f, nom in a_fichiers:
        imp.fichiers.append((modele, nouveaux[position][0], f, nom))


def importer(
    chemin: Path, *, using: str = DEFAULT_DB_ALIAS, media_root: Path | None = None
) -> ResultatImport:
    """Import an establishment archive into this instance (or the database `using`).

    Order: whole archive verified (format, version, names, SHA-256) → data extracted to a
    temporary file (re-checked) → target checked read-only (migrations, slug, UAI, accounts,
    référentiels) → one transaction: rows inserted model by model with new primary keys,
    nullable keys to later rows filled in, row counts compared with the manifest → files
    extracted into a hidden directory of the media root (re-checked), moved into place (renamed
    when the name is taken, the row updated) → commit. Any failure rolls the transaction back
    and removes every file written."""
    chemin = Path(chemin)
    manifeste = archive.verifier_archive(chemin, ETABLISSEMENT)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    travail = Path(tempfile.mkdtemp(prefix="cpro-import-"))
    places: list[Path] = []
    staging = None
    try:
        donnees = travail / DONNEES
        archive.extraire_membres(
            chemin, manifeste, lambda nom: donnees if nom == DONNEES else None, ETABLISSEMENT
        )
        _verifier_cible(manifeste, donnees, using)
        scope = {m.label: m for m in perimetre.perimetre()}
        imp = _Import(using=using, naturelles=_ClesNaturelles(using), scope=scope)
        try:
            with transaction.atomic(using=using):
                courant, lot = None, []
                for ligne in _lire_lignes(donnees):
                    if ligne.get("p") is True and courant is None:
                        _inserer_propre(imp, ligne)
                        continue
                    if ligne["m"] not in scope:
                        raise ArchiveInvalide(
                            f"Modèle inconnu de cette version de Cpro : {ligne['m']!r}. "
                            "Rien n'a été importé."
                        )
                    if ligne["m"] != courant or len(lot) >= _LOT:
                        if lot:
                            _inserer(imp, courant, lot)
                        courant, lot = ligne["m"], []
                    lot.append(ligne)
                if lot:
                    _inserer(imp, courant, lot)
                for modele, pk, f, cible, ancien in imp.differes:
                    nouveau = imp.nouvelles[cible].get(ancien)
                    if nouveau is None:
                        raise ArchiveInvalide(
                            f"Référence introuvable dans l'archive : {perimetre.label(modele)}."
                            f"{f.name} → {cible} {ancien!r}. Rien n'a été importé."
                        )
                    modele._base_manager.using(using).filter(pk=pk).update(**{f.attname: nouveau})
                for modele, pk, f in imp.rattacher:
                    modele._base_manager.using(using).filter(pk=pk).update(
                        **{
                            f.attname: imp.nouvelles[perimetre.label(Etablissement)].get(
                                _cle_etablissement(imp)
                            )
                        }
                    )
                comptes = {label: len(cles) for label, cles in imp.nouvelles.items()}
                attendus = {k: v for k, v in manifeste["modeles"].items() if v}
                if comptes != attendus:
                    ecarts = sorted(
                        k for k in set(comptes) | set(attendus) if comptes.get(k) != attendus.get(k)
                    )
                    raise ArchiveInvalide(
                        f"Les données ne correspondent pas au manifeste ({', '.join(ecarts[:5])})."
                        " Rien n'a été importé."
                    )
                media_root.mkdir(parents=True, exist_ok=True)
                staging = media_root / f".import-{secrets.token_hex(4)}"
                renommes = _placer_fichiers(
                    chemin, manifeste, imp, media_root, staging, places, using
                )
                (etab_pk,) = imp.nouvelles[perimetre.label(Etablissement)].values()
                etab = Etablissement.objects.using(using).get(pk=etab_pk)
                _journaliser(
                    "etablissement.import",
                    etab,
                    using,
                    {
                        "archive": chemin.name,
                        "exporte_le": manifeste.get("cree_le", ""),
                        "lignes": sum(comptes.values()),
                        "fichiers": len(places),
                        "fichiers_renommes": len(renommes),
                        "annees_creees": [str(a) for a in imp.annees_creees],
                    },
                )
        except IntegrityError as exc:
            raise ImportRefuse(
                f"Conflit avec une donnée déjà présente sur l'instance cible ({exc}). "
                "Rien n'a été importé."
            ) from exc
    except BaseException:
        for chemin_place in places:
            chemin_place.unlink(missing_ok=True)
            _retirer_dossiers_vides(chemin_place.parent, media_root)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(travail, ignore_errors=True)
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("Établissement %s importé depuis %s", etab.slug, chemin)
    return ResultatImport(
        manifeste=manifeste,
        etablissement=etab,
        comptes=comptes,
        fichiers=len(places),
        renommes=renommes,
        annees_creees=imp.annees_creees,
    )


def _retirer_dossiers_vides(dossier: Path, racine: Path) -> None:
    while dossier != racine and dossier.is_relative_to(racine):
        try:
            dossier.rmdir()
        except OSError:
            return
        dossier = dossier.parent


def _placer_fichiers(chemin, manifeste, imp: _Import, media_root, staging, places, using):
    """Extract the media members into `staging` (checksums re-checked), move each into place
    under its name or, if taken, a free one (the referencing rows updated). Returns renames."""
    racine = staging.resolve()

    def destination(nom: str):
        if not nom.startswith(archive.PREFIXE_MEDIA):
            return None
        cible = staging / nom.removeprefix(archive.PREFIXE_MEDIA)
        if not cible.resolve().is_relative_to(racine):
            raise ArchiveInvalide(f"Nom de fichier dangereux : {nom!r}. Rien n'a été importé.")
        return cible

    staging.mkdir()
    archive.extraire_membres(chemin, manifeste, destination, ETABLISSEMENT)
    stockage = FileSystemStorage(location=media_root)
    finaux: dict[str, str] = {}
    for modele, pk, f, nom in imp.fichiers:
        if nom not in finaux:
            source = staging / nom
            if not source.is_file():
                finaux[nom] = nom  # already missing at export time (manifest "manquants")
                continue
            final = nom if not (media_root / nom).exists() else stockage.get_available_name(nom)
            destination_finale = media_root / final
            if not destination_finale.resolve().is_relative_to(media_root.resolve()):
                raise ArchiveInvalide(f"Nom de fichier dangereux : {nom!r}. Rien n'a été importé.")
            destination_finale.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, destination_finale)
            places.append(destination_finale)
            finaux[nom] = final
        if finaux[nom] != nom:
            modele._base_manager.using(using).filter(pk=pk).update(**{f.attname: finaux[nom]})
    return {nom: final for nom, final in finaux.items() if final != nom}
