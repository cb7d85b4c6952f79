"""Cross-tenant mutations: establishment B's staff POSTs every mutating URL of the access
matrix with establishment A's objects → 404, and not one row of the database changes.

1. On B's own URL (`etab` = B's slug, so tenancy lets the request through) with A's object
   ids in the URL and the entry's data (built with A's objects): B's DDFPT and B's teacher.
   The kwargs functions first run for B too (mirrored personas), so that B is set up like A
   (e.g. its book activated): only the objects' establishment can refuse the request.
   Where A's persona of the same role is not allowed either (a DDFPT on the chef's signature,
   a teacher on the DDFPT's unlocking), the permission check may answer first: 403 or 404.
2. On A's URL, as B's DDFPT: the tenancy middleware answers 404.

Entries whose URL names no object (e.g. « créer un dossier ») are a legitimate action in B
for case 1; when their data carries ids (numbers, lists: e.g. the ZIP of A's division), the
request must still change nothing, whatever its status (a form error, a redirect)."""

import pytest
from django.urls import reverse

from tests.access import AUTRES_ETABS, connecter
from tests.personas import Personas
from tests.security.empreinte import differences, empreinte
from tests.security.isolation import isole
from tests.security.test_access_matrix import DECLARED, _ids

POSTS = [a for a in DECLARED if a.method == "POST"]
POSTS_PRIVES = [a for a in POSTS if not a.public]


def _porte_des_ids(data: dict) -> bool:
    return any(
        isinstance(v, int) or (isinstance(v, str) and v.isdigit()) or (isinstance(v, list) and v)
        for v in data.values()
    )


def _poster(personas, access, persona, side):
    """POST the entry as `persona` to `side`'s URL with A's objects → (url, kwargs, data,
    status, models changed)."""
    with isole(personas) as (p, client):
        access.kwargs(Personas(a=p.b, b=p.a))  # B set up like A
        connecter(client, p, persona)
        kwargs = access.kwargs(p)
        data = access.data(p)
        slug = getattr(p, side).etablissement.slug
        url = reverse(access.name, kwargs={"etab": slug, **kwargs})
        avant = empreinte()
        response = client.post(url, data)
        return url, kwargs, data, response.status_code, differences(avant, empreinte())


@pytest.mark.parametrize("persona", list(AUTRES_ETABS))
@pytest.mark.parametrize("access", POSTS, ids=_ids(POSTS))
def test_post_with_other_establishment_ids_is_404(personas, access, persona):
    if access.ids_partages:
        pytest.skip("objets partagés par tous les établissements (référentiel) : action légitime")
    url, kwargs, data, status, changed = _poster(personas, access, persona, "b")
    if not kwargs and not _porte_des_ids(data):
        pytest.skip("aucun objet de A dans l'URL ni les données : action légitime dans B")
    assert not changed, f"POST {url} en tant que {persona} a modifié : {changed}"
    if kwargs:
        attendus = {404} if AUTRES_ETABS[persona] in access.allowed else {403, 404}
        assert status in attendus, f"POST {url} en tant que {persona} : {status} ∉ {attendus}"


@pytest.mark.parametrize("access", POSTS_PRIVES, ids=_ids(POSTS_PRIVES))
def test_post_on_other_establishment_url_is_404(personas, access):
    url, _, _, status, changed = _poster(personas, access, "autre_etab", "a")
    assert status == 404, f"POST {url} en tant que autre_etab : {status} ≠ 404"
    assert not changed, f"POST {url} en tant que autre_etab a modifié : {changed}"
