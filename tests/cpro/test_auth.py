"""The login page of an establishment answers every refusal the same way: the message, the page
and the failed-login limits do not tell a wrong password from a right one for an account that
may not log in here (no oracle)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from cpro.auth import MESSAGE_CONNEXION_REFUSEE

MOT_DE_PASSE = "motdepasse-cpro"


@pytest.fixture(autouse=True)
def compteurs_vides():
    """allauth counts failed logins in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def connexion(personas, etab="a"):
    return reverse("etab:connexion", kwargs={"etab": getattr(personas, etab).etablissement.slug})


def _mauvais_mot_de_passe(personas):
    return "a-enseignant", "pas-le-bon"


def _compte_inconnu(personas):
    return "personne-de-ce-nom", MOT_DE_PASSE


def _compte_d_un_autre_etablissement(personas):
    return "b-enseignant", MOT_DE_PASSE


def _adresse_d_un_autre_etablissement(personas):
    return personas.b.enseignant.user.email, MOT_DE_PASSE


def _inscription_desactivee(personas):
    m = personas.a.enseignant
    m.active = False
    m.save(update_fields=["active"])
    return "a-enseignant", MOT_DE_PASSE


def _compte_desactive(personas):
    user = personas.a.enseignant.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return "a-enseignant", MOT_DE_PASSE


REFUS = [
    _mauvais_mot_de_passe,
    _compte_inconnu,
    _compte_d_un_autre_etablissement,
    _adresse_d_un_autre_etablissement,
    _inscription_desactivee,
    _compte_desactive,
]


def _erreurs(html: str) -> str:
    bloc = re.search(r'<div class="erreurs" role="alert">.*?</div>', html, flags=re.S)
    assert bloc, "the page shows no error"
    return bloc.group(0)


@pytest.mark.parametrize("cas", REFUS, ids=lambda f: f.__name__.strip("_"))
def test_un_seul_message_de_refus(client, personas, cas):
    identifiant, mot_de_passe = cas(personas)
    response = client.post(connexion(personas), {"login": identifiant, "password": mot_de_passe})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    attendu = (
        f'<div class="erreurs" role="alert">\n  <p>{MESSAGE_CONNEXION_REFUSEE}</p>\n  \n</div>'
    ).replace("'", "&#x27;")
    assert _erreurs(response.content.decode()) == attendu


def test_la_page_de_refus_est_la_meme_quel_que_soit_le_motif(client, personas):
    """Whole page compared (the typed login put back in the form and the CSRF token, masked
    afresh on every response, aside)."""
    pages = set()
    for cas in REFUS:
        cache.clear()
        identifiant, mot_de_passe = cas(personas)
        html = client.post(
            connexion(personas), {"login": identifiant, "password": mot_de_passe}
        ).content.decode()
        html = re.sub(r'csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)
        pages.add(html.replace(f'value="{identifiant}"', 'value="…"'))
    assert len(pages) == 1


def test_le_bon_compte_se_connecte(client, personas):
    response = client.post(connexion(personas), {"login": "a-enseignant", "password": MOT_DE_PASSE})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.a.enseignant.user.pk)


@pytest.mark.parametrize(
    "cas", [_mauvais_mot_de_passe, _compte_d_un_autre_etablissement], ids=lambda f: f.__name__
)
def test_un_refus_compte_comme_un_echec(client, personas, settings, cas):
    """A right password in the wrong establishment uses up the failed-login allowance like a
    wrong password (otherwise the count itself would tell them apart); the limits themselves
    are allauth's, unchanged."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    identifiant, mot_de_passe = cas(personas)
    for _ in range(3):
        r = client.post(connexion(personas), {"login": identifiant, "password": mot_de_passe})
        assert MESSAGE_CONNEXION_REFUSEE.replace("'", "&#x27;") in r.content.decode()
    r = client.post(connexion(personas), {"login": "a-enseignant", "password": MOT_DE_PASSE})
    assert "_auth_user_id" not in client.session
    assert "tentatives" in r.content.decode()


def test_reauthentification_hors_etablissement_inchangee(client, personas):
    """The membership check applies on an establishment's login page only: allauth's
    re-authentication (/comptes/, no establishment) still accepts the account's password."""
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().post("/comptes/reauthenticate/")
    request.etablissement = None
    user = get_adapter(request).authenticate(
        request, username="a-enseignant", password=MOT_DE_PASSE
    )
    assert user == personas.a.enseignant.user
