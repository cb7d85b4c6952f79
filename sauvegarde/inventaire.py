"""What a database holds, read with plain SQL on any DB-API cursor (a snapshot being backed up,
a staged database being restored, the running instance): tables, row counts, content hashes,
applied migrations and the media files the rows reference."""

import hashlib

from django.apps import apps
from django.db import models

from sauvegarde.bases import SQLITE


def _q(nom: str) -> str:
    return '"' + nom.replace('"', '""') + '"'


def lister_tables(cursor, moteur: str) -> list[str]:
    """Every table of the database (all apps' models, their M2M tables, django_migrations…)."""
    if moteur == SQLITE:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
    return sorted(row[0] for row in cursor.fetchall())


def compter_lignes(cursor, moteur: str) -> dict[str, int]:
    comptes = {}
    for table in lister_tables(cursor, moteur):
        cursor.execute(f"SELECT count(*) FROM {_q(table)}")  # noqa: S608 — catalogue names
        comptes[table] = cursor.fetchone()[0]
    return comptes


def empreintes_tables(cursor, moteur: str) -> dict[str, str]:
    """SHA-256 of each table's content, independent of row order (rows are sorted by their
    canonical text before hashing), for comparing two databases of the same engine."""
    empreintes = {}
    for table in lister_tables(cursor, moteur):
        cursor.execute(f"SELECT * FROM {_q(table)}")  # noqa: S608 — catalogue names
        colonnes = [d[0] for d in cursor.description]
        lignes = sorted(repr(tuple(row)) for row in cursor.fetchall())
        h = hashlib.sha256(repr(colonnes).encode())
        for ligne in lignes:
            h.update(ligne.encode())
            h.update(b"\n")
        empreintes[table] = h.hexdigest()
    return empreintes


def migrations_appliquees(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    resultat: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        resultat.setdefault(app, []).append(name)
    return resultat


def champs_fichiers() -> list[tuple[str, str]]:
    """(table, column) of every FileField of every installed model."""
    champs = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                champs.append((model._meta.db_table, field.column))
    return sorted(champs)


def fichiers_references(cursor, moteur: str) -> set[str]:
    """Media paths (relative to MEDIA_ROOT) referenced by a row of the database."""
    existantes = set(lister_tables(cursor, moteur))
    references = set()
    for table, colonne in champs_fichiers():
        if table not in existantes:
            continue
        cursor.execute(
            f"SELECT {_q(colonne)} FROM {_q(table)} "  # noqa: S608 — catalogue names
            f"WHERE {_q(colonne)} IS NOT NULL AND {_q(colonne)} <> ''"
        )
        references.update(row[0] for row in cursor.fetchall())
    return references
