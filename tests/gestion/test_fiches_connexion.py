"""Login cards of a division: new temporary passwords, generated in the worker, in a PDF."""

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from cpro.models import AuditLog, ExportJob
from tests.personas import login


def _imprimer(client, personas, capture, **data):
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse("gestion:fiches_connexion", kwargs={"etab": "lp-a", "pk": personas.a.division.pk})
    with capture(execute=True):
        response = client.post(url, data)
    job = ExportJob.objects.get(kind="fiches_connexion")
    assert response["Location"] == f"/lp-a/exports/{job.pk}/"
    job.refresh_from_db()
    return job


def _texte(job):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(job.file.read())).pages)


def test_cards_for_learners_who_never_logged_in(
    client, personas, django_capture_on_commit_callbacks
):
    eleve = personas.a.apprenant.user
    deja = personas.a.apprenti.user
    deja.last_login = deja.date_joined
    deja.save()
    ancien_hash = deja.password
    job = _imprimer(client, personas, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.TERMINE, job.error
    texte = _texte(job)
    assert eleve.username in texte
    assert "Lycée professionnel a" in texte and "/lp-a/" in texte
    assert deja.username not in texte
    deja.refresh_from_db()
    assert deja.password == ancien_hash
    # The password printed on the card is the learner's new password.
    eleve.refresh_from_db()
    (mot_de_passe,) = re.findall(r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}", texte)
    assert eleve.check_password(mot_de_passe)
    entree = AuditLog.objects.get(action="division.fiches_connexion")
    assert entree.apres == {"comptes": 1, "tous": False}
    assert mot_de_passe not in str(entree.apres)


def test_all_learners_on_request(client, personas, django_capture_on_commit_callbacks):
    for m in (personas.a.apprenant, personas.a.apprenti):
        m.user.last_login = m.user.date_joined
        m.user.save()
    job = _imprimer(client, personas, django_capture_on_commit_callbacks, tous="1")
    texte = _texte(job)
    assert personas.a.apprenant.user.username in texte
    assert personas.a.apprenti.user.username in texte


def test_nothing_to_print_is_explained(client, personas, django_capture_on_commit_callbacks):
    for m in (personas.a.apprenant, personas.a.apprenti):
        m.user.last_login = m.user.date_joined
        m.user.save()
    job = _imprimer(client, personas, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.ECHEC
    assert "déjà connectés" in job.error


def test_other_establishment_division_is_404(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse("gestion:fiches_connexion", kwargs={"etab": "lp-a", "pk": personas.b.division.pk})
    assert client.post(url).status_code == 404
    assert not ExportJob.objects.exists()
