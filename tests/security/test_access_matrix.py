"""Every URL under /<slug>/ × every persona → the expected status. A URL that no module
declares fails the test (pretix's test_permissions, Zulip's URL coverage).

One test per URL: the personas are built once, then every persona runs in its own savepoint
(its objects created by the kwargs functions, its request, then a rollback), so that a POST of
one persona never changes what the next one sees. Every mismatch of the URL is reported."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import PERSONAS, Access, connecter
from tests.personas import login
from tests.security.isolation import isole


def _declared() -> list[Access]:
    """Every `ACCESS` list of the modules `tests/<package>/access*.py`."""
    entries = []
    for pkg in pkgutil.iter_modules(tests.__path__):
        if not pkg.ispkg:
            continue
        package = importlib.import_module(f"tests.{pkg.name}")
        for mod in pkgutil.iter_modules(package.__path__):
            if mod.name.startswith("access"):
                module = importlib.import_module(f"tests.{pkg.name}.{mod.name}")
                entries.extend(module.ACCESS)
    return entries


DECLARED = _declared()


def _ids(entries: list[Access]) -> list[str]:
    """pytest ids: the URL name, with its position when a name is declared twice."""
    seen: dict[str, int] = {}
    ids = []
    for a in entries:
        seen[a.name] = seen.get(a.name, 0) + 1
        ids.append(a.name if seen[a.name] == 1 else f"{a.name}#{seen[a.name]}")
    return ids


def _etab_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace, under_etab):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, ns, under_etab or "<slug:etab>" in str(p.pattern))
            elif isinstance(p, URLPattern) and under_etab and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "", False)
    return names


def test_every_establishment_url_is_in_the_matrix():
    declared = {a.name for a in DECLARED}
    missing = _etab_url_names() - declared
    assert not missing, f"URL absentes de la matrice d'accès : {sorted(missing)}"
    unknown = declared - _etab_url_names()
    assert not unknown, f"Entrées de matrice sans URL : {sorted(unknown)}"


@pytest.mark.parametrize("access", DECLARED, ids=_ids(DECLARED))
def test_access(personas, access):
    failures = []
    for persona in PERSONAS:
        with isole(personas) as (p, client):
            connecter(client, p, persona)
            kwargs = access.kwargs(p)
            url = reverse(access.name, kwargs={"etab": p.a.etablissement.slug, **kwargs})
            response = getattr(client, access.method.lower())(url, access.data(p))
            expected = access.expected(persona, kwargs)
            if response.status_code != expected:
                failures.append(f"{persona} : {response.status_code} ≠ {expected}")
            elif persona == "anonyme" and expected == 302 and not access.public:
                if "?next=" not in response["Location"]:
                    failures.append(f"anonyme : redirigé sans ?next= ({response['Location']})")
    assert not failures, f"{access.method} {url} :\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "access",
    [a for a in DECLARED if a.method == "POST"],
    ids=_ids([a for a in DECLARED if a.method == "POST"]),
)
def test_get_on_post_only_views_is_405(client, personas, access):
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse(
        access.name,
        kwargs={"etab": personas.a.etablissement.slug, **access.kwargs(personas)},
    )
    assert client.get(url).status_code == 405, url
