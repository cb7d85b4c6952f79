"""The official PDF of a CCF grid and the ZIP of a division's locked grids, end to end
(POST → job → task → file opened with pypdf / zipfile), and the official file naming."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certification import queries_documents as queries
from certification.exporters import GrilleCcfPdf, GrillesCcfZip
from certification.services_documents import (
    nom_fichier_csv,
    nom_fichier_grille,
    nom_fichier_zip,
    partie_fichier,
)
from cpro.models import ExportJob
from cpro.pipeline_exports import ExportError
from tests.certification import documents_factories as df

pytestmark = pytest.mark.django_db


def url(personas, name, side="a", **kw):
    return reverse(name, kwargs={"etab": getattr(personas, side).etablissement.slug, **kw})


def texte(data: bytes) -> str:
    pdf = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def telecharger(client, personas, job) -> bytes:
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _job(personas, kind, params):
    return ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind=kind,
        params=params,
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )


# ---------------------------------------------------------------------------------------------
# Naming


@pytest.mark.parametrize(
    ("numero", "nom", "prenom", "attendu"),
    [
        ("0212345678", "Dupont", "Léa", "E31_0212345678_DUPONT_Lea.pdf"),
        ("", "Dupont", "Léa", "E31_sans-numero_DUPONT_Lea.pdf"),
        ("  ", "Dupont", "Léa", "E31_sans-numero_DUPONT_Lea.pdf"),
        ("02 123/456", "N'Diaye", "Aïssatou", "E31_02123456_N-DIAYE_Aissatou.pdf"),
        ("0212345678", "Le Goff", "Marie-Ève", "E31_0212345678_LE-GOFF_Marie-Eve.pdf"),
        ("0212345678", "D’Œuvray", "Zoé Chloé", "E31_0212345678_D-OEUVRAY_Zoe-Chloe.pdf"),
        (
            "0212345678",
            "Müller  --  Straße",
            "Jean_Noël",
            "E31_0212345678_MULLER-STRASSE_Jean-Noel.pdf",
        ),
        ("0212345678", "王", "", "E31_0212345678_NOM_Prenom.pdf"),
    ],
)
def test_nom_fichier_grille(numero, nom, prenom, attendu):
    assert nom_fichier_grille(epreuve="E31", numero=numero, nom=nom, prenom=prenom) == attendu


def test_nom_fichier_zip_et_csv():
    assert nom_fichier_zip(epreuve="E31", division="TMCVA", session=2027) == "E31_TMCVA_2027.zip"
    assert nom_fichier_zip(epreuve="E32", division="T MCV A°2", session=2027) == (
        "E32_T-MCV-A2_2027.zip"
    )
    assert nom_fichier_csv(diplome="Bac Pro MCV A", session=2027) == (
        "notes-ccf_Bac-Pro-MCV-A_2027.csv"
    )
    assert partie_fichier("  Élève  ") == "Eleve"


def test_note_fr():
    assert queries.note_fr(Decimal("14.50")) == "14,5"
    assert queries.note_fr(Decimal("12.00")) == "12"
    assert queries.note_fr(Decimal("9.75")) == "9,75"
    assert queries.note_fr(None) == ""


# ---------------------------------------------------------------------------------------------
# PDF of one grid


def test_pdf_grille_de_bout_en_bout(
    referentiels_charges, as_persona, personas, django_capture_on_commit_callbacks
):
    etab = personas.a.etablissement
    etab.academie, etab.ville = "Lyon", "Villeurbanne"
    etab.save()
    division = df.division_terminale(personas.a, "TMCVA")
    grille = df.grille_ccf(personas.a.diplome, "E31")
    criteres = df.criteres(grille)
    apprenant = df.candidat(personas.a, division, nom="Dupont", prenom="Léa", numero="0212345678")
    verrou = timezone.make_aware(datetime.datetime(2027, 6, 12, 10, 30))
    gc = df.grille_candidat(
        personas.a,
        apprenant,
        grille,
        session=2027,
        niveaux={criteres[0]: 4, criteres[1]: 1},
        note="14.5",
        commentaire="Très bonne posture commerciale, objections à mieux traiter.",
        dates="12/03/2027 et 04/05/2027",
        verrouillee_le=verrou,
    )
    client = as_persona("chef")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "certification:grille_pdf", pk=gc.pk))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == "grille_ccf_pdf" and job.params == {"grille_candidat": gc.pk}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename == "E31_0212345678_DUPONT_Lea.pdf"
    assert job.content_type == "application/pdf"

    t = texte(telecharger(client, personas, job))
    # Header
    assert "Académie Lyon" in t
    assert "Session 2027" in t
    assert "Lycée professionnel a, Villeurbanne – UAI 0690001B" in t
    assert "Option A – Animation et gestion de l'espace commercial" in t
    assert "E31 – Vente-conseil (U31)" in t
    assert "DUPONT" in t and "Léa" in t
    assert "TMCVA" in t
    assert "0212345678" in t
    assert "12/03/2027 et 04/05/2027" in t
    # Grid: level labels, competences, criteria, the chosen levels ticked
    for libelle in ("Novice", "Débrouillé", "Averti", "Expert"):
        assert libelle in t
    assert "C1.1 Assurer la veille commerciale" in t
    for critere in criteres[:3]:
        assert " ".join(critere.intitule.split()[:4]) in t
    assert t.count("☒") == len(criteres) + 1  # one per criterion + the legend
    assert "☒ Expert" in t and "☒ Novice" in t and "☒ Averti" in t
    # Note, comment, members, lock
    assert "14,5 / 20" in t
    assert "Très bonne posture commerciale, objections à mieux traiter." in t
    assert "MARTIN Sophie Professeure d'économie-gestion" in t
    assert "BERNARD Luc Tuteur" in t
    assert "Signature" in t
    assert "Grille verrouillée le 12/06/2027" in t
    assert "Document de travail" not in t


def test_pdf_grille_non_verrouillee_est_un_document_de_travail(personas):
    division = df.division_terminale(personas.a)
    grille = df.grille_ccf(personas.a.diplome, "E32")
    apprenant = df.candidat(personas.a, division, nom="Martin-Durand", prenom="Chloé", numero="")
    gc = df.grille_candidat(
        personas.a,
        apprenant,
        grille,
        verrouillee=False,
        note=None,
        niveau_par_defaut=None,
        membres=(("Petit", "Anne", "Professeure"),),
    )
    filename, content_type, data = GrilleCcfPdf(
        _job(personas, "grille_ccf_pdf", {"grille_candidat": gc.pk})
    ).render(lambda p: None)
    assert filename == "E32_sans-numero_MARTIN-DURAND_Chloe.pdf"
    t = texte(data)
    assert "Document de travail — grille non verrouillée" in t
    assert "Grille verrouillée" not in t
    assert t.count("☒") == 1 and "☐" in t  # only the legend: no level chosen
    assert "… / 20" in t
    assert "non renseigné" in t  # numéro de candidat
    assert "PETIT Anne Professeure" in t
    assert "Descripteur niveau 3" in t


def test_pdf_grille_autre_etablissement(personas, as_persona):
    division = df.division_terminale(personas.b, "TB")
    grille = df.grille_ccf(personas.b.diplome, "E31")
    gc = df.grille_candidat(personas.b, df.candidat(personas.b, division), grille)
    client = as_persona("ddfpt")
    assert client.post(url(personas, "certification:grille_pdf", pk=gc.pk)).status_code == 404
    # B's own staff, on A's address, gets 404 too (tenancy).
    b = as_persona("ddfpt", etab="b")
    assert b.post(url(personas, "certification:grille_pdf", pk=gc.pk)).status_code == 404
    assert ExportJob.objects.count() == 0
    # The exporter re-checks: a job of A naming B's grid fails with a French message.
    with pytest.raises(ExportError, match="n'existe pas"):
        GrilleCcfPdf(_job(personas, "grille_ccf_pdf", {"grille_candidat": gc.pk})).render(
            lambda p: None
        )


def test_pdf_grille_acces(personas, as_persona, client):
    division = df.division_terminale(personas.a)
    grille = df.grille_ccf(personas.a.diplome, "E31")
    gc = df.grille_candidat(personas.a, df.candidat(personas.a, division), grille)
    cible = url(personas, "certification:grille_pdf", pk=gc.pk)
    anonyme = client.post(cible)
    assert anonyme.status_code == 302 and "?next=" in anonyme["Location"]
    for persona in ("apprenant", "apprenti", "tuteur"):
        assert as_persona(persona).post(cible).status_code == 403
    assert as_persona("enseignant").get(cible).status_code == 405
    assert ExportJob.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# ZIP of a division's locked grids


def test_zip_grilles_de_bout_en_bout(
    referentiels_charges, as_persona, personas, django_capture_on_commit_callbacks
):
    division = df.division_terminale(personas.a, "TMCVA")
    autre_division = df.division_terminale(personas.a, "TMCVB")
    e31 = df.grille_ccf(personas.a.diplome, "E31")
    e32 = df.grille_ccf(personas.a.diplome, "E32")
    dupont = df.candidat(personas.a, division, nom="Dupont", prenom="Léa", numero="0212345678")
    ndiaye = df.candidat(personas.a, division, nom="N'Diaye", prenom="Aïssatou", numero="")
    leroy = df.candidat(personas.a, division, nom="Leroy", prenom="Hugo", numero="0299999999")
    en_cours = df.candidat(personas.a, division, nom="Zola", prenom="Émile", numero="0211111111")
    for apprenant in (dupont, ndiaye, leroy):
        df.grille_candidat(personas.a, apprenant, e31, session=2027)
    df.grille_candidat(personas.a, en_cours, e31, session=2027, verrouillee=False)  # skipped
    df.grille_candidat(personas.a, leroy, e32, session=2027)  # other épreuve
    df.grille_candidat(personas.a, dupont, e31, session=2026)  # other session
    autre = df.candidat(personas.a, autre_division, nom="Autre", prenom="Division")
    df.grille_candidat(personas.a, autre, e31, session=2027)  # other division

    client = as_persona("enseignant")
    data = {"division": division.pk, "epreuve": e31.pk, "session": 2027}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "certification:grilles_zip"), data)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == "grilles_ccf_zip"
    assert job.params == {"division": division.pk, "epreuve": e31.pk, "session": 2027}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename == "E31_TMCVA_2027.zip"
    assert job.content_type == "application/zip"

    archive = zipfile.ZipFile(io.BytesIO(telecharger(client, personas, job)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        "E31_0212345678_DUPONT_Lea.pdf",
        "E31_0299999999_LEROY_Hugo.pdf",
        "E31_sans-numero_N-DIAYE_Aissatou.pdf",
    ]
    attendus = {
        "E31_0212345678_DUPONT_Lea.pdf": "DUPONT",
        "E31_0299999999_LEROY_Hugo.pdf": "LEROY",
        "E31_sans-numero_N-DIAYE_Aissatou.pdf": "N'DIAYE",
    }
    for nom, candidat in attendus.items():
        contenu = archive.read(nom)
        assert contenu.startswith(b"%PDF")
        t = texte(contenu)
        assert candidat in t
        assert "Grille verrouillée le" in t
        assert "E31 – Vente-conseil (U31)" in t


def test_zip_progression_par_grille(personas):
    division = df.division_terminale(personas.a)
    grille = df.grille_ccf(personas.a.diplome, "E31")
    for apprenant in df.candidats(personas.a, division, 3):
        df.grille_candidat(personas.a, apprenant, grille, session=2027)
    job = _job(
        personas,
        "grilles_ccf_zip",
        {"division": division.pk, "epreuve": grille.pk, "session": 2027},
    )
    etapes = []
    filename, content_type, data = GrillesCcfZip(job).render(etapes.append)
    assert filename == "E31_TMCVA_2027.zip"
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 3
    assert etapes == sorted(etapes) and len(etapes) == 4 and etapes[-1] == 95


def test_zip_homonymes_sans_numero_ne_s_ecrasent_pas(personas):
    division = df.division_terminale(personas.a)
    grille = df.grille_ccf(personas.a.diplome, "E31")
    for _ in range(2):
        apprenant = df.candidat(personas.a, division, nom="Dupont", prenom="Léa")
        df.grille_candidat(personas.a, apprenant, grille, session=2027)
    job = _job(
        personas,
        "grilles_ccf_zip",
        {"division": division.pk, "epreuve": grille.pk, "session": 2027},
    )
    _filename, _ct, data = GrillesCcfZip(job).render(lambda p: None)
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
        "E31_sans-numero_DUPONT_Lea.pdf",
        "E31_sans-numero_DUPONT_Lea_2.pdf",
    ]


def test_zip_sans_grille_verrouillee_echoue_en_francais(
    personas, as_persona, django_capture_on_commit_callbacks
):
    division = df.division_terminale(personas.a, "TMCVA")
    grille = df.grille_ccf(personas.a.diplome, "E31")
    df.grille_candidat(personas.a, df.candidat(personas.a, division), grille, verrouillee=False)
    client = as_persona("enseignant")
    data = {"division": division.pk, "epreuve": grille.pk, "session": df.session_courante()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(personas, "certification:grilles_zip"), data)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.ECHEC
    assert job.error.startswith("Aucune grille E31 verrouillée pour la division TMCVA")


def test_zip_parametres_d_un_autre_etablissement(personas, as_persona):
    division_b = df.division_terminale(personas.b, "TB")
    grille = df.grille_ccf(personas.a.diplome, "E31")
    client = as_persona("ddfpt")
    response = client.post(
        url(personas, "certification:grilles_zip"),
        {"division": division_b.pk, "epreuve": grille.pk, "session": 2027},
        follow=True,
    )
    assert ExportJob.objects.count() == 0
    assert (
        "Choisissez une division, une épreuve et une session valides" in response.content.decode()
    )
    # The exporter re-checks the division too.
    job = _job(
        personas,
        "grilles_ccf_zip",
        {"division": division_b.pk, "epreuve": grille.pk, "session": 2027},
    )
    with pytest.raises(ExportError, match="n'existe pas dans votre établissement"):
        GrillesCcfZip(job).render(lambda p: None)


def test_zip_acces(personas, as_persona, client):
    cible = url(personas, "certification:grilles_zip")
    anonyme = client.post(cible)
    assert anonyme.status_code == 302 and "?next=" in anonyme["Location"]
    for persona in ("apprenant", "apprenti", "tuteur"):
        assert as_persona(persona).post(cible).status_code == 403
    assert as_persona("chef").get(cible).status_code == 405
    assert as_persona("ddfpt", etab="b").post(cible).status_code == 404


# grids (with candidate, division, épreuve) + levels + members + the grids' competences, lines
# and criteria (queries_documents._structures).
DOCUMENTS_QUERIES = 6


def test_documents_grilles_nombre_de_requetes_constant(personas, django_assert_num_queries):
    division = df.division_terminale(personas.a)
    e31, e32 = df.grille_ccf(personas.a.diplome, "E31"), df.grille_ccf(personas.a.diplome, "E32")
    premiere = df.grille_candidat(personas.a, df.candidat(personas.a, division), e31)
    with django_assert_num_queries(DOCUMENTS_QUERIES):
        docs = queries.documents_grilles(personas.a.etablissement, [premiere.pk])
    assert [len(b.lignes) for b in docs[0].blocs] == [2, 2]
    pks = [premiere.pk]
    for apprenant in df.candidats(personas.a, division, 4):
        pks += [df.grille_candidat(personas.a, apprenant, g).pk for g in (e31, e32)]
    with django_assert_num_queries(DOCUMENTS_QUERIES):
        docs = queries.documents_grilles(personas.a.etablissement, pks)
    assert len(docs) == 9
    assert all(sum(len(b.lignes) for b in d.blocs) == 4 for d in docs)
    assert all(d.officialite.officielle for d in docs)


def test_documents_grilles_ne_montrent_que_les_lignes(personas):
    """A criterion of the grid's competences that is not one of its lines is not printed, and
    a competence without any line is not printed either."""
    grille = df.grille_ccf(personas.a.diplome, "E31")
    criteres = df.criteres(grille)
    grille.lignes.remove(criteres[2], criteres[3])  # the whole second competence
    grille.lignes.remove(criteres[1])
    gc = df.grille_candidat(
        personas.a, df.candidat(personas.a, df.division_terminale(personas.a)), grille
    )
    doc = queries.documents_grilles(personas.a.etablissement, [gc.pk])[0]
    assert [[ligne.critere.pk for ligne in b.lignes] for b in doc.blocs] == [[criteres[0].pk]]
