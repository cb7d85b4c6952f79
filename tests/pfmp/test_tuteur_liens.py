"""Tutor links: signed, expiring, revocable; they open one portfolio (read) and its bilan
entreprise (write), nothing else."""

import datetime
import hashlib

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cpro.models import AuditLog
from pfmp import services_portfolio as services
from pfmp.models import LienTuteur
from pfmp.queries_portfolio import SESSION_LIENS
from tests.pfmp import portfolio_factories as pf


@pytest.fixture
def aff(personas):
    return pf.de_persona(personas)


@pytest.fixture
def prof(personas):
    return personas.a.enseignant.user


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def test_link_stores_only_the_hash_and_carries_the_id(personas, aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof, email="tuteur@boutique.fr", duree_jours=30)
    assert url.startswith(f"/{personas.a.etablissement.slug}/pfmp/acces-tuteur/")
    lien_id, secret = signing.loads(_token(url), salt="pfmp.lien-tuteur")
    lien = LienTuteur.objects.get()
    assert lien.pk == lien_id and lien.affectation == aff and lien.cree_par == prof
    assert lien.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in lien.secret_hash
    delta = lien.expire_le - timezone.now()
    assert datetime.timedelta(days=29) < delta <= datetime.timedelta(days=30)
    assert services.lien_depuis_token(_token(url)) == (lien, True)
    assert AuditLog.objects.filter(action="lien_tuteur.creer").count() == 1
    assert not mail.outbox


