"""Background work that dies: a worker killed during an export leaves a failed job with a French
message, and its partial file is never served.

The first tests run in-process (a `BaseException` stands for the worker's death: nothing of
`executer_export` runs after it, as with SIGKILL). The tests marked `worker` start their own
Celery worker on a queue of their own, SIGKILL it in the middle of an export and check the two
ways the job is then failed: the broker's redelivery of the unacknowledged message, and the
stale-job sweeper run by the progress page.
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cpro import perms, services, tasks
from cpro.audit import journaliser
from cpro.celery import app
from cpro.models import ExportJob, export_upload_to
from cpro.pipeline_exports import Exporter, exporter
from tests.personas import login

PARTIEL = b"Date;Auteur;Action\n01/01/2026;Partiel"
COMPLET = b"Date;Auteur;Action\n01/01/2026;Complet\n"


class _WorkerTue(BaseException):
    """Stands for SIGKILL in-process: not an Exception, so executer_export cannot catch it."""


@exporter
class _ExportFragile(Exporter):
    """Writes a partial file, reports progress, then: sleeps (`duree`, for the real worker),
    dies (`mourir`), or lets the stale-job sweeper fail the job (`balayer`)."""

    kind = "test_pannes_fragile"
    permission = perms.VOIR_JOURNAL

    def render(self, progress):
        default_storage.save(export_upload_to(self.job, "partiel.csv"), ContentFile(PARTIEL))
        progress(10)
        params = self.job.params
        time.sleep(float(params.get("duree", 0)))
        if params.get("mourir"):
            raise _WorkerTue
        if params.get("balayer"):
            services.marquer_exports_bloques(now=timezone.now() + datetime.timedelta(days=1))
            if params["balayer"] == "pendant":
                progress(50)
        return "complet.csv", "text/csv", COMPLET


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def _fichiers_du_job(job):
    dossier = Path(django_settings.MEDIA_ROOT) / export_upload_to(job, "")
    return sorted(p.name for p in dossier.iterdir()) if dossier.exists() else []


def _lancer(personas, **params):
    return services.lancer_export(
        etablissement=personas.a.etablissement,
        par=personas.a.ddfpt.user,
        kind=_ExportFragile.kind,
        params=params,
    )


def _etat(client, personas, job):
    page = client.get(url(personas, "etab:export_etat", job_id=job.pk), headers={"HX-Request": "1"})
    assert page.status_code == 200
    return page.content.decode()


def _telecharger(client, personas, job):
    return client.get(url(personas, "etab:export_telecharger", job_id=job.pk))


# --- In-process ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_mort_puis_message_redelivre(client, personas, media_temporaire):
    job = _lancer(personas, mourir=True)
    with pytest.raises(_WorkerTue):
        services.executer_export(job.pk)  # the first attempt dies after writing a partial file
    job.refresh_from_db()
    assert (job.status, job.progress, job.tentatives) == (ExportJob.Status.EN_COURS, 10, 1)
    assert not job.file and _fichiers_du_job(job) == ["partiel.csv"]
    login(client, personas.a.ddfpt, personas.a.diplome)
    assert _telecharger(client, personas, job).status_code == 404
    assert "hx-get" in _etat(client, personas, job)  # still running as far as anyone knows

    services.executer_export(job.pk)  # acks_late: the broker redelivers the message

    job.refresh_from_db()
    assert job.status == ExportJob.Status.ECHEC
    assert job.error == services.MESSAGE_INTERROMPU
    assert job.tentatives == 1  # failed, not run again
    assert not job.file and _fichiers_du_job(job) == []  # the partial file is deleted
    assert _telecharger(client, personas, job).status_code == 404
    body = _etat(client, personas, job)
    assert "Le traitement a été interrompu" in body and "hx-get" not in body


@pytest.mark.django_db
def test_balayeur_des_exports_bloques(personas, media_temporaire, settings):
    settings.EXPORT_TIMEOUT_MINUTES = 30
    now = timezone.now()

    def job(status, minutes):
        return ExportJob.objects.create(
            etablissement=personas.a.etablissement,
            demandeur=personas.a.ddfpt.user,
            kind="journal_csv",
            status=status,
            expire_le=now + datetime.timedelta(hours=1),
            maj_le=now - datetime.timedelta(minutes=minutes),
        )

    en_cours_mort = job(ExportJob.Status.EN_COURS, 31)
    en_attente_mort = job(ExportJob.Status.EN_ATTENTE, 45)
    en_cours_vivant = job(ExportJob.Status.EN_COURS, 29)
    termine = job(ExportJob.Status.TERMINE, 120)
    default_storage.save(export_upload_to(en_cours_mort, "partiel.csv"), ContentFile(PARTIEL))

    assert services.marquer_exports_bloques(now=now) == 2

    for j in (en_cours_mort, en_attente_mort, en_cours_vivant, termine):
        j.refresh_from_db()
    assert en_cours_mort.status == en_attente_mort.status == ExportJob.Status.ECHEC
    assert en_cours_mort.error == services.MESSAGE_INTERROMPU
    assert en_cours_mort.termine_le is not None
    assert _fichiers_du_job(en_cours_mort) == []
    assert en_cours_vivant.status == ExportJob.Status.EN_COURS
    assert termine.status == ExportJob.Status.TERMINE
    assert services.marquer_exports_bloques(now=now) == 0  # idempotent


@pytest.mark.django_db
def test_la_page_de_progression_balaye_le_job(client, personas, media_temporaire, settings):
    """Without beat, the user polling the progress page sees the failure."""
    settings.EXPORT_TIMEOUT_MINUTES = 30
    vieux = timezone.now() - datetime.timedelta(minutes=31)
    bloque = _lancer(personas)
    recent = _lancer(personas)
    ExportJob.objects.filter(pk=bloque.pk).update(
        status=ExportJob.Status.EN_COURS, progress=10, maj_le=vieux
    )
    ExportJob.objects.filter(pk=recent.pk).update(status=ExportJob.Status.EN_COURS, progress=10)
    login(client, personas.a.ddfpt, personas.a.diplome)

    body = _etat(client, personas, bloque)
    assert "Le traitement a été interrompu (service d&#x27;arrière-plan arrêté)." in body
    assert "Relancez l&#x27;export." in body and "hx-get" not in body
    bloque.refresh_from_db()
    assert bloque.status == ExportJob.Status.ECHEC
    page = client.get(url(personas, "etab:export_etat", job_id=bloque.pk))
    assert "Le traitement a été interrompu" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()

    assert "hx-get" in _etat(client, personas, recent)
    recent.refresh_from_db()
    assert recent.status == ExportJob.Status.EN_COURS


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["pendant", "avant_fin"])
def test_un_job_balaye_n_expose_jamais_son_fichier(personas, media_temporaire, moment):
    """The sweeper fails the job while the (slow, not dead) attempt still runs: the attempt's
    result is dropped, its file deleted, the job stays failed."""
    job = _lancer(personas, balayer=moment)
    services.executer_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.ECHEC
    assert job.error == services.MESSAGE_INTERROMPU
    assert not job.file and not job.filename
    assert _fichiers_du_job(job) == []


@pytest.mark.django_db
def test_le_fichier_n_est_attache_qu_a_la_fin(personas, media_temporaire, client):
    job = _lancer(personas)
    services.executer_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE
    assert job.file.name.endswith("complet.csv")
    login(client, personas.a.ddfpt, personas.a.diplome)
    assert b"".join(_telecharger(client, personas, job).streaming_content) == COMPLET
    job.file.storage.delete(job.file.name)  # purged behind the job's back
    assert _telecharger(client, personas, job).status_code == 404


@pytest.mark.django_db
def test_la_purge_supprime_aussi_les_restes(personas, media_temporaire):
    job = _lancer(personas, mourir=True)
    with pytest.raises(_WorkerTue):
        services.executer_export(job.pk)
    assert _fichiers_du_job(job) == ["partiel.csv"]
    assert services.purger_exports_expires(now=timezone.now() + datetime.timedelta(days=2)) == 1
    assert _fichiers_du_job(job) == []
    assert not ExportJob.objects.exists()


def test_beat_et_options_de_la_file():
    beat = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cpro.tasks.marquer_exports_bloques" in beat
    assert "cpro.tasks.marquer_exports_bloques" in app.tasks
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert django_settings.EXPORT_TIMEOUT_MINUTES >= 5


@pytest.mark.django_db
def test_la_tache_du_beat_appelle_le_balayeur(personas):
    ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.ddfpt.user,
        kind="journal_csv",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
        maj_le=timezone.now() - datetime.timedelta(days=1),
    )
    assert tasks.marquer_exports_bloques.delay().get() == 1  # eager in tests
    assert ExportJob.objects.get().error == services.MESSAGE_INTERROMPU


# --- A real worker, killed -----------------------------------------------------------------


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class _Worker:
    """A Celery worker of our own (solo pool, its own queue) on the test database."""

    def __init__(self, queue, log, **env):
        self.log = log
        environ = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cpro.settings_test",
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
            **env,
        }
        # --include registers the test exporter above in the worker.
        cmd = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "cpro",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}-{uuid.uuid4().hex[:6]}@%h",
            "--include",
            "tests.cpro.test_export_pannes",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=info",
        ]
        self.out = open(log, "a")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            cmd, cwd=django_settings.BASE_DIR, env=environ, stdout=self.out, stderr=self.out
        )

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def _attendre(predicate, log, secondes=60):
    """Wait for the worker (start-up, task); the delay bounds the wait, it measures nothing."""
    deadline = time.monotonic() + secondes
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"délai dépassé ; journal du worker :\n{Path(log).read_text()[-3000:]}")


def _messages_de_la_file(queue) -> int:
    """Messages of our queue still in Redis: waiting in the queue or delivered, unacknowledged."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        unacked = [json.loads(p)[2] for p in client.hgetall("unacked").values()]
        return client.llen(queue) + unacked.count(queue)


