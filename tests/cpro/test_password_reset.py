from django.core import mail


def test_password_reset_by_email_in_french(client, personas):
    page = client.get("/comptes/password/reset/")
    assert page.status_code == 200
    assert "Cpro" in page.content.decode()
    response = client.post("/comptes/password/reset/", {"email": "a-enseignant@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "mot de passe" in mail.outbox[0].body.lower()


def test_no_self_signup(client, db):
    from cpro.models import User

    response = client.post(
        "/comptes/signup/",
        {"username": "intrus", "email": "intrus@exemple.fr", "password1": "Zx9!pass-longue"},
    )
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(username="intrus").exists()
