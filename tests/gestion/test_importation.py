"""Reading SIECLE and CSV files (no database)."""

import datetime

import pytest

from gestion.importation import FichierInvalide, lire_csv, lire_fichier, lire_siecle
from tests.gestion.fichiers import CSV_LIGNES, ENTETE, csv_apprenants, siecle


def test_siecle_iso_8859_15_is_read_with_accents_and_divisions():
    data = siecle()
    assert b"\xc9lo\xefse" in data  # really ISO-8859-15 bytes
    lecture = lire_siecle(data)
    assert lecture.erreurs == []
    assert [(li.eleve_id, li.ine, li.nom, li.prenom, li.division) for li in lecture.lignes] == [
        ("501234", "1234567890A", "LEFÈVRE", "Éloïse", "1MCV"),
        ("501235", "2345678901B", "NGUYEN", "Hugo", "1MCV"),
        ("501236", "3456789012C", "DURAND", "Inès", "2MRC"),
    ]
    assert lecture.lignes[0].date_naissance == datetime.date(2008, 3, 14)
    assert [li.statut for li in lecture.lignes] == ["SCOLAIRE", "APPRENTI", "SCOLAIRE"]
    # The pupil without a division (structure of type D) is listed, not imported.
    assert len(lecture.ignores) == 1 and "MÜLLER" in lecture.ignores[0]


def test_siecle_utf8_and_without_declaration():
    assert len(lire_siecle(siecle(encoding="UTF-8")).lignes) == 3
    assert lire_siecle(siecle(declaration=False)).lignes[0].prenom == "Éloïse"
    assert lire_siecle(siecle(encoding="UTF-8", declaration=False)).lignes[0].prenom == "Éloïse"


def test_siecle_declared_utf8_but_latin1_bytes_is_an_encoding_error():
    data = siecle().replace(b'encoding="ISO-8859-15"', b'encoding="UTF-8"')
    with pytest.raises(FichierInvalide, match="encodé"):
        lire_siecle(data)


def test_malformed_xml_names_the_line():
    data = siecle().replace(b"</NOM_DE_FAMILLE>", b"</NOM>", 1)
    with pytest.raises(FichierInvalide, match=r"mal formé \(ligne \d+\)"):
        lire_siecle(data)


def test_xml_entities_are_never_resolved():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<BEE_ELEVES><DONNEES><ELEVES><ELEVE ELEVE_ID='1'><NOM_DE_FAMILLE>&e;</NOM_DE_FAMILLE>"
        b"</ELEVE></ELEVES></DONNEES></BEE_ELEVES>"
    )
    with pytest.raises(FichierInvalide, match="DOCTYPE"):
        lire_siecle(data)


def test_wrong_root_element():
    with pytest.raises(FichierInvalide, match="BEE_ELEVES"):
        lire_siecle(b'<?xml version="1.0"?><STS_EDT></STS_EDT>')


def test_siecle_element_errors_name_the_pupil():
    data = siecle([("9001", "BAD", "DOE", "", "31/02/2008", "1MCV")])
    erreurs = lire_siecle(data).erreurs
    assert any("9001" in e and "prénom est obligatoire" in e for e in erreurs)
    assert any("INE invalide" in e for e in erreurs)
    assert any("date de naissance invalide « 31/02/2008 »" in e for e in erreurs)


@pytest.mark.parametrize(
    "data",
    [
        csv_apprenants(CSV_LIGNES),
        csv_apprenants(CSV_LIGNES, bom=True),
        csv_apprenants(CSV_LIGNES, sep=","),
        csv_apprenants(CSV_LIGNES, encoding="cp1252"),
        csv_apprenants(CSV_LIGNES, encoding="cp1252", sep=","),
    ],
    ids=["utf8", "utf8-bom", "virgule", "cp1252", "cp1252-virgule"],
)
def test_csv_variants_give_the_same_rows(data):
    lecture = lire_csv(data)
    assert lecture.erreurs == []
    assert [(li.nom, li.prenom, li.ine, li.statut) for li in lecture.lignes] == [
        ("Lefèvre", "Éloïse", "1234567890A", "SCOLAIRE"),
        ("Nguyen", "Hugo", "2345678901B", "APPRENTI"),
    ]


def test_csv_header_variants_and_optional_statut():
    data = csv_apprenants(
        [("Martin", "Léa", "2008-03-14", "", "77", "1MCV")],
        entete="Nom;Prénom;Date de naissance;INE;ELEVE_ID;Division",
    )
    (ligne,) = lire_csv(data).lignes
    assert (ligne.prenom, ligne.date_naissance, ligne.statut) == (
        "Léa",
        datetime.date(2008, 3, 14),
        "",
    )


def test_csv_missing_columns():
    data = csv_apprenants([("Martin", "Léa", "14/03/2008")], entete="nom;prenom;date_naissance")
    with pytest.raises(FichierInvalide, match="Colonnes manquantes : ine, eleve_id, division"):
        lire_csv(data)


def test_csv_errors_name_the_line():
    data = csv_apprenants(
        [
            ("Martin", "Léa", "14/03/2008", "1234567890A", "1", "1MCV", "scolaire"),
            ("", "Hugo", "2008-13-01", "", "", "", "stagiaire"),
        ]
    )
    erreurs = lire_csv(data).erreurs
    assert "Ligne 3 : le nom est obligatoire." in erreurs
    assert any(e.startswith("Ligne 3 : date de naissance invalide") for e in erreurs)
    assert "Ligne 3 : l'INE ou l'identifiant ELEVE_ID est obligatoire." in erreurs
    assert "Ligne 3 : la division est obligatoire." in erreurs
    assert any(e.startswith("Ligne 3 : statut inconnu") for e in erreurs)
    assert not any(e.startswith("Ligne 2") for e in erreurs)


def test_utf16_is_refused():
    with pytest.raises(FichierInvalide, match="Encodage"):
        lire_csv((ENTETE + "\n").encode("utf-16"))


def test_lire_fichier_dispatches_and_limits_size():
    assert lire_fichier("ElevesSansAdresses.xml", siecle()).format == "SIECLE"
    assert lire_fichier("eleves.csv", csv_apprenants(CSV_LIGNES)).format == "CSV"
    with pytest.raises(FichierInvalide, match="5 Mo"):
        lire_fichier("gros.csv", b"x" * (5 * 1024 * 1024 + 1))
    with pytest.raises(FichierInvalide, match="vide"):
        lire_fichier("vide.csv", b"  \n")
