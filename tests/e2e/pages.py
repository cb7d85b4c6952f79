"""Every page of every role, for the browser checks of the whole application (axe-core in
test_accessibilite.py, reflow at 390 px in test_reflow.py).

The pages come from the access declarations (tests/<app>/access*.py, see tests/access.py):
every GET entry whose expected status for the persona is 200, on establishment A of
tests/personas.py. The objects named in the URLs are built by the entries' own kwargs functions,
one after the other on the same personas (each in a savepoint: an entry whose set-up fails is
reported, the others go on). Modules added later are picked up without touching this file.

A persona is logged in once per browser context: its Django session cookie (tests.access's
`connecter`, diplôme chosen for staff) is given to the context. Responses that are not a whole
HTML document (downloads, PDF, CSV, HTMX fragments) are left out."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access import connecter
from tests.personas import Personas
from tests.security.isolation import _recharger
from tests.security.test_access_matrix import DECLARED

# One persona per role (the second teacher only differs by the diplôme choice page).
ROLES = ("ddfpt", "chef", "enseignant", "tuteur", "apprenant", "apprenti")
# Learners and tutors: the people who work on a phone during the PFMP.
ROLES_MOBILES = ("tuteur", "apprenant", "apprenti")
TAILLES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class Page:
    nom: str  # the URL name, or a label for the signed-link pages
    url: str  # path, without the live server's address
    cote: str = "a"  # the establishment whose persona opens it (see pages_du_persona)


def pages_du_persona(personas, persona: str) -> tuple[list[Page], list[str]]:
    """(the pages `persona` may open, the set-up errors of entries that could not be built)."""
    pages, erreurs, vues = [], [], set()
    for access in sorted(DECLARED, key=_ordre):
        if access.method != "GET" or access.expected(persona, {"objet": True}) != 200:
            continue
        cote, p = "a", personas
        try:
            kwargs = _preparer(access, p)
        except Exception:  # noqa: BLE001
            # An object left by an earlier entry is in the way (same name, same date…):
            # the page is built in establishment B, untouched so far, and opened by B's persona.
            cote, p = "b", Personas(a=personas.b, b=personas.a)
            try:
                with transaction.atomic():
                    kwargs = access.kwargs(p)
            except Exception as exc:  # noqa: BLE001 — reported as a failure by the caller
                erreurs.append(f"{access.name} : préparation impossible ({exc!r})")
                continue
        if access.expected(persona, kwargs) != 200:
            continue
        url = reverse(access.name, kwargs={"etab": p.a.etablissement.slug, **kwargs})
        data = access.data(p)  # a GET entry's data is its query string
        if data:
            url += "?" + urlencode(data, doseq=True)
        if url not in vues:
            vues.add(url)
            pages.append(Page(access.name, url, cote))
    return pages, erreurs


def _ordre(access) -> int:
    """Certification's set-up moves the learner to the exam year's division (the PFMP set-up
    then refuses him): its entries are prepared last."""
    return int(access.name.startswith("certification:"))


def _preparer(access, personas) -> dict:
    """The entry's URL kwargs, built on the shared personas (objects cached on them are
    reused); if an object left by an earlier entry is in the way, again on personas reloaded
    without their caches."""
    try:
        with transaction.atomic():
            return access.kwargs(personas)
    except Exception:  # noqa: BLE001
        with transaction.atomic():
            return access.kwargs(Personas(a=_recharger(personas.a), b=_recharger(personas.b)))


def cookie_de_session(personas, persona: str, base_url: str, cote: str = "a") -> list[dict]:
    """The cookies that log `persona` (of establishment `cote`) in, for
    `BrowserContext.add_cookies`."""
    if cote == "b":
        personas = Personas(a=personas.b, b=personas.a)
    client = connecter(Client(), personas, persona)
    nom = settings.SESSION_COOKIE_NAME
    return [{"name": nom, "value": client.cookies[nom].value, "url": base_url}]


def pages_lien_signe(personas, base_url: str) -> list[Page]:
    """The signed-link pages of a tutor without an account (pfmp LienTuteur): the link itself
    (it opens the session grant, then redirects to the portfolio) and the bilan entreprise,
    opened by the teacher so that the tutor's form is shown."""
    from pfmp.services_portfolio import creer_lien_tuteur, ouvrir_bilan_entreprise
    from tests.pfmp import portfolio_factories as pf

    affectation = pf.de_persona(personas)
    prof = personas.a.enseignant.user
    ouvrir_bilan_entreprise(affectation, par=prof)
    lien = creer_lien_tuteur(affectation, par=prof, base_url=base_url)
    slug = personas.a.etablissement.slug
    return [
        Page("pfmp:acces_tuteur", lien.removeprefix(base_url)),
        Page("pfmp:tuteur_bilan", reverse("pfmp:tuteur_bilan", args=[slug, affectation.pk])),
    ]


def visiter(context, base_url: str, pages: list[Page], erreurs: list[str]) -> Iterator[object]:
    """Open each HTML page in one tab of `context`; yields the Playwright page on each whole
    HTML document answered 200 (downloads and fragments are skipped, other statuses are
    appended to `erreurs`)."""
    onglet = context.new_page()
    try:
        for page in pages:
            reponse = context.request.get(base_url + page.url, max_redirects=5)
            type_contenu = reponse.headers.get("content-type", "")
            if reponse.status != 200:
                erreurs.append(f"{page.url} ({page.nom}) : statut {reponse.status}")
                continue
            if not type_contenu.startswith("text/html"):
                continue  # download: PDF, CSV, ZIP, DOCX…
            debut = reponse.body()[:600].lstrip().lower()
            if not (debut.startswith(b"<!doctype") or b"<html" in debut):
                continue  # HTMX fragment
            onglet.goto(base_url + page.url)
            onglet.wait_for_load_state("load")
            yield onglet
    finally:
        onglet.close()


class Chrono:
    """Elapsed seconds of a block (printed by the tests: the CI time budget is watched)."""

    def __enter__(self):
        self.debut = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.duree = time.monotonic() - self.debut
