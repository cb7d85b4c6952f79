"""Password policy: at least 12 characters, no common password, wherever a password is set."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cpro import comptes
from cpro.models import Role
from gestion import services as gestion
from tests.personas import login

TROP_COURT = "Xq7-tr9-pLm"  # 11 characters, otherwise fine
COURANT = "telechargement"  # 14 characters, in Django's list of common passwords
BON = "Vert-Rivage-2031"


def test_validators_reject_11_characters_and_common_passwords(db):
    assert len(TROP_COURT) == 11
    with pytest.raises(ValidationError, match="12 caractères"):
        password_validation.validate_password(TROP_COURT)
    with pytest.raises(ValidationError, match="trop courant"):
        password_validation.validate_password(COURANT)
    password_validation.validate_password(TROP_COURT + "z")  # 12 characters: accepted


@pytest.mark.parametrize("mot_de_passe", ["cpro-demo-2026", "motdepasse-cpro"])
def test_demo_and_persona_passwords_still_comply(db, mot_de_passe):
    password_validation.validate_password(mot_de_passe)


# --- allauth: password reset from the e-mailed link -----------------------------------------


def _lien_de_reinitialisation(client, email):
    client.post("/comptes/password/reset/", {"email": email})
    assert len(mail.outbox) == 1
    lien = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+/)", mail.outbox[0].body)
    page = client.get(lien.group(1), follow=True)
    assert page.status_code == 200
    return page.redirect_chain[-1][0]  # .../<uid>-set-password/ (key kept in the session)


@pytest.mark.parametrize(
    ("refuse", "message"), [(TROP_COURT, "12 caractères"), (COURANT, "courant")]
)
def test_reset_from_key_refuses_weak_passwords(client, personas, refuse, message):
    user = personas.a.enseignant.user
    url = _lien_de_reinitialisation(client, user.email)
    response = client.post(url, {"password1": refuse, "password2": refuse})
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password(refuse) and user.check_password("motdepasse-cpro")


def test_reset_from_key_accepts_a_compliant_password(client, personas):
    user = personas.a.enseignant.user
    url = _lien_de_reinitialisation(client, user.email)
    response = client.post(url, {"password1": BON, "password2": BON})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(BON)


# --- allauth: password change (personal space) ----------------------------------------------


@pytest.mark.parametrize(
    ("refuse", "message"), [(TROP_COURT, "12 caractères"), (COURANT, "courant")]
)
def test_password_change_refuses_weak_passwords(client, personas, refuse, message):
    m = personas.a.enseignant
    login(client, m, personas.a.diplome)
    response = client.post(
        "/comptes/password/change/",
        {"oldpassword": "motdepasse-cpro", "password1": refuse, "password2": refuse},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    m.user.refresh_from_db()
    assert m.user.check_password("motdepasse-cpro")


def test_password_change_accepts_a_compliant_password(client, personas):
    m = personas.a.enseignant
    login(client, m, personas.a.diplome)
    response = client.post(
        "/comptes/password/change/",
        {"oldpassword": "motdepasse-cpro", "password1": BON, "password2": BON},
    )
    assert response.status_code == 302
    m.user.refresh_from_db()
    assert m.user.check_password(BON)


# --- DDFPT: temporary passwords --------------------------------------------------------------


def test_temporary_passwords_comply_with_the_policy(personas):
    a = personas.a
    for _ in range(200):
        mdp = comptes.generer_mot_de_passe()
        assert len(mdp) >= 12
        password_validation.validate_password(mdp)

    membership, mdp = comptes.creer_compte(
        a.etablissement,
        par=a.ddfpt.user,
        nom="Martin",
        prenom="Léa",
        email="",
        role=Role.ENSEIGNANT,
        diplomes=[a.diplome],
    )
    password_validation.validate_password(mdp, membership.user)
    assert membership.user.check_password(mdp)

    apprenant = a.apprenant
    apprenant.user.email = ""
    apprenant.user.save()
    request = RequestFactory().post("/")
    request.user = a.ddfpt.user
    provisoire = gestion.reinitialiser_mot_de_passe(apprenant, par=a.ddfpt.user, request=request)
    password_validation.validate_password(provisoire, apprenant.user)
    apprenant.user.refresh_from_db()
    assert apprenant.user.check_password(provisoire)


def test_temporary_password_logs_in(client, personas):
    a = personas.a
    apprenant = a.apprenant
    apprenant.user.email = ""
    apprenant.user.save()
    request = RequestFactory().post("/")
    request.user = a.ddfpt.user
    provisoire = gestion.reinitialiser_mot_de_passe(apprenant, par=a.ddfpt.user, request=request)
    response = client.post("/lp-a/", {"login": apprenant.user.username, "password": provisoire})
    assert response.status_code == 302 and response["Location"] == "/lp-a/accueil/"
