import io
import os

import pytest
from django.core.management import call_command

from tests.personas import build_personas, login


class _SequenceStricte:
    """The sequence of a `{% for %}`: Django resolves it ignoring a missing variable (an empty
    loop, e.g. the grid's "Niveau" list once the view stopped passing `options_niveau`), which
    pytest-django's --fail-on-template-vars does not see. A missing sequence is resolved again
    without ignoring failures, so that `string_if_invalid` fails the test."""

    def __init__(self, expression):
        self.expression = expression

    def resolve(self, context, ignore_failures=False):
        valeur = self.expression.resolve(context, ignore_failures=True)
        if valeur is None:
            valeur = self.expression.resolve(context)
        return valeur

    def __str__(self):
        return str(self.expression)


@pytest.fixture(autouse=True, scope="session")
def _boucles_sur_variable_absente():
    """With --fail-on-template-vars, a `{% for %}` over a missing variable fails too."""
    if os.environ.get("FAIL_INVALID_TEMPLATE_VARS") != "true":
        yield
        return
    from django.template.defaulttags import ForNode

    render = ForNode.render

    def render_strict(self, context):
        if not isinstance(self.sequence, _SequenceStricte):
            self.sequence = _SequenceStricte(self.sequence)
        return render(self, context)

    ForNode.render = render_strict
    yield
    ForNode.render = render


_FIXTURES_BASE = (
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
)


@pytest.fixture(autouse=True)
def _agregats_exacts(request):
    """Issue 14: after every test that used the database, the stored suggestion aggregates
    (evaluations.agregats) equal a recompute from the résultats — so every write path the
    suite exercises (services, views, admin, imports, demo, factories through `recalculer`)
    is checked to keep them exact. A test that corrupts them on purpose is marked
    `agregats_libres`. Browser tests are left out (their server runs in another thread)."""
    noeud = request.node
    utilise_base = noeud.get_closest_marker("django_db") or any(
        f in request.fixturenames for f in _FIXTURES_BASE
    )
    if not utilise_base or noeud.get_closest_marker("agregats_libres") or "e2e" in noeud.keywords:
        yield
        return
    # Set the database up before this fixture so that it is torn down after the check.
    transactionnel = "transactional_db" in request.fixturenames or getattr(
        noeud.get_closest_marker("django_db"), "kwargs", {}
    ).get("transaction")
    request.getfixturevalue("transactional_db" if transactionnel else "db")
    yield
    from django.db import DatabaseError, connection
    from django.db.transaction import TransactionManagementError

    from evaluations import agregats

    if connection.needs_rollback:
        return  # the test left its transaction broken on purpose (IntegrityError tested)
    try:
        ecarts = agregats.derive()
    except (TransactionManagementError, DatabaseError):
        return
    assert not ecarts, (
        f"Agrégats de la suggestion incohérents après ce test ({len(ecarts)} écart(s)) : "
        + "; ".join(str(e) for e in ecarts[:5])
    )


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
