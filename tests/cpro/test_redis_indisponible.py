"""Redis unreachable (cache and Celery broker): pages keep working, exports say they are
unavailable, nothing hangs and nothing is left pending.

Nothing listens on 127.0.0.1:1 (connection refused); the "silent" server accepts connections
and never answers (the case of a Redis behind a dead network path), which only the timeouts of
the settings bound.
"""

import socket

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from cpro import cache as cpro_cache
from cpro import services
from cpro.audit import journaliser
from cpro.celery import app
from cpro.models import ExportJob

pytestmark = pytest.mark.django_db

INJOIGNABLE = "redis://127.0.0.1:1/0"


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def _cache_settings(location):
    return {
        "default": {
            "BACKEND": "cpro.cache.DegradingRedisCache",
            "LOCATION": location,
            "OPTIONS": django_settings.CACHES["default"].get("OPTIONS", {}),
        }
    }


@pytest.fixture
def redis_en_panne(settings):
    """Cache and broker pointed at a Redis that refuses connections; Celery publishes for real
    (not eagerly) so that the publication itself fails."""
    cpro_cache._DOWN_UNTIL.clear()
    settings.CACHES = _cache_settings(INJOIGNABLE)
    broker, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = INJOIGNABLE, False
    app._pool = None  # connection pools are built lazily from broker_url
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = broker, eager
    app._pool = None
    app.amqp._producer_pool = None
    cpro_cache._DOWN_UNTIL.clear()


def test_production_settings_bound_every_wait():
    """What bounds the wall time when Redis hangs: short socket timeouts, no redis-py retry,
    one immediate publish retry. A Redis that never answers costs at most a few seconds."""
    from cpro.cache import DegradingRedisCache

    backend = DegradingRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {}})
    options = backend._options
    assert options["socket_connect_timeout"] <= 1 and options["socket_timeout"] <= 1
    assert options["retry_on_timeout"] is False
    transport = app.conf.broker_transport_options
    assert transport["socket_connect_timeout"] <= 3 and transport["socket_timeout"] <= 3
    assert app.conf.broker_connection_timeout <= 3
    policy = app.conf.task_publish_retry_policy
    assert policy["max_retries"] <= 1 and policy["interval_max"] <= 0.5


def test_cache_redis_injoignable_est_ignore(redis_en_panne):
    assert cache.get("cle", "défaut") == "défaut"
    cache.set("cle", "valeur")  # no exception
    assert cache.add("verrou", True) is True  # allauth's lock does not wait
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("cle") is False
    with pytest.raises(ValueError):
        cache.incr("compteur")


def test_cache_silencieux_coute_un_seul_delai(settings):
    """A Redis that accepts and never answers: one socket timeout, then the backend stops trying
    for RETRY_AFTER seconds (a single connection attempt for many calls)."""
    cpro_cache._DOWN_UNTIL.clear()
    with socket.socket() as silencieux:
        silencieux.bind(("127.0.0.1", 0))
        silencieux.listen(16)
        host, port = silencieux.getsockname()
        settings.CACHES = _cache_settings(f"redis://{host}:{port}/0")
        try:
            assert cache.get("a", "défaut") == "défaut"  # one timeout (socket_timeout)
            for _ in range(20):
                assert cache.get("a", "défaut") == "défaut"  # no new attempt
            silencieux.setblocking(False)
            accepted = []
            while True:
                try:
                    accepted.append(silencieux.accept()[0])
                except BlockingIOError:
                    break
            for conn in accepted:
                conn.close()
            assert len(accepted) == 1
        finally:
            cpro_cache._DOWN_UNTIL.clear()


def test_page_de_connexion_et_connexion(client, personas, redis_en_panne):
    page = client.get(url(personas, "etab:connexion"))
    assert page.status_code == 200
    response = client.post(
        url(personas, "etab:connexion"),
        {"login": "a-enseignant", "password": "motdepasse-cpro"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.a.enseignant.user.pk)
    accueil = client.get(url(personas, "etab:accueil"))
    assert accueil.status_code == 200


def test_mauvais_mot_de_passe_reste_un_message(client, personas, redis_en_panne):
    response = client.post(
        url(personas, "etab:connexion"), {"login": "a-enseignant", "password": "faux"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_export_du_journal_indisponible(
    as_persona, personas, redis_en_panne, django_capture_on_commit_callbacks
):
    journaliser("test.panne", par=personas.a.ddfpt.user, etablissement=personas.a.etablissement)
    client = as_persona("ddfpt")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url(personas, "etab:journal_exporter"))
    assert len(callbacks) == 1  # the publication did run (and failed)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.status == ExportJob.Status.ECHEC
    assert job.error == services.MESSAGE_INDISPONIBLE
    assert not ExportJob.objects.filter(status=ExportJob.Status.EN_ATTENTE).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "L&#x27;export est momentanément indisponible, réessayez plus tard." in body
    assert "hx-get" not in body  # no polling of a job that will never run
    download = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert download.status_code == 404


def test_impression_du_referentiel_indisponible(
    as_persona, personas, redis_en_panne, django_capture_on_commit_callbacks
):
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "referentiels:imprimer"))
    assert response.status_code == 302
    job = ExportJob.objects.get(kind="referentiel_pdf")
    assert (job.status, job.error) == (ExportJob.Status.ECHEC, services.MESSAGE_INDISPONIBLE)
    page = client.get(url(personas, "etab:export_etat", job_id=job.pk), headers={"HX-Request": "1"})
    assert page.status_code == 200
    assert "momentanément indisponible" in page.content.decode()
