import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpro.env import envbool, envint, envlist


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_envbool_parses_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("CPRO_X", raw)
    assert envbool("CPRO_X", not expected) is expected


def test_envbool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("CPRO_X", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="CPRO_X"):
        envbool("CPRO_X", False)


def test_envbool_default_when_absent(monkeypatch):
    monkeypatch.delenv("CPRO_X", raising=False)
    assert envbool("CPRO_X", True) is True


def test_envint_and_envlist(monkeypatch):
    monkeypatch.setenv("CPRO_N", "12")
    monkeypatch.setenv("CPRO_L", "a.fr, b.fr,,")
    assert envint("CPRO_N", 0) == 12
    assert envlist("CPRO_L", []) == ["a.fr", "b.fr"]
    monkeypatch.setenv("CPRO_N", "douze")
    with pytest.raises(ImproperlyConfigured):
        envint("CPRO_N", 0)


def _import_settings(**env):
    dropped = {
        "SECRET_KEY",
        "DEBUG",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "DJANGO_SETTINGS_MODULE",
    }
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(env)
    code = (
        "import cpro.settings as s; print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DATABASES['default']['ENGINE'], s.SESSION_COOKIE_SECURE)"
    )
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True)


def test_secret_key_required_when_debug_off():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_defaults_sqlite_and_eager_celery_without_broker():
    result = _import_settings(DEBUG="1", DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "django.db.backends.sqlite3", "False"]


def test_production_defaults_are_secure_and_broker_disables_eager():
    result = _import_settings(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://u@127.0.0.1:5432/cpro",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "django.db.backends.postgresql", "True"]
