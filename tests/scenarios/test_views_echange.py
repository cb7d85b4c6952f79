"""Import pages: upload → preview → confirm (single-use token), tenancy and roles."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cpro.models import AuditLog
from scenarios.models import Scenario
from scenarios.views_echange import SESSION_IMPORT
from tests.personas import login
from tests.scenarios.echange_factories import PDF, scpro

pytestmark = pytest.mark.django_db


def url(side, name, **kw):
    return reverse(name, kwargs={"etab": side.etablissement.slug, **kw})


def _deposer(client, side, data=None, nom="accueil.scpro"):
    fichier = SimpleUploadedFile(nom, scpro() if data is None else data)
    return client.post(url(side, "scenarios:importer"), {"fichier": fichier})


def _jeton(client):
    return client.session[SESSION_IMPORT]["jeton"]


def _destination(side, scenario):
    try:
        return url(side, "scenarios:voir", pk=scenario.pk)
    except NoReverseMatch:
        return url(side, "scenarios:importer")


def test_formulaire_d_import(as_persona, personas):
    response = as_persona("enseignant").get(url(personas.a, "scenarios:importer"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Importer un scénario pédagogique (.scpro)" in html
    assert 'accept=".scpro"' in html and 'enctype="multipart/form-data"' in html


@pytest.mark.usefixtures("referentiels_charges")
def test_apercu_puis_confirmation(as_persona, personas):
    client = as_persona("enseignant")
    response = _deposer(client, personas.a)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aperçu de l'import" in html
    assert "Accueil du client" in html
    assert "A1-T2 – Prise de contact" in html
    assert "Lycée professionnel b (UAI 0690002C)" in html
    assert "Confirmer l&#x27;import" in html or "Confirmer l'import" in html
    assert not Scenario.objects.exists()
    en_attente = client.session[SESSION_IMPORT]
    assert default_storage.exists(en_attente["chemin"])

    response = client.post(
        url(personas.a, "scenarios:importer_confirmer"), {"jeton": _jeton(client)}
    )
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _destination(personas.a, scenario)
    assert scenario.etablissement == personas.a.etablissement
    assert scenario.auteur == personas.a.enseignant.user
    assert scenario.ressources.get(titre="Consignes").fichier.read() == PDF
    assert AuditLog.objects.filter(action="scenario.import").count() == 1
    assert SESSION_IMPORT not in client.session
    assert not default_storage.exists(en_attente["chemin"])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Le scénario « Accueil du client » a été importé."]


@pytest.mark.usefixtures("referentiels_charges")
def test_jeton_a_usage_unique(as_persona, personas):
    client = as_persona("enseignant")
    _deposer(client, personas.a)
    jeton = _jeton(client)
    adresse = url(personas.a, "scenarios:importer_confirmer")
    client.post(adresse, {"jeton": jeton})
    response = client.post(adresse, {"jeton": jeton}, follow=True)
    assert Scenario.objects.count() == 1
    assert "Cet aperçu a expiré ou a déjà été importé" in response.content.decode()


@pytest.mark.usefixtures("referentiels_charges")
def test_mauvais_jeton_refuse(as_persona, personas):
    client = as_persona("enseignant")
    _deposer(client, personas.a)
    response = client.post(url(personas.a, "scenarios:importer_confirmer"), {"jeton": "faux"})
    assert response.status_code == 302
    assert response["Location"] == url(personas.a, "scenarios:importer")
    assert not Scenario.objects.exists()


@pytest.mark.usefixtures("referentiels_charges")
def test_jeton_d_un_autre_utilisateur_inutilisable(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    _deposer(client, personas.a)
    jeton = _jeton(client)

    collegue = login(Client(), personas.a.enseignant2, personas.a.diplome)
    response = collegue.post(url(personas.a, "scenarios:importer_confirmer"), {"jeton": jeton})
    assert response.status_code == 302
    assert not Scenario.objects.exists()

    # A teacher of the other establishment: 404 on establishment A's URL, and the token is
    # unknown in their own establishment.
    autre = login(Client(), personas.b.enseignant, personas.b.diplome)
    adresse_a = url(personas.a, "scenarios:importer_confirmer")
    assert autre.post(adresse_a, {"jeton": jeton}).status_code == 404
    response = autre.post(url(personas.b, "scenarios:importer_confirmer"), {"jeton": jeton})
    assert response.status_code == 302
    assert not Scenario.objects.exists()

    # The owner can still confirm.
    client.post(url(personas.a, "scenarios:importer_confirmer"), {"jeton": jeton})
    assert Scenario.objects.get().etablissement == personas.a.etablissement


@pytest.mark.usefixtures("referentiels_charges")
def test_jeton_lie_a_l_etablissement_de_l_apercu(client, personas):
    """One person with accounts in both establishments: a preview made in A cannot be
    confirmed in B."""
    from tests.factories import MembershipFactory

    user = personas.a.enseignant.user
    MembershipFactory(
        user=user, etablissement=personas.b.etablissement, diplomes=[personas.b.diplome]
    )
    login(client, personas.a.enseignant, personas.a.diplome)
    _deposer(client, personas.a)
    response = client.post(
        url(personas.b, "scenarios:importer_confirmer"), {"jeton": _jeton(client)}
    )
    assert response["Location"] == url(personas.b, "scenarios:importer")
    assert not Scenario.objects.exists()


def test_fichier_refuse_affiche_les_erreurs_sans_jeton(as_persona, personas):
    client = as_persona("enseignant")
    response = _deposer(client, personas.a, scpro(titre="<script>alert(1)</script>"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le fichier ne peut pas être importé" in html
    assert "contenu actif interdit" in html
    assert "<script>alert(1)" not in html
    assert SESSION_IMPORT not in client.session
    assert "Confirmer" not in html


@pytest.mark.usefixtures("referentiels_charges")
def test_nouvel_apercu_remplace_le_precedent(as_persona, personas):
    client = as_persona("enseignant")
    _deposer(client, personas.a)
    premier = client.session[SESSION_IMPORT]
    _deposer(client, personas.a)
    assert not default_storage.exists(premier["chemin"])
    assert client.session[SESSION_IMPORT]["jeton"] != premier["jeton"]
    _deposer(client, personas.a, b"pas un zip")
    assert SESSION_IMPORT not in client.session


@pytest.mark.usefixtures("referentiels_charges")
def test_codes_inconnus_dans_l_apercu(as_persona, personas):
    client = as_persona("enseignant")
    response = _deposer(client, personas.a, scpro(taches=["A1-T2", "Z9-T9"]))
    html = response.content.decode()
    assert "Codes inconnus de votre référentiel : ils seront ignorés." in html
    assert "Z9-T9" in html


@pytest.mark.parametrize(
    ("nom", "message"),
    [("scenario.zip", "Le fichier doit être un scénario Cpro (.scpro)."), ("x.scpro", None)],
)
@pytest.mark.usefixtures("referentiels_charges")
def test_formulaire_verifie_le_nom(as_persona, personas, nom, message):
    client = as_persona("enseignant")
    response = _deposer(client, personas.a, nom=nom)
    html = response.content.decode()
    if message:
        assert message in html
        assert "Aperçu de l'import" not in html
    else:
        assert "Aperçu de l'import" in html


def test_diplome_non_enseigne_refuse_a_l_enseignant(as_persona, personas):
    d2 = personas.a.diplome2
    client = as_persona("enseignant")
    response = _deposer(client, personas.a, scpro(diplome={"code": d2.code, "version": "2019"}))
    assert "Vous n&#x27;enseignez pas le diplôme" in response.content.decode()
    assert SESSION_IMPORT not in client.session


def test_chef_et_apprenants_ne_peuvent_pas_importer(as_persona, personas):
    for persona in ("chef", "apprenant", "tuteur"):
        client = as_persona(persona)
        assert client.get(url(personas.a, "scenarios:importer")).status_code == 403
        assert _deposer(client, personas.a).status_code == 403
        response = client.post(url(personas.a, "scenarios:importer_confirmer"), {"jeton": "x"})
        assert response.status_code == 403
    assert not Scenario.objects.exists()


def test_anonyme_et_get_sur_confirmation(client, personas, as_persona):
    response = client.get(url(personas.a, "scenarios:importer"))
    assert response.status_code == 302 and "?next=" in response["Location"]
    client = as_persona("enseignant")
    assert client.get(url(personas.a, "scenarios:importer_confirmer")).status_code == 405


@pytest.mark.usefixtures("referentiels_charges")
def test_fichier_d_attente_disparu(as_persona, personas):
    client = as_persona("enseignant")
    _deposer(client, personas.a)
    default_storage.delete(client.session[SESSION_IMPORT]["chemin"])
    response = client.post(
        url(personas.a, "scenarios:importer_confirmer"), {"jeton": _jeton(client)}, follow=True
    )
    assert "Le fichier de l&#x27;aperçu n&#x27;est plus disponible" in response.content.decode()
    assert not Scenario.objects.exists()


def test_boutons_d_export(rf, personas):
    from django.template.loader import render_to_string

    from tests.scenarios.echange_factories import creer_scenario

    scenario = creer_scenario(personas.a)
    request = rf.get("/")
    request.etablissement = personas.a.etablissement
    html = render_to_string(
        "scenarios/_export_boutons.html", {"scenario": scenario, "request": request}
    )
    action = url(personas.a, "scenarios:exporter", pk=scenario.pk)
    assert html.count(f'action="{action}"') == 3
    for fmt, libelle in (("odt", "ODT"), ("docx", "DOCX"), ("scpro", ".scpro")):
        assert f'name="format" value="{fmt}"' in html
        assert f'>{libelle}<span class="visuellement-cache">' in html


def test_jeton_non_ascii_refuse_proprement(as_persona, personas):
    client = as_persona("enseignant")
    _deposer(client, personas.a)
    response = client.post(url(personas.a, "scenarios:importer_confirmer"), {"jeton": "é" * 10})
    assert response.status_code == 302
    assert not Scenario.objects.exists()


def test_apercus_abandonnes_purges(as_persona, personas):
    import datetime
    import os

    from scenarios.views_echange import DOSSIER_ATTENTE

    dossier = f"{DOSSIER_ATTENTE}/{personas.a.etablissement.pk}"
    ancien = default_storage.save(f"{dossier}/ancien.scpro", ContentFile(b"x"))
    recent = default_storage.save(f"{dossier}/recent.scpro", ContentFile(b"x"))
    il_y_a_deux_jours = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(ancien), (il_y_a_deux_jours, il_y_a_deux_jours))
    _deposer(as_persona("enseignant"), personas.a)
    assert not default_storage.exists(ancien)
    assert default_storage.exists(recent)
