"""Fresh planner statistics after bulk writes (PostgreSQL only)."""

from django.db import connection


def analyser(*modeles) -> bool:
    """ANALYZE the tables of these models on PostgreSQL, so that the planner sees the rows a
    bulk write just added (autovacuum would come later, after the first slow pages); a no-op
    elsewhere. Runs inside the current transaction (ANALYZE may, VACUUM may not). Returns
    whether it ran."""
    if connection.vendor != "postgresql" or not modeles:
        return False
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in dict.fromkeys(modeles))
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {tables}")
    return True
