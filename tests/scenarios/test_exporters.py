"""Scénario exports end to end: job → task → file → opened with its own library."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from cpro import services
from cpro.models import ExportJob
from cpro.pipeline_exports import ExportError
from scenarios.exporters import ScenarioDocx, ScenarioOdt, ScenarioScpro
from tests.personas import login
from tests.scenarios.echange_factories import (
    ajouter_fichier,
    creer_scenario,
    scenario_complet,
)

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def _lancer(personas, scenario, kind, django_capture_on_commit_callbacks, par=None):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.lancer_export(
            etablissement=personas.a.etablissement,
            par=(par or personas.a.enseignant).user,
            kind=kind,
            params={"scenario": scenario.pk},
        )
    job.refresh_from_db()
    return job


def _texte_odt(data: bytes) -> str:
    """Every heading and paragraph of the ODT, in document order, one per line."""
    from odf import teletype
    from odf.opendocument import load

    lignes = []

    def walk(node):
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname[1] in ("h", "p"):
                lignes.append(teletype.extractText(child))
            else:
                walk(child)

    walk(load(io.BytesIO(data)).text)
    return "\n".join(lignes)


def _texte_docx(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


ATTENDUS = (
    "Vente conseil en magasin",
    "Baccalauréat professionnel Métiers du commerce et de la vente",
    "Niveau : Première",
    "Tâches professionnelles",
    "A1-T2 – Prise de contact",
    "Compétences et critères d'évaluation",
    "C1.2 – Réaliser la vente dans un cadre omnicanal",
    "Qualité du questionnement, de l'écoute et de la reformulation",
    "Ressources",
    "Fiche métier — lien : https://www.onisep.fr/metiers",
    "Consignes — fichier : Consignes élève.pdf",
    "La boutique « Au bon vélo » prépare ses soldes.",
    "L'élève accueille le client.",
)


@pytest.mark.parametrize(
    ("kind", "extension", "lire"),
    [("scenario_odt", ".odt", _texte_odt), ("scenario_docx", ".docx", _texte_docx)],
)
@pytest.mark.usefixtures("referentiels_charges")
def test_export_imprimable_de_bout_en_bout(
    personas, django_capture_on_commit_callbacks, kind, extension, lire
):
    scenario = scenario_complet(personas.a)
    job = _lancer(personas, scenario, kind, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename == f"vente-conseil-en-magasin{extension}"
    texte = lire(job.file.read())
    for attendu in ATTENDUS:
        assert attendu in texte, attendu
    auteur = personas.a.enseignant.user
    assert f"Auteur : {auteur.get_full_name()}" in texte
    assert f"Date : {timezone.localdate():%d/%m/%Y}" in texte
    # Context paragraphs are kept as separate paragraphs, in order.
    lignes = texte.split("\n")
    debut = lignes.index("La boutique « Au bon vélo » prépare ses soldes.")
    assert lignes[debut + 2] == "L'élève accueille le client."
    # Criteria come under their competence, in référentiel order.
    assert texte.index("C1.2 – Réaliser") < texte.index("Qualité du questionnement")
    assert texte.index("Qualité du questionnement") < texte.index("C2.3 – Traiter les retours")


@pytest.mark.usefixtures("referentiels_charges")
def test_odt_content_type_et_telechargement(client, personas, django_capture_on_commit_callbacks):
    scenario = scenario_complet(personas.a)
    job = _lancer(personas, scenario, "scenario_odt", django_capture_on_commit_callbacks)
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    data = b"".join(response.streaming_content)
    assert "Vente conseil en magasin" in _texte_odt(data)


def test_scenario_vide_affiche_des_etats_vides(personas):
    scenario = creer_scenario(personas.a, contexte="", titre="Scénario à compléter")
    job = _job(personas, "scenario_docx", scenario.pk)
    _, _, data = ScenarioDocx(job).render(lambda p: None)
    texte = _texte_docx(data)
    assert "Aucune tâche professionnelle n'est associée à ce scénario." in texte
    assert "Aucun critère d'évaluation n'est sélectionné." in texte
    assert "Aucune ressource n'est associée à ce scénario." in texte
    _, _, data = ScenarioOdt(_job(personas, "scenario_odt", scenario.pk)).render(lambda p: None)
    assert "Aucun contexte n'a été saisi." in _texte_odt(data)


def test_caracteres_de_controle_ne_cassent_pas_le_document(personas):
    # (No NUL: PostgreSQL cannot store it and forms refuse it before any service.)
    scenario = creer_scenario(personas.a, titre="Titre\x0b piégé", contexte="a\x08b\x1fc")
    for exporter_cls, kind, lire in (
        (ScenarioOdt, "scenario_odt", _texte_odt),
        (ScenarioDocx, "scenario_docx", _texte_docx),
    ):
        _, _, data = exporter_cls(_job(personas, kind, scenario.pk)).render(lambda p: None)
        assert "Titre piégé" in lire(data)


def test_scenario_prive_d_un_autre_enseignant_echoue(personas, django_capture_on_commit_callbacks):
    scenario = creer_scenario(personas.a, auteur=personas.a.enseignant2, prive=True)
    for kind in ("scenario_odt", "scenario_docx", "scenario_scpro"):
        job = _lancer(personas, scenario, kind, django_capture_on_commit_callbacks)
        assert job.status == ExportJob.Status.ECHEC
        assert job.error == (
            "Ce scénario est privé : seul son auteur peut le consulter et l'exporter."
        )
        assert not job.file


def test_scenario_prive_de_son_auteur_s_exporte(personas, django_capture_on_commit_callbacks):
    scenario = creer_scenario(personas.a, prive=True)
    job = _lancer(personas, scenario, "scenario_docx", django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.TERMINE, job.error


def _job(personas, kind, pk, side="a"):
    s = getattr(personas, side)
    return ExportJob.objects.create(
        etablissement=s.etablissement,
        demandeur=s.enseignant.user,
        kind=kind,
        params={"scenario": pk} if pk is not None else {},
        expire_le=timezone.now() + timezone.timedelta(hours=1),
    )


@pytest.mark.parametrize("cls", [ScenarioOdt, ScenarioDocx, ScenarioScpro])
def test_scenario_d_un_autre_etablissement_ou_absent_refuse(personas, cls):
    autre = creer_scenario(personas.b)
    for params in ({"scenario": autre.pk}, {"scenario": 999_999}):
        job = _job(personas, cls.kind, None)
        job.params = params
        with pytest.raises(ExportError, match="n'existe pas ou plus dans votre établissement"):
            cls(job).render(lambda p: None)
    for params in ({}, {"scenario": str(autre.pk)}, {"scenario": True}):
        job = _job(personas, cls.kind, None)
        job.params = params
        with pytest.raises(ExportError, match="Aucun scénario n'est indiqué"):
            cls(job).render(lambda p: None)


@pytest.mark.usefixtures("referentiels_charges")
def test_export_scpro_produit_une_archive_documentee(personas, django_capture_on_commit_callbacks):
    scenario = scenario_complet(personas.a)
    job = _lancer(personas, scenario, "scenario_scpro", django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename == "vente-conseil-en-magasin.scpro"
    assert job.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(job.file.read())) as archive:
        noms = archive.namelist()
        manifeste = json.loads(archive.read("manifest.json"))
        assert archive.read("ressources/2-Consignes-eleve.pdf").startswith(b"%PDF")
    assert noms == ["manifest.json", "ressources/2-Consignes-eleve.pdf", "ressources/3-plan.png"]
    assert manifeste["format"] == "cpro-scenario" and manifeste["version"] == 2
    assert manifeste["etablissement_origine"] == {
        "uai": personas.a.etablissement.uai,
        "nom": personas.a.etablissement.nom,
    }
    assert manifeste["diplome"]["code"] == "MCV-A"
    assert manifeste["diplome"]["version"] == "2019"
    assert manifeste["niveau"] == "PREMIERE"
    assert manifeste["taches"] == ["A1-T2", "A2-T3"]
    assert manifeste["criteres"] == [
        {"competence": "C1.2", "code": "C1.2-1"},
        {"competence": "C1.2", "code": "C1.2-2"},
        {"competence": "C2.3", "code": "C2.3-1"},
    ]
    assert manifeste["ressources"][0] == {
        "type": "LIEN",
        "titre": "Fiche métier",
        "url": "https://www.onisep.fr/metiers",
    }
    assert manifeste["ressources"][1] == {
        "type": "FICHIER",
        "titre": "Consignes",
        "fichier": "ressources/2-Consignes-eleve.pdf",
        "content_type": "application/pdf",
        "nom": "Consignes élève.pdf",
    }


def test_export_scpro_refuse_une_ressource_non_echangeable(personas):
    scenario = creer_scenario(personas.a)
    ajouter_fichier(
        scenario,
        titre="Programme",
        nom="outil.exe",
        data=b"MZ",
        content_type="application/octet-stream",
    )
    with pytest.raises(ExportError, match="Programme.*type de fichier n'est pas pris en charge"):
        ScenarioScpro(_job(personas, "scenario_scpro", scenario.pk)).render(lambda p: None)


def test_export_scpro_refuse_un_texte_que_l_import_refuserait(personas):
    scenario = creer_scenario(personas.a, contexte="Voir <script>alert(1)</script>")
    with pytest.raises(ExportError, match="Contexte : contenu actif interdit"):
        ScenarioScpro(_job(personas, "scenario_scpro", scenario.pk)).render(lambda p: None)


def test_export_scpro_fichier_disparu(personas):
    scenario = creer_scenario(personas.a)
    ressource = ajouter_fichier(scenario)
    ressource.fichier.storage.delete(ressource.fichier.name)
    with pytest.raises(ExportError, match="« Consignes » est introuvable"):
        ScenarioScpro(_job(personas, "scenario_scpro", scenario.pk)).render(lambda p: None)


# --- The export view ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("odt", "scenario_odt"), ("docx", "scenario_docx"), ("scpro", "scenario_scpro")],
)
def test_vue_exporter_lance_le_job(as_persona, personas, fmt, kind):
    scenario = creer_scenario(personas.a, auteur=personas.a.enseignant2)
    client = as_persona("enseignant")
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": fmt})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == kind
    assert job.params == {"scenario": scenario.pk}
    assert job.etablissement == personas.a.etablissement
    assert job.demandeur == personas.a.enseignant.user


def test_vue_exporter_chef_autorise(as_persona, personas):
    scenario = creer_scenario(personas.a)
    client = as_persona("chef")
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "odt"})
    assert response.status_code == 302
    assert ExportJob.objects.get().demandeur == personas.a.chef.user


@pytest.mark.usefixtures("referentiels_charges")
def test_vue_exporter_de_bout_en_bout(as_persona, personas, django_capture_on_commit_callbacks):
    scenario = scenario_complet(personas.a)
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "docx"}
        )
    etat = client.get(response["Location"])
    assert "Télécharger vente-conseil-en-magasin.docx" in etat.content.decode()


def test_vue_exporter_scenario_d_un_autre_etablissement_404(as_persona, personas):
    autre = creer_scenario(personas.b)
    client = as_persona("enseignant")
    response = client.post(url(personas, "scenarios:exporter", pk=autre.pk), {"format": "odt"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_vue_exporter_persona_d_un_autre_etablissement_404(client, personas):
    scenario = creer_scenario(personas.a)
    login(client, personas.b.enseignant, personas.b.diplome)
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "odt"})
    assert response.status_code == 404


def test_vue_exporter_scenario_prive_d_un_autre_404(as_persona, personas):
    scenario = creer_scenario(personas.a, auteur=personas.a.enseignant2, prive=True)
    client = as_persona("enseignant")
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "odt"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona", ["apprenant", "apprenti", "tuteur"])
def test_vue_exporter_interdite_aux_apprenants_et_tuteurs(as_persona, personas, persona):
    scenario = creer_scenario(personas.a)
    client = as_persona(persona)
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "odt"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_vue_exporter_get_405_et_format_inconnu_400(as_persona, personas):
    scenario = creer_scenario(personas.a)
    client = as_persona("enseignant")
    adresse = url(personas, "scenarios:exporter", pk=scenario.pk)
    assert client.get(adresse).status_code == 405
    assert client.post(adresse, {"format": "pdf"}).status_code == 400
    assert client.post(adresse).status_code == 400
    assert not ExportJob.objects.exists()


def test_vue_exporter_anonyme_vers_connexion(client, personas):
    scenario = creer_scenario(personas.a)
    response = client.post(url(personas, "scenarios:exporter", pk=scenario.pk), {"format": "odt"})
    assert response.status_code == 302
    assert "?next=" in response["Location"]
