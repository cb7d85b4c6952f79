"""Optional TOTP second factor (allauth.mfa), for DDFPT and chef only."""

import time

import pytest
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import RequestFactory

from cpro.auth import MESSAGE_MFA_REFUSEE, ActivationTOTPForm
from tests.personas import login

ACTIVER = "/comptes/2fa/totp/activate/"
DESACTIVER = "/comptes/2fa/totp/deactivate/"
AUTHENTIFIER = "/comptes/2fa/authenticate/"
MOT_DE_PASSE = "motdepasse-cpro"


@pytest.fixture(autouse=True)
def _cache_vide():
    # allauth remembers used TOTP codes (and rate limits) in the cache.
    cache.clear()
    yield
    cache.clear()


def code_totp(secret: str, decalage: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + decalage))


def connexion(client, username, etab="lp-a"):
    return client.post(f"/{etab}/", {"login": username, "password": MOT_DE_PASSE})


def page_activation(client):
    """allauth asks to confirm the password before activation (reauthentication)."""
    response = client.get(ACTIVER)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/reauthenticate/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Confirmer votre identité" in page.content.decode()
    confirme = client.post("/comptes/reauthenticate/", {"password": MOT_DE_PASSE, "next": ACTIVER})
    assert confirme.status_code == 302 and confirme["Location"] == ACTIVER
    return client.get(ACTIVER)


def activer_totp(client, username) -> str:
    """Log in with the password, activate TOTP; returns the secret."""
    assert connexion(client, username).status_code == 302
    page = page_activation(client)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(ACTIVER, {"code": code_totp(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def test_ddfpt_activates_totp_and_login_then_asks_for_the_code(client, personas):
    user = personas.a.ddfpt.user
    assert connexion(client, "a-ddfpt").status_code == 302
    page = page_activation(client)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Activer la double authentification" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script" not in html.split("</head>")[1] and "style=" not in html
    secret = page.context["form"].secret

    response = client.post(ACTIVER, {"code": code_totp(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    codes = client.get(response["Location"])
    assert codes.status_code == 200 and "Codes de récupération" in codes.content.decode()

    client.post("/lp-a/deconnexion/")
    assert "_auth_user_id" not in client.session

    # The password alone no longer logs in: allauth asks for the code.
    response = connexion(client, "a-ddfpt")
    assert response.status_code == 302 and response["Location"] == AUTHENTIFIER
    assert "_auth_user_id" not in client.session
    assert client.get("/lp-a/accueil/").status_code == 302
    page = client.get(AUTHENTIFIER)
    assert page.status_code == 200 and "Code de vérification" in page.content.decode()

    wrong = client.post(AUTHENTIFIER, {"code": "000000" if code_totp(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "Code incorrect" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    ok = client.post(AUTHENTIFIER, {"code": code_totp(secret)})
    assert ok.status_code == 302 and ok["Location"] == "/lp-a/accueil/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/lp-a/espace-personnel/").status_code == 200


def test_a_code_is_accepted_only_once(client, personas):
    secret = activer_totp(client, "a-ddfpt")
    client.post("/lp-a/deconnexion/")
    connexion(client, "a-ddfpt")
    code = code_totp(secret)
    assert client.post(AUTHENTIFIER, {"code": code}).status_code == 302
    client.post("/lp-a/deconnexion/")
    connexion(client, "a-ddfpt")
    replay = client.post(AUTHENTIFIER, {"code": code})
    assert replay.status_code == 200 and "_auth_user_id" not in client.session


def test_wrong_code_does_not_activate(client, personas):
    assert connexion(client, "a-chef").status_code == 302
    page = page_activation(client)
    assert page.status_code == 200  # the chef may use it too
    secret = page.context["form"].secret
    faux = code_totp(secret, decalage=10)
    response = client.post(ACTIVER, {"code": faux})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert not Authenticator.objects.filter(user=personas.a.chef.user).exists()


@pytest.mark.parametrize("persona", ["enseignant", "apprenant", "tuteur"])
def test_other_roles_cannot_activate(client, personas, persona):
    m = getattr(personas.a, persona)
    assert connexion(client, m.user.username).status_code == 302
    page = client.get(ACTIVER)
    assert page.status_code == 403
    assert MESSAGE_MFA_REFUSEE.replace("'", "&#x27;") in page.content.decode()
    assert client.get("/comptes/2fa/").status_code == 403
    # Even with a valid code for a secret the session holds.
    session = client.session
    session["mfa.totp.secret"] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    session.save()
    response = client.post(ACTIVER, {"code": code_totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")})
    assert response.status_code == 403
    assert not Authenticator.objects.filter(user=m.user).exists()


def test_activation_form_refuses_other_roles_by_itself(personas):
    """The rule holds in the form too, not only in the middleware guarding the pages."""
    request = RequestFactory().post(ACTIVER)
    request.session = {}
    enseignant = personas.a.enseignant.user
    request.user = enseignant
    with context.request_context(request):
        form = ActivationTOTPForm(data={"code": "123456"}, user=enseignant)
        assert not form.is_valid()
        assert MESSAGE_MFA_REFUSEE in form.errors["code"]


def test_inactive_ddfpt_membership_gives_no_right(client, personas):
    m = personas.a.ddfpt
    login(client, m, personas.a.diplome)
    m.active = False
    m.save()
    assert client.get(ACTIVER).status_code == 403


def test_personal_space_entry_only_for_ddfpt_and_chef(client, personas):
    for persona, visible in [("ddfpt", True), ("chef", True), ("enseignant", False)]:
        m = getattr(personas.a, persona)
        login(client, m, personas.a.diplome)
        html = client.get("/lp-a/espace-personnel/").content.decode()
        assert ('href="/comptes/2fa/"' in html) is visible, persona
        assert ("Double authentification" in html) is visible, persona
    apprenant = personas.a.apprenant
    login(client, apprenant)
    html = client.get("/lp-a/espace-personnel/").content.decode()
    assert "/comptes/2fa/" not in html


def test_personal_space_shows_the_state(client, personas):
    activer_totp(client, "a-ddfpt")
    html = client.get("/lp-a/espace-personnel/").content.decode()
    assert "Activée" in html and "Gérer la double authentification" in html


def test_deactivate_totp(client, personas):
    user = personas.a.ddfpt.user
    activer_totp(client, "a-ddfpt")
    index = client.get("/comptes/2fa/")
    assert index.status_code == 200 and "Désactiver" in index.content.decode()
    assert client.get(DESACTIVER).status_code == 200

    response = client.post(DESACTIVER)

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    client.post("/lp-a/deconnexion/")
    response = connexion(client, "a-ddfpt")
    assert response["Location"] == "/lp-a/accueil/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_former_ddfpt_can_still_remove_their_second_factor(client, personas):
    m = personas.a.ddfpt
    activer_totp(client, "a-ddfpt")
    m.role = "ENSEIGNANT"
    m.save()
    assert client.get(ACTIVER).status_code == 403
    assert client.get("/comptes/2fa/").status_code == 200
    assert client.post(DESACTIVER).status_code == 302
    assert not Authenticator.objects.filter(user=m.user).exists()
