"""Database engines for backup and restore: SQLite (online backup API) and PostgreSQL
(pg_dump custom format / pg_restore), plus a temporary Django connection to a staged database.

Every function takes Django-style connection settings (ENGINE, NAME, USER, PASSWORD, HOST, PORT,
OPTIONS): the running instance's `connections["default"].settings_dict` or a DATABASE_URL parsed
by dj_database_url.
"""

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from sauvegarde.erreurs import CibleNonVide, OperationImpossible

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# pg_dump / pg_restore may take long on a large instance, never forever.
DELAI_OUTIL_SECONDES = 6 * 3600


def moteur(reglages: dict) -> str:
    engine = reglages.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise OperationImpossible(
        f"Moteur de base de données non pris en charge pour la sauvegarde : {engine or '?'} "
        "(SQLite ou PostgreSQL uniquement)."
    )


def reglages_depuis_url(url: str) -> dict:
    try:
        return dj_database_url.parse(url)
    except (ValueError, dj_database_url.UnknownSchemeError) as exc:
        raise OperationImpossible(f"Adresse de base de données illisible : {exc}") from exc


def chemin_sqlite(reglages: dict) -> Path:
    """The file of a SQLite database; an in-memory database cannot be a restore target."""
    name = str(reglages.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise OperationImpossible(
            "La base SQLite cible doit être un fichier (pas une base en mémoire)."
        )
    return Path(name)


# --- temporary Django connection --------------------------------------------------------------


@contextmanager
def connexion_temporaire(reglages: dict) -> Iterator:
    """A Django connection to `reglages` under a throw-away alias (for `migrate` and the
    inventory of a staged database), closed and forgotten on exit."""
    alias = f"sauvegarde_{secrets.token_hex(4)}"
    brut = dict(reglages)
    brut.update({"CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "ATOMIC_REQUESTS": False})
    if moteur(brut) == SQLITE:
        # No WAL on a staged file: a single self-contained file is what gets swapped in. No
        # sync per transaction while it is built (migrations): it is synced once before the
        # swap (sqlite_remplacer), and thrown away if anything fails before.
        brut["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA synchronous=OFF"}
    config = connections.configure_settings({DEFAULT_DB_ALIAS: brut})[DEFAULT_DB_ALIAS]
    # Registered as a connection only, not in connections.settings: it is not one of the
    # project's databases (Django treats such connections as dynamically created ones), and
    # `connections[alias]` still finds it for `migrate --database`.
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_copier(source_alias: str, destination: Path) -> None:
    """Consistent snapshot with SQLite's online backup API (readers and writers may go on),
    converted to a single self-contained file (no WAL)."""
    conn = connections[source_alias]
    conn.ensure_connection()
    dest = sqlite3.connect(destination)
    try:
        conn.connection.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def sqlite_verifier_integrite(chemin: Path) -> None:
    conn = sqlite3.connect(chemin)
    try:
        resultat = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise OperationImpossible(f"La base SQLite de l'archive est illisible : {exc}") from exc
    finally:
        conn.close()
    if not resultat or resultat[0] != "ok":
        raise OperationImpossible("La base SQLite de l'archive est corrompue (integrity_check).")


def sqlite_tables(chemin: Path) -> int:
    """Number of tables of a SQLite file (0 when the file does not exist)."""
    if not chemin.exists():
        return 0
    conn = sqlite3.connect(f"file:{chemin}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    finally:
        conn.close()


def sqlite_remplacer(staged: Path, cible: Path) -> None:
    """Sync the staged file, then rename it over the (empty or absent) target."""
    with open(staged, "rb+") as fichier:
        os.fsync(fichier.fileno())
    for suffixe in ("-wal", "-shm", "-journal"):
        Path(f"{cible}{suffixe}").unlink(missing_ok=True)
    os.replace(staged, cible)


def sqlite_supprimer(chemin: Path) -> None:
    for suffixe in ("", "-wal", "-shm", "-journal"):
        Path(f"{chemin}{suffixe}").unlink(missing_ok=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def _outil(nom: str) -> str:
    chemin = shutil.which(nom)
    if not chemin:
        raise OperationImpossible(
            f"L'outil {nom} est introuvable : installez le client PostgreSQL (paquet "
            "postgresql-client, même version majeure que le serveur)."
        )
    return chemin


def _env_pg(reglages: dict) -> dict:
    env = dict(os.environ)
    if reglages.get("PASSWORD"):
        env["PGPASSWORD"] = str(reglages["PASSWORD"])
    sslmode = (reglages.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _args_pg(reglages: dict) -> list[str]:
    args = []
    if reglages.get("HOST"):
        args += ["--host", str(reglages["HOST"])]
    if reglages.get("PORT"):
        args += ["--port", str(reglages["PORT"])]
    if reglages.get("USER"):
        args += ["--username", str(reglages["USER"])]
    return args + ["--no-password"]


_PARAMS_PG = (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password"))


def pg_connecter(reglages: dict, dbname: str | None = None, *, autocommit: bool = True):
    import psycopg

    params = {"dbname": dbname or reglages["NAME"], "autocommit": autocommit}
    for cle, param in _PARAMS_PG:
        if reglages.get(cle):
            params[param] = str(reglages[cle])
    sslmode = (reglages.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        params["sslmode"] = sslmode
    return psycopg.connect(**params)


def _pg_maintenance(reglages: dict):
    """A connection to the server's maintenance database, for CREATE/ALTER/DROP DATABASE."""
    import psycopg

    derniere = None
    for nom in ("postgres", "template1"):
        try:
            return pg_connecter(reglages, nom)
        except psycopg.OperationalError as exc:
            derniere = exc
    raise OperationImpossible(
        f"Connexion impossible au serveur PostgreSQL (base postgres / template1) : {derniere}"
    )


def _ident(nom: str) -> str:
    return '"' + nom.replace('"', '""') + '"'


def pg_existe(reglages: dict, nom: str) -> bool:
    with _pg_maintenance(reglages) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone()
            is not None
        )


def pg_tables(reglages: dict) -> int:
    """Number of tables in the target database's schemas (0 when it does not exist)."""
    if not pg_existe(reglages, reglages["NAME"]):
        return 0
    with pg_connecter(reglages) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def pg_dump(reglages: dict, destination: Path, *, snapshot: str | None = None) -> None:
    """Custom-format dump; with `snapshot` (pg_export_snapshot()), exactly that snapshot."""
    cmd = [_outil("pg_dump"), *_args_pg(reglages), "--format=custom", "--file", str(destination)]
    if snapshot:
        cmd += ["--snapshot", snapshot]
    _executer(cmd + ["--dbname", str(reglages["NAME"])], reglages, "pg_dump")


def pg_restore(reglages: dict, dbname: str, dump: Path) -> None:
    cmd = [
        _outil("pg_restore"),
        *_args_pg(reglages),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--dbname",
        dbname,
        str(dump),
    ]
    _executer(cmd, reglages, "pg_restore")


def _executer(cmd: list[str], reglages: dict, nom: str) -> None:
    try:
        subprocess.run(  # noqa: S603 — fixed tool path, arguments are not shell-parsed
            cmd,
            env=_env_pg(reglages),
            check=True,
            capture_output=True,
            timeout=DELAI_OUTIL_SECONDES,
        )
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip()[-800:]
        raise OperationImpossible(f"{nom} a échoué : {detail}") from exc
    except subprocess.TimeoutExpired as exc:
        raise OperationImpossible(f"{nom} n'a pas terminé dans le délai imparti.") from exc


def pg_creer(reglages: dict, nom: str) -> None:
    with _pg_maintenance(reglages) as conn:
        conn.execute(f"CREATE DATABASE {_ident(nom)} TEMPLATE template0")  # noqa: S608


def pg_supprimer(reglages: dict, nom: str) -> None:
    with _pg_maintenance(reglages) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_ident(nom)}")  # noqa: S608


def pg_remplacer(reglages: dict, staged: str, cible: str) -> None:
    """Swap the staged database in under the target's name (the empty target, if it exists,
    is renamed aside first and dropped after; renamed back if the swap fails)."""
    import psycopg

    ancienne = f"{cible[:40]}_ancienne_{secrets.token_hex(4)}"
    with _pg_maintenance(reglages) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cible]).fetchone()
        if existe:
            try:
                conn.execute(f"ALTER DATABASE {_ident(cible)} RENAME TO {_ident(ancienne)}")
            except psycopg.Error as exc:
                raise CibleNonVide(
                    f"La base cible {cible} est utilisée par une autre connexion : arrêtez le "
                    f"site et le worker avant de restaurer ({exc})."
                ) from exc
        try:
            conn.execute(f"ALTER DATABASE {_ident(staged)} RENAME TO {_ident(cible)}")
        except psycopg.Error:
            if existe:
                conn.execute(f"ALTER DATABASE {_ident(ancienne)} RENAME TO {_ident(cible)}")
            raise
        if existe:
            conn.execute(f"DROP DATABASE IF EXISTS {_ident(ancienne)}")
