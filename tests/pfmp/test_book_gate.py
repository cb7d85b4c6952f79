"""The book exists only once the DDFPT has activated it: every URL of urls_book.py answers the
same French 403 page otherwise, whatever the role."""

import pytest
from django.urls import reverse

from pfmp import urls_book
from tests.personas import login
from tests.pfmp.access_book import ACCESS

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Le book apprenant n&#x27;est pas activé dans votre établissement. "
    "Le DDFPT peut l&#x27;activer."
)


def test_chaque_url_du_book_est_gardee():
    declarees = {a.name for a in ACCESS}
    assert {p.name for p in urls_book.urlpatterns} == {n.split(":")[1] for n in declarees}
    for pattern in urls_book.urlpatterns:
        assert getattr(pattern.callback, "cpro_book", False), pattern.name


@pytest.mark.parametrize("persona", ["apprenant", "enseignant", "ddfpt", "chef"])
@pytest.mark.parametrize("access", ACCESS, ids=lambda a: f"{a.name}-{a.method}")
def test_book_inactif_403_explique(client, personas, access, persona):
    kwargs = access.kwargs(personas)  # creates the objects (and activates the book)…
    etab = personas.a.etablissement
    etab.book_active = False  # … which the DDFPT has not done here.
    etab.save(update_fields=["book_active"])
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if persona != "apprenant" else None)
    url = reverse(access.name, kwargs={"etab": etab.slug, **kwargs})
    response = getattr(client, access.method.lower())(url, access.data(personas))
    assert response.status_code == 403
    assert MESSAGE in response.content.decode()


def test_navigation_sans_book_tant_qu_il_n_est_pas_active(as_persona, personas):
    client = as_persona("apprenant")
    accueil = reverse("etab:accueil", kwargs={"etab": personas.a.etablissement.slug})
    mon_book = reverse("pfmp:mon_book", kwargs={"etab": personas.a.etablissement.slug})
    assert mon_book not in client.get(accueil).content.decode()
    personas.a.etablissement.book_active = True
    personas.a.etablissement.save()
    assert mon_book in client.get(accueil).content.decode()
    assert client.get(mon_book).status_code == 200
