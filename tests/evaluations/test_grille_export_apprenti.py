"""EXPORTER POUR L'APPRENTI: job → task → PDF, read back with pypdf."""

import datetime
import io

from django.urls import reverse
from pypdf import PdfReader

from cpro.models import ExportJob
from evaluations import agregats
from evaluations.models import Nature, Resultat
from tests.evaluations import grille_factories as gf
from tests.personas import login


def _texte(job) -> str:
    job.file.open("rb")
    try:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(job.file.read())).pages)
    finally:
        job.file.close()


def test_apprentice_export_end_to_end(client, personas, django_capture_on_commit_callbacks):
    apprenti = personas.a.apprenti.apprenant
    criteres = gf.referentiel(personas.a.diplome, competences=1, criteres=2)
    premiere = gf.evaluation(
        personas.a,
        titre="Vente conseil en magasin",
        criteres=criteres,
        date=datetime.date(2026, 9, 20),
    )
    seconde = gf.evaluation(
        personas.a,
        titre="Traitement d'une réclamation",
        criteres=criteres[:1],
        date=datetime.date(2026, 11, 3),
        nature=Nature.COMPLEXE,
    )
    cachee = gf.evaluation(
        personas.a, titre="Évaluation masquée", criteres=criteres, afficher_tableau_de_bord=False
    )
    for ev, niveau in ((seconde, "4"), (premiere, "2"), (cachee, "1")):
        Resultat.objects.create(
            evaluation=ev, apprenant=apprenti, critere=criteres[0], niveau=niveau
        )
    agregats.recalculer([apprenti])  # written directly: keep the stored aggregates exact
    login(client, personas.a.apprenti)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluations:exporter_apprenti", kwargs={"etab": "lp-a"}))
    job = ExportJob.objects.get(kind="positionnement_apprenti")
    assert response["Location"] == f"/lp-a/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.demandeur == personas.a.apprenti.user and job.params == {"apprenant": apprenti.pk}
    texte = _texte(job)
    assert criteres[0].intitule in texte
    assert "Vente conseil en magasin" in texte and "réclamation" in texte
    assert "Évaluation masquée" not in texte
    # Chronological: September before November, with nature code and level symbol.
    assert texte.index("20/09/2026") < texte.index("03/11/2026")
    assert "++" in texte and "Int" in texte
    # The learner downloads it.
    download = client.get(
        reverse("etab:export_telecharger", kwargs={"etab": "lp-a", "job_id": job.pk})
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_export_refused_when_requester_is_not_the_learner(personas):
    from cpro.services import executer_export

    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.apprenant.user,  # someone else asks for the apprentice's file
        kind="positionnement_apprenti",
        params={"apprenant": personas.a.apprenti.apprenant.pk},
        expire_le=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    job = executer_export(job.pk)
    assert job.status == ExportJob.Status.ECHEC
    assert "réservé à l'apprenant concerné" in job.error
    assert not job.file
