"""Load test on loopback: PostgreSQL + gunicorn + locust, results in bench/resultats-charge.md.

    .venv/bin/python -m bench.run_charge [--utilisateurs 50] [--duree 2m] [--workers 5] ...

Steps (see bench/CHARGE.md): (re)create the dedicated database `cpro_charge`, migrate, generate
the establishment (`bench.generer --apprenants 300 --annees 1 --etablissement lp-charge`), add
the teachers (`bench.charge_donnees`), collectstatic, start gunicorn with production settings
(DEBUG=0) on 127.0.0.1, run locust headless (`bench/charge.py`), write the Markdown report,
stop gunicorn. Everything stays on 127.0.0.1; the run is bounded by --duree.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BASES_INTERDITES = {"cpro", "test_cpro", "cpro_bench", "postgres", "template0", "template1"}


def _arguments(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--utilisateurs", type=int, default=50, help="simulated teachers (50)")
    p.add_argument(
        "--spawn-rate",
        type=float,
        default=2.0,
        help="users started per second (login limit: 300/min/IP in cpro/settings.py)",
    )
    p.add_argument("--duree", default="5m", help="locust --run-time, ramp-up included (5m)")
    p.add_argument("--workers", type=int, default=5, help="gunicorn workers (5 = 2 × nproc + 1)")
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads (>1: gthread)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--base", default="cpro_charge", help="PostgreSQL database (cpro_charge)")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="'' for no Redis")
    p.add_argument("--apprenants", type=int, default=300)
    p.add_argument("--annees", type=int, default=1)
    p.add_argument("--etablissement", default="lp-charge")
    p.add_argument("--enseignants", type=int, default=None, help="accounts (default: users)")
    p.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE of gunicorn")
    p.add_argument("--reutiliser", action="store_true", help="keep the database and its data")
    p.add_argument("--travail", default="/tmp/cpro-charge", help="logs, static, plan, CSV")
    p.add_argument("--sortie", default=str(RACINE / "bench" / "resultats-charge.md"))
    p.add_argument(
        "--avec-montee",
        action="store_true",
        help="count the ramp-up too (default: locust --reset-stats once every user is started)",
    )
    return p.parse_args(argv)


def _executer(cmd, env, titre):
    print(f"→ {titre}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=RACINE, check=True)
    return time.perf_counter() - t0


def _preparer_base(args) -> None:
    import psycopg

    if args.base in BASES_INTERDITES:
        raise SystemExit(f"Base « {args.base} » interdite pour le test de charge.")
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        existe = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.base]
        ).fetchone()
        if existe and args.reutiliser:
            return
        if existe:
            conn.execute(f'DROP DATABASE "{args.base}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.base}"')


def _cpu_machine() -> tuple[int, int]:
    """(busy, total) jiffies of /proc/stat."""
    champs = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    inactif = champs[3] + champs[4]
    return sum(champs) - inactif, sum(champs)


def _cpu_processus(pids) -> float:
    """User + system CPU seconds of these processes (and their children already reaped)."""
    tic = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in champs[11:15]) / tic  # utime stime cutime cstime
    return total


def _pids_enfants(pid: int) -> list[int]:
    enfants = []
    for chemin in Path("/proc").glob("[0-9]*/stat"):
        try:
            champs = chemin.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(champs[1]) == pid:
            enfants.append(int(chemin.parent.name))
    return enfants


def _pids_postgres() -> list[int]:
    pids = []
    for chemin in Path("/proc").glob("[0-9]*/comm"):
        try:
            if chemin.read_text().strip() in ("postgres", "postmaster"):
                pids.append(int(chemin.parent.name))
        except OSError:
            continue
    return pids


def _attendre(url: str, processus, delai: float = 30.0) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if processus.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté au démarrage : voir gunicorn.log.")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 — loopback
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn ne répond pas sur {url}.")


def _lire_stats(prefixe: Path) -> list[dict]:
    with open(f"{prefixe}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _lire_echecs(prefixe: Path) -> list[dict]:
    chemin = Path(f"{prefixe}_failures.csv")
    if not chemin.exists():
        return []
    with open(chemin, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _tableau(stats: list[dict]) -> list[str]:
    lignes = [
        "| Requête | Nombre | Échecs | Médiane (ms) | p95 (ms) | p99 (ms) | Max (ms) | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in stats:
        nom = "**Total**" if s["Name"] == "Aggregated" else f"{s['Type']} {s['Name']}"
        lignes.append(
            f"| {nom} | {s['Request Count']} | {s['Failure Count']} | {s['50%']} | {s['95%']} "
            f"| {s['99%']} | {float(s['Max Response Time']):.0f} | {float(s['Requests/s']):.1f} |"
        )
    return lignes


def _journal_locust(chemin: Path) -> tuple[list[str], int]:
    """Lines on the logins and on the whole run (ramp-up included) written by bench/charge.py,
    and the number of failures of the whole run (login refusals included)."""
    if not chemin.exists():
        return ["- Journal de locust absent (locust interrompu ?)"], 1
    journal = json.loads(chemin.read_text())
    essais = journal["connexions"]
    durees = sorted(e["ms"] for e in essais) or [0.0]
    refus = sum(1 for e in essais if e["statut"] == 429)
    autres = sum(1 for e in essais if e["statut"] not in (200, 429))
    echecs = sum(journal["echecs"].values())
    lignes = [
        f"- Connexions (formulaire + envoi, pendant la montée en charge) : {len(essais)} "
        f"essai(s), {refus} refusé(s) par la limite allauth (429), {autres} autre(s) échec(s) ; "
        f"médiane {statistics.median(durees):.0f} ms, max {durees[-1]:.0f} ms",
        f"- Toute la durée (montée en charge comprise) : {journal['requetes']} requêtes, "
        f"{echecs} échec(s)",
    ]
    lignes += [f"  - {n} × {cle[:200]}" for cle, n in journal["echecs"].items()]
    return lignes, echecs


def _erreurs_gunicorn(journal: Path) -> list[str]:
    if not journal.exists():
        return []
    lignes = journal.read_text(errors="replace").splitlines()
    marques = ("Traceback", "[ERROR]", "Internal Server Error", "[CRITICAL]")
    return [ligne for ligne in lignes if any(m in ligne for m in marques)]


def main(argv=None) -> int:
    args = _arguments(argv)
    travail = Path(args.travail)
    travail.mkdir(parents=True, exist_ok=True)
    plan = travail / "plan.json"
    journal = travail / "gunicorn.log"
    prefixe_csv = travail / "locust"
    journal_locust = travail / "journal-locust.json"
    journal_locust.unlink(missing_ok=True)
    nb_enseignants = args.enseignants or args.utilisateurs
    py = str(VENV_BIN / "python")

    base_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"}
    }
    base_env.update(
        DJANGO_SETTINGS_MODULE="cpro.settings",
        DATABASE_URL=f"{args.pg}/{args.base}",
        STATIC_ROOT=str(travail / "static"),
        MEDIA_ROOT=str(travail / "media"),
    )
    env_dev = {**base_env, "DEBUG": "1"}
    env_prod = {
        **base_env,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": str(args.conn_max_age),
        "LOG_LEVEL": "WARNING",
    }
    if args.redis:
        env_prod["REDIS_URL"] = args.redis
        # No Celery worker runs here: tasks stay eager (none is hit by the scenario anyway).
        env_prod["CELERY_BROKER_URL"] = ""

    durees = {}
    _preparer_base(args)
    if not args.reutiliser:
        durees["migrate"] = _executer(
            [py, "manage.py", "migrate", "--noinput", "-v", "0"], env_dev, "migrate"
        )
        durees["génération"] = _executer(
            [
                py, "-m", "bench.generer",
                "--apprenants", str(args.apprenants),
                "--annees", str(args.annees),
                "--etablissement", args.etablissement,
                "--reset",
            ],
            env_dev,
            "bench.generer",
        )  # fmt: skip
    trop_peu = plan.exists() and len(json.loads(plan.read_text())["enseignants"]) < nb_enseignants
    if not args.reutiliser or not plan.exists() or trop_peu:
        durees["enseignants"] = _executer(
            [
                py, "-m", "bench.charge_donnees",
                "--etablissement", args.etablissement,
                "--enseignants", str(nb_enseignants),
                "--plan", str(plan),
                "--reset",
            ],
            env_dev,
            "bench.charge_donnees",
        )  # fmt: skip
    _executer([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], env_prod, "collectstatic")
    if args.redis:
        subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], check=False, capture_output=True)

    hote = f"http://127.0.0.1:{args.port}"
    gunicorn = [
        str(VENV_BIN / "gunicorn"),
        "cpro.wsgi",
        "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers),
        "--access-logfile", str(travail / "acces.log"),
        "--error-logfile", "-",
        "--timeout", "60",
    ]  # fmt: skip
    if args.threads > 1:
        gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
    print(f"→ gunicorn ({args.workers} workers) sur {hote}", flush=True)
    with open(journal, "w") as sortie_g:
        serveur = subprocess.Popen(  # noqa: S603
            gunicorn,
            env=env_prod,
            cwd=RACINE,
            stdout=sortie_g,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _attendre(f"{hote}/{args.etablissement}/", serveur)
        workers = _pids_enfants(serveur.pid)
        postgres = _pids_postgres()
        cpu0 = _cpu_machine()
        cpu_g0 = _cpu_processus([serveur.pid, *workers])
        cpu_pg0 = _cpu_processus(postgres)
        enfants0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        charge0 = Path("/proc/loadavg").read_text().split()[:3]
        t0 = time.monotonic()
        locust = [
            str(VENV_BIN / "locust"),
            "-f", str(RACINE / "bench" / "charge.py"),
            "--headless",
            "--host", hote,
            "-u", str(args.utilisateurs),
            "-r", str(args.spawn_rate),
            "--run-time", args.duree,
            "--stop-timeout", "10",
            "--csv", str(prefixe_csv),
            "--only-summary",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        if not args.avec_montee:
            locust.append("--reset-stats")
        print(f"→ locust : {args.utilisateurs} utilisateurs, {args.duree}", flush=True)
        proc_locust = subprocess.run(  # noqa: S603
            locust,
            env={**base_env, "CHARGE_PLAN": str(plan), "CHARGE_JOURNAL": str(journal_locust)},
            cwd=RACINE,
            check=False,
            capture_output=True,
            text=True,
        )
        duree = time.monotonic() - t0
        cpu1 = _cpu_machine()
        workers_fin = _pids_enfants(serveur.pid)
        cpu_g1 = _cpu_processus([serveur.pid, *workers_fin])
        cpu_pg1 = _cpu_processus(_pids_postgres())
        enfants1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_locust = (enfants1.ru_utime + enfants1.ru_stime) - (
            enfants0.ru_utime + enfants0.ru_stime
        )
        (travail / "locust.log").write_text(proc_locust.stdout + proc_locust.stderr)
    finally:
        os.killpg(serveur.pid, signal.SIGTERM)
        try:
            serveur.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serveur.pid, signal.SIGKILL)
            serveur.wait()
    print("→ gunicorn arrêté", flush=True)

    stats = _lire_stats(prefixe_csv)
    echecs = _lire_echecs(prefixe_csv)
    erreurs = _erreurs_gunicorn(journal)
    total = next(s for s in stats if s["Name"] == "Aggregated")
    occupation = 100 * (cpu1[0] - cpu0[0]) / max(1, cpu1[1] - cpu0[1])
    cpu_total = (cpu1[0] - cpu0[0]) / os.sysconf("SC_CLK_TCK")
    cpu_autres = cpu_total - (cpu_g1 - cpu_g0) - (cpu_pg1 - cpu_pg0) - cpu_locust
    nproc = os.cpu_count()
    modele = next(
        (
            ligne.split(":", 1)[1].strip()
            for ligne in Path("/proc/cpuinfo").read_text().splitlines()
            if ligne.startswith("model name")
        ),
        platform.processor(),
    )
    infos = json.loads(plan.read_text())["comptes"]
    lignes_journal, echecs_tout = _journal_locust(journal_locust)
    lignes = [
        "# Résultats du test de charge (généré par `bench/run_charge.py`)",
        "",
        f"- Date : {datetime.datetime.now():%d/%m/%Y %H:%M}",
        f"- Machine : {nproc} CPU ({modele}), Python {platform.python_version()}",
        f"- Serveur : gunicorn {args.workers} workers"
        + (f" × {args.threads} threads (gthread)" if args.threads > 1 else " (sync)")
        + f", DEBUG=0, PostgreSQL `{args.base}` (CONN_MAX_AGE={args.conn_max_age}), "
        + (f"cache Redis `{args.redis}`" if args.redis else "cache locmem (pas de Redis)"),
        f"- Données : `{args.etablissement}`, {args.apprenants} apprenants, {args.annees} "
        f"année(s), {infos['enseignants']} enseignants, {infos['scénarios']} scénarios",
        f"- Charge : {args.utilisateurs} enseignants simulés (locust, même machine), démarrage "
        f"{args.spawn_rate}/s, durée {args.duree}, réflexion 1–3 s"
        + ("" if args.avec_montee else " ; statistiques remises à zéro une fois tous démarrés"),
        f"- Durée mesurée : {duree:.0f} s ; CPU machine occupé : {occupation:.0f} % de {nproc} "
        f"cœurs ({cpu_total:.0f} s CPU) : gunicorn {cpu_g1 - cpu_g0:.0f} s, PostgreSQL "
        f"{cpu_pg1 - cpu_pg0:.0f} s, locust {cpu_locust:.0f} s, autres processus "
        f"{max(0.0, cpu_autres):.0f} s ; charge moyenne au départ {' / '.join(charge0)}",
        f"- Total : {total['Request Count']} requêtes, {total['Failure Count']} échecs, "
        f"{float(total['Requests/s']):.1f} req/s, médiane {total['50%']} ms, "
        f"p95 {total['95%']} ms, p99 {total['99%']} ms",
        *lignes_journal,
        "",
        *_tableau(stats),
        "",
        "Percentiles de locust (arrondis à 2 chiffres significatifs au-delà de 100 ms).",
        "",
    ]
    if echecs:
        lignes += ["## Échecs", "", "| Requête | Erreur | Nombre |", "|---|---|---:|"]
        lignes += [
            f"| {e['Method']} {e['Name']} | {e['Error'][:200]} | {e['Occurrences']} |"
            for e in echecs
        ]
        lignes.append("")
    lignes.append(
        f"Journal gunicorn : {len(erreurs)} ligne(s) d'erreur "
        "(Traceback, [ERROR], Internal Server Error)" + (" :" if erreurs else ".")
    )
    lignes += [f"    {e}" for e in erreurs[:20]]
    texte = "\n".join(lignes) + "\n"
    Path(args.sortie).write_text(texte, encoding="utf-8")
    print()
    print(texte)
    print(f"Écrit dans {args.sortie} ; journaux dans {travail}.")
    sans_echec = int(total["Failure Count"]) == 0 and echecs_tout == 0 and not erreurs
    return 0 if sans_echec else 1


if __name__ == "__main__":
    sys.exit(main())
