import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpro.models import AuditLog, ExportJob
from referentiels.models import Diplome, Tache
from referentiels.views import SESSION_IMPORT
from tests.referentiels.documents import document_minimal

pytestmark = pytest.mark.django_db


def url(personas, name, etab="a", **kw):
    return reverse(name, kwargs={"etab": getattr(personas, etab).etablissement.slug, **kw})


def fichier(doc, name="referentiel.json"):
    return SimpleUploadedFile(name, json.dumps(doc).encode(), content_type="application/json")


# --- browser -------------------------------------------------------------------------------


def test_navigateur_enseignant_voit_la_provenance(as_persona, personas, referentiels_charges):
    # Teachers rely on the référentiel too: « à vérifier » is shown to every role that opens
    # it (tests/bilans/test_documents_provenance.py covers the markers in detail).
    client = as_persona("enseignant")
    response = client.get(url(personas, "referentiels:navigateur"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Veille informationnelle sur les produits" in html  # A1-T1
    assert "A4A" in html
    assert 'class="badge a-verifier' in html
    assert 'href="/static/cpro/css/referentiels.css"' in html


def test_navigateur_ddfpt_voit_la_provenance(as_persona, personas, referentiels_charges):
    client = as_persona("ddfpt")
    html = client.get(url(personas, "referentiels:navigateur")).content.decode()
    assert 'class="badge a-verifier"' in html
    assert "derived" in html or "reconstruit" in html.lower() or "from memory" in html


@pytest.mark.parametrize(
    "onglet, attendu",
    [
        ("competences", "Qualité du questionnement, de l&#x27;écoute"),
        ("matrice", "A1-T2 mobilise C1.2"),
        ("unites", "Vente-conseil"),
        ("grilles", "Novice"),
        ("lsl", "0102"),
    ],
)
def test_navigateur_onglets(as_persona, personas, referentiels_charges, onglet, attendu):
    client = as_persona("enseignant")
    response = client.get(url(personas, "referentiels:navigateur") + f"?onglet={onglet}")
    html = response.content.decode()
    assert attendu in html
    assert f'href="?onglet={onglet}" aria-current="page"' in html


def test_matrice_marqueurs_avec_alternative_textuelle(as_persona, personas, referentiels_charges):
    client = as_persona("ddfpt")
    html = client.get(url(personas, "referentiels:navigateur") + "?onglet=matrice").content.decode()
    assert 'class="visuellement-cache">A1-T2 mobilise C1.2 (liaison à vérifier' in html
    assert 'aria-hidden="true"' in html


def test_navigateur_sans_diplome_etat_vide(client, personas):
    from tests.factories import MembershipFactory, UserFactory

    m = MembershipFactory(
        user=UserFactory(username="sans-diplome"), etablissement=personas.a.etablissement
    )
    client.force_login(m.user)
    response = client.get(url(personas, "referentiels:navigateur"))
    assert response.status_code == 200
    assert "Aucun diplôme n'est sélectionné" in response.content.decode()
    response = client.post(url(personas, "referentiels:imprimer"))
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_navigateur_referentiel_vide(as_persona, personas):
    html = as_persona("enseignant").get(url(personas, "referentiels:navigateur")).content.decode()
    assert "Ce référentiel ne contient aucune activité." in html


# --- printing --------------------------------------------------------------------------------


def test_imprimer_get_affiche_le_bouton(as_persona, personas):
    response = as_persona("enseignant").get(url(personas, "referentiels:imprimer"))
    assert "Générer le PDF" in response.content.decode()


def test_imprimer_interdit_au_tuteur_et_a_l_apprenant(client, personas):
    from tests.personas import login

    for name in ("tuteur", "apprenant"):
        login(client, personas.a.membership(name))
        assert client.post(url(personas, "referentiels:imprimer")).status_code == 403
    assert not ExportJob.objects.exists()


def test_imprimer_autre_etablissement_404(as_persona, personas):
    client = as_persona("enseignant")
    assert client.post(url(personas, "referentiels:imprimer", etab="b")).status_code == 404


def test_imprimer_anonyme_vers_connexion(client, personas):
    response = client.post(url(personas, "referentiels:imprimer"))
    assert response.status_code == 302 and "?next=" in response["Location"]


# --- import ----------------------------------------------------------------------------------


def test_administration_liste_les_diplomes(as_persona, personas):
    response = as_persona("ddfpt").get(url(personas, "referentiels:administration"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bac Pro MCV A" in html and "Prévisualiser l'import" in html


def test_import_apercu_puis_confirmation(as_persona, personas):
    client = as_persona("ddfpt")
    response = client.post(
        url(personas, "referentiels:administration"), {"fichier": fichier(document_minimal())}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aperçu de l'import" in html and "Confirmer l'import" in html
    assert "il sera créé" in html
    assert not Diplome.objects.filter(code="TINY").exists()  # preview writes nothing
    jeton = client.session[SESSION_IMPORT]["jeton"]

    response = client.post(url(personas, "referentiels:confirmer_import"), {"jeton": jeton})
    assert response.status_code == 302
    assert response["Location"] == url(personas, "referentiels:administration")
    diplome = Diplome.objects.get(code="TINY", version="2019")
    assert Tache.objects.filter(diplome=diplome, code="A1-T1").exists()
    log = AuditLog.objects.get(action="referentiel.import")
    assert log.acteur == personas.a.ddfpt.user
    assert log.etablissement == personas.a.etablissement
    assert log.objet_id == str(diplome.pk) and log.apres["crees"] == 11
    assert SESSION_IMPORT not in client.session
    # single use: a second confirmation is refused, nothing more is written
    response = client.post(url(personas, "referentiels:confirmer_import"), {"jeton": jeton})
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="referentiel.import").count() == 1


def test_import_document_invalide_affiche_les_erreurs(as_persona, personas):
    client = as_persona("ddfpt")
    doc = document_minimal()
    doc["matrice"].append(
        {"tache": "A9-T9", "competence": "C1.1", "source": "", "confiance": "low"}
    )
    response = client.post(url(personas, "referentiels:administration"), {"fichier": fichier(doc)})
    html = response.content.decode()
    assert "Rien n'a été enregistré" in html
    assert "tâche « A9-T9 » inconnue" in html
    assert "Confirmer l'import" not in html
    assert SESSION_IMPORT not in client.session
    assert not Diplome.objects.filter(code="TINY").exists()


def test_import_fichier_illisible(as_persona, personas):
    client = as_persona("ddfpt")
    bad = SimpleUploadedFile("r.json", b"{oops", content_type="application/json")
    response = client.post(url(personas, "referentiels:administration"), {"fichier": bad})
    assert response.status_code == 200
    assert "n&#x27;est pas un JSON valide" in response.content.decode()
    # Recognised by content, not by name: neither a spreadsheet nor JSON → refused.
    txt = SimpleUploadedFile("r.json", b"Code;Intitule", content_type="text/plain")
    response = client.post(url(personas, "referentiels:administration"), {"fichier": txt})
    assert "n&#x27;est ni un tableur ODS ni un document JSON" in response.content.decode()
    assert SESSION_IMPORT not in client.session


def test_import_trop_gros(as_persona, personas):
    client = as_persona("ddfpt")
    big = SimpleUploadedFile("r.json", b" " * (2 * 1024 * 1024 + 1))
    response = client.post(url(personas, "referentiels:administration"), {"fichier": big})
    assert "taille maximale de 2 Mo" in response.content.decode()


def test_confirmation_revalide_le_document(as_persona, personas):
    client = as_persona("ddfpt")
    doc = document_minimal()
    del doc["unites"]
    session = client.session
    session[SESSION_IMPORT] = {"jeton": "abc", "document": doc}
    session.save()
    response = client.post(url(personas, "referentiels:confirmer_import"), {"jeton": "abc"})
    assert response.status_code == 302
    assert not Diplome.objects.filter(code="TINY").exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Document : la clé « unites » est manquante." in messages


def test_import_interdit_a_l_enseignant(as_persona, personas):
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "referentiels:administration"), {"fichier": fichier(document_minimal())}
    )
    assert response.status_code == 403
    assert client.get(url(personas, "referentiels:administration")).status_code == 403
    assert (
        client.post(url(personas, "referentiels:confirmer_import"), {"jeton": "x"}).status_code
        == 403
    )
    assert not Diplome.objects.filter(code="TINY").exists()


def test_confirmer_get_405(as_persona, personas):
    assert (
        as_persona("ddfpt").get(url(personas, "referentiels:confirmer_import")).status_code == 405
    )


def test_parcours_enseignant_option_b(client, personas, referentiels_charges):
    """The e2e journey's assertions through the test client: MCV B shows bloc 4B, not 4A."""
    from tests.personas import login

    login(client, personas.a.enseignant2, personas.a.diplome2)
    body = client.get(url(personas, "referentiels:navigateur")).content.decode()
    assert "A1-T1" in body and "C1.1" in body and "C4B.1" in body
    assert "C4A.1" not in body


def test_commande_silencieuse_avec_verbosity_0(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("charger_referentiels", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Diplome.objects.count() == 4
