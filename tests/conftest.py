import io
import os

import pytest
from django.core.management import call_command

from tests.personas import build_personas, login


@pytest.fixture
def referentiels_charges(db):
    """Every committed fixture (fixtures/referentiels/*.json) loaded."""
    call_command("charger_referentiels", stdout=io.StringIO())


@pytest.fixture
def media_temporaire(settings, tmp_path):
    """This test stores its files in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def personas(db):
    return build_personas()


@pytest.fixture
def as_persona(client, personas):
    """as_persona("enseignant") → a client logged in as that persona of establishment A,
    with its diplôme chosen."""

    def _login(name: str, etab: str = "a"):
        side = getattr(personas, etab)
        m = side.membership(name)
        staff = m.role in ("ENSEIGNANT", "DDFPT", "CHEF")
        return login(client, m, side.diplome if staff else None)

    return _login


def pytest_collection_modifyitems(config, items):
    """Worker and browser tests are skipped on a plain local run without Redis or chromium;
    CI sets CPRO_REQUIRE_WORKER / CPRO_REQUIRE_E2E so that they run (and fail) instead."""
    has_worker = bool(os.environ.get("REDIS_URL")) or os.environ.get("CPRO_REQUIRE_WORKER")
    has_chromium = os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    has_chromium = has_chromium or os.environ.get("CPRO_REQUIRE_E2E")
    skip_worker = pytest.mark.skip(reason="REDIS_URL absent : pas de worker Celery réel")
    skip_e2e = pytest.mark.skip(reason="chromium absent : tests navigateur ignorés")
    for item in items:
        if "worker" in item.keywords and not has_worker:
            item.add_marker(skip_worker)
        if "e2e" in item.keywords and not has_chromium:
            item.add_marker(skip_e2e)
