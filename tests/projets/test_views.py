"""Pages of the Suivi de projet: success and database state, refusals, query counts pinned,
the PDF end to end (job → task → file → text)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cpro.models import ExportJob
from projets.models import CommentaireProjet, EntreeCarnet, EvaluationAnnuelle, Projet
from tests.projets import factories as pj

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The request's own queries included (session, user, establishment, membership, diplômes,
# the current school year).
REQUETES_SUIVI = 13
REQUETES_DOSSIER = 15


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def _dossier_kw(projet, apprenant):
    return {"pk": projet.pk, "apprenant": apprenant.pk}


@pytest.mark.parametrize("nb_projets", [1, 6])
def test_suivi_requetes_constantes(as_persona, personas, django_assert_num_queries, nb_projets):
    a = personas.a
    eleves = pj.eleves(a, 3)
    for i in range(nb_projets):
        p = pj.projet(a, apprenants=eleves[: 1 + i % 3])
        pj.entree(p, eleves[0])
        pj.evaluation(p, eleves[0], validee=bool(i % 2))
    client = as_persona("chef")
    with django_assert_num_queries(REQUETES_SUIVI):
        response = client.get(url(personas, "projets:suivi"), {"division": a.division.pk})
    assert response.status_code == 200
    assert len(response.context["lignes"]) == nb_projets
    texte = response.content.decode()
    assert "Étape en cours : <strong>Réalisation</strong>" in texte
    assert "Évaluation validée" in texte if nb_projets > 1 else "Évaluation en cours" in texte
    assert "Nouveau projet" not in texte  # the chef reads only


def test_suivi_vide(as_persona, personas):
    response = as_persona("enseignant").get(url(personas, "projets:suivi"))
    assert response.status_code == 200
    assert "Aucun projet n'est encore suivi pour la division" in response.content.decode()
    assert "Nouveau projet" in response.content.decode()


@pytest.mark.parametrize("nb", [1, 8])
def test_dossier_requetes_constantes(as_persona, personas, django_assert_num_queries, nb):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    for i in range(nb):
        pj.entree(projet, eleve, texte=f"Séance {i}")
        pj.commentaire(projet, eleve, a.enseignant.user, texte=f"Remarque {i}")
    pj.evaluation(projet, eleve)
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_DOSSIER):
        response = client.get(url(personas, "projets:dossier", **_dossier_kw(projet, eleve)))
    assert response.status_code == 200
    assert len(response.context["d"].entrees) == nb


def test_creer_projet_par_le_formulaire(as_persona, personas):
    a = personas.a
    client = as_persona("enseignant")
    page = client.get(url(personas, "projets:projet_creer"))
    assert page.status_code == 200
    assert page.context["etapes"].total_form_count() == 4  # démarrage … présentation
    data = {
        "titre": "Vitrine de Noël",
        "description": "Projet collectif",
        "divisions": [a.division.pk],
        "apprenants": [a.apprenant.apprenant.pk, a.apprenti.apprenant.pk],
        "enseignants": [a.enseignant.user.pk],
        "etapes-TOTAL_FORMS": "2",
        "etapes-INITIAL_FORMS": "0",
        "etapes-MIN_NUM_FORMS": "0",
        "etapes-MAX_NUM_FORMS": "10",
        "etapes-0-titre": "Démarrage",
        "etapes-0-date_debut": "2025-09-15",
        "etapes-0-date_fin": "2025-10-15",
        "etapes-0-livrables": "Cahier des charges",
        "etapes-1-titre": "Présentation",
        "etapes-1-date_debut": "2026-05-01",
        "etapes-1-date_fin": "2026-05-30",
    }
    response = client.post(url(personas, "projets:projet_creer"), data)
    projet = Projet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "projets:projet", pk=projet.pk)
    assert projet.etapes.count() == 2
    assert projet.apprenants.count() == 2
    # an error of the service shows on the form (end before start)
    data["etapes-1-date_fin"] = "2026-04-01"
    response = client.post(url(personas, "projets:projet_creer"), data)
    assert response.status_code == 200
    assert "la date de fin précède la date de début" in response.content.decode()
    assert Projet.objects.count() == 1


def test_parcours_carnet_commentaire_evaluation(client, as_persona, personas, media_temporaire):
    a = personas.a
    projet = pj.de_persona(personas)
    eleve = a.apprenant.apprenant
    kw = _dossier_kw(projet, eleve)
    # the learner writes his carnet (with a file)
    eleve_client = as_persona("apprenant")
    response = eleve_client.post(
        url(personas, "projets:entree_ajouter", **kw),
        {
            "date": timezone.localdate().isoformat(),
            "texte": "Maquette terminée.",
            "fichier": SimpleUploadedFile("maquette.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    entree = EntreeCarnet.objects.get()
    assert entree.auteur == a.apprenant.user and entree.nom_fichier == "maquette.pdf"
    fichier = eleve_client.get(url(personas, "projets:entree_fichier", pk=entree.pk))
    assert fichier.status_code == 200
    assert fichier["Content-Disposition"].startswith("attachment")
    assert fichier["X-Content-Type-Options"] == "nosniff"
    # a refused entry: shown on the page, nothing written
    response = eleve_client.post(url(personas, "projets:entree_ajouter", **kw), {"texte": ""})
    assert response.status_code == 400 and EntreeCarnet.objects.count() == 1
    # the teacher comments and assesses
    prof = as_persona("enseignant")
    response = prof.post(url(personas, "projets:commenter", **kw), {"texte": "Belle maquette."})
    assert response.status_code == 302 and CommentaireProjet.objects.count() == 1
    response = prof.post(
        url(personas, "projets:evaluer", **kw),
        {"appreciation": "Investi.", "note": "25", "valider": "on"},
    )
    assert response.status_code == 400
    assert "La note doit être comprise entre 0 et 20." in response.content.decode()
    response = prof.post(
        url(personas, "projets:evaluer", **kw),
        {"appreciation": "Investi.", "note": "15,5", "valider": "on"},
    )
    assert response.status_code == 302
    ev = EvaluationAnnuelle.objects.get()
    assert ev.validee and str(ev.note) == "15.50"
    # the tutor reads, without forms
    tuteur = as_persona("tuteur")
    page = tuteur.get(url(personas, "projets:dossier", **kw))
    texte = page.content.decode()
    assert page.status_code == 200 and "lecture seule" in texte
    assert "Maquette terminée." in texte and "Belle maquette." in texte
    assert "Ajouter au carnet de bord" not in texte and "Commenter" not in texte
    liste = tuteur.get(url(personas, "projets:tuteur")).content.decode()
    assert "boutique éphémère" in liste
    # the learner's list (the test client is shared: log the learner in again)
    eleve_client = as_persona("apprenant")
    assert (
        "boutique éphémère"
        in eleve_client.get(url(personas, "projets:mon_projet")).content.decode()
    )


def test_get_sur_post_405(as_persona, personas):
    projet = pj.de_persona(personas)
    kw = _dossier_kw(projet, personas.a.apprenant.apprenant)
    client = as_persona("enseignant")
    for name in ("projets:commenter", "projets:evaluer", "projets:dossier_pdf"):
        assert client.get(url(personas, name, **kw)).status_code == 405


def test_dossier_pdf_de_bout_en_bout(as_persona, personas, django_capture_on_commit_callbacks):
    a = personas.a
    projet = pj.de_persona(personas)
    eleve = a.apprenant.apprenant
    pj.entree(projet, eleve, texte="Recherche de fournisseurs locaux.")
    pj.commentaire(projet, eleve, a.enseignant.user, texte="Pensez au budget.")
    pj.evaluation(projet, eleve, note="14.5", appreciation="Très impliqué dans l'équipe.")
    client = as_persona("chef")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "projets:dossier_pdf", **_dossier_kw(projet, eleve)))
    job = ExportJob.objects.get()
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    telecharge = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    pdf = PdfReader(io.BytesIO(b"".join(telecharge.streaming_content)))
    texte = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert projet.titre in texte
    assert eleve.membership.user.last_name.upper() in texte
    assert "Recherche de fournisseurs locaux." in texte and "Pensez au budget." in texte
    assert "Très impliqué dans l'équipe." in texte and "14,5" in texte
    debut = projet.etapes.first().date_debut
    assert f"{debut:%d/%m/%Y}" in texte


def test_pdf_refuse_un_dossier_d_un_autre_etablissement(personas):
    from cpro.pipeline_exports import ExportError
    from projets.exporters import DossierProjetPdf

    projet = pj.projet(personas.b)
    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.chef.user,
        kind="projet_dossier_pdf",
        params={"projet": projet.pk, "apprenant": personas.b.apprenant.apprenant.pk},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ExportError):
        DossierProjetPdf(job).render(lambda p: None)
