"""Tenancy: URL per establishment, 404 across establishments, diplôme choice."""

from django.urls import reverse

from cpro.tenancy import SESSION_DIPLOME
from tests.factories import DiplomeFactory


def url(personas, name, etab="a", **kwargs):
    return reverse(name, kwargs={"etab": getattr(personas, etab).etablissement.slug, **kwargs})


def test_login_page_shows_the_establishment_name(client, personas):
    response = client.get(url(personas, "etab:connexion"))
    assert response.status_code == 200
    assert "Lycée professionnel a" in response.content.decode()


def test_unknown_establishment_is_404(client, db):
    assert client.get("/lycee-inconnu/").status_code == 404
    assert client.get("/lycee-inconnu/accueil/").status_code == 404


def test_anonymous_is_sent_to_that_establishments_login(client, personas):
    response = client.get(url(personas, "etab:accueil", etab="b"))
    assert response.status_code == 302
    assert response["Location"] == "/lp-b/?next=%2Flp-b%2Faccueil%2F"


def test_member_of_another_establishment_gets_404(client, personas):
    client.force_login(personas.b.enseignant.user)
    assert client.get(url(personas, "etab:accueil")).status_code == 404


def test_deactivated_membership_gets_404(client, personas):
    m = personas.a.enseignant
    client.force_login(m.user)
    m.active = False
    m.save()
    assert client.get(url(personas, "etab:accueil")).status_code == 404


