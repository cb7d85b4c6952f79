"""Cpro settings: one module, every deployment-specific value read from the environment.

DATABASE_URL (default: SQLite file db.sqlite3), REDIS_URL or CELERY_BROKER_URL (absent: Celery
runs tasks eagerly), SECRET_KEY (required when DEBUG is off), DEBUG, ALLOWED_HOSTS, MEDIA_ROOT.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from cpro.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire lorsque DEBUG est désactivé.")
    SECRET_KEY = "cpro-dev-only-insecure-key-do-not-use-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "cpro",
    "referentiels",
    "scenarios",
    "evaluations",
    "pfmp",
    "bilans",
    "projets",
    "livrets",
    "stockage",
    "certification",
    "lslpro",
    "gestion",
    "sauvegarde",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed (static files: WhiteNoise's own). CSRF tokens are masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cpro.sessions.SessionTimeoutMiddleware",
    "cpro.auth.MfaRoleMiddleware",
    "cpro.tenancy.TenantMiddleware",
]

ROOT_URLCONF = "cpro.urls"
WSGI_APPLICATION = "cpro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "cpro.context_processors.cpro",
            ],
            "builtins": ["cpro.templatetags.cpro_tags", "cpro.templatetags.francais"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections, checked before reuse: no new PostgreSQL server process per
        # request (see the load test, bench/CHARGE.md).
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The planner's default random_page_cost (4) models spinning disks: with it, a learner's
    # 181 évaluations among 9,240 of a large establishment were read by scanning all of them
    # (3.1 ms) instead of 181 index lookups (1.7 ms; bench/README.md, issue 14). 1.1 is the
    # usual value for SSDs / a cached working set; PG_RANDOM_PAGE_COST="" keeps the server's.
    _cout = envstr("PG_RANDOM_PAGE_COST", "1.1")
    if _cout:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(_cout)}"
        )
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout so the eager demo and a second process (worker, tests) coexist.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cpro.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Generated and uploaded files are private: there is no MEDIA_URL route, every file is served
# by a view that re-checks tenant and permission.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Espace de stockage: what each staff member may store (his own space and what he drops in
# the shared spaces count together), in bytes; 500 Mo by default.
STOCKAGE_QUOTA_OCTETS = envint("STOCKAGE_QUOTA_OCTETS", 500 * 1024 * 1024)

# --- Authentication (django-allauth) ---------------------------------------------------------
LOGIN_URL = "accueil_plateforme"
LOGIN_REDIRECT_URL = "accueil_plateforme"
ACCOUNT_ADAPTER = "cpro.auth.CproAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A whole school logs in from one address (its NAT): the per-address limits must let a Monday
# morning through (allauth's default "login" is 30/m/ip); brute force is stopped per account.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "30/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_LOGOUT_REDIRECT_URL = "accueil_plateforme"
# Optional TOTP (+ recovery codes) for DDFPT and chef memberships only (cpro.auth guards the
# pages and the activation form). No self sign-up, so an unverified address is no risk here.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cpro"
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_FORMS = {"activate_totp": "cpro.auth.ActivationTOTPForm"}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Cpro <ne-pas-repondre@cpro.invalid>")
MAILERS = {
    "default": {
        "BACKEND": envstr(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": (
            {}
            if DEBUG
            else {"host": envstr("EMAIL_HOST", "localhost"), "port": envint("EMAIL_PORT", 25)}
        ),
    }
}

# --- Cache ---------------------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # Redis down must not take the site down: this backend logs and ignores connection errors
    # (reads miss, writes are dropped, allauth's rate limits are not applied meanwhile),
    # with short socket timeouts and no retry (cpro/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "cpro.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker process was killed goes back to the queue; its next run sees the job
# already started and fails it with a French message (cpro.services.executer_export).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Broker unreachable: publishing fails within a few seconds (one quick retry, short socket
# timeouts) and lancer_export fails the job with "L'export est momentanément indisponible".
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Redis options; the demo's embedded broker (`make demo`: kombu's SQLAlchemy transport on a
# SQLite file, "sqla+sqlite:///…") takes none of them.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "socket_connect_timeout": 2,
        "socket_timeout": 3,
        # Unacknowledged messages (worker died) are redelivered after this delay.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
    }
    if not (CELERY_BROKER_URL or "").startswith("sqla+")
    else {}
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purger-exports-expires": {"task": "cpro.tasks.purger_exports_expires", "schedule": 3600.0},
    "marquer-exports-bloques": {"task": "cpro.tasks.marquer_exports_bloques", "schedule": 300.0},
    "appliquer-retention": {"task": "gestion.tasks.appliquer_retention", "schedule": 86400.0},
    "sauvegarder-instance": {
        "task": "sauvegarde.tasks.sauvegarder_instance",
        "schedule": 86400.0,
    },
    "verifier-agregats": {"task": "evaluations.tasks.verifier_agregats", "schedule": 86400.0},
}
EXPORT_RETENTION_HOURS = envint("EXPORT_RETENTION_HOURS", 24)
# Book media of learners gone for longer are removed by `manage.py appliquer_retention`.
RGPD_RETENTION_JOURS = envint("RGPD_RETENTION_JOURS", 365)
# A job pending or running with no sign of life (start, progress step) for this long is failed
# as interrupted (worker killed or stopped): beat every 5 minutes, and the progress page.
EXPORT_TIMEOUT_MINUTES = envint("EXPORT_TIMEOUT_MINUTES", 30)
# Backups (`manage.py sauvegarder`, daily beat task): where the archives go, how many are kept.
SAUVEGARDE_DOSSIER = Path(envstr("SAUVEGARDE_DOSSIER", str(BASE_DIR / "sauvegardes")))
SAUVEGARDE_CONSERVER = envint("SAUVEGARDE_CONSERVER", 7)
if SAUVEGARDE_CONSERVER < 1:
    raise ImproperlyConfigured("SAUVEGARDE_CONSERVER doit valoir au moins 1.")

# --- Security ------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after 30 minutes without a request and 12 hours after login (cpro.sessions).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF step at INFO (« Step 5 - Creating layout »).
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
