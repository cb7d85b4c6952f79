"""Import pages: upload → preview (nothing written) → confirm (atomic write)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cpro.models import Apprenant, AuditLog, Division
from tests.gestion.fichiers import CSV_LIGNES, csv_apprenants, siecle
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
    from cpro.gestion.importation import lire_csv

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
