"""Raw SQL helpers for the few reads and writes where the ORM's compilation cost as much as the
page itself (bench/README.md, issue 14)."""

import datetime

from django.db import connection, router


def table(model) -> str:
    """The model's table name, quoted for the current database (the only thing ever formatted
    into raw SQL; every value is a parameter)."""
    return connection.ops.quote_name(model._meta.db_table)


def colonnes(model, alias: str) -> str:
    """The model's concrete columns, qualified by `alias`, in `_meta.concrete_fields` order:
    what `instance` reads back."""
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields)


_CONVERTISSEURS: dict = {}


def _convertisseurs(model, alias: str) -> list:
    """Per concrete field, the converters the ORM would apply to its column (the backend's,
    e.g. SQLite's dates and booleans, then the field's own, e.g. JSON); computed once per
    model, alias and database vendor."""
    cle = (model, alias, connection.vendor)
    if cle in _CONVERTISSEURS:
        return _CONVERTISSEURS[cle]
    sortie = []
    for f in model._meta.concrete_fields:
        colonne = f.get_col(alias)
        convs = connection.ops.get_db_converters(colonne) + f.get_db_converters(connection)
        sortie.append((colonne, convs))
    _CONVERTISSEURS[cle] = sortie
    return sortie


def instance(model, valeurs, alias: str = "t"):
    """A model instance from a row of `colonnes(model, …)` values, converted as the ORM does
    (`Model.from_db`: a saved instance, no query)."""
    valeurs = list(valeurs)
    for i, (colonne, convs) in enumerate(_convertisseurs(model, alias)):
        for conv in convs:
            valeurs[i] = conv(valeurs[i], colonne, connection)
    noms = [f.attname for f in model._meta.concrete_fields]
    # The alias the ORM would give the instance (relations between instances compare it).
    return model.from_db(router.db_for_read(model), noms, valeurs)


def instances(ligne, modeles) -> list:
    """The instances of one row of `colonnes(m1, a1), colonnes(m2, a2), …`, in that order;
    `modeles` = [(model, alias), …]."""
    sortie, debut = [], 0
    for modele, alias in modeles:
        n = len(modele._meta.concrete_fields)
        sortie.append(instance(modele, ligne[debut : debut + n], alias))
        debut += n
    return sortie


def date_lue(valeur):
    """A DATE column read by raw SQL (SQLite answers text; None stays None)."""
    if valeur is None or isinstance(valeur, datetime.date):
        return valeur
    return datetime.date.fromisoformat(valeur)
