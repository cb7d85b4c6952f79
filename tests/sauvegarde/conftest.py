"""Backup/restore tests work on the test database of the current engine (SQLite by default,
PostgreSQL when DATABASE_URL says so) and restore into a throw-away target of the same engine:
a SQLite file under tmp_path, or a scratch PostgreSQL database `cpro_restore_<random>` dropped
afterwards (never `cpro` nor `test_cpro`)."""

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import DEFAULT_DB_ALIAS, connection

from sauvegarde import bases, inventaire


@dataclass
class Cible:
    url: str
    media_root: Path
    moteur: str

    @property
    def reglages(self) -> dict:
        return bases.reglages_depuis_url(self.url)

    def base_existe(self) -> bool:
        if self.moteur == bases.SQLITE:
            return Path(self.reglages["NAME"]).exists()
        return bases.pg_existe(self.reglages, self.reglages["NAME"])

    def restes(self) -> list[str]:
        """Staging files / databases a failed restore would have left behind."""
        if self.moteur == bases.SQLITE:
            dossier = Path(self.reglages["NAME"]).parent
            return sorted(p.name for p in dossier.iterdir())
        with bases.pg_connecter(self.reglages, "postgres") as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [self.reglages["NAME"] + "%"],
            ).fetchall()
        return sorted(r[0] for r in rows)


def _url_postgres(reglages: dict, nom: str) -> str:
    auth = quote(reglages.get("USER") or "")
    if reglages.get("PASSWORD"):
        auth += ":" + quote(str(reglages["PASSWORD"]))
    hote = reglages.get("HOST") or ""
    if reglages.get("PORT"):
        hote += f":{reglages['PORT']}"
    return f"postgres://{auth}@{hote}/{nom}"


@pytest.fixture
def dossier_sauvegardes(settings, tmp_path):
    settings.SAUVEGARDE_DOSSIER = tmp_path / "sauvegardes"
    return settings.SAUVEGARDE_DOSSIER


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _cible(tmp_path, suffixe=""):
    moteur = bases.moteur(connection.settings_dict)
    media_root = tmp_path / f"media-restauree{suffixe}"
    if moteur == bases.SQLITE:
        dossier = tmp_path / f"base-restauree{suffixe}"
        dossier.mkdir()
        yield Cible(f"sqlite:///{dossier / 'cpro.sqlite3'}", media_root, moteur)
        return
    nom = f"cpro_restore_{secrets.token_hex(4)}"
    c = Cible(_url_postgres(connection.settings_dict, nom), media_root, moteur)
    yield c
    for reste in c.restes():
        bases.pg_supprimer(c.reglages, reste)


@pytest.fixture
def cible(tmp_path):
    yield from _cible(tmp_path)


@pytest.fixture
def autre_cible(tmp_path):
    yield from _cible(tmp_path, "-2")


@dataclass
class Instance:
    """A second, empty Cpro database (same schema, no establishment) and its media root."""

    conn: object
    media_root: Path
    moteur: str

    @property
    def alias(self) -> str:
        return self.conn.alias

    def comptes(self) -> dict[str, int]:
        with self.conn.cursor() as cur:
            return inventaire.compter_lignes(cur, self.moteur)


@pytest.fixture
def seconde_instance(transactional_db, tmp_path):
    """SQLite: a copy of the (still empty) test database in a file; PostgreSQL: a scratch
    database `cpro_etab_<hex>` restored from a dump of the empty test database, dropped after
    (never `cpro` nor `test_cpro`)."""
    moteur = bases.moteur(connection.settings_dict)
    media_root = tmp_path / "media-seconde"
    media_root.mkdir()
    if moteur == bases.SQLITE:
        chemin = tmp_path / "seconde.sqlite3"
        bases.sqlite_copier(DEFAULT_DB_ALIAS, chemin)
        reglages = {**connection.settings_dict, "NAME": str(chemin)}
        with bases.connexion_temporaire(reglages) as conn:
            yield Instance(conn, media_root, moteur)
        return
    nom = f"cpro_etab_{secrets.token_hex(4)}"
    reglages = {**connection.settings_dict, "NAME": nom}
    dump = tmp_path / "vide.dump"
    bases.pg_dump(connection.settings_dict, dump)
    bases.pg_creer(reglages, nom)
    try:
        bases.pg_restore(reglages, nom, dump)
        with bases.connexion_temporaire(reglages) as conn:
            yield Instance(conn, media_root, moteur)
    finally:
        bases.pg_supprimer(reglages, nom)
