import io

import pytest
from django.core.management import call_command


@pytest.fixture
def referentiels_charges(db):
    """Every committed fixture (fixtures/referentiels/*.json) loaded."""
    call_command("charger_referentiels", stdout=io.StringIO())
