"""Backup and restore of a whole Cpro instance (database + private media files).

`sauvegarder` writes one archive (sauvegarde.archive) atomically and applies the retention;
`restaurer` checks an archive completely, rebuilds the database and the media root aside and
swaps them in only at the end. Neither touches the audit log: they act on the instance, not on
one establishment, and run from the command line or the beat task (logged).
"""

import datetime
import logging
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from sauvegarde import archive, bases, inventaire
from sauvegarde.erreurs import ArchiveInvalide, CibleNonVide, OperationImpossible

logger = logging.getLogger(__name__)

PREFIXE = "cpro-sauvegarde-"
_NOM_ARCHIVE = re.compile(r"^cpro-sauvegarde-\d{8}-\d{6}(-\d+)?\.tar\.gz$")
# Staging directories left inside MEDIA_ROOT while a restore runs; never backed up.
PREFIXE_TRAVAIL = ".restauration-"


@dataclass
class ResultatSauvegarde:
    archive: Path
    manifeste: dict
    supprimees: list[Path] = field(default_factory=list)

    @property
    def lignes(self) -> int:
        return sum(self.manifeste["tables"].values())

    @property
    def medias(self) -> int:
        return sum(1 for nom in self.manifeste["fichiers"] if nom.startswith("media/"))


@dataclass
class ResultatRestauration:
    manifeste: dict
    base: str
    media_root: Path
    migrations_appliquees: list[str]

    @property
    def lignes(self) -> int:
        return sum(self.manifeste["tables"].values())

    @property
    def medias(self) -> list[str]:
        return [nom for nom in self.manifeste["fichiers"] if nom.startswith("media/")]

    @property
    def octets_medias(self) -> int:
        return sum(self.manifeste["fichiers"][nom]["taille"] for nom in self.medias)


# --- backup -----------------------------------------------------------------------------------


def _fichiers_media(racine: Path) -> tuple[list[Path], list[str]]:
    """Regular files under MEDIA_ROOT (sorted), and what was skipped (links, special files,
    restore staging directories)."""
    fichiers, ignores = [], []
    if not racine.is_dir():
        return fichiers, ignores
    for dossier, sous_dossiers, noms in os.walk(racine, followlinks=False):
        base = Path(dossier)
        if base == racine:
            sous_dossiers[:] = [d for d in sous_dossiers if not d.startswith(PREFIXE_TRAVAIL)]
        for d in sous_dossiers:
            if (base / d).is_symlink():
                ignores.append(str((base / d).relative_to(racine)))
        for nom in noms:
            chemin = base / nom
            if chemin.is_symlink() or not chemin.is_file():
                ignores.append(str(chemin.relative_to(racine)))
            else:
                fichiers.append(chemin)
    return sorted(fichiers), sorted(ignores)


def _nom_archive(dossier: Path, maintenant: datetime.datetime) -> Path:
    base = f"{PREFIXE}{timezone.localtime(maintenant):%Y%m%d-%H%M%S}"
    chemin, n = dossier / f"{base}.tar.gz", 1
    while chemin.exists():
        n += 1
        chemin = dossier / f"{base}-{n}.tar.gz"
    return chemin