def test_login_then_home(client, personas):
    response = client.post(
        url(personas, "etab:connexion"),
        {"login": "a-enseignant", "password": "motdepasse-cpro"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/lp-a/accueil/"
    home = client.get("/lp-a/accueil/")
    assert home.status_code == 200
    # One diplôme managed: chosen automatically and shown in the header.
    assert "Bac Pro MCV A" in home.content.decode()


def test_login_refused_in_an_establishment_where_one_has_no_account(client, personas):
    response = client.post(
        url(personas, "etab:connexion", etab="b"),
        {"login": "a-enseignant", "password": "motdepasse-cpro"},
    )
    assert response.status_code == 200
    assert "incorrect pour cet établissement" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_keeps_next(client, personas):
    response = client.post(
        url(personas, "etab:connexion") + "?next=/lp-a/espace-personnel/",
        {"login": "a-enseignant", "password": "motdepasse-cpro", "next": "/lp-a/espace-personnel/"},
    )
    assert response["Location"] == "/lp-a/espace-personnel/"


def test_login_rate_limited(client, personas, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _ in range(3):
        r = client.post(url(personas, "etab:connexion"), {"login": "a-enseignant", "password": "x"})
        assert r.status_code == 200
    # Even the right password is now refused, with allauth's message.
    r = client.post(
        url(personas, "etab:connexion"), {"login": "a-enseignant", "password": "motdepasse-cpro"}
    )
    assert r.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "tentatives" in r.content.decode()


def test_a_whole_school_behind_one_address_can_log_in(client, personas, settings):
    """Production limits: 40 successful logins in a minute from one address (a school's NAT)
    all pass; brute force is stopped per account (5 failures)."""
    from importlib import import_module

    from django.core.cache import cache

    production = import_module("cpro.settings").ACCOUNT_RATE_LIMITS
    settings.ACCOUNT_RATE_LIMITS = production
    cache.clear()
    for _ in range(40):
        client.post(
            url(personas, "etab:connexion"),
            {"login": "a-enseignant", "password": "motdepasse-cpro"},
        )
        assert "_auth_user_id" in client.session
        client.logout()
    for _ in range(5):
        client.post(url(personas, "etab:connexion"), {"login": "a-chef", "password": "x"})
    r = client.post(
        url(personas, "etab:connexion"), {"login": "a-chef", "password": "motdepasse-cpro"}
    )
    assert "_auth_user_id" not in client.session and "tentatives" in r.content.decode()
    cache.clear()


def test_teacher_with_several_diplomes_must_choose(client, personas):
    client.force_login(personas.a.enseignant2.user)
    response = client.get(url(personas, "etab:accueil"))
    assert response.status_code == 302
    assert response["Location"].startswith("/lp-a/diplome/?next=")
    page = client.get(response["Location"])
    assert "Bac Pro MCV A" in page.content.decode() and "Bac Pro MCV B" in page.content.decode()
    chosen = client.post(
        "/lp-a/diplome/", {"diplome": personas.a.diplome2.pk, "next": "/lp-a/accueil/"}
    )
    assert chosen["Location"] == "/lp-a/accueil/"
    assert client.session[SESSION_DIPLOME.format(personas.a.etablissement.pk)] == (
        personas.a.diplome2.pk
    )
    home = client.get("/lp-a/accueil/")
    assert home.status_code == 200
    assert home.wsgi_request.diplome == personas.a.diplome2


def test_cannot_choose_a_diplome_one_does_not_manage(client, personas):
    other = DiplomeFactory(code="MA", intitule_court="Bac Pro MA")
    client.force_login(personas.a.enseignant2.user)
    response = client.post("/lp-a/diplome/", {"diplome": other.pk})
    assert response.status_code == 200
    assert SESSION_DIPLOME.format(personas.a.etablissement.pk) not in client.session


def test_choice_is_rechecked_when_the_diplome_is_withdrawn(client, personas):
    m = personas.a.enseignant2
    client.force_login(m.user)
    client.post("/lp-a/diplome/", {"diplome": personas.a.diplome2.pk})
    m.diplomes.remove(personas.a.diplome2)
    # Back to a single diplôme: it is chosen automatically, not the withdrawn one.
    response = client.get("/lp-a/accueil/")
    assert response.status_code == 200
    assert response.wsgi_request.diplome == personas.a.diplome


def test_diplome_choice_is_per_establishment(client, personas):
    from tests.factories import MembershipFactory

    user = personas.a.enseignant2.user
    MembershipFactory(
        user=user,
        etablissement=personas.b.etablissement,
        diplomes=[personas.b.diplome, personas.b.diplome2],
    )
    client.force_login(user)
    client.post("/lp-a/diplome/", {"diplome": personas.a.diplome2.pk})
    assert client.get("/lp-b/accueil/").status_code == 302  # still to choose in B


def test_logout_returns_to_establishment_login(client, personas):
    client.force_login(personas.a.enseignant.user)
    response = client.post("/lp-a/deconnexion/")
    assert response["Location"] == "/lp-a/"
    assert client.get("/lp-a/accueil/").status_code == 302


def test_home_per_role(client, personas):
    expectations = {
        "tuteur": "Vous êtes tuteur de stage ou maître d'apprentissage",
        "apprenant": "Division",
        "ddfpt": "Administration",
        "enseignant": "Vous travaillez sur",
    }
    for persona, text in expectations.items():
        m = personas.a.membership(persona)
        client.force_login(m.user)
        if persona in ("ddfpt", "enseignant"):
            session = client.session
            session[SESSION_DIPLOME.format(m.etablissement_id)] = personas.a.diplome.pk
            session.save()
        body = client.get("/lp-a/accueil/").content.decode()
        assert text in body, persona


def test_navigation_hides_what_the_role_cannot_use(client, personas):
    client.force_login(personas.a.enseignant.user)
    body = client.get("/lp-a/accueil/").content.decode()
    assert "Administration" not in body
    assert "Journal des actions" not in body


def test_strict_csp_header(client, personas):
    response = client.get("/lp-a/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_home_query_count_is_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas.a.ddfpt.user)
    client.get("/lp-a/diplome/")
    with django_assert_max_num_queries(8):
        assert client.get("/lp-a/accueil/").status_code in (200, 302)


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("cpro/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_gabarit_url_matches_reverse(personas):
    from cpro.urls_tools import etab_reverse, gabarit_url

    etab = personas.a.etablissement
    url = gabarit_url(etab, "evaluations:grille", ["pk"])
    for pk in (1, 42, 987654321):
        assert url.format(pk=pk) == etab_reverse(etab, "evaluations:grille", pk=pk)


def test_eurl_with_ids_is_the_reversed_url(personas, rf):
    from django.template import Context, Template

    from cpro.urls_tools import etab_reverse

    request = rf.get("/")
    request.etablissement = personas.a.etablissement
    html = Template(
        "{% for pk in pks %}{% eurl 'evaluations:grille' pk=pk %} "
        "{% eurl 'evaluations:creer' scenario=pk %}|{% endfor %}"
    ).render(Context({"request": request, "pks": [3, 987654321900, 12]}))
    attendu = "".join(
        f"{etab_reverse(request, 'evaluations:grille', pk=pk)} "
        f"{etab_reverse(request, 'evaluations:creer', scenario=pk)}|"
        for pk in [3, 987654321900, 12]
    )
    assert html == attendu
