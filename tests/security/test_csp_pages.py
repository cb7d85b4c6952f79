"""Strict CSP, checked on the HTML of every page: each GET entry of the access matrix is
rendered once, by the first persona that may see it (DDFPT, teacher, learner, tutor, chef…),
plus the platform's home page, the login page, the password reset page, the 403/404 pages
and the tutor-link pages. A non-HTML answer (CSV, files) must be an attachment.

In the HTML: no inline <script> (every script has a src), no <style> element, no `style`
attribute, no `on…=` handler, no `javascript:` URL; scripts and stylesheets come from our own
/static/. The response carries a Content-Security-Policy with `script-src 'self'` and without
'unsafe-inline' / 'unsafe-eval'."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.access import connecter
from tests.security.isolation import isole
from tests.security.test_access_matrix import DECLARED, _ids

ORDRE = ("ddfpt", "enseignant", "apprenant", "tuteur", "chef", "enseignant2", "apprenti", "anonyme")
# Non-HTML answers are downloads (attachment), except the book's photos shown in the page.
INLINE = {"pfmp:book_media"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "hx-get", "hx-post"}


class Verificateur(HTMLParser):
    """Collects every CSP violation of a document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fautes: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:120]}>"
        if tag == "script":
            src = a.get("src")
            if not src:
                if (a.get("type") or "").lower() not in ("application/json", "text/template"):
                    self.fautes.append(f"script en ligne : {where}")
            elif not src.startswith("/static/"):
                self.fautes.append(f"script hors /static/ : {where}")
        if tag == "style":
            self.fautes.append(f"élément <style> : {where}")
        if tag == "link" and "stylesheet" in (a.get("rel") or "").lower().split():
            if not (a.get("href") or "").startswith("/static/"):
                self.fautes.append(f"feuille de style hors /static/ : {where}")
        for name, value in attrs:
            if name == "style":
                self.fautes.append(f"attribut style : {where}")
            elif name.startswith("on"):
                self.fautes.append(f"gestionnaire {name} : {where}")
            elif name in URL_ATTRS and (value or "").strip().lower().startswith("javascript:"):
                self.fautes.append(f"URL javascript: : {where}")

    handle_startendtag = handle_starttag


def verifier(response) -> list[str]:
    fautes = []
    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    if "'self'" not in directives.get("script-src", []):
        fautes.append(f"en-tête CSP sans script-src 'self' : {csp!r}")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        fautes.append(f"en-tête CSP permissif : {csp!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        fautes.append("en-tête X-Content-Type-Options: nosniff absent")
    if "text/html" in response.get("Content-Type", ""):
        parser = Verificateur()
        parser.feed(response.content.decode())
        parser.close()
        fautes.extend(parser.fautes)
    return fautes


def test_le_verificateur_trouve_chaque_faute():
    parser = Verificateur()
    parser.feed(
        '<script>alert(1)</script><script src="https://cdn.example/x.js"></script>'
        "<style>p{}</style><p style='color:red' onclick=\"x()\"><a href=' javascript:x()'>x</a>"
        '<link rel="stylesheet" href="//evil/x.css"><script src="/static/cpro/js/cpro.js"></script>'
    )
    assert len(parser.fautes) == 7, parser.fautes


PAGES = [a for a in DECLARED if a.method == "GET"]


@pytest.mark.parametrize("access", PAGES, ids=_ids(PAGES))
def test_page_sans_script_ni_style_en_ligne(personas, access):
    persona = next((p for p in ORDRE if access.expected(p) == 200), None)
    if persona is None:
        pytest.skip("page que personne ne voit en 200 (redirection, jeton)")
    with isole(personas) as (p, client):
        connecter(client, p, persona)
        kwargs = access.kwargs(p)
        url = reverse(access.name, kwargs={"etab": p.a.etablissement.slug, **kwargs})
        response = client.get(url, access.data(p))
        assert response.status_code == 200, f"GET {url} en tant que {persona}"
        fautes = verifier(response)
        disposition = response.get("Content-Disposition", "")
        if "text/html" not in response.get("Content-Type", "") and access.name not in INLINE:
            if not disposition.startswith("attachment;"):
                fautes.append(f"fichier sans Content-Disposition: attachment ({disposition!r})")
    assert not fautes, f"GET {url} en tant que {persona} :\n" + "\n".join(fautes)


@pytest.mark.parametrize(
    "cas", ["accueil_plateforme", "403", "404", "connexion", "account_reset_password"]
)
def test_pages_hors_matrice(client, personas, cas):
    if cas in ("accueil_plateforme", "account_reset_password"):
        response = client.get(reverse(cas))
    elif cas == "connexion":
        response = client.get(reverse("etab:connexion", kwargs={"etab": "lp-a"}))
    elif cas == "403":
        connecter(client, personas, "apprenant")
        response = client.get(reverse("gestion:personnels", kwargs={"etab": "lp-a"}))
    else:
        connecter(client, personas, "ddfpt")
        response = client.get(reverse("etab:accueil", kwargs={"etab": "lp-inconnu"}))
    assert response.status_code == {"403": 403, "404": 404}.get(cas, 200)
    fautes = verifier(response)
    assert not fautes, f"{cas} :\n" + "\n".join(fautes)


def test_pages_du_lien_tuteur(client, personas):
    """The tutor-link pages (public, granted by the link in the session), and the page of a
    forged link."""
    from tests.pfmp.access_portfolio import _lien, _pk

    token, pk = _lien(personas), _pk(personas)["pk"]
    etab = personas.a.etablissement.slug
    pages = [
        client.get(reverse("pfmp:acces_tuteur", kwargs={"etab": etab, "token": token})),
        client.get(reverse("pfmp:tuteur_portfolio", kwargs={"etab": etab, "pk": pk})),
        client.get(reverse("pfmp:tuteur_bilan", kwargs={"etab": etab, "pk": pk})),
        client.get(reverse("pfmp:acces_tuteur", kwargs={"etab": etab, "token": "x" * 43})),
    ]
    assert [r.status_code for r in pages] == [302, 200, 200, 404]
    fautes = [f for r in pages[1:] for f in verifier(r)]
    assert not fautes, "\n".join(fautes)


def test_apercu_d_import(client, personas):
    """The import preview (reached only after an upload: the matrix sees its redirect)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    connecter(client, personas, "ddfpt")
    etab = {"etab": personas.a.etablissement.slug}
    exemple = client.get(reverse("gestion:import_exemple", kwargs=etab)).content
    envoi = client.post(
        reverse("gestion:import", kwargs=etab),
        {"fichier": SimpleUploadedFile("eleves.csv", exemple, content_type="text/csv")},
    )
    assert envoi.status_code == 302
    response = client.get(envoi["Location"])
    assert response.status_code == 200
    assert response.resolver_match.view_name == "gestion:import_apercu"
    fautes = verifier(response)
    assert not fautes, "\n".join(fautes)
