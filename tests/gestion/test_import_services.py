"""The people import: analysis, atomic write, idempotence, errors → nothing written."""

import pytest
from django.core.exceptions import ValidationError

from cpro.models import Apprenant, AuditLog, Division, Membership, Role, Statut, User
from gestion import services
from gestion.importation import lire_csv, lire_siecle
from referentiels.models import Niveau
from tests.factories import ApprenantFactory
from tests.gestion.fichiers import ELEVES, csv_apprenants, siecle


def _etat(etab):
    """Everything an import may touch, to compare before/after."""
    return (
        sorted(
            Apprenant.objects.filter(etablissement=etab).values_list(
                "pk",
                "ine",
                "eleve_id",
                "date_naissance",
                "statut",
                "division_id",
                "membership__user__last_name",
                "membership__user__first_name",
                "nom_usage",
                "code_mef",
                "options",
                "date_sortie",
            )
        ),
        User.objects.count(),
        Membership.objects.count(),
        sorted(
            Division.objects.values_list(
                "pk", "nom", "diplome_id", "niveau", "code_mef", "code_mef_source"
            )
        ),
    )


def _importer(personas, data, choix=None, lire=lire_siecle):
    a = personas.a
    lecture = lire(data)
    if choix is None:
        choix = {
            "1MCV": (a.diplome, Niveau.PREMIERE),
            "2MRC": (a.diplome2, Niveau.SECONDE),
        }
    return services.importer_apprenants(
        a.etablissement,
        lecture.lignes,
        par=a.ddfpt.user,
        choix_divisions=choix,
        erreurs_lecture=lecture.erreurs,
        fichier="ElevesSansAdresses.xml",
        format=lecture.format,
    )


def test_import_siecle_cree_divisions_et_apprenants(personas):
    a = personas.a
    resultat = _importer(personas, siecle())
    assert resultat == {
        "crees": 3,
        "modifies": 0,
        "inchanges": 0,
        "ignores": 0,
        "sortis_non_crees": 0,
        "divisions_creees": ["1MCV", "2MRC"],
        "mef_modifies": [],
    }
    eloise = Apprenant.objects.select_related("membership__user", "division").get(
        etablissement=a.etablissement, eleve_id="501234"
    )
    assert (eloise.ine, eloise.membership.user.first_name, eloise.membership.role) == (
        "1234567890A",
        "Éloïse",
        Role.APPRENANT,
    )
    assert eloise.membership.user.username == "eloise.lefevre"
    assert not eloise.membership.user.has_usable_password()
    assert (eloise.division.nom, eloise.division.diplome, eloise.division.niveau) == (
        "1MCV",
        a.diplome,
        Niveau.PREMIERE,
    )
    assert eloise.statut == Statut.SCOLAIRE
    log = AuditLog.objects.get(action="import.apprenants")
    assert log.etablissement == a.etablissement and log.apres["crees"] == 3


def test_reimporter_le_meme_fichier_ne_change_rien(personas):
    _importer(personas, siecle())
    avant = _etat(personas.a.etablissement)
    resultat = _importer(personas, siecle(), choix={})
    assert (resultat["crees"], resultat["modifies"], resultat["inchanges"]) == (0, 0, 3)
    assert _etat(personas.a.etablissement) == avant


def test_mise_a_jour_des_champs_changes_seulement(personas):
    _importer(personas, siecle())
    eleves = [list(e) for e in ELEVES]
    eleves[1][3] = "Hugo-Louis"  # prénom
    eleves[1][5] = "2MRC"  # change of division
    plan = services.analyser_import(personas.a.etablissement, lire_siecle(siecle(eleves)).lignes)
    modif = [lp for lp in plan.lignes if lp.action == "modifier"]
    assert len(modif) == 1
    assert modif[0].changements == {"prenom": ("Hugo", "Hugo-Louis"), "division": ("1MCV", "2MRC")}
    resultat = _importer(personas, siecle(eleves), choix={})
    assert (resultat["modifies"], resultat["inchanges"]) == (1, 2)
    hugo = Apprenant.objects.get(eleve_id="501235")
    assert (hugo.membership.user.first_name, hugo.division.nom) == ("Hugo-Louis", "2MRC")


