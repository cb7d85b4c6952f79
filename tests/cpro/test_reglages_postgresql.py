"""PostgreSQL connections tell the planner that pages are cached (random_page_cost 1.1, issue
14: a learner's évaluations are then read by index lookups, not by scanning the
establishment's)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_random_page_cost_de_la_connexion():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL seulement")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
