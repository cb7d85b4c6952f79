"""A production-like server for the bench tools: a dedicated PostgreSQL database and gunicorn
with DEBUG=0, on 127.0.0.1 (shared by `bench.run_charge` and `bench.http`).

`Instance` describes one copy of the code (the working tree, or a `git worktree` of an older
commit), its database, its working folder (static files, media, logs) and its port. The
commands run with the instance's folder as current directory: `manage.py` and gunicorn import
that copy's packages, not the editable install of the working tree (its finder comes after
sys.path).
"""

import os
import platform
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PY = str(VENV_BIN / "python")
PG = "postgres://postgres@127.0.0.1:5432"
# Never dropped by a bench tool, whatever the options.
BASES_PROTEGEES = {"cpro", "test_cpro", "postgres", "template0", "template1"}
VARIABLES_RETIREES = {"DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"}


@dataclass
class Instance:
    nom: str  # "après", "avant", "charge"
    racine: Path  # the copy of the code
    base: str  # PostgreSQL database
    travail: Path  # static, media, logs
    port: int
    pg: str = PG
    redis: str = ""  # "" → locmem cache
    conn_max_age: int = 60
    env_base: dict = field(default_factory=dict)
    env_dev: dict = field(default_factory=dict)
    env_prod: dict = field(default_factory=dict)

    def __post_init__(self):
        self.travail.mkdir(parents=True, exist_ok=True)
        self.env_base = {k: v for k, v in os.environ.items() if k not in VARIABLES_RETIREES}
        self.env_base.pop("PYTHONPATH", None)
        self.env_base.update(
            DJANGO_SETTINGS_MODULE="cpro.settings",
            DATABASE_URL=f"{self.pg}/{self.base}",
            STATIC_ROOT=str(self.travail / "static"),
            MEDIA_ROOT=str(self.travail / "media"),
        )
        self.env_dev = {**self.env_base, "DEBUG": "1"}
        self.env_prod = {
            **self.env_base,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": str(self.conn_max_age),
            "LOG_LEVEL": "WARNING",
        }
        if self.redis:
            self.env_prod["REDIS_URL"] = self.redis
            # No Celery worker runs: tasks stay eager (the measured pages start none).
            self.env_prod["CELERY_BROKER_URL"] = ""

    @property
    def hote(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def executer(self, cmd: list[str], titre: str, prod: bool = False) -> float:
        """Run a command of this copy of the code (DEBUG=1 unless prod); its duration in s."""
        print(f"→ [{self.nom}] {titre}", flush=True)
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603
            cmd, env=self.env_prod if prod else self.env_dev, cwd=self.racine, check=True
        )
        return time.perf_counter() - t0

    def base_existe(self) -> bool:
        import psycopg

        with psycopg.connect(f"{self.pg}/postgres", autocommit=True) as conn:
            return bool(
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.base]).fetchone()
            )

    def recreer_base(self, interdites: set[str] = frozenset()) -> None:
        """DROP (FORCE) and CREATE the instance's database."""
        import psycopg

        if self.base in BASES_PROTEGEES | set(interdites):
            raise SystemExit(f"Base « {self.base} » interdite pour cet outil.")
        with psycopg.connect(f"{self.pg}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.base}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.base}"')

    def migrer(self) -> float:
        return self.executer([PY, "manage.py", "migrate", "--noinput", "-v", "0"], "migrate")

    def generer(self, etablissement: str, apprenants: int, annees: int) -> float:
        return self.executer(
            [
                PY, "-m", "bench.generer",
                "--etablissement", etablissement,
                "--apprenants", str(apprenants),
                "--annees", str(annees),
                "--reset",
            ],
            f"bench.generer {etablissement} {apprenants} × {annees}",
        )  # fmt: skip

    def collectstatic(self) -> float:
        return self.executer(
            [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], "collectstatic", prod=True
        )

    def vider_redis(self) -> None:
        if self.redis:
            subprocess.run(  # noqa: S603
                ["redis-cli", "-u", self.redis, "FLUSHDB"],  # noqa: S607
                check=False,
                capture_output=True,
            )

    def demarrer(self, workers: int, threads: int = 1, acces: bool = True) -> "Gunicorn":
        return Gunicorn(self, workers, threads, acces)


class Gunicorn:
    """gunicorn `cpro.wsgi` of an instance, production settings; a context manager that waits
    for the login page of `attendre_chemin` and stops the whole process group at the end."""

    def __init__(self, instance: Instance, workers: int, threads: int = 1, acces: bool = True):
        self.instance = instance
        self.workers = workers
        self.threads = threads
        self.acces = acces
        self.journal = instance.travail / "gunicorn.log"
        self.processus = None

    def commande(self) -> list[str]:
        i = self.instance
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "cpro.wsgi",
            "--bind", f"127.0.0.1:{i.port}",
            "--workers", str(self.workers),
            "--error-logfile", "-",
            "--timeout", "120",
        ]  # fmt: skip
        if self.acces:
            cmd += ["--access-logfile", str(i.travail / "acces.log")]
        if self.threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(self.threads)]
        return cmd

    def lancer(self) -> "Gunicorn":
        i = self.instance
        print(f"→ [{i.nom}] gunicorn ({self.workers} workers) sur {i.hote}", flush=True)
        with open(self.journal, "w") as sortie:
            self.processus = subprocess.Popen(  # noqa: S603
                self.commande(),
                env=i.env_prod,
                cwd=i.racine,
                stdout=sortie,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def attendre(self, chemin: str, delai: float = 60.0) -> None:
        url = f"{self.instance.hote}{chemin}"
        fin = time.monotonic() + delai
        while time.monotonic() < fin:
            if self.processus.poll() is not None:
                raise SystemExit(f"gunicorn s'est arrêté au démarrage : voir {self.journal}.")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 — loopback
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn ne répond pas sur {url}.")

    def arreter(self) -> None:
        if self.processus is None or self.processus.poll() is not None:
            return
        os.killpg(self.processus.pid, signal.SIGTERM)
        try:
            self.processus.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.processus.pid, signal.SIGKILL)
            self.processus.wait()
        print(f"→ [{self.instance.nom}] gunicorn arrêté", flush=True)

    @property
    def pid(self) -> int:
        return self.processus.pid

    def __enter__(self) -> "Gunicorn":
        return self.lancer()

    def __exit__(self, *exc) -> None:
        self.arreter()


def erreurs_journal(journal: Path) -> list[str]:
    """Error lines of a gunicorn log (tracebacks, [ERROR], 500s)."""
    if not journal.exists():
        return []
    lignes = journal.read_text(errors="replace").splitlines()
    marques = ("Traceback", "[ERROR]", "Internal Server Error", "[CRITICAL]")
    return [ligne for ligne in lignes if any(m in ligne for m in marques)]


def modele_cpu() -> str:
    return next(
        (
            ligne.split(":", 1)[1].strip()
            for ligne in Path("/proc/cpuinfo").read_text().splitlines()
            if ligne.startswith("model name")
        ),
        platform.processor(),
    )
