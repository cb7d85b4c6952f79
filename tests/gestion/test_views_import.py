"""Import pages: upload → preview (nothing written) → confirm (atomic write)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cpro.models import Apprenant, AuditLog, Division
from tests.gestion.fichiers import CSV_LIGNES, ELEVES, MEF_1MCV, MEF_2MRC, csv_apprenants, siecle
from tests.gestion.test_views import url
from tests.personas import login


def _envoyer(client, personas, data, nom="ElevesSansAdresses.xml"):
    return client.post(url(personas, "gestion:import"), {"fichier": SimpleUploadedFile(nom, data)})


def test_parcours_siecle(client, personas):
    a = personas.a
    login(client, a.ddfpt, a.diplome)
    avant = Apprenant.objects.count()
    response = _envoyer(client, personas, siecle())
    assert response.status_code == 302
    assert response["Location"] == url(personas, "gestion:import_apercu")
    apercu = client.get(response["Location"])
    assert apercu.status_code == 200
    plan = apercu.context["plan"]
    assert (plan.nb_creer, plan.nb_modifier, plan.nb_inchange) == (3, 0, 0)
    assert "LEFÈVRE Éloïse" in apercu.text and "sans division" in apercu.text
    assert Apprenant.objects.count() == avant  # the preview writes nothing

    form = apercu.context["form"]
    champs = {form.noms[k]: k for k in form.noms}
    # A confirmation without choosing the divisions is refused, listing them.
    response = client.post(url(personas, "gestion:import_confirmer"), {})
    assert response.status_code == 200
    assert "1MCV, 2MRC" in response.text
    assert Apprenant.objects.count() == avant

    response = client.post(
        url(personas, "gestion:import_confirmer"),
        {champs["1MCV"]: f"{a.diplome.pk}:PREMIERE", champs["2MRC"]: "ignorer"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(personas, "gestion:apprenants")
    assert Apprenant.objects.count() == avant + 2
    assert Division.objects.filter(etablissement=a.etablissement, nom="1MCV").exists()
    assert not Division.objects.filter(nom="2MRC").exists()
    log = AuditLog.objects.get(action="import.apprenants")
    assert (log.apres["crees"], log.apres["ignores"]) == (2, 1)
    # The pending import is consumed: a second confirmation does nothing.
    response = client.post(url(personas, "gestion:import_confirmer"), {})
    assert response.status_code == 302
    assert Apprenant.objects.count() == avant + 2


def test_fichier_mal_forme_message_et_rien_en_session(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = _envoyer(client, personas, b"<?xml version='1.0'?><BEE_ELEVES><DONNEES>")
    assert response.status_code == 200
    assert "mal formé" in response.text
    assert client.get(url(personas, "gestion:import_apercu")).status_code == 302


def test_erreurs_par_ligne_pas_de_confirmation(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    lignes = [*CSV_LIGNES, ("Doublon", "Ine", "01/01/2008", "1234567890A", "9", "1A", "")]
    _envoyer(client, personas, csv_apprenants(lignes), nom="eleves.csv")
    apercu = client.get(url(personas, "gestion:import_apercu"))
    assert "INE 1234567890A en double dans le fichier (Ligne 2)" in apercu.text
    assert "Confirmer l&#x27;import" not in apercu.text
    avant = Apprenant.objects.count()
    response = client.post(url(personas, "gestion:import_confirmer"), {})
    assert response.status_code == 200
    assert Apprenant.objects.count() == avant


def test_colonnes_manquantes(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    data = csv_apprenants([("A", "B")], entete="nom;prenom")
    response = _envoyer(client, personas, data, nom="eleves.csv")
    assert response.status_code == 200 and "Colonnes manquantes" in response.text


def test_fichier_trop_gros_ou_mauvaise_extension(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = _envoyer(client, personas, b"x" * (5 * 1024 * 1024 + 1), nom="gros.csv")
    assert "taille maximale de 5 Mo" in response.text
    response = _envoyer(client, personas, b"abc", nom="eleves.xlsx")
    assert "Format non reconnu" in response.text


def test_exemple_csv(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = client.get(url(personas, "gestion:import_exemple"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    from gestion.importation import lire_csv

    lecture = lire_csv(response.content)
    assert lecture.erreurs == [] and len(lecture.lignes) == 3


def test_import_en_attente_par_etablissement(client, personas):
    """A pending import of A is not visible from B (same user with two memberships)."""
    from tests.factories import MembershipFactory

    a, b = personas.a, personas.b
    MembershipFactory(user=a.ddfpt.user, etablissement=b.etablissement, role="DDFPT")
    login(client, a.ddfpt, a.diplome)
    _envoyer(client, personas, siecle())
    response = client.get(url(personas, "gestion:import_apercu", etab="b"))
    assert response.status_code == 302


# --- SIECLE data in the preview ----------------------------------------------------------------


def _importer_puis_envoyer(client, personas, data):
    """Import the base file (confirmed), then upload `data` for a preview."""
    a = personas.a
    login(client, a.ddfpt, a.diplome)
    _envoyer(client, personas, siecle())
    apercu = client.get(url(personas, "gestion:import_apercu"))
    champs = {apercu.context["form"].noms[k]: k for k in apercu.context["form"].noms}
    client.post(
        url(personas, "gestion:import_confirmer"),
        {champs["1MCV"]: f"{a.diplome.pk}:PREMIERE", champs["2MRC"]: f"{a.diplome.pk}:SECONDE"},
    )
    _envoyer(client, personas, data)


def test_apercu_montre_statut_nom_usage_mef_options(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    _envoyer(client, personas, siecle())
    apercu = client.get(url(personas, "gestion:import_apercu"))
    html = apercu.text
    assert "nom d'usage : MARTIN" in html
    assert "Apprenti" in html and f"MEF {MEF_1MCV}" in html
    assert "options : 030201 (S), 020700 (F)" in html
    assert "Codes MEF des divisions" in html
    assert f"1MCV : — → <strong>{MEF_1MCV}</strong>" in html


def test_apercu_sortie_et_depart_annonce(client, personas):
    passee = datetime.date.today() - datetime.timedelta(days=40)
    future = datetime.date.today() + datetime.timedelta(days=40)
    extra = {
        "501235": {"sortie": f"{passee:%d/%m/%Y}"},
        "501236": {"sortie": f"{future:%d/%m/%Y}"},
    }
    _importer_puis_envoyer(client, personas, siecle(extra=extra))
    html = client.get(url(personas, "gestion:import_apercu")).text
    assert f"sorti le {passee:%d/%m/%Y}" in html
    assert "Division : 1MCV → —" in html
    assert f"départ annoncé le {future:%d/%m/%Y}" in html


def test_apercu_mef_saisi_a_la_main_et_mef_differents(client, personas):
    a = personas.a
    _importer_puis_envoyer(client, personas, siecle())
    division = Division.objects.get(etablissement=a.etablissement, nom="1MCV")
    division.code_mef, division.code_mef_source = "24723400000", "Saisi par le DDFPT"
    division.save()
    deux = Division.objects.get(etablissement=a.etablissement, nom="2MRC")
    extra = {"501236": {"mef": "24723402199"}, "501237": {"mef": "24723402199"}}
    eleves = [*ELEVES[:3], ("501238", "5678901234E", "PETIT", "Léo", "03/03/2009", "2MRC")]
    extra["501238"] = {"statut": "ST", "mef": MEF_2MRC}
    _envoyer(client, personas, siecle(eleves, extra=extra))
    html = client.get(url(personas, "gestion:import_apercu")).text
    assert "remplace un code saisi à la main" in html
    assert "Division 2MRC : ses élèves ont des codes MEF différents" in html
    response = client.post(url(personas, "gestion:import_confirmer"), {})
    assert response.status_code == 302
    division.refresh_from_db()
    deux.refresh_from_db()
    assert division.code_mef == MEF_1MCV and division.code_mef_source.startswith("SIECLE")
    assert deux.code_mef == MEF_2MRC  # conflicting codes: left as it was


def _fichier(n):
    eleves, extra = [], {}
    for i in range(n):
        eleve_id = f"7{i:05d}"
        eleves.append((eleve_id, "", f"NOM{i}", "Élève", "01/02/2008", "1MCV"))
        extra[eleve_id] = {"statut": "AP", "mef": MEF_1MCV, "options": [(1, "S", "030201")]}
    return siecle(eleves, extra=extra)


# session, user, membership(s), établissement… then the two analysis queries: the preview
# never queries per line.
REQUETES_APERCU = 9


@pytest.mark.parametrize("nombre", [1, 40])
def test_apercu_nombre_de_requetes_constant(client, personas, nombre, django_assert_num_queries):
    login(client, personas.a.ddfpt, personas.a.diplome)
    _envoyer(client, personas, _fichier(nombre))
    with django_assert_num_queries(REQUETES_APERCU):
        response = client.get(url(personas, "gestion:import_apercu"))
    assert response.status_code == 200
    assert len(response.context["plan"].lignes) == nombre
