"""Test settings: the real settings with DEBUG off, fast hashing and isolated files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "cpro-test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="cpro-test-media-"))

from cpro.settings import *  # noqa: E402, F403
from cpro.settings import STORAGES  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# WhiteNoise scans STATIC_ROOT at start-up; tests serve static files from the finders instead.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="cpro-test-static-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run tasks eagerly; the tests marked `worker` switch Celery to the real broker.
CELERY_TASK_ALWAYS_EAGER = True
ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip"}
# The live test server (browser tests) wraps every request in a media handler keyed on
# MEDIA_URL; production has no media route at all (MEDIA_URL = None).
MEDIA_URL = "/_media-test-non-servi/"