def _nettoyer_la_file(queue):
    """Leave nothing of our queue in Redis (a message still unacknowledged after the test)."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        for tag, payload in client.hgetall("unacked").items():
            if json.loads(payload)[2] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def file_dediee(settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("le worker réel partage la base de test : PostgreSQL requis")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    queue = f"cpro-pannes-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    monkeypatch.setattr(
        tasks.executer_export,
        "delay",
        lambda job_id: tasks.executer_export.apply_async((job_id,), queue=queue),
    )
    workers = []
    yield queue, workers
    for worker in workers:
        worker.stop()
    app.conf.task_always_eager = True
    _nettoyer_la_file(queue)
    with connection.cursor() as cursor:  # no worker connection left when pytest drops the DB
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _tuer_en_plein_export(client, personas, queue, workers, tmp_path):
    journaliser("test.pannes", par=personas.a.ddfpt.user, etablissement=personas.a.etablissement)
    log = tmp_path / "worker.log"
    premier = _Worker(queue, log)
    workers.append(premier)
    job = _lancer(personas, duree=120)

    def en_plein_export():
        job.refresh_from_db()
        return job.status == ExportJob.Status.EN_COURS and job.progress == 10

    _attendre(en_plein_export, log)
    assert _fichiers_du_job(job) == ["partiel.csv"]
    premier.kill()
    login(client, personas.a.ddfpt, personas.a.diplome)
    assert _telecharger(client, personas, job).status_code == 404
    return job, log


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_tue_le_message_redelivre_echoue_le_job(client, personas, file_dediee, tmp_path):
    queue, workers = file_dediee
    job, log = _tuer_en_plein_export(client, personas, queue, workers, tmp_path)
    assert "hx-get" in _etat(client, personas, job)  # timeout not reached: still running

    # A worker restarts; the unacknowledged message is redelivered (visibility timeout 1 s).
    workers.append(_Worker(queue, log, CELERY_VISIBILITY_TIMEOUT="1"))

    def fini():
        job.refresh_from_db()
        return job.est_fini

    _attendre(fini, log)
    assert job.status == ExportJob.Status.ECHEC
    assert job.error == services.MESSAGE_INTERROMPU
    assert job.tentatives == 1  # failed, not run a second time
    assert _fichiers_du_job(job) == []
    response = _telecharger(client, personas, job)
    assert response.status_code == 404
    assert PARTIEL not in response.content
    body = _etat(client, personas, job)
    assert "Le traitement a été interrompu" in body and "hx-get" not in body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_tue_la_page_de_progression_montre_l_echec(
    client, personas, file_dediee, tmp_path, settings
):
    queue, workers = file_dediee
    job, log = _tuer_en_plein_export(client, personas, queue, workers, tmp_path)

    # No worker, no beat: only the user polling the progress page.
    settings.EXPORT_TIMEOUT_MINUTES = 0.02  # 1.2 s without a sign of life

    def echec_affiche():
        return "Le traitement a été interrompu" in _etat(client, personas, job)

    _attendre(echec_affiche, log, secondes=30)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.ECHEC, services.MESSAGE_INTERROMPU)
    assert "hx-get" not in _etat(client, personas, job)
    assert _telecharger(client, personas, job).status_code == 404
    assert _fichiers_du_job(job) == []

    # The message comes back later (worker restarted): the failed job is left alone.
    assert _messages_de_la_file(queue) == 1  # unacknowledged since the kill
    workers.append(_Worker(queue, log, CELERY_VISIBILITY_TIMEOUT="1"))
    _attendre(lambda: _messages_de_la_file(queue) == 0, log)  # redelivered, run, acknowledged
    job.refresh_from_db()
    assert (job.status, job.tentatives) == (ExportJob.Status.ECHEC, 1)
