"""The DDFPT's référentiel maintenance: ODS export (export job), edit, re-import with preview."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpro.models import AuditLog, ExportJob
from evaluations.models import Resultat
from referentiels.models import (
    Competence,
    Critere,
    Diplome,
    Indicateur,
    LienTacheCompetence,
)
from referentiels.services import charger_referentiel, document_referentiel
from referentiels.views import SESSION_IMPORT
from tests.evaluations.factories import ResultatFactory, evaluation_de
from tests.referentiels.documents import document_minimal
from tests.referentiels.tableurs import Classeur

pytestmark = pytest.mark.django_db

ODS = "application/vnd.oasis.opendocument.spreadsheet"


def url(personas, name, etab="a", **kw):
    return reverse(name, kwargs={"etab": getattr(personas, etab).etablissement.slug, **kw})


def exporter(client, personas, diplome, capture) -> bytes:
    """Through the UI: the export button, the job, the download."""
    with capture(execute=True):
        response = client.post(
            url(personas, "referentiels:exporter_tableur", diplome_id=diplome.pk)
        )
    job = ExportJob.objects.latest("cree_le")
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.kind == "referentiel_ods" and job.params == {"diplome": diplome.pk}
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == ODS
    return b"".join(response.streaming_content)


def deposer(client, personas, contenu: bytes, nom="referentiel.ods", **champs):
    fichier = SimpleUploadedFile(nom, contenu, content_type="application/octet-stream")
    return client.post(url(personas, "referentiels:administration"), {"fichier": fichier, **champs})


def confirmer(client, personas):
    jeton = client.session[SESSION_IMPORT]["jeton"]
    return client.post(url(personas, "referentiels:confirmer_import"), {"jeton": jeton})


@pytest.fixture
def mcv_a(referentiels_charges, personas):
    return Diplome.objects.get(code="MCV-A", version="2019")


def test_aller_retour_ods_libelle_d_un_critere(
    as_persona, personas, mcv_a, django_capture_on_commit_callbacks
):
    critere = Critere.objects.get(competence__diplome=mcv_a, code="C1.2-1")
    ancien = critere.intitule
    ev = evaluation_de(personas.a, criteres=[critere])
    eleve = personas.a.apprenant.apprenant
    resultats = {
        ResultatFactory(evaluation=ev, apprenant=eleve, critere=critere, niveau="3").pk: "3",
        ResultatFactory(
            evaluation=evaluation_de(personas.a), apprenant=eleve, critere=critere, niveau="NE"
        ).pk: "NE",
    }
    client = as_persona("ddfpt")
    classeur = Classeur(exporter(client, personas, mcv_a, django_capture_on_commit_callbacks))
    ligne = classeur.ligne_de("Critères", Code="C1.2-1")
    classeur.ecrire("Critères", ligne, "Intitulé", "Qualité du questionnement (libellé officiel)")

    response = deposer(client, personas, classeur.octets(), nom="MCV-A corrigé.ods")
    assert response.status_code == 200
    rapport = response.context["rapport"]
    assert rapport.valide, rapport.erreurs
    assert (rapport.crees, rapport.modifies, rapport.absents) == (0, 1, 0)
    [changement] = rapport.comptes["criteres"].changements
    assert changement.code == "C1.2-1"
    assert changement.champs == [
        ("intitulé", ancien, "Qualité du questionnement (libellé officiel)")
    ]
    html = response.content.decode()
    assert "Modifications : avant → après" in html
    assert "Qualité du questionnement (libellé officiel)" in html
    assert "MCV-A corrigé.ods</strong> (tableur ODS)" in html
    assert Critere.objects.get(pk=critere.pk).intitule == ancien  # preview writes nothing

    response = confirmer(client, personas)
    assert response.status_code == 302
    critere.refresh_from_db()
    assert critere.intitule == "Qualité du questionnement (libellé officiel)"
    assert critere.confiance == "high"  # the file's own value: no import-level provenance
    assert dict(Resultat.objects.filter(critere=critere).values_list("pk", "niveau")) == resultats
    log = AuditLog.objects.get(action="referentiel.import")
    assert log.acteur == personas.a.ddfpt.user and log.objet_id == str(mcv_a.pk)
    assert log.apres["modifies"] == 1
    assert log.apres["changements"] == {
        "criteres": [
            {
                "code": "C1.2-1",
                "champs": [["intitulé", ancien, "Qualité du questionnement (libellé officiel)"]],
            }
        ]
    }
    assert log.apres["import"]["format"] == "ods"
    assert log.apres["import"]["fichier"] == "MCV-A corrigé.ods"


def test_export_inchange_reimporte_tout_inchange(
    as_persona, personas, mcv_a, django_capture_on_commit_callbacks
):
    client = as_persona("ddfpt")
    contenu = exporter(client, personas, mcv_a, django_capture_on_commit_callbacks)
    response = deposer(client, personas, contenu)
    rapport = response.context["rapport"]
    assert rapport.valide, rapport.erreurs
    assert (rapport.crees, rapport.modifies, rapport.absents) == (0, 0, 0)
    d = mcv_a
    elements = 1 + sum(
        qs.count()
        for qs in (
            d.unites,
            d.activites,
            d.taches,
            d.groupes,
            d.competences,
            Critere.objects.filter(competence__diplome=d),
            Indicateur.objects.filter(critere__competence__diplome=d),
            LienTacheCompetence.objects.filter(tache__diplome=d),
            d.grilles_ccf,
            d.competences_lsl,
        )
    )
    assert rapport.inchanges == elements == 160
    assert "Modifications : avant → après" not in response.content.decode()
    confirmer(client, personas)
    assert AuditLog.objects.get(action="referentiel.import").apres["modifies"] == 0


def test_provenance_donnee_a_l_import_seulement_aux_elements_modifies(
    as_persona, personas, mcv_a, django_capture_on_commit_callbacks
):
    client = as_persona("ddfpt")
    reconstruit = Critere.objects.filter(competence__diplome=mcv_a, confiance="low").first()
    classeur = Classeur(exporter(client, personas, mcv_a, django_capture_on_commit_callbacks))
    ligne = classeur.ligne_de(
        "Critères",
        Code=reconstruit.code,
        **{"Compétence_(code_parent)": reconstruit.competence.code},
    )
    classeur.ecrire("Critères", ligne, "Intitulé", "Libellé relu sur l'annexe")
    source = "Annexe I du référentiel, BO du 12/03/2020"
    response = deposer(client, personas, classeur.octets(), confiance="high", source=source)
    html = response.content.decode()
    assert "appliquées à 1 élément ajouté ou modifié" in html
    assert "Élevée — vérifiée sur le texte officiel" in html
    [changement] = response.context["rapport"].comptes["criteres"].changements
    assert ("confiance", "À vérifier (reconstruit)", "Vérifié") in changement.champs
    confirmer(client, personas)

    reconstruit.refresh_from_db()
    assert (reconstruit.intitule, reconstruit.confiance, reconstruit.source) == (
        "Libellé relu sur l'annexe",
        "high",
        source,
    )
    # Everything else kept its provenance: still reconstructed where it was.
    autres = Critere.objects.filter(competence__diplome=mcv_a).exclude(pk=reconstruit.pk)
    assert autres.filter(confiance="low").count() > 0
    assert not autres.filter(source=source).exists()
    log = AuditLog.objects.get(action="referentiel.import")
    assert log.apres["import"] == {
        "fichier": "referentiel.ods",
        "format": "ods",
        "confiance": "high",
        "source": source,
        "requalifies": 1,
    }


@pytest.mark.parametrize(
    "champs, erreur",
    [
        ({"confiance": "high"}, "Indiquez la source des modifications"),
        ({"source": "BO"}, "Choisissez la confiance de ces modifications"),
        ({"confiance": "certaine", "source": "BO"}, "Sélectionnez un choix valide"),
    ],
)
def test_provenance_incomplete_refusee(as_persona, personas, champs, erreur):
    client = as_persona("ddfpt")
    response = deposer(
        client, personas, json.dumps(document_minimal()).encode(), "r.json", **champs
    )
    assert erreur in response.content.decode()
    assert SESSION_IMPORT not in client.session


def test_nouvelle_version_coexiste(as_persona, personas):
    ancien = charger_referentiel(document_minimal()).diplome
    critere = Critere.objects.get(competence__diplome=ancien)
    client = as_persona("ddfpt")
    from referentiels.tableur import ecrire_ods

    classeur = Classeur(ecrire_ods(document_referentiel(ancien)))
    classeur.ecrire("Diplôme", 1, "Version", "2024")
    classeur.ecrire("Critères", 1, "Intitulé", "Critère 2024")
    response = deposer(client, personas, classeur.octets(), confiance="high", source="BO 2024")
    assert "il sera créé" in response.content.decode()
    # Compared with version 2019: the diplôme row (new version) and the changed criterion.
    assert response.context["contexte"]["requalifies"] == 2
    confirmer(client, personas)

    nouveau = Diplome.objects.get(code="TINY", version="2024")
    assert Critere.objects.get(competence__diplome=nouveau).intitule == "Critère 2024"
    assert Critere.objects.get(competence__diplome=nouveau).source == "BO 2024"
    assert Competence.objects.get(diplome=nouveau).confiance == "low"  # unchanged: kept
    critere.refresh_from_db()
    assert (critere.intitule, critere.source) == ("Critère unique", "test")  # old version intact


def test_json_avec_provenance_d_import(as_persona, personas):
    charger_referentiel(document_minimal())
    doc = document_minimal()
    doc["unites"][0]["intitule"] = "Épreuve pratique (officiel)"
    client = as_persona("ddfpt")
    response = deposer(
        client, personas, json.dumps(doc).encode(), "ref.txt", confiance="medium", source="BO"
    )
    assert response.context["contexte"] == {
        "fichier": "ref.txt",
        "format": "json",
        "confiance": "medium",
        "source": "BO",
        "requalifies": 1,
    }
    confirmer(client, personas)
    unite = Diplome.objects.get(code="TINY").unites.get()
    assert (unite.intitule, unite.confiance, unite.source) == (
        "Épreuve pratique (officiel)",
        "medium",
        "BO",
    )


def test_tableur_errone_rien_n_est_ecrit(as_persona, personas):
    diplome = charger_referentiel(document_minimal()).diplome
    from referentiels.tableur import ecrire_ods

    classeur = Classeur(ecrire_ods(document_referentiel(diplome)))
    classeur.ecrire("Critères", 1, "Compétence (code parent)", "C9.9")
    classeur.ecrire("Critères", 1, "Intitulé", "Ne doit pas être écrit")
    client = as_persona("ddfpt")
    response = deposer(client, personas, classeur.octets())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Feuille « Critères », ligne 2 : compétence « C9.9 » inconnue" in html
    assert "Prévisualiser l'import" in html  # back on the upload form
    assert SESSION_IMPORT not in client.session
    assert Critere.objects.get(competence__diplome=diplome).intitule == "Critère unique"
    assert not AuditLog.objects.filter(action="referentiel.import").exists()


def test_fichier_d_un_autre_type(as_persona, personas):
    client = as_persona("ddfpt")
    response = deposer(client, personas, b"%PDF-1.4 faux", nom="referentiel.ods")
    assert "n&#x27;est ni un tableur ODS ni un document JSON" in response.content.decode()
    assert SESSION_IMPORT not in client.session


# --- export: access ------------------------------------------------------------------------


def test_export_reserve_au_ddfpt(client, personas, django_capture_on_commit_callbacks):
    from tests.personas import login

    diplome = personas.a.diplome
    for name in ("enseignant", "chef", "tuteur", "apprenant"):
        login(client, personas.a.membership(name), personas.a.diplome)
        response = client.post(
            url(personas, "referentiels:exporter_tableur", diplome_id=diplome.pk)
        )
        assert response.status_code == 403, name
    assert not ExportJob.objects.exists()
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(url(personas, "referentiels:exporter_tableur", diplome_id=diplome.pk))
    assert response.status_code == 404
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = client.post(url(personas, "referentiels:exporter_tableur", diplome_id=999999))
    assert response.status_code == 404
    assert (
        client.get(
            url(personas, "referentiels:exporter_tableur", diplome_id=diplome.pk)
        ).status_code
        == 405
    )
    assert not ExportJob.objects.exists()


def test_telechargement_re_verifie_le_role(
    as_persona, personas, mcv_a, django_capture_on_commit_callbacks
):
    from tests.personas import login

    client = as_persona("ddfpt")
    exporter(client, personas, mcv_a, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    # The DDFPT became a teacher: the file is no longer theirs to read.
    personas.a.ddfpt.role = "ENSEIGNANT"
    personas.a.ddfpt.save()
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 403


def test_exporteur_referentiel_disparu(personas):
    from django.utils import timezone

    from cpro.pipeline_exports import ExportError
    from referentiels.exporters import ReferentielOds

    for params in ({"diplome": 999999}, {}, {"diplome": "1"}):
        job = ExportJob.objects.create(
            etablissement=personas.a.etablissement,
            demandeur=personas.a.ddfpt.user,
            kind="referentiel_ods",
            params=params,
            expire_le=timezone.now() + timezone.timedelta(hours=1),
        )
        with pytest.raises(ExportError, match="n'existe plus"):
            ReferentielOds(job).render(lambda p: None)


# --- query counts ----------------------------------------------------------------------------

# session, user, establishment, membership, the header's chosen diplôme, the establishment's
# diplômes (pks), loaded diplômes (+ their establishments).
REQUETES_ADMINISTRATION = 8
# the diplôme's unités, activités (+ tâches), groupes (+ compétences, critères, indicateurs),
# matrix links, grilles (+ compétences, lignes), LSL (+ compétences).
REQUETES_DOCUMENT = 13


@pytest.mark.parametrize("nombre", [1, 6])
def test_administration_nombre_de_requetes_constant(
    as_persona, personas, nombre, django_assert_num_queries
):
    for i in range(nombre):
        charger_referentiel(document_minimal(code=f"D{i}"))
    client = as_persona("ddfpt")
    with django_assert_num_queries(REQUETES_ADMINISTRATION):
        response = client.get(url(personas, "referentiels:administration"))
    assert response.content.decode().count("Exporter (ODS)") == Diplome.objects.count()


@pytest.mark.parametrize("complet", [False, True])
def test_document_referentiel_nombre_de_requetes_constant(
    personas, complet, django_assert_num_queries, request
):
    if complet:
        request.getfixturevalue("referentiels_charges")
        diplome = Diplome.objects.get(code="MCV-A")
    else:
        diplome = charger_referentiel(document_minimal()).diplome
    with django_assert_num_queries(REQUETES_DOCUMENT):
        document_referentiel(diplome)