def test_link_is_emailed_after_commit(personas, aff, prof, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = services.creer_lien_tuteur(
            aff, par=prof, email="tuteur@boutique.fr", envoyer=True, base_url="https://cpro.fr/"
        )
    assert url.startswith("https://cpro.fr/lp-a/pfmp/acces-tuteur/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tuteur@boutique.fr"]
    assert url in mail.outbox[0].body


def test_link_creation_refusals(personas, aff, prof):
    for qui in ("chef", "tuteur", "apprenant"):
        with pytest.raises(PermissionDenied):
            services.creer_lien_tuteur(aff, par=personas.a.membership(qui).user)
    with pytest.raises(PermissionDenied):
        services.creer_lien_tuteur(aff, par=personas.b.enseignant.user)
    with pytest.raises(ValidationError):
        services.creer_lien_tuteur(aff, par=prof, duree_jours=0)
    with pytest.raises(ValidationError):
        services.creer_lien_tuteur(aff, par=prof, envoyer=True)
    assert not LienTuteur.objects.exists()


def test_forged_tokens_are_rejected(aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof)
    lien_id, _ = signing.loads(_token(url), salt="pfmp.lien-tuteur")
    autre_secret = signing.dumps([lien_id, "devine"], salt="pfmp.lien-tuteur")
    autre_sel = signing.dumps([lien_id, "devine"], salt="autre")
    for token in (_token(url)[:-2] + "xx", autre_secret, autre_sel, "n-importe-quoi"):
        assert services.lien_depuis_token(token) == (None, False)


def test_expired_and_revoked_links(aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof)
    lien = LienTuteur.objects.get()
    LienTuteur.objects.filter(pk=lien.pk).update(expire_le=timezone.now())
    assert services.lien_depuis_token(_token(url))[1] is False

    url = services.creer_lien_tuteur(aff, par=prof)
    lien = LienTuteur.objects.latest("pk")
    services.revoquer_lien(lien, par=prof)
    assert lien.revoque_le is not None
    assert services.lien_depuis_token(_token(url))[1] is False
    assert AuditLog.objects.filter(action="lien_tuteur.revoquer").count() == 1


# --- through the views ------------------------------------------------------------------------


def _ouvrir(client, personas, aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == _url(personas, "pfmp:tuteur_portfolio", pk=aff.pk)
    return url


def test_link_opens_the_portfolio_and_the_bilan(client, personas, aff, prof):
    bilan = services.ouvrir_bilan_entreprise(aff, par=prof)
    critere = bilan.evaluation.criteres.order_by("code").first()
    _ouvrir(client, personas, aff, prof)
    assert LienTuteur.objects.get().utilise_le is not None
    page = client.get(_url(personas, "pfmp:tuteur_portfolio", pk=aff.pk))
    assert page.status_code == 200
    assert aff.entreprise.nom in page.content.decode()

    url_bilan = _url(personas, "pfmp:tuteur_bilan", pk=aff.pk)
    assert client.get(url_bilan).status_code == 200
    response = client.post(
        url_bilan,
        {
            f"c{critere.pk}": "3",
            f"o{critere.pk}": "",
            "appreciation": "Très impliqué",
            "tuteur_nom": "Mme Martin",
        },
    )
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert bilan.tuteur_nom == "Mme Martin"
    assert bilan.evaluation.resultats.get().niveau == "3"
    entree = AuditLog.objects.get(action="resultat.modifier")
    assert entree.acteur is None and entree.apres["lien_tuteur"] == LienTuteur.objects.get().pk

    # Validated: read only for the tutor.
    services.valider_bilan_entreprise(bilan, par=prof)
    page = client.get(url_bilan)
    assert "<select" not in page.content.decode()
    response = client.post(url_bilan, {f"c{critere.pk}": "1", f"o{critere.pk}": "3"})
    assert response.status_code == 302
    assert bilan.evaluation.resultats.get().niveau == "3"


def test_link_session_opens_nothing_else(client, personas, aff, prof):
    _ouvrir(client, personas, aff, prof)
    autre = pf.affectation(pf.periode(personas.a), personas.a.apprenti.apprenant)
    # Another learner's portfolio and bilan, even through the link views: 404.
    assert client.get(_url(personas, "pfmp:tuteur_portfolio", pk=autre.pk)).status_code == 404
    assert client.get(_url(personas, "pfmp:tuteur_bilan", pk=autre.pk)).status_code == 404
    # Every account page of the module: the establishment's login.
    for name, kwargs in (
        ("pfmp:portfolio", {"pk": aff.pk}),
        ("pfmp:bilan_entreprise", {"pk": aff.pk}),
        ("pfmp:portfolio_fiches", {"pk": aff.pk}),
        ("pfmp:fiche", {"pk": pf.fiche(aff).pk}),
        ("pfmp:tuteur_apprenants", {}),
        ("pfmp:mes_portfolios", {}),
        ("pfmp:periodes", {}),
    ):
        response = client.get(_url(personas, name, **kwargs))
        assert response.status_code == 302, name
        assert "?next=" in response["Location"]
    # The same link, on another establishment's URL: not recognised there.
    token_url = services.creer_lien_tuteur(aff, par=prof)
    other = reverse(
        "pfmp:acces_tuteur",
        kwargs={"etab": personas.b.etablissement.slug, "token": _token(token_url)},
    )
    assert client.get(other).status_code == 404


def test_revocation_and_expiry_apply_on_the_next_request(client, personas, aff, prof):
    _ouvrir(client, personas, aff, prof)
    lien = LienTuteur.objects.get()
    url = _url(personas, "pfmp:tuteur_portfolio", pk=aff.pk)
    assert client.get(url).status_code == 200
    services.revoquer_lien(lien, par=prof)
    response = client.get(url)
    assert response.status_code == 410
    assert "nouveau lien" in response.content.decode()
    assert str(aff.pk) not in client.session[SESSION_LIENS]

    _ouvrir(client, personas, aff, prof)
    LienTuteur.objects.filter(revoque_le__isnull=True).update(expire_le=timezone.now())
    assert client.get(_url(personas, "pfmp:tuteur_bilan", pk=aff.pk)).status_code == 410


def test_expired_revoked_and_forged_link_pages(client, personas, aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof)
    LienTuteur.objects.update(expire_le=timezone.now() - datetime.timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "Demandez un nouveau lien au professeur référent" in response.content.decode()
    assert SESSION_LIENS not in client.session

    url = services.creer_lien_tuteur(aff, par=prof)
    services.revoquer_lien(LienTuteur.objects.latest("pk"), par=prof)
    assert client.get(url).status_code == 410

    forged = _url(personas, "pfmp:acces_tuteur", token="abc:def:ghi")
    response = client.get(forged)
    assert response.status_code == 404
    assert "Demandez un nouveau lien" in response.content.decode()


def test_archived_learner_link_is_no_longer_valid(client, personas, aff, prof):
    url = services.creer_lien_tuteur(aff, par=prof)
    aff.archivee = True
    aff.save()
    assert client.get(url).status_code == 410


def test_teacher_manages_links_on_the_portfolio_page(client, personas, aff, prof, as_persona):
    as_persona("enseignant")
    response = client.post(
        _url(personas, "pfmp:lien_creer", pk=aff.pk),
        {"email": "tuteur@boutique.fr", "duree_jours": "15"},
        follow=True,
    )
    page = response.content.decode()
    assert "Lien tuteur créé" in page and "/pfmp/acces-tuteur/" in page
    lien = LienTuteur.objects.get()
    assert "tuteur@boutique.fr" in page and "Révoquer" in page
    client.post(_url(personas, "pfmp:lien_revoquer", pk=lien.pk))
    lien.refresh_from_db()
    assert lien.revoque_le is not None
    # The chef reads the portfolio but does not manage links.
    as_persona("chef")
    assert (
        "Créer le lien"
        not in client.get(_url(personas, "pfmp:portfolio", pk=aff.pk)).content.decode()
    )
    assert (
        client.post(_url(personas, "pfmp:lien_creer", pk=aff.pk), {"duree_jours": "15"}).status_code
        == 403
    )
