"""The export pipeline through a real Celery worker on Redis (CI starts one: see .ci/run)."""

import time

import pytest
from django.db import connection
from django.urls import reverse

from cpro.audit import journaliser
from cpro.celery import app
from cpro.models import ExportJob
from tests.personas import login

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    if connection.vendor == "postgresql":
        # The worker must not keep the test database busy when pytest drops it.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def test_export_runs_in_the_worker(client, personas, real_broker):
    journaliser("test.worker", par=personas.a.ddfpt.user, etablissement=personas.a.etablissement)
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = client.post(reverse("etab:journal_exporter", kwargs={"etab": "lp-a"}))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    deadline = time.monotonic() + 60  # waiting for the worker, not measuring it
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.est_fini:
            break
        time.sleep(0.2)
    assert job.status == ExportJob.Status.TERMINE, job.error or job.status
    download = client.get(
        reverse("etab:export_telecharger", kwargs={"etab": "lp-a", "job_id": job.pk})
    )
    assert "test.worker" in b"".join(download.streaming_content).decode("utf-8-sig")
