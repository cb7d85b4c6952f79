"""Pages to change, archive and delete a projet, and the record's PDF for the learner and the
tutor: success and database state, refusals on the page, query counts pinned, the PDF end to
end (job → task → file → text) and the exporters' re-checks."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cpro.models import ExportJob
from cpro.pipeline_exports import ExportError
from projets.exporters import DossierProjetPdfApprenant, DossierProjetPdfTuteur
from projets.models import Etape, Projet
from tests.projets import factories as pj

pytestmark = pytest.mark.django_db

# The request's own queries included (session, user, establishment, membership, diplômes,
# the current school year…), the same for 1 or many stages, learners and teachers.
REQUETES_PROJET = 10
REQUETES_MODIFIER = 14
REQUETES_MON_PROJET = 11


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def _donnees_formulaire(projet, apprenants, etapes):
    """The edit form as the browser sends it: `etapes` = (id or None, titre, début, fin,
    supprimer)."""
    data = {
        "titre": projet.titre,
        "description": projet.description,
        "divisions": [d.pk for d in projet.divisions.all()],
        "apprenants": [a.pk for a in apprenants],
        "enseignants": [u.pk for u in projet.enseignants.all()],
        "etapes-TOTAL_FORMS": str(len(etapes)),
        "etapes-INITIAL_FORMS": str(len(etapes)),
        "etapes-MIN_NUM_FORMS": "0",
        "etapes-MAX_NUM_FORMS": "10",
    }
    for i, (ident, titre, debut, fin, supprimer) in enumerate(etapes):
        data[f"etapes-{i}-id"] = str(ident or "")
        data[f"etapes-{i}-titre"] = titre
        data[f"etapes-{i}-date_debut"] = f"{debut:%Y-%m-%d}" if debut else ""
        data[f"etapes-{i}-date_fin"] = f"{fin:%Y-%m-%d}" if fin else ""
        data[f"etapes-{i}-livrables"] = ""
        if supprimer:
            data[f"etapes-{i}-supprimer"] = "on"
    return data


@pytest.mark.parametrize("nb", [1, 6])
def test_page_projet_requetes_constantes(as_persona, personas, django_assert_num_queries, nb):
    a = personas.a
    projet = pj.projet(a, apprenants=pj.eleves(a, nb), etapes=min(nb, 6))
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_PROJET):
        response = client.get(url(personas, "projets:projet", pk=projet.pk))
    assert response.status_code == 200
    texte = response.content.decode()
    assert "Modifier le projet" in texte and "Archiver le projet" in texte
    # A teacher outside the projet's team reads it without the actions.
    texte = as_persona("enseignant2").get(url(personas, "projets:projet", pk=projet.pk))
    assert "Modifier le projet" not in texte.content.decode()


@pytest.mark.parametrize("nb", [1, 6])
def test_page_modifier_requetes_constantes(as_persona, personas, django_assert_num_queries, nb):
    a = personas.a
    projet = pj.projet(a, apprenants=pj.eleves(a, nb), etapes=min(nb, 6))
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_MODIFIER):
        response = client.get(url(personas, "projets:projet_modifier", pk=projet.pk))
    assert response.status_code == 200
    etapes = response.context["etapes"]
    # The projet's stages, then two blank rows to add some.
    assert etapes.total_form_count() == min(nb, 6) + 2
    texte = response.content.decode()
    assert "Supprimer cette étape" in texte and "Enregistrer les modifications" in texte
    assert response.context["form"]["titre"].value() == projet.titre


def test_modifier_par_le_formulaire(as_persona, personas):
    """Add a stage, remove one, remove a learner without data."""
    a = personas.a
    eleve, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    projet = pj.projet(a, apprenants=[eleve, apprenti], etapes=2)
    e1, e2 = projet.etapes.all()
    fin = e2.date_fin + datetime.timedelta(days=30)
    data = _donnees_formulaire(
        projet,
        [eleve],
        [
            (e1.pk, e1.titre, e1.date_debut, e1.date_fin, False),
            (e2.pk, e2.titre, e2.date_debut, e2.date_fin, True),
            (None, "Présentation orale", fin - datetime.timedelta(days=5), fin, False),
            (None, "", None, None, False),
        ],
    )
    response = as_persona("enseignant").post(
        url(personas, "projets:projet_modifier", pk=projet.pk), data
    )
    assert response.status_code == 302
    assert response["Location"] == url(personas, "projets:projet", pk=projet.pk)
    assert [e.titre for e in projet.etapes.all()] == [e1.titre, "Présentation orale"]
    assert not Etape.objects.filter(pk=e2.pk).exists()
    assert list(projet.apprenants.all()) == [eleve]


def test_modifier_refus_apprenant_avec_carnet(as_persona, personas):
    a = personas.a
    eleve, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    projet = pj.projet(a, apprenants=[eleve, apprenti], etapes=1)
    pj.entree(projet, apprenti)
    e1 = projet.etapes.get()
    data = _donnees_formulaire(
        projet, [eleve], [(e1.pk, "Démarrage", e1.date_debut, e1.date_fin, False)]
    )
    response = as_persona("enseignant").post(
        url(personas, "projets:projet_modifier", pk=projet.pk), data
    )
    assert response.status_code == 400
    texte = response.content.decode()
    assert "ne peut pas être retiré de l&#x27;équipe" in texte
    assert "1 entrée de carnet de bord" in texte
    assert set(projet.apprenants.all()) == {eleve, apprenti}


def test_modifier_un_projet_archive_redirige(as_persona, personas):
    a = personas.a
    projet = pj.projet(a)
    Projet.objects.filter(pk=projet.pk).update(archive=True, archive_le=timezone.now())
    response = as_persona("enseignant").get(
        url(personas, "projets:projet_modifier", pk=projet.pk), follow=True
    )
    assert "désarchivez-le pour le modifier" in response.content.decode()


def test_archiver_puis_supprimer(as_persona, personas):
    a = personas.a
    avec = pj.projet(a, titre="Avec carnet")
    pj.entree(avec, a.apprenant.apprenant)
    sans = pj.projet(a, titre="Créé par erreur")
    client = as_persona("enseignant")
    # A projet with data: the deletion is refused on the page, which says to archive it.
    response = client.post(url(personas, "projets:projet_supprimer", pk=avec.pk), follow=True)
    assert "ne peut pas être supprimé" in response.content.decode()
    assert Projet.objects.filter(pk=avec.pk).exists()
    client.post(url(personas, "projets:projet_archiver", pk=avec.pk), {"archive": "1"})
    assert Projet.objects.get(pk=avec.pk).archive
    # Archived: out of the « Suivi de projet » page, still readable.
    suivi = client.get(url(personas, "projets:suivi"), {"division": a.division.pk})
    assert "Avec carnet" not in suivi.content.decode()
    page = client.get(url(personas, "projets:projet", pk=avec.pk)).content.decode()
    assert "Ce projet a été archivé le" in page and "Désarchiver le projet" in page
    # Its records are read only: no form to comment or assess.
    dossier = client.get(
        url(personas, "projets:dossier", pk=avec.pk, apprenant=a.apprenant.apprenant.pk)
    ).content.decode()
    assert "le dossier est en lecture seule" in dossier
    assert "Commenter" not in dossier and "Enregistrer l&#x27;évaluation" not in dossier
    client.post(url(personas, "projets:projet_archiver", pk=avec.pk), {"archive": "0"})
    assert not Projet.objects.get(pk=avec.pk).archive
    response = client.post(url(personas, "projets:projet_supprimer", pk=sans.pk))
    assert response["Location"] == url(personas, "projets:suivi")
    assert not Projet.objects.filter(pk=sans.pk).exists()


def test_get_sur_post_405(as_persona, personas):
    projet = pj.de_persona(personas)
    client = as_persona("enseignant")
    for name in ("projets:projet_archiver", "projets:projet_supprimer"):
        assert client.get(url(personas, name, pk=projet.pk)).status_code == 405


@pytest.mark.parametrize("nb", [1, 4])
def test_mon_projet_requetes_constantes(as_persona, personas, django_assert_num_queries, nb):
    a = personas.a
    for _ in range(nb):
        pj.projet(a)
    client = as_persona("apprenant")
    with django_assert_num_queries(REQUETES_MON_PROJET):
        response = client.get(url(personas, "projets:mon_projet"))
    assert response.status_code == 200
    assert response.content.decode().count("Mon dossier en PDF") == nb


def _pdf(client, personas, projet, eleve, capture):
    kw = {"pk": projet.pk, "apprenant": eleve.pk}
    with capture(execute=True):
        response = client.post(url(personas, "projets:dossier_pdf", **kw))
    job = ExportJob.objects.latest("cree_le")
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    telecharge = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    pdf = PdfReader(io.BytesIO(b"".join(telecharge.streaming_content)))
    return job, " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def test_pdf_de_l_apprenant_et_du_tuteur(as_persona, personas, django_capture_on_commit_callbacks):
    a = personas.a
    projet = pj.de_persona(personas)  # A's tutor follows the learner (PFMP affectation)
    eleve = a.apprenant.apprenant
    pj.entree(projet, eleve, texte="Recherche de fournisseurs locaux.")
    pj.commentaire(projet, eleve, a.enseignant.user, texte="Pensez au budget.")
    pj.evaluation(projet, eleve, note="14.5", appreciation="Très impliqué dans l'équipe.")
    # The learner, from « Mon projet »: his own record, the same content as his page.
    job, texte = _pdf(
        as_persona("apprenant"), personas, projet, eleve, django_capture_on_commit_callbacks
    )
    assert job.kind == "projet_dossier_pdf_apprenant"
    assert "Exemplaire de l'apprenant" in texte and projet.titre in texte
    assert "Recherche de fournisseurs locaux." in texte and "14,5" in texte
    # The comments are on the record page the learner and the tutor read: in their PDF too.
    assert "Pensez au budget." in texte
    job, texte = _pdf(
        as_persona("tuteur"), personas, projet, eleve, django_capture_on_commit_callbacks
    )
    assert job.kind == "projet_dossier_pdf_tuteur"
    assert "Exemplaire du tuteur (lecture seule)" in texte
    assert "Très impliqué dans l'équipe." in texte


def _job(personas, kind, demandeur, projet, apprenant):
    return ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=demandeur,
        kind=kind,
        params={"projet": projet.pk, "apprenant": apprenant.pk},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )


def test_exporteur_apprenant_refuse_le_dossier_d_un_autre(personas):
    a = personas.a
    autre = pj.eleves(a, 1)[0]
    projet = pj.projet(a, apprenants=[a.apprenant.apprenant, autre])
    job = _job(
        personas, "projet_dossier_pdf_apprenant", a.apprenant.user, projet, autre
    )  # a job forged with another team member's id
    with pytest.raises(ExportError, match="votre propre dossier"):
        DossierProjetPdfApprenant(job).render(lambda p: None)


def test_exporteur_tuteur_revérifie_l_affectation(personas):
    from pfmp.models import Affectation

    a = personas.a
    projet = pj.de_persona(personas)
    eleve = a.apprenant.apprenant
    job = _job(personas, "projet_dossier_pdf_tuteur", a.tuteur.user, projet, eleve)
    # The affectation is archived after the request: the worker refuses.
    Affectation.objects.filter(apprenant=eleve, tuteur=a.tuteur).update(archivee=True)
    with pytest.raises(ExportError, match="ne suivez plus"):
        DossierProjetPdfTuteur(job).render(lambda p: None)
    # Another establishment's projet: not found.
    autre = pj.projet(personas.b)
    job = _job(
        personas, "projet_dossier_pdf_tuteur", a.tuteur.user, autre, personas.b.apprenant.apprenant
    )
    with pytest.raises(ExportError, match="n'existe pas"):
        DossierProjetPdfTuteur(job).render(lambda p: None)