def test_apprenant_existant_retrouve_par_ine(personas):
    a = personas.a
    existant = a.apprenant.apprenant
    existant.ine, existant.eleve_id = "1234567890A", ""
    existant.save()
    _importer(personas, siecle())
    existant.refresh_from_db()
    assert existant.eleve_id == "501234"
    assert existant.membership.user.last_name == "LEFÈVRE"
    assert Apprenant.objects.filter(etablissement=a.etablissement).count() == 2 + 2


def test_les_apprenants_d_un_autre_etablissement_ne_sont_jamais_touches(personas):
    b = personas.b
    autre = ApprenantFactory(etablissement=b.etablissement, eleve_id="501234", ine="1234567890A")
    _importer(personas, siecle())
    autre.refresh_from_db()
    assert autre.membership.etablissement == b.etablissement
    assert autre.membership.user.last_name != "LEFÈVRE"


def test_ine_en_double_dans_le_fichier_rien_n_est_ecrit(personas):
    eleves = [list(e) for e in ELEVES]
    eleves[2][1] = eleves[0][1]
    avant = _etat(personas.a.etablissement)
    with pytest.raises(ValidationError) as exc:
        _importer(personas, siecle(eleves))
    assert any("INE 1234567890A en double" in m for m in exc.value.messages)
    assert _etat(personas.a.etablissement) == avant
    assert not AuditLog.objects.filter(action="import.apprenants").exists()


def test_ine_deja_attribue_a_un_autre_apprenant(personas):
    a = personas.a
    ine_pris = a.apprenti.apprenant.ine
    data = csv_apprenants([("Neuf", "Élève", "01/01/2008", ine_pris, "999", "1A", "")])
    avant = _etat(a.etablissement)
    with pytest.raises(ValidationError, match=f"INE {ine_pris} est déjà attribué"):
        _importer(personas, data, choix={}, lire=lire_csv)
    assert _etat(a.etablissement) == avant


def test_erreur_de_lecture_rien_n_est_ecrit(personas):
    data = csv_apprenants(
        [
            ("Bon", "Élève", "01/01/2008", "", "1001", "1A", ""),
            ("Mauvais", "Élève", "32/01/2008", "", "1002", "1A", ""),
        ]
    )
    avant = _etat(personas.a.etablissement)
    with pytest.raises(ValidationError, match="Ligne 3"):
        _importer(personas, data, choix={}, lire=lire_csv)
    assert _etat(personas.a.etablissement) == avant


def test_divisions_inconnues_sans_choix_refusees(personas):
    avant = _etat(personas.a.etablissement)
    with pytest.raises(ValidationError, match="1MCV, 2MRC"):
        _importer(personas, siecle(), choix={})
    assert _etat(personas.a.etablissement) == avant


def test_division_ignoree_et_division_existante(personas):
    a = personas.a
    data = csv_apprenants(
        [
            ("Un", "Élève", "01/01/2008", "", "1001", "1a", "apprenti"),  # existing "1A"
            ("Deux", "Élève", "01/01/2008", "", "1002", "CAP1", ""),
        ]
    )
    resultat = _importer(personas, data, choix={"CAP1": None}, lire=lire_csv)
    assert (resultat["crees"], resultat["ignores"], resultat["divisions_creees"]) == (1, 1, [])
    un = Apprenant.objects.get(eleve_id="1001")
    assert (un.division, un.statut) == (a.division, Statut.APPRENTI)
    assert not Apprenant.objects.filter(eleve_id="1002").exists()


def test_choix_de_division_invalide(personas):
    a = personas.a
    avant = _etat(a.etablissement)
    with pytest.raises(ValidationError, match="Division 1MCV"):
        _importer(
            personas,
            siecle(),
            choix={"1MCV": (personas.b.diplome.__class__(pk=0), Niveau.PREMIERE), "2MRC": None},
        )
    assert _etat(a.etablissement) == avant
