"""Locust scenario of the load test: teachers of one establishment at work.

Run by `bench/run_charge.py` (which builds the data, starts gunicorn and reads the results);
by hand, against a server already running with the data of `bench.charge_donnees`:

    CHARGE_PLAN=/tmp/cpro-charge/plan.json .venv/bin/locust -f bench/charge.py --headless \
        -u 50 -r 10 --run-time 2m --host http://127.0.0.1:8765

Each simulated user is a distinct teacher account of the plan (`bench-<slug>-prof-NN`). It logs
in through the establishment's real login form (allauth, CSRF token read from the form),
chooses the diplôme when the choice page shows up, then loops over a weighted mix with 1–3 s of
think time: learner dashboard (full or compact) and class view of one of its divisions, the
évaluations and scénarios lists, the establishment's home page, and "grid sessions": the grid
of one of its évaluations, then 1–4 cells saved as the grid's JavaScript does (POST
`evaluations:saisir` with HX-Request and the X-CSRFToken header read from the page).

A request fails when its status is not 2xx/3xx, when it ends on the login page, the diplôme
choice or an error page, or when the page lacks what it must show (its <title>, the editable
grid, the "enregistré" state of a saved cell).
"""

import json
import os
import random
import re
import time
from itertools import count

import gevent
from locust import HttpUser, between, events, task

_PLAN = None
_RANG = count()
CONNEXIONS: list[dict] = []  # one entry per login attempt (status of the POST, duration)
TOUT = {"requetes": 0, "echecs": {}}  # whole run, ramp-up included (not reset by --reset-stats)
ESSAIS_CONNEXION = 3
ATTENTE_429 = 60.0

