"""Reading what SIECLE says besides the identity (statut, departure, usage name, MEF, options)
and the encodings (no database)."""

import datetime

import pytest

from cpro.models import Statut
from gestion.importation import FichierInvalide, lire_csv, lire_fichier, lire_siecle
from tests.gestion.fichiers import MEF_1MCV, MEF_2MRC, csv_apprenants, siecle

AUJOURDHUI = datetime.date.today()
PASSEE = AUJOURDHUI - datetime.timedelta(days=40)
FUTURE = AUJOURDHUI + datetime.timedelta(days=40)


def _par_id(lecture):
    return {li.eleve_id: li for li in lecture.lignes}


def test_code_statut_st_and_ap_are_read():
    lignes = _par_id(lire_siecle(siecle()))
    assert lignes["501234"].statut == Statut.SCOLAIRE
    assert lignes["501235"].statut == Statut.APPRENTI  # an apprentice stays an apprentice


def test_code_statut_absent_leaves_the_statut_unsaid():
    lignes = _par_id(lire_siecle(siecle(extra={"501235": {"statut": None}})))
    assert lignes["501235"].statut == ""


def test_unknown_code_statut_is_an_error_not_a_default():
    lecture = lire_siecle(siecle(extra={"501235": {"statut": "XX"}}))
    assert "501235" not in _par_id(lecture)
    (erreur,) = lecture.erreurs
    assert "501235" in erreur and "statut inconnu « XX »" in erreur
    assert "« ST » scolaire ou « AP » apprenti" in erreur


def test_date_sortie_in_the_past_clears_the_division_and_keeps_the_date():
    sortie = PASSEE.strftime("%d/%m/%Y")
    lecture = lire_siecle(siecle(extra={"501235": {"sortie": sortie}}))
    hugo = _par_id(lecture)["501235"]
    assert (hugo.division, hugo.date_sortie, hugo.depart_annonce) == ("", PASSEE, None)
    assert hugo.sortie_indiquee
    assert _par_id(lecture)["501234"].date_sortie is None


def test_pupil_who_left_without_a_division_is_read_not_ignored():
    sortie = PASSEE.strftime("%d/%m/%Y")
    lecture = lire_siecle(siecle(extra={"501237": {"sortie": sortie}}))
    assert _par_id(lecture)["501237"].date_sortie == PASSEE
    assert lecture.ignores == []


def test_date_sortie_in_the_future_is_an_announced_departure():
    lecture = lire_siecle(siecle(extra={"501235": {"sortie": FUTURE.strftime("%d/%m/%Y")}}))
    hugo = _par_id(lecture)["501235"]
    assert (hugo.division, hugo.date_sortie, hugo.depart_annonce) == ("1MCV", None, FUTURE)


def test_invalid_date_sortie_is_an_error():
    lecture = lire_siecle(siecle(extra={"501235": {"sortie": "31/09/2025"}}))
    assert any("date de sortie invalide « 31/09/2025 »" in e for e in lecture.erreurs)


def test_nom_usage_code_mef_and_options():
    lignes = _par_id(lire_siecle(siecle()))
    eloise, hugo, ines = lignes["501234"], lignes["501235"], lignes["501236"]
    assert (eloise.nom, eloise.nom_usage) == ("LEFÈVRE", "MARTIN")
    assert ines.nom_usage == ""  # NOM_USAGE equal to NOM_DE_FAMILLE: no distinct usage name
    assert (eloise.code_mef, ines.code_mef) == (MEF_1MCV, MEF_2MRC)
    assert eloise.options == [
        {"code_matiere": "030201", "modalite": "S", "rang": 1},
        {"code_matiere": "020700", "modalite": "F", "rang": 2},
    ]
    assert hugo.options == [{"code_matiere": "030201", "modalite": "S", "rang": 1}]
    assert ines.options == []  # the file has an OPTIONS section: none for her


def test_options_sorted_by_rang():
    extra = {"501234": {"options": [(2, "O", "020700"), (1, "S", "030201")]}}
    eloise = _par_id(lire_siecle(siecle(extra=extra)))["501234"]
    assert [o["rang"] for o in eloise.options] == [1, 2]


def test_absent_elements_are_unsaid():
    extra = {"501234": {"nom_usage": None, "mef": None}}
    eloise = _par_id(lire_siecle(siecle(extra=extra, avec_options=False)))["501234"]
    assert (eloise.nom_usage, eloise.code_mef, eloise.options) == (None, "", None)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"mef": "2472340"}, "code MEF invalide « 2472340 »"),
        ({"options": [(1, "X", "030201")]}, "modalité d'option inconnue « X »"),
        ({"options": [(1, "S", "ANG")]}, "code matière d'option invalide « ANG »"),
        (
            {"options": [(1, "S", "030201"), (1, "F", "020700")]},
            "rang d'option invalide ou en double « 1 »",
        ),
    ],
    ids=["mef", "modalite", "matiere", "rang"],
)
def test_invalid_mef_or_option_is_an_error_naming_the_pupil(extra, message):
    lecture = lire_siecle(siecle(extra={"501234": extra}))
    assert "501234" not in _par_id(lecture)
    assert any("501234" in e and message in e for e in lecture.erreurs), lecture.erreurs


# --- encodings ---------------------------------------------------------------------------------

