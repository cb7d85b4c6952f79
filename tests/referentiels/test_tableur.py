"""referentiels/tableur.py: the ODS spreadsheet of a référentiel, written and read back."""

import json
from pathlib import Path

import pytest
from odf.table import TableCell
from odf.text import P

from referentiels.models import Critere, Diplome
from referentiels.services import (
    ReferentielInvalide,
    charger_referentiel,
    document_referentiel,
    previsualiser_referentiel,
)
from referentiels.tableur import FEUILLES, ecrire_ods, lire_document, lire_ods
from tests.referentiels.documents import document_minimal
from tests.referentiels.tableurs import Classeur, archive

pytestmark = pytest.mark.django_db

FIXTURES = sorted(Path("fixtures/referentiels").glob("*.json"))


def erreurs_de(contenu: bytes) -> list[str]:
    with pytest.raises(ReferentielInvalide) as exc:
        lire_document(contenu)
    return exc.value.erreurs


@pytest.fixture
def ods():
    """The minimal référentiel, loaded, exported as a spreadsheet."""
    diplome = charger_referentiel(document_minimal()).diplome
    return ecrire_ods(document_referentiel(diplome))


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("chemin", FIXTURES, ids=lambda p: p.stem)
def test_aller_retour_d_un_referentiel_officiel_ne_change_rien(chemin):
    diplome = charger_referentiel(json.loads(chemin.read_text())).diplome
    document = document_referentiel(diplome)
    assert previsualiser_referentiel(document).modifies == 0

    relu = lire_ods(ecrire_ods(document))
    assert relu == document
    rapport = previsualiser_referentiel(relu)
    assert rapport.valide, rapport.erreurs
    assert (rapport.crees, rapport.modifies, rapport.absents) == (0, 0, 0)
    assert rapport.inchanges > 90


def test_feuilles_en_tetes_et_lignes(ods):
    classeur = Classeur(ods)
    assert classeur.noms() == ["Lisez-moi", *FEUILLES]
    lisez_moi = "\n".join(v[0] for v in classeur.valeurs("Lisez-moi") if v)
    assert "Supprimer une ligne ne supprime jamais rien" in lisez_moi
    assert "Les codes sont les clés" in lisez_moi
    for nom, entetes in FEUILLES.items():
        assert classeur.valeurs(nom)[0] == list(entetes), nom
    criteres = classeur.valeurs("Critères")
    assert criteres[1][:5] == ["C1.1", "C1.1-1", "Critère unique", "N1", "Descripteur N1"]
    assert criteres[1][-2:] == ["test", "Élevée"]
    competences = classeur.valeurs("Compétences")
    assert competences[1][:3] == ["Bloc", "B1", "Bloc unique"]
    assert competences[2][:4] == ["Compétence", "C1.1", "Compétence unique", "B1"]
    assert competences[2][-1] == "Faible"
    assert classeur.valeurs("Matrice")[1] == ["A1-T1", "C1.1", "test", "Moyenne"]
    assert classeur.valeurs("Indicateurs")[1][:4] == ["C1.1", "C1.1-1", "C1.1-1-a", "Indicateur"]
    unite = classeur.cellule("Unités", 1, "Coefficient")
    assert unite.getAttribute("valuetype") == "float" and unite.getAttribute("value") == "4"


def test_libelle_modifie_avant_apres(ods):
    classeur = Classeur(ods)
    ligne = classeur.ligne_de("Critères", Code="C1.1-1")
    classeur.ecrire("Critères", ligne, "Intitulé", "Critère  reformulé\u00a0: « officiel »")
    document = lire_ods(classeur.octets())
    rapport = previsualiser_referentiel(document)
    criteres = rapport.comptes["criteres"]
    assert (rapport.modifies, criteres.modifies) == (1, 1)
    [changement] = criteres.changements
    assert changement.code == "C1.1-1"
    assert changement.champs == [
        ("intitulé", "Critère unique", "Critère  reformulé\u00a0: « officiel »")
    ]
    assert Critere.objects.get(code="C1.1-1").intitule == "Critère unique"  # preview only