def _instantane(travail: Path, moteur: str, reglages: dict) -> tuple[Path, dict]:
    """Snapshot the database into `travail` and read, in that same snapshot, the tables' row
    counts, the applied migrations and the referenced media files."""
    if moteur == bases.SQLITE:
        fichier = travail / "base.sqlite3"
        bases.sqlite_copier(DEFAULT_DB_ALIAS, fichier)
        conn = sqlite3.connect(fichier)
        try:
            cur = conn.cursor()
            etat = _lire_etat(cur, moteur)
        finally:
            conn.close()
        return fichier, etat
    fichier = travail / "base.dump"
    # pg_dump runs in the exported snapshot of this repeatable-read transaction, in which the
    # counts and file references are read too: they describe exactly the dumped data.
    with bases.pg_connecter(reglages, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        bases.pg_dump(reglages, fichier, snapshot=snapshot)
        etat = _lire_etat(conn.cursor(), moteur)
        conn.rollback()
    return fichier, etat


def _lire_etat(cur, moteur: str) -> dict:
    return {
        "tables": inventaire.compter_lignes(cur, moteur),
        "migrations": inventaire.migrations_appliquees(cur),
        "references": inventaire.fichiers_references(cur, moteur),
    }


def appliquer_conservation(dossier: Path, conserver: int) -> list[Path]:
    """Keep the `conserver` most recent archives of `dossier` (only files named like ours)."""
    if conserver < 1:
        raise OperationImpossible("SAUVEGARDE_CONSERVER doit garder au moins une sauvegarde.")
    archives = sorted(
        (p for p in Path(dossier).iterdir() if p.is_file() and _NOM_ARCHIVE.match(p.name)),
        key=lambda p: (p.name[len(PREFIXE) : len(PREFIXE) + 15], p.stat().st_mtime),
        reverse=True,
    )
    supprimees = archives[conserver:]
    for chemin in supprimees:
        chemin.unlink(missing_ok=True)
    return supprimees


def sauvegarder(*, dest: Path | None = None, conserver: int | None = None) -> ResultatSauvegarde:
    """Back up the instance into `dest` (default SAUVEGARDE_DOSSIER):

    1. consistent database snapshot (SQLite online backup / pg_dump custom format in an
       exported snapshot) with row counts, migrations and file references read in it;
    2. then the media files (after the snapshot, so every file it references is there; media
       not referenced are reported as orphans, references without file as missing);
    3. the archive is written under a hidden temporary name, synced, then renamed;
    4. only archives beyond the `conserver` most recent (SAUVEGARDE_CONSERVER) are deleted.
    """
    dossier = Path(dest or settings.SAUVEGARDE_DOSSIER)
    conserver = settings.SAUVEGARDE_CONSERVER if conserver is None else conserver
    if conserver < 1:
        raise OperationImpossible("Il faut conserver au moins une sauvegarde.")
    reglages = connections[DEFAULT_DB_ALIAS].settings_dict
    moteur = bases.moteur(reglages)
    dossier.mkdir(parents=True, exist_ok=True)
    maintenant = timezone.now()
    final = _nom_archive(dossier, maintenant)
    partiel = dossier / f".{final.name}.{secrets.token_hex(4)}.partiel"
    travail = Path(tempfile.mkdtemp(prefix=".cpro-sauvegarde-travail-", dir=dossier))
    racine_media = Path(settings.MEDIA_ROOT)
    try:
        fichier_base, etat = _instantane(travail, moteur, reglages)
        medias, ignores = _fichiers_media(racine_media)
        presents = {str(p.relative_to(racine_media).as_posix()) for p in medias}
        with open(partiel, "xb") as sortie:
            ecrivain = archive.EcrivainArchive(sortie)
            ecrivain.ajouter_fichier(archive.FICHIER_BASE[moteur], fichier_base)
            fichier_base.unlink()
            for chemin in medias:
                nom = chemin.relative_to(racine_media).as_posix()
                ecrivain.ajouter_fichier(archive.PREFIXE_MEDIA + nom, chemin)
            ecrivain.terminer(
                {
                    "cree_le": maintenant.isoformat(),
                    "moteur": moteur,
                    "django": django.get_version(),
                    "migrations": etat["migrations"],
                    "tables": etat["tables"],
                    "medias": {
                        "orphelins": sorted(presents - etat["references"]),
                        "manquants": sorted(etat["references"] - presents),
                        "ignores": ignores,
                    },
                }
            )
            sortie.flush()
            os.fsync(sortie.fileno())
        os.replace(partiel, final)
    finally:
        partiel.unlink(missing_ok=True)
        shutil.rmtree(travail, ignore_errors=True)
    manifeste = archive.verifier_archive(final)
    supprimees = appliquer_conservation(dossier, conserver)
    logger.info("Sauvegarde écrite : %s (%d sauvegardes supprimées)", final, len(supprimees))
    return ResultatSauvegarde(archive=final, manifeste=manifeste, supprimees=supprimees)


# --- restore ----------------------------------------------------------------------------------


def verifier(chemin: Path) -> dict:
    """Check an archive completely (format, names, manifest, checksums); nothing is written."""
    return archive.verifier_archive(Path(chemin))


def _verifier_cible_vide(moteur: str, reglages: dict, media_root: Path) -> None:
    if moteur == bases.SQLITE:
        tables = bases.sqlite_tables(bases.chemin_sqlite(reglages))
    else:
        tables = bases.pg_tables(reglages)
    if tables:
        raise CibleNonVide(
            f"La base cible {reglages['NAME']} n'est pas vide ({tables} tables) : la "
            "restauration se fait dans une base neuve (supprimez-la ou indiquez une autre base). "
            "Rien n'a été écrit."
        )
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        raise CibleNonVide(
            f"Le dossier des fichiers {media_root} n'est pas vide : la restauration se fait dans "
            "un dossier vide. Rien n'a été écrit."
        )


def restaurer(
    chemin: Path, *, database_url: str | None = None, media_root: Path | None = None
) -> ResultatRestauration:
    """Restore an archive into an empty database and an empty media root (default: this
    instance's DATABASE_URL and MEDIA_ROOT).

    Order: whole archive checked (nothing written on failure) → target checked empty →
    database rebuilt aside (SQLite: a hidden file next to the target; PostgreSQL: a scratch
    database) and media extracted into a hidden directory of the media root, each file
    re-checked → row counts compared with the manifest → pending migrations applied to the
    staged database → swap (media moved in, database renamed in) → staging removed. Any failure
    before the swap removes the staging and leaves the target as it was.
    """
    chemin = Path(chemin)
    manifeste = archive.verifier_archive(chemin)
    reglages = (
        bases.reglages_depuis_url(database_url)
        if database_url
        else dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    )
    moteur = bases.moteur(reglages)
    if manifeste["moteur"] != moteur:
        raise OperationImpossible(
            f"L'archive contient une base {manifeste['moteur']} et la cible est {moteur} : "
            "restaurez sur le même moteur (pour changer de serveur, exportez les "
            "établissements)."
        )
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _verifier_cible_vide(moteur, reglages, media_root)
    if moteur == bases.POSTGRESQL:
        bases._outil("pg_restore")

    jeton = secrets.token_hex(4)
    media_root_cree = not media_root.exists()
    media_root.mkdir(parents=True, exist_ok=True)
    travail = media_root / f"{PREFIXE_TRAVAIL}{jeton}"
    travail.mkdir()
    media_staging = travail / "media"
    media_staging.mkdir()
    if moteur == bases.SQLITE:
        cible_sqlite = bases.chemin_sqlite(reglages)
        cible_sqlite.parent.mkdir(parents=True, exist_ok=True)
        fichier_base = cible_sqlite.parent / f".{cible_sqlite.name}.restauration-{jeton}"
        reglages_staging = {**reglages, "NAME": str(fichier_base)}
    else:
        fichier_base = travail / "base.dump"
        nom_staging = f"{str(reglages['NAME'])[:30]}_restauration_{jeton}"
        reglages_staging = {**reglages, "NAME": nom_staging}
    deplaces: list[Path] = []
    base_creee = False
    try:
        archive.extraire(chemin, manifeste, base_vers=fichier_base, media_vers=media_staging)
        if moteur == bases.SQLITE:
            bases.sqlite_verifier_integrite(fichier_base)
        else:
            bases.pg_creer(reglages, nom_staging)
            base_creee = True
            bases.pg_restore(reglages, nom_staging, fichier_base)
        migrations = _verifier_et_migrer(reglages_staging, moteur, manifeste)
        # Swap: media first (renames inside one directory), then the database.
        for entree in sorted(media_staging.iterdir()):
            destination = media_root / entree.name
            os.replace(entree, destination)
            deplaces.append(destination)
        if moteur == bases.SQLITE:
            bases.sqlite_remplacer(fichier_base, cible_sqlite)
        else:
            if database_url is None:
                connections[DEFAULT_DB_ALIAS].close()
            bases.pg_remplacer(reglages, nom_staging, str(reglages["NAME"]))
            base_creee = False
    except BaseException:
        # The target media root was empty: what was moved in is exactly what to take back.
        for destination in deplaces:
            if destination.is_dir():
                shutil.rmtree(destination, ignore_errors=True)
            else:
                destination.unlink(missing_ok=True)
        if moteur == bases.SQLITE:
            bases.sqlite_supprimer(fichier_base)
        elif base_creee:
            bases.pg_supprimer(reglages, nom_staging)
        shutil.rmtree(travail, ignore_errors=True)
        if media_root_cree:
            shutil.rmtree(media_root, ignore_errors=True)
        raise
    shutil.rmtree(travail, ignore_errors=True)
    if database_url is None:
        connections[DEFAULT_DB_ALIAS].close()
    logger.info("Restauration terminée depuis %s", chemin)
    return ResultatRestauration(
        manifeste=manifeste,
        base=str(reglages["NAME"]),
        media_root=media_root,
        migrations_appliquees=migrations,
    )


def _verifier_et_migrer(reglages: dict, moteur: str, manifeste: dict) -> list[str]:
    """Row counts of the staged database must equal the manifest's; then pending migrations
    are applied to it. Returns the migrations applied ("app.nom")."""
    with bases.connexion_temporaire(reglages) as conn:
        with conn.cursor() as cur:
            comptes = inventaire.compter_lignes(cur, moteur)
        if comptes != manifeste["tables"]:
            ecarts = sorted(
                t
                for t in set(comptes) | set(manifeste["tables"])
                if comptes.get(t) != manifeste["tables"].get(t)
            )
            raise ArchiveInvalide(
                "La base restaurée ne correspond pas au manifeste (tables : "
                f"{', '.join(ecarts[:5])}) : restauration annulée."
            )
        avant = set(MigrationRecorder(conn).applied_migrations())
        call_command(
            "migrate", database=conn.alias, interactive=False, verbosity=0, stdout=StringIO()
        )
        apres = set(MigrationRecorder(conn).applied_migrations())
    return [f"{app}.{nom}" for app, nom in sorted(apres - avant)]
