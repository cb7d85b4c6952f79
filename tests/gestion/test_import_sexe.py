"""The learner's sex (SIECLE CODE_SEXE, CSV column sexe / genre, learner form): read, shown in
the preview before → after, written, never cleared by a file that does not say it."""

import pytest
from django.core.exceptions import ValidationError

from cpro.models import Apprenant, AuditLog, Sexe
from gestion import services
from gestion.importation import lire_csv, lire_siecle
from tests.gestion.fichiers import csv_apprenants, siecle
from tests.gestion.test_import_services import _importer
from tests.gestion.test_views import url
from tests.gestion.test_views_import import _envoyer, _importer_puis_envoyer
from tests.personas import login


def _par_id(lecture):
    return {li.eleve_id: li for li in lecture.lignes}


def _sexe(eleve_id):
    return Apprenant.objects.get(eleve_id=eleve_id).sexe


# --- reading ---------------------------------------------------------------------------------


def test_code_sexe_1_and_2_are_read():
    lignes = _par_id(lire_siecle(siecle()))
    assert lignes["501234"].sexe == Sexe.FEMININ  # Éloïse, CODE_SEXE 2
    assert lignes["501235"].sexe == Sexe.MASCULIN  # Hugo, CODE_SEXE 1


def test_code_sexe_absent_is_unsaid():
    lignes = _par_id(lire_siecle(siecle(extra={"501235": {"sexe": None}})))
    assert lignes["501235"].sexe == ""


def test_unknown_code_sexe_is_an_error_of_the_line():
    lecture = lire_siecle(siecle(extra={"501235": {"sexe": "3"}}))
    assert "501235" not in _par_id(lecture)
    (erreur,) = lecture.erreurs
    assert "501235" in erreur and "sexe inconnu « 3 »" in erreur


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [("F", "F"), ("m", "M"), ("Féminin", "F"), ("masculin", "M"), ("fille", "F"), ("", "")],
)
def test_csv_sexe_or_genre_column(valeur, attendu):
    for colonne in ("sexe", "genre"):
        entete = f"nom;prenom;date_naissance;ine;eleve_id;division;{colonne}"
        ligne = ("Martin", "Léa", "14/03/2008", "1234567890A", "501234", "1MCV", valeur)
        lecture = lire_csv(csv_apprenants([ligne], entete=entete))
        assert lecture.erreurs == []
        assert lecture.lignes[0].sexe == attendu


def test_csv_unknown_sexe_is_an_error():
    entete = "nom;prenom;date_naissance;ine;eleve_id;division;sexe"
    ligne = ("Martin", "Léa", "14/03/2008", "1234567890A", "501234", "1MCV", "X")
    lecture = lire_csv(csv_apprenants([ligne], entete=entete))
    assert lecture.lignes == [] and "sexe inconnu « X »" in lecture.erreurs[0]


# --- writing ---------------------------------------------------------------------------------


def test_import_writes_the_sex_and_shows_its_change(personas):
    _importer(personas, siecle())
    assert (_sexe("501234"), _sexe("501235")) == ("F", "M")
    plan = services.analyser_import(
        personas.a.etablissement, lire_siecle(siecle(extra={"501235": {"sexe": "2"}})).lignes
    )
    (hugo,) = [lp for lp in plan.lignes if lp.ligne.eleve_id == "501235"]
    assert hugo.changements == {"sexe": ("Masculin", "Féminin")}
    assert ("Sexe", "Masculin", "Féminin") in hugo.changements_affiches


def test_file_without_sex_keeps_the_known_sex(personas):
    _importer(personas, siecle())
    sans = {k: {"sexe": None} for k in ("501234", "501235", "501236")}
    resultat = _importer(personas, siecle(extra=sans), choix={})
    assert resultat["inchanges"] == 3
    assert (_sexe("501234"), _sexe("501235")) == ("F", "M")


def test_preview_shows_sex_and_agreed_status(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    _envoyer(client, personas, siecle(extra={"501235": {"sexe": "2"}}))
    html = client.get(url(personas, "gestion:import_apercu")).text
    assert "Apprentie" in html and "Féminin" in html


def test_preview_before_after_of_the_sex(client, personas):
    _importer_puis_envoyer(client, personas, siecle(extra={"501235": {"sexe": "2"}}))
    html = client.get(url(personas, "gestion:import_apercu")).text
    assert "Sexe : Masculin → Féminin" in html


# --- learner form ----------------------------------------------------------------------------


def _donnees(apprenant, **changes):
    user = apprenant.membership.user
    data = {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "ine": apprenant.ine,
        "eleve_id": apprenant.eleve_id,
        "date_naissance": "",
        "statut": apprenant.statut,
        "sexe": apprenant.sexe,
        "division": apprenant.division_id or "",
        "numero_candidat": apprenant.numero_candidat,
    }
    data.update(changes)
    return data


def test_learner_form_edits_the_sex_with_audit(client, personas):
    a = personas.a
    apprenant = a.apprenti.apprenant
    login(client, a.ddfpt, a.diplome)
    page = url(personas, "gestion:apprenant_modifier", pk=apprenant.pk)
    assert "— non renseigné —" in client.get(page).text
    response = client.post(page, _donnees(apprenant, sexe="F"))
    assert response.status_code == 302, response.context["form"].errors
    apprenant.refresh_from_db()
    assert apprenant.sexe == "F" and apprenant.libelle_statut == "apprentie"
    log = AuditLog.objects.get(action="apprenant.modifier")
    assert (log.avant["sexe"], log.apres["sexe"]) == ("", "F")


def test_service_refuses_an_unknown_sex(personas):
    a = personas.a
    apprenant = a.apprenti.apprenant
    user = apprenant.membership.user
    with pytest.raises(ValidationError) as exc:
        services.modifier_apprenant(
            apprenant,
            par=a.ddfpt.user,
            nom=user.last_name,
            prenom=user.first_name,
            statut=apprenant.statut,
            sexe="X",
        )
    assert "sexe" in exc.value.message_dict
    apprenant.refresh_from_db()
    assert apprenant.sexe == ""


# --- RGPD: the sex is learner data -----------------------------------------------------------


def test_rgpd_export_contains_the_sex_and_erasure_clears_it(personas):
    from gestion import rgpd
    from tests.gestion.test_rgpd import _parti

    a = personas.a
    apprenant = a.apprenti.apprenant
    apprenant.sexe = Sexe.FEMININ
    apprenant.save(update_fields=["sexe"])
    assert rgpd.donnees_apprenant(apprenant)["identite"]["sexe"] == "F"

    apprenant = _parti(personas, apprenant)
    rgpd.effacer_apprenant(apprenant, par=a.ddfpt.user)
    apprenant.refresh_from_db()
    assert apprenant.sexe == ""
    assert apprenant.libelle_statut == "apprenti(e)"
