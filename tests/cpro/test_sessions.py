"""Session lifetime (idle 30 min, absolute 12 h) and sessions ended on deactivation."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from cpro import sessions as cpro_sessions
from cpro.sessions import DEBUT, DERNIERE, MESSAGE_EXPIRATION, terminer_sessions
from gestion import services as gestion
from tests.factories import MembershipFactory
from tests.personas import login

ACCUEIL = "/lp-a/accueil/"


def _decaler(client, **secondes):
    """Move the session's timestamps back in time, as if that many seconds had passed."""
    session = client.session
    for cle, delta in secondes.items():
        session[f"_cpro_{cle}"] = session[f"_cpro_{cle}"] - delta
    session.save()


def _sessions_de(user):
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_settings_idle_30_minutes_absolute_12_hours():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    # Deactivation deletes Session rows: the engine must be database-backed.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_login_stamps_the_session(client, personas):
    avant = time.time()
    response = client.post("/lp-a/", {"login": "a-enseignant", "password": "motdepasse-cpro"})
    assert response.status_code == 302
    session = client.session
    assert avant <= session[DEBUT] <= time.time()
    assert session[DERNIERE] == session[DEBUT]


def test_idle_session_expires(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    assert client.get(ACCUEIL).status_code == 200
    _decaler(client, debut=1801, derniere=1801)

    response = client.get(ACCUEIL)

    assert response.status_code == 302
    assert response["Location"] == "/lp-a/?next=%2Flp-a%2Faccueil%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert MESSAGE_EXPIRATION in page.content.decode()
    # Logged out for good: the next page asks for the login again, without the message.
    assert client.get(ACCUEIL).status_code == 302


def test_not_yet_idle_session_stays(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    _decaler(client, debut=1700, derniere=1700)
    assert client.get(ACCUEIL).status_code == 200
    assert "_auth_user_id" in client.session


def test_activity_refreshes_the_idle_timer(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    _decaler(client, debut=1700, derniere=1700)
    assert client.get(ACCUEIL).status_code == 200
    assert client.session[DERNIERE] > time.time() - 5
    # 200 more seconds: 1900 s since login, but only 200 s since the last request.
    _decaler(client, debut=200, derniere=200)
    assert client.get(ACCUEIL).status_code == 200


def test_absolute_lifetime_even_when_active(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    _decaler(client, debut=12 * 3600 - 30)
    assert client.get(ACCUEIL).status_code == 200
    _decaler(client, debut=60)  # 12 h 30 s after login, last request just now

    response = client.get(ACCUEIL)

    assert response.status_code == 302
    assert response["Location"].startswith("/lp-a/?next=")
    assert "_auth_user_id" not in client.session


def test_timeouts_come_from_settings(client, personas, settings):
    settings.SESSION_IDLE_TIMEOUT = 100
    login(client, personas.a.enseignant, personas.a.diplome)
    _decaler(client, derniere=101)
    assert client.get(ACCUEIL).status_code == 302


def test_htmx_request_gets_hx_redirect(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    _decaler(client, debut=1801, derniere=1801)

    response = client.get(
        "/lp-a/espace-personnel/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/lp-a/journal/"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/lp-a/?next=%2Flp-a%2Fjournal%2F"
    assert "_auth_user_id" not in client.session


def test_expired_post_is_not_performed(client, personas):
    """A form posted after expiry is not processed: back to the login, without `next`."""
    login(client, personas.a.enseignant2, personas.a.diplome)
    _decaler(client, debut=1801, derniere=1801)
    response = client.post("/lp-a/diplome/", {"diplome": personas.a.diplome2.pk})
    assert response.status_code == 302
    assert response["Location"] == "/lp-a/"
    assert "_auth_user_id" not in client.session


def test_expiry_outside_an_establishment(client, personas):
    login(client, personas.a.enseignant)
    _decaler(client, debut=1801, derniere=1801)
    response = client.get("/comptes/password/change/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_older_session_without_stamps_is_stamped_on_first_sight(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    session = client.session
    del session[DEBUT]
    del session[DERNIERE]
    session.save()
    assert client.get(ACCUEIL).status_code == 200
    assert client.session[DEBUT] > time.time() - 5


def test_session_expiree_boundaries(settings):
    now = 1_000_000.0
    assert not cpro_sessions.session_expiree({}, now)
    ok = {DEBUT: now - 43200, DERNIERE: now - 1800}
    assert not cpro_sessions.session_expiree(ok, now)
    assert cpro_sessions.session_expiree({DEBUT: now - 43201, DERNIERE: now}, now)
    assert cpro_sessions.session_expiree({DEBUT: now - 10, DERNIERE: now - 1801}, now)


# --- deactivation ---------------------------------------------------------------------------


def test_deactivation_deletes_every_session_of_that_user(personas):
    a = personas.a
    navigateur1, navigateur2, collegue = Client(), Client(), Client()
    login(navigateur1, a.enseignant, a.diplome)
    login(navigateur2, a.enseignant, a.diplome)
    login(collegue, a.enseignant2, a.diplome)
    assert len(_sessions_de(a.enseignant.user)) == 2

    gestion.desactiver_compte(a.enseignant, par=a.ddfpt.user)

    assert _sessions_de(a.enseignant.user) == []
    assert len(_sessions_de(a.enseignant2.user)) == 1
    assert navigateur1.get(ACCUEIL).status_code == 302
    assert collegue.get(ACCUEIL).status_code == 200
    from cpro.models import AuditLog

    assert AuditLog.objects.get(action="compte.desactiver").apres["sessions_terminees"] == 2


def test_deactivation_in_one_establishment_ends_sessions_of_a_multi_establishment_user(
    personas,
):
    """The user keeps an account in B: the sessions are deleted all the same (one session per
    user, not per establishment); logging in again in B works, in A it is refused."""
    a, b = personas.a, personas.b
    MembershipFactory(user=a.enseignant.user, etablissement=b.etablissement)
    navigateur = Client()
    login(navigateur, a.enseignant, a.diplome)
    assert navigateur.get("/lp-b/espace-personnel/").status_code == 200

    gestion.desactiver_compte(a.enseignant, par=a.ddfpt.user)

    a.enseignant.user.refresh_from_db()
    assert a.enseignant.user.is_active
    assert _sessions_de(a.enseignant.user) == []
    assert navigateur.get("/lp-b/espace-personnel/").status_code == 302
    refus = navigateur.post("/lp-a/", {"login": "a-enseignant", "password": "motdepasse-cpro"})
    assert "_auth_user_id" not in navigateur.session
    assert refus.status_code == 200
    ok = navigateur.post("/lp-b/", {"login": "a-enseignant", "password": "motdepasse-cpro"})
    assert ok.status_code == 302 and ok["Location"] == "/lp-b/accueil/"


def test_deactivation_through_the_ddfpt_page_ends_the_session(personas):
    a = personas.a
    ddfpt, enseignant = Client(), Client()
    login(ddfpt, a.ddfpt, a.diplome)
    login(enseignant, a.enseignant, a.diplome)
    response = ddfpt.post(f"/lp-a/gestion/comptes/{a.enseignant.pk}/desactiver/")
    assert response.status_code == 302
    assert _sessions_de(a.enseignant.user) == []
    assert enseignant.get(ACCUEIL).status_code == 302
    # The DDFPT's own session is untouched.
    assert ddfpt.get(ACCUEIL).status_code == 200


def test_terminer_sessions_refuses_an_engine_it_cannot_search(personas, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    with pytest.raises(ImproperlyConfigured):
        terminer_sessions(personas.a.enseignant.user)
