"""The import writes what SIECLE says: statut, departure, usage name, MEF (learner and
division), options — shown as changes first, idempotent, all or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cpro.models import Apprenant, AuditLog, Statut
from gestion import services
from gestion.importation import lire_csv, lire_siecle
from tests.gestion.fichiers import ELEVES, MEF_1MCV, MEF_2MRC, csv_apprenants, siecle
from tests.gestion.test_import_services import _etat, _importer

AUJOURDHUI = datetime.date.today()
PASSEE = AUJOURDHUI - datetime.timedelta(days=40)
FUTURE = AUJOURDHUI + datetime.timedelta(days=40)
SOURCE = f"SIECLE, import du {AUJOURDHUI:%d/%m/%Y}"


def _apprenant(eleve_id):
    return Apprenant.objects.select_related("membership__user", "division").get(eleve_id=eleve_id)


def _plan(personas, data, lire=lire_siecle):
    return services.analyser_import(personas.a.etablissement, lire(data).lignes)


def _ligne(plan, eleve_id):
    (lp,) = [lp for lp in plan.lignes if lp.ligne.eleve_id == eleve_id]
    return lp


def test_creation_ecrit_statut_nom_usage_mef_options_et_mef_des_divisions(personas):
    resultat = _importer(personas, siecle())
    eloise, hugo = _apprenant("501234"), _apprenant("501235")
    assert hugo.statut == Statut.APPRENTI  # the reported bug: apprentices became scolaires
    assert eloise.statut == Statut.SCOLAIRE
    # The account keeps the legal name; the usage name is beside it.
    assert (eloise.membership.user.last_name, eloise.nom_usage) == ("LEFÈVRE", "MARTIN")
    assert (eloise.code_mef, eloise.division.code_mef) == (MEF_1MCV, MEF_1MCV)
    assert eloise.division.code_mef_source == SOURCE
    assert _apprenant("501236").division.code_mef == MEF_2MRC
    assert eloise.options == [
        {"code_matiere": "030201", "modalite": "S", "rang": 1},
        {"code_matiere": "020700", "modalite": "F", "rang": 2},
    ]
    assert resultat["mef_modifies"] == []  # new divisions: created with their code


def test_reimport_du_meme_fichier_ne_change_rien_pas_meme_la_source_du_mef(personas):
    _importer(personas, siecle())
    avant = _etat(personas.a.etablissement)
    plan = _plan(personas, siecle())
    assert (plan.nb_modifier, plan.mef, plan.avertissements) == (0, [], [])
    resultat = _importer(personas, siecle(), choix={})
    assert (resultat["modifies"], resultat["inchanges"]) == (0, 3)
    assert _etat(personas.a.etablissement) == avant


def test_changements_affiches_avant_apres(personas):
    _importer(personas, siecle())
    extra = {
        "501234": {"nom_usage": "DUBOIS", "options": [(1, "S", "030201")]},
        "501235": {"statut": "ST", "mef": "24723402299"},
    }
    plan = _plan(personas, siecle(extra=extra))
    assert _ligne(plan, "501234").changements == {
        "nom_usage": ("MARTIN", "DUBOIS"),
        "options": ("030201 (S, rang 1), 020700 (F, rang 2)", "030201 (S, rang 1)"),
    }
    assert _ligne(plan, "501235").changements == {
        "statut": ("Apprenti", "Scolaire"),
        "code_mef": (MEF_1MCV, "24723402299"),
    }


def test_eleve_sorti_quitte_sa_division_et_garde_la_date(personas):
    _importer(personas, siecle())
    sortie = {"501235": {"sortie": PASSEE.strftime("%d/%m/%Y")}}
    plan = _plan(personas, siecle(extra=sortie))
    assert _ligne(plan, "501235").changements == {
        "division": ("1MCV", ""),
        "date_sortie": ("", f"sorti le {PASSEE:%d/%m/%Y}"),
    }
    _importer(personas, siecle(extra=sortie), choix={})
    hugo = _apprenant("501235")
    assert (hugo.division, hugo.date_sortie) == (None, PASSEE)
    assert hugo.membership.active  # deactivating the account stays a DDFPT action
    # Same file again: nothing changes.
    assert _plan(personas, siecle(extra=sortie)).nb_modifier == 0
    # Back in the division (no DATE_SORTIE any more): the date is cleared.
    _importer(personas, siecle(), choix={})
    hugo = _apprenant("501235")
    assert (hugo.division.nom, hugo.date_sortie) == ("1MCV", None)


def test_date_de_sortie_d_un_compte_desactive_n_est_pas_effacee(personas):
    """The date of a deactivation (RGPD retention runs from it) is kept by a file without
    DATE_SORTIE."""
    _importer(personas, siecle())
    hugo = _apprenant("501235")
    hugo.membership.active = False
    hugo.membership.save()
    hugo.date_sortie = PASSEE
    hugo.save()
    assert "date_sortie" not in _ligne(_plan(personas, siecle()), "501235").changements
    _importer(personas, siecle(), choix={})
    assert _apprenant("501235").date_sortie == PASSEE


def test_eleve_sorti_inconnu_n_est_pas_cree(personas):
    sortie = {"501236": {"sortie": PASSEE.strftime("%d/%m/%Y")}}
    plan = _plan(personas, siecle(extra=sortie))
    assert (_ligne(plan, "501236").action, plan.nb_sortis, plan.nb_creer) == ("sorti", 1, 2)
    assert "2MRC" not in plan.divisions_nouvelles  # no division proposed for a leaver
    resultat = _importer(personas, siecle(extra=sortie), choix={"1MCV": _choix(personas)})
    assert (resultat["crees"], resultat["sortis_non_crees"]) == (2, 1)
    assert not Apprenant.objects.filter(eleve_id="501236").exists()


def _choix(personas):
    from referentiels.models import Niveau

    return (personas.a.diplome, Niveau.PREMIERE)


def test_depart_annonce_reste_dans_la_division(personas):
    _importer(personas, siecle())
    annonce = {"501235": {"sortie": FUTURE.strftime("%d/%m/%Y")}}
    plan = _plan(personas, siecle(extra=annonce))
    lp = _ligne(plan, "501235")
    assert (lp.action, lp.ligne.depart_annonce) == ("inchange", FUTURE)
    _importer(personas, siecle(extra=annonce), choix={})
    hugo = _apprenant("501235")
    assert (hugo.division.nom, hugo.date_sortie) == ("1MCV", None)


def test_mef_differents_dans_une_division_avertissement_et_code_inchange(personas):
    _importer(personas, siecle())
    extra = {"501235": {"mef": "24723402299"}}
    plan = _plan(personas, siecle(extra=extra))
    (avertissement,) = plan.avertissements
    assert "Division 1MCV" in avertissement and "codes MEF différents" in avertissement
    assert f"{MEF_1MCV} (1 élève), 24723402299 (1 élève)" in avertissement
    assert plan.mef == []
    _importer(personas, siecle(extra=extra), choix={})
    assert _apprenant("501234").division.code_mef == MEF_1MCV
    assert _apprenant("501235").code_mef == "24723402299"


def test_mef_saisi_a_la_main_remplace_seulement_en_le_montrant(personas):
    a = personas.a
    a.division.code_mef, a.division.code_mef_source = "24723400000", "Saisi par le DDFPT"
    a.division.save()
    eleves = [(*e[:5], a.division.nom) for e in ELEVES[:2]]  # 1MCV → the existing "1A"
    plan = _plan(personas, siecle(eleves))
    (changement,) = plan.mef
    assert (changement.division, changement.avant, changement.apres) == (
        a.division.nom,
        "24723400000",
        MEF_1MCV,
    )
    assert changement.manuel and not changement.nouvelle
    resultat = _importer(personas, siecle(eleves), choix={})
    assert resultat["mef_modifies"] == [
        {"division": a.division.nom, "avant": "24723400000", "apres": MEF_1MCV, "manuel": True}
    ]
    a.division.refresh_from_db()
    assert (a.division.code_mef, a.division.code_mef_source) == (MEF_1MCV, SOURCE)
    log = AuditLog.objects.get(action="import.apprenants")
    assert log.apres["mef_modifies"][0]["manuel"] is True


def test_mef_issu_d_un_import_precedent_n_est_pas_marque_manuel(personas):
    a = personas.a
    a.division.code_mef, a.division.code_mef_source = "24723400000", "SIECLE, import du 01/09/2025"
    a.division.save()
    eleves = [(*e[:5], a.division.nom) for e in ELEVES[:2]]
    (changement,) = _plan(personas, siecle(eleves)).mef
    assert not changement.manuel


def test_statut_inconnu_rien_n_est_ecrit(personas):
    _importer(personas, siecle())
    avant = _etat(personas.a.etablissement)
    with pytest.raises(ValidationError, match="statut inconnu « FC »"):
        _importer(personas, siecle(extra={"501235": {"statut": "FC"}}), choix={})
    assert _etat(personas.a.etablissement) == avant


def test_csv_sans_colonnes_facultatives_ne_touche_pas_aux_donnees_siecle(personas):
    _importer(personas, siecle())
    avant = _etat(personas.a.etablissement)
    ligne = ("LEFÈVRE", "Éloïse", "14/03/2008", "1234567890A", "501234", "1MCV", "")
    data = csv_apprenants([ligne])
    assert _plan(personas, data, lire=lire_csv).lignes[0].action == "inchange"
    resultat = _importer(personas, data, choix={}, lire=lire_csv)
    assert resultat["inchanges"] == 1
    assert _etat(personas.a.etablissement) == avant