def test_confiance_en_mots_francais(ods):
    classeur = Classeur(ods)
    ligne = classeur.ligne_de("Unités", Code="U31")
    for mot, valeur in (("moyenne", "medium"), ("RECONSTRUIT", "low"), ("Vérifiée", "high")):
        classeur.ecrire("Unités", ligne, "Confiance", mot)
        assert lire_ods(classeur.octets())["unites"][0]["confiance"] == valeur
    classeur.ecrire("Unités", ligne, "Confiance", "Peut-être")
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Unités », ligne 2 : confiance « Peut-être » inconnue "
        "(attendu : Élevée, Moyenne, Faible)."
    ]


def test_nombres_et_formules_lus_comme_du_texte(ods):
    classeur = Classeur(ods)
    # A code typed as a number, a label computed by a formula: what the cell shows is kept.
    code = TableCell(valuetype="float", value="101")
    code.addElement(P(text="0101"))
    classeur.remplacer_cellule("Compétences LSL", 1, "Code", code)
    formule = TableCell(valuetype="string", formula='of:="Compétence"&" du livret"')
    formule.addElement(P(text="Compétence du livret"))
    classeur.remplacer_cellule("Compétences LSL", 1, "Intitulé", formule)
    # A number cell without displayed text (written by another tool): its value.
    nombre = TableCell(valuetype="float", value="31")
    classeur.remplacer_cellule("Unités", 1, "Épreuve", nombre)
    document = lire_ods(classeur.octets())
    assert document["competences_lsl"][0]["code"] == "0101"
    assert document["competences_lsl"][0]["intitule"] == "Compétence du livret"
    assert document["unites"][0]["epreuve"] == "31"


def test_coefficient_a_virgule(ods):
    classeur = Classeur(ods)
    classeur.remplacer_cellule("Unités", 1, "Coefficient", TableCell(valuetype="string"))
    classeur.ecrire("Unités", 1, "Coefficient", "2,5")
    assert lire_ods(classeur.octets())["unites"][0]["coefficient"] == 2.5
    classeur.ecrire("Unités", 1, "Coefficient", "deux")
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Unités », ligne 2 : coefficient « deux » : un nombre est attendu."
    ]


# --- errors: sheet + row, nothing read -----------------------------------------------------


def test_feuille_renommee(ods):
    classeur = Classeur(ods)
    classeur.renommer("Critères", "Criteres")
    erreurs = erreurs_de(classeur.octets())
    assert erreurs[0].startswith("Feuille « Criteres » inconnue (feuilles attendues : Lisez-moi")
    assert erreurs[1] == "Feuille « Critères » manquante."


def test_en_tete_modifie(ods):
    classeur = Classeur(ods)
    classeur.ecrire("Critères", 0, "Intitulé", "Libellé")
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Critères », ligne 1 : colonne « Libellé » inconnue.",
        "Feuille « Critères », ligne 1 : colonne(s) manquante(s) : « Intitulé ».",
    ]


def test_code_vide(ods):
    classeur = Classeur(ods)
    classeur.ecrire("Critères", 1, "Code", "")
    # The rows that pointed to that criterion are reported too (sheet + row each).
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Critères », ligne 2 : code de critère vide (colonne « Code »).",
        "Feuille « Indicateurs », ligne 2 : critère « C1.1-1 » de la compétence « C1.1 » "
        "inconnu (feuille « Critères »).",
        "Feuille « Grilles CCF », ligne 2 : ligne « C1.1-1 » : pas un critère des compétences "
        "de la grille.",
    ]


def test_codes_en_double(ods):
    classeur = Classeur(ods)
    classeur.copier_ligne("Unités", 1)
    classeur.copier_ligne("Critères", 1)
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Unités », ligne 3 : code d'unité « U31 » en double (déjà ligne 2).",
        "Feuille « Critères », ligne 3 : critère « C1.1-1 » de C1.1 en double (déjà ligne 2).",
    ]


