"""Every URL under /<slug>/ × every persona → the expected status. A URL that no module
declares fails the test (pretix's test_permissions, Zulip's URL coverage)."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import PERSONAS, Access
from tests.personas import login


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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", DECLARED, ids=lambda a: a.name)
def test_access(client, personas, access, persona):
    if persona == "autre_etab":
        login(client, personas.b.ddfpt, personas.b.diplome)
    elif persona != "anonyme":
        m = personas.a.membership(persona)
        login(client, m, personas.a.diplome if m.role in ("ENSEIGNANT", "DDFPT", "CHEF") else None)
    url = reverse(
        access.name, kwargs={"etab": personas.a.etablissement.slug, **access.kwargs(personas)}
    )
    response = getattr(client, access.method.lower())(url, access.data(personas))
    expected = access.expected(persona)
    assert response.status_code == expected, (
        f"{access.method} {url} en tant que {persona} : {response.status_code} ≠ {expected}"
    )
    if persona == "anonyme" and expected == 302 and not access.public:
        assert "?next=" in response["Location"]


@pytest.mark.parametrize(
    "access", [a for a in DECLARED if a.method == "POST"], ids=lambda a: a.name
)
def test_get_on_post_only_views_is_405(client, personas, access):
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse(
        access.name,
        kwargs={"etab": personas.a.etablissement.slug, **access.kwargs(personas)},
    )
    assert client.get(url).status_code == 405, url
