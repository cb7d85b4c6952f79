"""Raw SQL helpers for the few reads and writes where the ORM's compilation cost as much as the
page itself (bench/README.md, issue 14)."""

from django.db import connection


def table(model) -> str:
    """The model's table name, quoted for the current database (the only thing ever formatted
    into raw SQL; every value is a parameter)."""
    return connection.ops.quote_name(model._meta.db_table)
