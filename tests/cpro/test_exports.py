"""The generic export pipeline: job row → task on commit → file → progress → download."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cpro import perms, services
from cpro.audit import journaliser
from cpro.models import ExportJob
from cpro.pipeline_exports import Exporter, ExportError, exporter, get_exporter
from tests.personas import login


@exporter
class _EchoExporter(Exporter):
    kind = "test_echo"
    permission = perms.VOIR_REFERENTIEL

    def render(self, progress):
        if self.job.params.get("fail") == "user":
            raise ExportError("Le diplôme demandé n'existe pas.")
        if self.job.params.get("fail") == "crash":
            raise RuntimeError("boom")
        progress(50)
        return "echo.txt", "text/plain", self.job.params.get("text", "").encode()


def _launch(personas, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.lancer_export(
            etablissement=personas.a.etablissement,
            par=personas.a.enseignant.user,
            kind="test_echo",
            params=params,
        )
    assert len(callbacks) == 1
    job.refresh_from_db()
    return job


def test_job_runs_after_commit_and_stores_the_file(personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, text="Bonjour")
    assert job.status == ExportJob.Status.TERMINE
    assert job.progress == 100
    assert job.filename == "echo.txt"
    assert job.file.read() == b"Bonjour"
    assert job.expire_le > timezone.now()


def test_nothing_is_queued_if_the_transaction_rolls_back(
    personas, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.lancer_export(
                etablissement=personas.a.etablissement,
                par=personas.a.enseignant.user,
                kind="test_echo",
            )
            raise RuntimeError
    assert callbacks == []
    assert not ExportJob.objects.exists()


def test_unknown_kind_writes_nothing(personas):
    with pytest.raises(ValueError, match="inconnu"):
        services.lancer_export(
            etablissement=personas.a.etablissement, par=personas.a.enseignant.user, kind="nope"
        )
    assert not ExportJob.objects.exists()


def test_user_error_is_shown_in_french(personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, fail="user")
    assert job.status == ExportJob.Status.ECHEC
    assert job.error == "Le diplôme demandé n'existe pas."


def test_crash_gives_a_generic_french_message(personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, fail="crash")
    assert job.status == ExportJob.Status.ECHEC
    assert "La génération du fichier a échoué" in job.error
    assert "boom" not in job.error


def test_a_finished_job_is_not_run_twice(personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, text="1")
    finished = job.termine_le
    services.executer_export(job.pk)
    job.refresh_from_db()
    assert job.termine_le == finished


def test_progress_partial_and_download(client, personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, text="contenu")
    client.force_login(personas.a.enseignant.user)
    etat = reverse("etab:export_etat", kwargs={"etab": "lp-a", "job_id": job.pk})
    partial = client.get(etat, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and "Télécharger echo.txt" in body
    download = client.get(
        reverse("etab:export_telecharger", kwargs={"etab": "lp-a", "job_id": job.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"contenu"
    assert 'attachment; filename="echo.txt"' in download["Content-Disposition"]


def test_pending_job_polls_and_has_no_download(client, personas):
    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind="test_echo",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
        progress=40,
    )
    client.force_login(personas.a.enseignant.user)
    page = client.get(reverse("etab:export_etat", kwargs={"etab": "lp-a", "job_id": job.pk}))
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body and "40 %" in body
    assert '<noscript><meta http-equiv="refresh"' in body
    url = reverse("etab:export_telecharger", kwargs={"etab": "lp-a", "job_id": job.pk})
    assert client.get(url).status_code == 404


def test_download_rechecks_tenant_requester_and_role(
    client, personas, django_capture_on_commit_callbacks
):
    job = _launch(personas, django_capture_on_commit_callbacks, text="x")
    url = reverse("etab:export_telecharger", kwargs={"etab": "lp-a", "job_id": job.pk})
    client.force_login(personas.a.enseignant2.user)  # same establishment, not the requester
    assert client.get(url).status_code == 403
    client.force_login(personas.b.ddfpt.user)  # other establishment
    assert client.get(url).status_code == 404
    other_etab_url = reverse("etab:export_telecharger", kwargs={"etab": "lp-b", "job_id": job.pk})
    assert client.get(other_etab_url).status_code == 404
    # The requester lost the role that allowed the export: refused.
    m = personas.a.enseignant
    m.role = "TUTEUR"
    m.save()
    client.force_login(m.user)
    assert client.get(url).status_code == 403


def test_purge_removes_expired_files(personas, django_capture_on_commit_callbacks):
    job = _launch(personas, django_capture_on_commit_callbacks, text="x")
    path = job.file.path
    assert services.purger_exports_expires(now=timezone.now()) == 0
    assert services.purger_exports_expires(now=job.expire_le + datetime.timedelta(seconds=1)) == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    import os

    assert not os.path.exists(path)


def test_journal_csv_export(client, personas, django_capture_on_commit_callbacks):
    journaliser(
        "compte.desactivation",
        par=personas.a.ddfpt.user,
        etablissement=personas.a.etablissement,
        objet=personas.a.enseignant,
        avant={"active": True},
        apres={"active": False},
    )
    journaliser("autre", par=personas.b.ddfpt.user, etablissement=personas.b.etablissement)
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("etab:journal_exporter", kwargs={"etab": "lp-a"}))
    job = ExportJob.objects.get()
    assert response["Location"] == f"/lp-a/exports/{job.pk}/"
    job.refresh_from_db()
    text = job.file.read().decode("utf-8-sig")
    assert text.splitlines()[0] == "Date;Auteur;Action;Objet;Avant;Après"
    assert "compte.desactivation" in text
    assert "autre" not in text  # other establishment's entries never leak


def test_registry():
    assert get_exporter("journal_csv").permission == perms.VOIR_JOURNAL
    with pytest.raises(ValueError):
        exporter(type("Bad", (Exporter,), {"kind": "", "permission": ""}))