# (name, encodings it can be written in): Œ and ’ are not in ISO-8859-1, ’ not in ISO-8859-15.
NOMS = [
    ("CŒUR", ["utf-8", "iso-8859-15", "cp1252"]),
    ("ØRSTED", ["utf-8", "iso-8859-1", "iso-8859-15", "cp1252"]),
    ("N’DIAYE", ["utf-8", "cp1252"]),
]
CAS = [(nom, enc) for nom, encodages in NOMS for enc in encodages]


def _un_eleve(nom):
    return [("601001", "5678901234E", nom, "Aimé", "01/02/2008", "1MCV")]


@pytest.mark.parametrize(("nom", "encodage"), CAS, ids=[f"{n}-{e}" for n, e in CAS])
def test_xml_declared_encoding_is_honoured(nom, encodage):
    data = siecle(_un_eleve(nom), encoding=encodage)
    assert lire_siecle(data).lignes[0].nom == nom


@pytest.mark.parametrize(("nom", "encodage"), CAS, ids=[f"{n}-{e}" for n, e in CAS])
def test_xml_without_declaration_is_detected(nom, encodage):
    data = siecle(_un_eleve(nom), encoding=encodage, declaration=False)
    (ligne,) = lire_siecle(data).lignes
    assert (ligne.nom, ligne.prenom) == (nom, "Aimé")


def test_xml_without_declaration_in_iso_8859_15_is_not_read_as_latin1():
    """The reported bug: « CŒUR » read as « C¼UR »."""
    data = siecle(_un_eleve("CŒUR"), encoding="iso-8859-15", declaration=False)
    assert b"C\xbcUR" in data
    assert lire_siecle(data).lignes[0].nom == "CŒUR"


def test_xml_all_names_in_windows_1252_without_declaration():
    eleves = [
        (f"60100{i}", f"567890123{i}E", nom, "Aimé", "01/02/2008", "1MCV")
        for i, (nom, _e) in enumerate(NOMS)
    ]
    lecture = lire_siecle(siecle(eleves, encoding="cp1252", declaration=False))
    assert [li.nom for li in lecture.lignes] == ["CŒUR", "ØRSTED", "N’DIAYE"]


@pytest.mark.parametrize(("nom", "encodage"), CAS, ids=[f"{n}-{e}" for n, e in CAS])
def test_csv_encoding_is_detected(nom, encodage):
    data = csv_apprenants(
        [(nom, "Aimé", "01/02/2008", "", "601001", "1MCV", "")], encoding=encodage
    )
    assert lire_csv(data).lignes[0].nom == nom


def test_undefined_windows_1252_byte_is_refused():
    data = csv_apprenants([("X\x81", "A", "01/02/2008", "", "1", "1MCV", "")], encoding="latin-1")
    with pytest.raises(FichierInvalide, match="Encodage du fichier non reconnu"):
        lire_csv(data)


# --- CSV optional columns ----------------------------------------------------------------------

ENTETE_COMPLET = (
    "nom;prenom;date_naissance;ine;eleve_id;division;statut;nom_usage;code_mef;date_sortie;options"
)


def test_csv_optional_columns():
    data = csv_apprenants(
        [
            (
                "Lefèvre",
                "Éloïse",
                "14/03/2008",
                "",
                "501234",
                "1MCV",
                "ST",
                "Martin",
                MEF_1MCV,
                "",
                "030201:S|020700:F",
            ),
            (
                "Nguyen",
                "Hugo",
                "02/11/2007",
                "",
                "501235",
                "1MCV",
                "AP",
                "",
                "",
                PASSEE.strftime("%d/%m/%Y"),
                "",
            ),
        ],
        entete=ENTETE_COMPLET,
    )
    lecture = lire_csv(data)
    assert lecture.erreurs == []
    eloise, hugo = lecture.lignes
    assert (eloise.statut, eloise.nom_usage, eloise.code_mef) == ("SCOLAIRE", "Martin", MEF_1MCV)
    assert eloise.options == [
        {"code_matiere": "030201", "modalite": "S", "rang": 1},
        {"code_matiere": "020700", "modalite": "F", "rang": 2},
    ]
    assert (eloise.sortie_indiquee, eloise.date_sortie) == (True, None)
    assert (hugo.statut, hugo.date_sortie, hugo.division, hugo.options) == (
        "APPRENTI",
        PASSEE,
        "",
        [],
    )


def test_csv_without_optional_columns_says_nothing_about_them():
    data = csv_apprenants([("Nguyen", "Hugo", "02/11/2007", "", "501235", "1MCV", "")])
    (ligne,) = lire_csv(data).lignes
    assert (ligne.nom_usage, ligne.code_mef, ligne.options, ligne.sortie_indiquee) == (
        None,
        "",
        None,
        False,
    )


def test_session_round_trip_keeps_the_new_fields():
    from gestion.importation import LigneImport

    sortie = PASSEE.strftime("%d/%m/%Y")
    for ligne in lire_fichier("e.xml", siecle(extra={"501235": {"sortie": sortie}})).lignes:
        assert LigneImport.from_session(ligne.to_session()) == ligne


def test_fixture_is_the_realistic_structure():
    data = siecle().decode("iso-8859-15")
    for element in (
        "<CODE_STATUT>AP</CODE_STATUT>",
        f"<CODE_MEF>{MEF_1MCV}</CODE_MEF>",
        "<NOM_USAGE>MARTIN</NOM_USAGE>",
        "<OPTIONS>",
        '<OPTION ELEVE_ID="501234"',
        "<CODE_MODALITE_ELECT>F</CODE_MODALITE_ELECT>",
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE>",
    ):
        assert element in data