def test_critere_d_une_competence_inconnue(ods):
    classeur = Classeur(ods)
    ligne = classeur.copier_ligne("Critères", 1)
    classeur.ecrire("Critères", ligne, "Compétence (code parent)", "C9.9")
    classeur.ecrire("Critères", ligne, "Code", "C9.9-1")
    classeur.ecrire("Matrice", 1, "Tâche", "A9-T9")
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Critères », ligne 3 : compétence « C9.9 » inconnue (feuille « Compétences »).",
        "Feuille « Matrice », ligne 2 : tâche « A9-T9 » inconnue "
        "(feuille « Activités et tâches »).",
    ]


def test_types_et_oui_non(ods):
    classeur = Classeur(ods)
    classeur.ecrire("Activités et tâches", 2, "Type", "Sous-tâche")
    classeur.ecrire("Unités", 1, "En CCF", "peut-être")
    assert erreurs_de(classeur.octets()) == [
        "Feuille « Unités », ligne 2 : « En CCF » doit valoir Oui ou Non.",
        "Feuille « Activités et tâches », ligne 3 : type « Sous-tâche » inconnu "
        "(attendu : Activité ou Tâche).",
        "Feuille « Matrice », ligne 2 : tâche « A1-T1 » inconnue "
        "(feuille « Activités et tâches »).",
    ]


def test_ligne_supprimee_n_est_pas_une_erreur(ods):
    classeur = Classeur(ods)
    classeur.supprimer_ligne("Indicateurs", 1)
    rapport = previsualiser_referentiel(lire_ods(classeur.octets()))
    assert rapport.comptes["indicateurs"].absents == ["C1.1-1-a"]
    assert rapport.modifies == 0


# --- not a spreadsheet ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu, attendu",
    [
        (b"%PDF-1.4 ...", "n'est ni un tableur ODS ni un document JSON"),
        ("Code;Intitulé\n".encode(), "n'est ni un tableur ODS ni un document JSON"),
        (
            archive({"content.xml": "<x/>"}, "application/vnd.oasis.opendocument.text"),
            "n'est pas un tableur ODS (un texte ou une présentation",
        ),
        (archive({"xl/workbook.xml": "<x/>"}, None), "n'est pas un tableur ODS lisible"),
        (b"PK\x03\x04 tronque", "n'est pas un tableur ODS lisible"),
        (
            archive(
                {"content.xml": "<a>&x;</a>"}, "application/vnd.oasis.opendocument.spreadsheet"
            ),
            "n'est pas un tableur ODS lisible",
        ),
        (b" " * (2 * 1024 * 1024 + 1), "taille maximale de 2 Mo"),
    ],
    ids=["pdf", "csv", "odt", "xlsx", "zip-tronque", "xml-invalide", "trop-gros"],
)
def test_fichier_qui_n_est_pas_un_tableur(contenu, attendu):
    [erreur] = erreurs_de(contenu)
    assert attendu in erreur


def test_bombe_zip_refusee_sans_etre_lue():
    contenu = archive(
        {"content.xml": b"<" + b" " * (21 * 1024 * 1024)},
        "application/vnd.oasis.opendocument.spreadsheet",
    )
    assert len(contenu) < 2 * 1024 * 1024
    assert erreurs_de(contenu) == ["Le tableur est trop volumineux une fois décompressé."]


def test_entites_xml_refusees():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;">]>'
        "<a>&y;</a>"
    )
    contenu = archive({"content.xml": xml}, "application/vnd.oasis.opendocument.spreadsheet")
    assert "n'est pas un tableur ODS lisible" in erreurs_de(contenu)[0]


def test_json_reconnu_par_son_contenu():
    document, format_ = lire_document(json.dumps(document_minimal()).encode())
    assert format_ == "json" and document["diplome"]["code"] == "TINY"
    assert not Diplome.objects.filter(code="TINY").exists()