CSRF_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HX = re.compile(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'")
# An editable cell: a <select> (before issue 14) or the light <button> of the grid's menu.
CELLULE = re.compile(r'<td class="cellule[^"]*" id="cel-(\d+)-(\d+)"[^>]*>\s*<(?:select|button)')
SAISIR_URL = re.compile(r'data-saisir-url="([^"]+)"')
DIPLOME_RADIO = re.compile(r'<input type="radio" name="diplome" value="(\d+)"')
NIVEAUX = ["NE", "1", "2", "3", "4"]
ERREURS = (
    "<h1>Une erreur est survenue</h1>",
    "<h1>Page introuvable</h1>",
    "<h1>Accès refusé</h1>",
)


def plan() -> dict:
    global _PLAN
    if _PLAN is None:
        chemin = os.environ.get("CHARGE_PLAN")
        if not chemin:
            raise RuntimeError("CHARGE_PLAN : chemin du plan écrit par bench.charge_donnees.")
        with open(chemin, encoding="utf-8") as fichier:
            _PLAN = json.load(fichier)
    return _PLAN


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--charge-think-min", type=float, default=1.0, env_var="CHARGE_THINK_MIN")
    parser.add_argument("--charge-think-max", type=float, default=3.0, env_var="CHARGE_THINK_MAX")


@events.request.add_listener
def _compter(request_type, name, exception=None, **_kwargs):
    TOUT["requetes"] += 1
    if exception is not None:
        cle = f"{request_type} {name} : {exception}"
        TOUT["echecs"][cle] = TOUT["echecs"].get(cle, 0) + 1


@events.quitting.add_listener
def _ecrire_journal(environment, **_kwargs):
    """For bench/run_charge.py: login attempts (made during the ramp-up, before
    --reset-stats) and every failure of the whole run."""
    chemin = os.environ.get("CHARGE_JOURNAL")
    if chemin:
        with open(chemin, "w", encoding="utf-8") as fichier:
            json.dump({"connexions": CONNEXIONS, **TOUT}, fichier, ensure_ascii=False)


class Enseignant(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        donnees = plan()
        comptes = donnees["enseignants"]
        rang = next(_RANG)
        if rang >= len(comptes):
            raise RuntimeError(
                f"{rang + 1} utilisateurs simulés pour {len(comptes)} comptes : relancez "
                "bench.charge_donnees avec plus d'enseignants."
            )
        options = self.environment.parsed_options
        if options is not None:
            mini, maxi = options.charge_think_min, options.charge_think_max
            self.wait_time = lambda: random.uniform(mini, maxi)
        self.compte = comptes[rang]
        self.slug = donnees["etablissement"]
        self.base = f"/{self.slug}"
        self.csrf = None
        self.connexion(donnees)

    # --- helpers ---------------------------------------------------------------------------

    def _verifier(self, reponse, nom, attendu=None):
        """Mark the response failed unless it is the page asked for (see module docstring)."""
        if not (200 <= reponse.status_code < 400):
            reponse.failure(f"HTTP {reponse.status_code}")
            return False
        chemin = reponse.url.split("://", 1)[-1].split("/", 1)[-1]
        texte = reponse.text or ""
        if chemin.startswith(f"{self.slug}/?") or chemin in (f"{self.slug}/", f"{self.slug}"):
            reponse.failure("renvoyé vers la page de connexion")
            return False
        if "/diplome/" in chemin and nom != "connexion":
            reponse.failure("renvoyé vers le choix du diplôme")
            return False
        for marque in ERREURS:
            if marque in texte:
                reponse.failure(f"page d'erreur : {marque}")
                return False
        if attendu and attendu not in texte:
            reponse.failure(f"contenu attendu absent : {attendu!r}")
            return False
        reponse.success()
        return True

    def _get(self, url, nom, attendu=None, params=None):
        with self.client.get(url, params=params, name=nom, catch_response=True) as reponse:
            ok = self._verifier(reponse, nom, attendu)
            if ok and (m := CSRF_HX.search(reponse.text)):
                self.csrf = m[1]
            return reponse if ok else None

    def _post_formulaire(self, url, donnees, nom):
        return self.client.post(
            url,
            data=donnees,
            name=nom,
            catch_response=True,
            headers={"Referer": self.host + url, "Origin": self.host},
        )

    # --- login -----------------------------------------------------------------------------

    def connexion(self, donnees):
        """Log in; refused with 429 (allauth's "login" rate limit per IP), wait a minute and
        try again, as a person would (each 429 stays counted as a failure)."""
        for essai in range(1, ESSAIS_CONNEXION + 1):
            t0 = time.perf_counter()
            statut = self._connexion(donnees)
            CONNEXIONS.append({"statut": statut, "ms": (time.perf_counter() - t0) * 1000})
            if statut != 429 or essai == ESSAIS_CONNEXION:
                return
            gevent.sleep(ATTENTE_429)

    def _connexion(self, donnees) -> int:
        """One attempt: the form (CSRF token), then the POST. Returns the POST's status."""
        page = f"{self.base}/"
        with self.client.get(page, name="connexion (formulaire)", catch_response=True) as r:
            m = CSRF_FORM.search(r.text or "")
            if r.status_code != 200 or m is None:
                r.failure(f"formulaire de connexion illisible (HTTP {r.status_code})")
                return r.status_code or 0
            r.success()
        formulaire = {
            "csrfmiddlewaretoken": m[1],
            "login": self.compte["username"],
            "password": donnees["mot_de_passe"],
            "next": "",
        }
        with self._post_formulaire(page, formulaire, "connexion (envoi)") as r:
            if not (200 <= r.status_code < 400):
                r.failure(f"HTTP {r.status_code}")
                return r.status_code
            if "/diplome/" in r.url:
                r.success()
                self.choisir_diplome(r, donnees["diplome"])
                return r.status_code
            self._verifier(r, "connexion", attendu="Se déconnecter")
            return r.status_code

    def choisir_diplome(self, reponse, diplome_pk):
        """The choice page (a teacher managing several diplômes): pick the plan's diplôme."""
        valeurs = DIPLOME_RADIO.findall(reponse.text)
        m = CSRF_FORM.search(reponse.text)
        url = reponse.url.split(self.host, 1)[-1]
        if str(diplome_pk) not in valeurs or m is None:
            return
        donnees = {"csrfmiddlewaretoken": m[1], "diplome": diplome_pk, "next": ""}
        with self._post_formulaire(url, donnees, "choix du diplôme") as r:
            self._verifier(r, "choix du diplôme", attendu="Se déconnecter")

    # --- the mix ---------------------------------------------------------------------------

    def _apprenant(self):
        division = random.choice(self.compte["divisions"])
        return division, random.choice(plan()["divisions"][str(division)]["apprenants"])

    @task(4)
    def tableau_de_bord(self):
        division, apprenant = self._apprenant()
        self._get(
            f"{self.base}/bilans/tableaux-de-bord/",
            "tableau de bord apprenant",
            "<title>Tableaux de bord apprenants",
            params={"division": division, "apprenant": apprenant},
        )

    @task(1)
    def tableau_de_bord_compact(self):
        division, apprenant = self._apprenant()
        self._get(
            f"{self.base}/bilans/tableaux-de-bord/",
            "tableau de bord apprenant (compact)",
            "<title>Tableaux de bord apprenants",
            params={"division": division, "apprenant": apprenant, "vue": "compacte"},
        )

    @task(2)
    def vue_classes(self):
        self._get(
            f"{self.base}/bilans/vue-classes/",
            "vue classes",
            "<title>Vue classes",
            params={"division": random.choice(self.compte["divisions"])},
        )

    @task(5)
    def seance_de_grille(self):
        """Open one of its grids, then save 1–4 cells a second or so apart."""
        ev = random.choice(self.compte["evaluations"])
        page = self._get(
            f"{self.base}/evaluations/{ev}/grille/",
            "grille d'évaluation",
            "<title>Grille de positionnement",
        )
        if page is None:
            return
        url = SAISIR_URL.search(page.text)
        cellules = CELLULE.findall(page.text)
        if url is None or not cellules or self.csrf is None:
            # The page was served, but not as an editable grid for one of its teachers.
            self.environment.events.request.fire(
                request_type="GET",
                name="grille d'évaluation (modifiable)",
                response_time=0,
                response_length=0,
                exception=AssertionError("grille non modifiable pour son enseignant"),
                context={},
            )
            return
        for i in range(random.randint(1, 4)):
            if i:
                self._pause(0.5, 1.5)
            apprenant, critere = random.choice(cellules)
            self.saisir(url[1], apprenant, critere)

    def _pause(self, mini, maxi):
        gevent.sleep(random.uniform(mini, maxi))

    def saisir(self, url, apprenant, critere):
        donnees = {"apprenant": apprenant, "critere": critere, "niveau": random.choice(NIVEAUX)}
        entetes = {
            "HX-Request": "true",
            "HX-Current-URL": self.host + url.rsplit("saisir/", 1)[0],
            "X-CSRFToken": self.csrf,
            "Origin": self.host,
            "Referer": self.host + url.rsplit("saisir/", 1)[0],
        }
        with self.client.post(
            url, data=donnees, headers=entetes, name="saisie d'une cellule", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code} : {r.text[:200]!r}")
            elif f'id="cel-{apprenant}-{critere}"' not in r.text or "enregistré" not in r.text:
                r.failure(f"cellule non enregistrée : {r.text[:200]!r}")
            else:
                r.success()

    @task(2)
    def liste_evaluations(self):
        self._get(f"{self.base}/evaluations/", "liste des évaluations", "<title>Évaluations")

    @task(2)
    def liste_scenarios(self):
        self._get(f"{self.base}/scenarios/", "liste des scénarios", "<title>Scénarios pédagogiques")

    @task(1)
    def accueil(self):
        self._get(f"{self.base}/accueil/", "accueil de l'établissement", "Se déconnecter")
