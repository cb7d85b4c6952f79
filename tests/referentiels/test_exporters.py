import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cpro.models import ExportJob
from cpro.pipeline_exports import ExportError
from referentiels.exporters import ReferentielPdf
from referentiels.services import charger_referentiel
from tests.referentiels.documents import document_minimal

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def test_imprimer_de_bout_en_bout(
    as_persona, personas, referentiels_charges, django_capture_on_commit_callbacks
):
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "referentiels:imprimer"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.etablissement == personas.a.etablissement
    assert job.demandeur == personas.a.enseignant.user
    assert job.params == {"diplome": personas.a.diplome.pk}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename == "referentiel-MCV-A.pdf"

    etat = client.get(url(personas, "etab:export_etat", job_id=job.pk))
    assert "Télécharger referentiel-MCV-A.pdf" in etat.content.decode()
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    texte = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "Baccalauréat professionnel Métiers du commerce et de la vente" in texte
    assert "Veille informationnelle sur les produits" in texte  # A1-T1
    assert "Lycée professionnel a" in texte
    assert "Réaliser la vente dans un cadre omnicanal" in texte
    assert "Matrice tâches" in texte and "Unités et épreuves" in texte


def _job(personas, params):
    from django.utils import timezone

    return ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind="referentiel_pdf",
        params=params,
        expire_le=timezone.now() + timezone.timedelta(hours=1),
    )


def test_diplome_d_un_autre_etablissement_refuse(personas):
    autre = charger_referentiel(document_minimal(code="AUTRE")).diplome
    personas.b.etablissement.diplomes.add(autre)
    for params in ({"diplome": autre.pk}, {}, {"diplome": "x"}):
        with pytest.raises(ExportError, match="pas préparé dans votre établissement"):
            ReferentielPdf(_job(personas, params)).render(lambda p: None)


def test_echec_visible_sur_la_page_du_job(as_persona, personas):
    from cpro.services import executer_export

    autre = charger_referentiel(document_minimal(code="AUTRE")).diplome
    job = _job(personas, {"diplome": autre.pk})
    executer_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.ECHEC
    assert "pas préparé dans votre établissement" in job.error
