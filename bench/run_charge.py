"""Load test on loopback: PostgreSQL + gunicorn + locust, results in bench/resultats-charge.md.

    .venv/bin/python -m bench.run_charge [--utilisateurs 100] [--duree 4m] [--workers 5] ...

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
import random
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.serveur import PY, RACINE, VENV_BIN, Instance, erreurs_journal, modele_cpu

BASES_INTERDITES = {"cpro_bench", "cpro_bench_avant"}
UN_SEUL = 30  # dashboard requests of the single-user measurement (after 3 warm-ups)


def _arguments(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--utilisateurs", type=int, default=100, help="simulated teachers (100)")
    p.add_argument(
        "--spawn-rate",
        type=float,
        default=2.0,
        help="users started per second (login limit: 300/min/IP in cpro/settings.py)",
    )
    p.add_argument("--duree", default="4m", help="locust --run-time, ramp-up included (4m)")
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
    p.add_argument(
        "--preparer-seulement",
        action="store_true",
        help="database, data and plan only (then --reutiliser)",
    )
    p.add_argument("--travail", default="/tmp/cpro-charge", help="logs, static, plan, CSV")
    p.add_argument("--sortie", default=str(RACINE / "bench" / "resultats-charge.md"))
    p.add_argument(
        "--avec-montee",
        action="store_true",
        help="count the ramp-up too (default: locust --reset-stats once every user is started)",
    )
    return p.parse_args(argv)


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


def un_seul_utilisateur(instance: Instance, plan: dict) -> list[float]:
    """The dashboard alone: one teacher of the plan logged in through the login page, then
    3 warm-up requests and UN_SEUL timed ones on learners of its divisions, one at a time
    (nothing else runs). Times in ms, as locust measures them (request sent → body read)."""
    from bench.http import ClientHTTP, verifier

    compte = plan["enseignants"][0]
    client = ClientHTTP(instance.hote)
    base = f"/{plan['etablissement']}"
    client.connecter(f"{base}/", compte["username"], plan["mot_de_passe"])
    hasard = random.Random(14)
    temps = []
    for i in range(3 + UN_SEUL):
        division = hasard.choice(compte["divisions"])
        apprenant = hasard.choice(plan["divisions"][str(division)]["apprenants"])
        requete = urllib.parse.urlencode({"division": division, "apprenant": apprenant})
        chemin = f"{base}/bilans/tableaux-de-bord/?{requete}"
        r = verifier(client.get(chemin), chemin)
        if i >= 3:
            temps.append(r.ms)
    return temps


def _centile(valeurs: list[float], q: int) -> float:
    return statistics.quantiles(valeurs, n=100, method="inclusive")[q - 1]


def _lignes_un_seul(seul: list[float], stats: list[dict]) -> list[str]:
    """The dashboard alone vs under load: p95 under load ≤ 10 × the single-user median."""
    ligne = next((x for x in stats if x["Name"] == "tableau de bord apprenant"), None)
    med = statistics.median(seul)
    lignes = [
        f"- Tableau de bord à un seul utilisateur (même serveur, juste avant la charge, "
        f"{len(seul)} requêtes l'une après l'autre) : médiane {med:.0f} ms, "
        f"p95 {_centile(seul, 95):.0f} ms"
    ]
    if ligne is not None and float(ligne["95%"]) > 0:
        p95 = float(ligne["95%"])
        lignes.append(
            f"- Tableau de bord sous charge : p95 {p95:.0f} ms = {p95 / med:.1f} × le temps à un "
            f"utilisateur (cible ≤ 10 ×) : {'atteint' if p95 <= 10 * med else 'non atteint'}"
        )
    return lignes


def main(argv=None) -> int:
    args = _arguments(argv)
    travail = Path(args.travail)
    travail.mkdir(parents=True, exist_ok=True)
    plan = travail / "plan.json"
    prefixe_csv = travail / "locust"
    journal_locust = travail / "journal-locust.json"
    journal_locust.unlink(missing_ok=True)
    nb_enseignants = args.enseignants or args.utilisateurs
    instance = Instance(
        "charge",
        RACINE,
        args.base,
        travail,
        args.port,
        pg=args.pg,
        redis=args.redis,
        conn_max_age=args.conn_max_age,
    )
    py = PY

    durees = {}
    if not (args.reutiliser and instance.base_existe()):
        instance.recreer_base(BASES_INTERDITES)
        durees["migrate"] = instance.migrer()
        durees["génération"] = instance.generer(args.etablissement, args.apprenants, args.annees)
    else:
        instance.migrer()  # the working tree may have gained a migration since
    trop_peu = plan.exists() and len(json.loads(plan.read_text())["enseignants"]) < nb_enseignants
    if not args.reutiliser or not plan.exists() or trop_peu:
        durees["enseignants"] = instance.executer(
            [
                py, "-m", "bench.charge_donnees",
                "--etablissement", args.etablissement,
                "--enseignants", str(nb_enseignants),
                "--plan", str(plan),
                "--reset",
            ],
            "bench.charge_donnees",
        )  # fmt: skip
    if args.preparer_seulement:
        print("Base prête : relancez avec --reutiliser.")
        return 0
    instance.collectstatic()
    instance.vider_redis()

    hote = instance.hote
    serveur = instance.demarrer(args.workers, args.threads).lancer()
    try:
        serveur.attendre(f"/{args.etablissement}/")
        print("→ tableau de bord à un seul utilisateur", flush=True)
        seul = un_seul_utilisateur(instance, json.loads(plan.read_text()))
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
            env={
                **instance.env_base,
                "CHARGE_PLAN": str(plan),
                "CHARGE_JOURNAL": str(journal_locust),
            },
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
        serveur.arreter()

    stats = _lire_stats(prefixe_csv)
    echecs = _lire_echecs(prefixe_csv)
    erreurs = erreurs_journal(serveur.journal)
    total = next(s for s in stats if s["Name"] == "Aggregated")
    occupation = 100 * (cpu1[0] - cpu0[0]) / max(1, cpu1[1] - cpu0[1])
    cpu_total = (cpu1[0] - cpu0[0]) / os.sysconf("SC_CLK_TCK")
    cpu_autres = cpu_total - (cpu_g1 - cpu_g0) - (cpu_pg1 - cpu_pg0) - cpu_locust
    nproc = os.cpu_count()
    modele = modele_cpu()
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
        *_lignes_un_seul(seul, stats),
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
