import pytest

from referentiels.models import (
    Activite,
    Competence,
    CompetenceLSL,
    Critere,
    Diplome,
    GrilleCCF,
    GroupeCompetences,
    Indicateur,
    LienTacheCompetence,
    Tache,
    Unite,
)
from referentiels.services import (
    ReferentielInvalide,
    charger_referentiel,
    previsualiser_referentiel,
    valider_referentiel,
)
from tests.referentiels.documents import document_minimal

MODELES = (
    Diplome,
    Unite,
    Activite,
    Tache,
    GroupeCompetences,
    Competence,
    Critere,
    Indicateur,
    LienTacheCompetence,
    GrilleCCF,
    CompetenceLSL,
)


def comptes():
    return {m.__name__: m.objects.count() for m in MODELES}


@pytest.mark.django_db
def test_premier_chargement_cree_tout():
    rapport = charger_referentiel(document_minimal())
    assert rapport.ecrit and rapport.diplome_cree
    assert rapport.crees == 11  # diplôme + 10 items
    d = Diplome.objects.get(code="TINY", version="2019")
    unite = d.unites.get()
    assert unite.ccf and unite.coefficient == 4
    critere = Critere.objects.get(code="C1.1-1")
    assert critere.descripteurs[0] == {"niveau": "N1", "descripteur": "Descripteur N1"}
    assert critere.indicateurs.get().code == "C1.1-1-a"
    assert d.groupes.get().unite == unite
    assert list(d.grilles_ccf.get().competences.values_list("code", flat=True)) == ["C1.1"]
    assert d.competences_lsl.get().competences.get().code == "C1.1"
    competence = Competence.objects.get(code="C1.1")
    assert competence.confiance == "low" and competence.a_verifier
    assert competence.source == "reconstruit"


@pytest.mark.django_db
def test_chargement_idempotent():
    charger_referentiel(document_minimal())
    avant = comptes()
    rapport = charger_referentiel(document_minimal())
    assert (rapport.crees, rapport.modifies) == (0, 0)
    assert rapport.inchanges == 11
    assert not rapport.diplome_cree and not rapport.diplome_modifie
    assert comptes() == avant


@pytest.mark.django_db
def test_idempotent_sur_les_fixtures_reelles(referentiels_charges):
    from pathlib import Path

    from django.conf import settings

    from referentiels.services import lire_json

    avant = comptes()
    assert avant["Diplome"] == 4
    for fichier in sorted((Path(settings.BASE_DIR) / "fixtures/referentiels").glob("*.json")):
        rapport = charger_referentiel(lire_json(fichier.read_bytes()))
        assert (rapport.crees, rapport.modifies) == (0, 0), fichier.name
    assert comptes() == avant


@pytest.mark.django_db
def test_libelle_modifie_est_mis_a_jour():
    charger_referentiel(document_minimal())
    tache = Tache.objects.get(code="A1-T1")
    doc = document_minimal()
    doc["activites"][0]["taches"][0]["intitule"] = "Tâche renommée"
    doc["groupes"][0]["competences"][0]["criteres"][0]["confiance"] = "medium"
    rapport = charger_referentiel(doc)
    assert rapport.comptes["taches"].modifies == 1
    assert rapport.comptes["taches"].modifications == ["A1-T1"]
    assert rapport.comptes["criteres"].modifies == 1
    assert rapport.crees == 0
    tache.refresh_from_db()  # same row, updated in place
    assert tache.intitule == "Tâche renommée"
    assert Critere.objects.get(code="C1.1-1").confiance == "medium"


@pytest.mark.django_db
def test_nouvelle_version_coexiste():
    charger_referentiel(document_minimal(version="2019"))
    doc = document_minimal(version="2025")
    doc["activites"][0]["taches"][0]["intitule"] = "Tâche rénovée"
    rapport = charger_referentiel(doc)
    assert rapport.diplome_cree
    assert Diplome.objects.filter(code="TINY").count() == 2
    ancienne = Tache.objects.get(diplome__version="2019")
    assert ancienne.intitule == "Tâche unique"
    assert Tache.objects.get(diplome__version="2025").intitule == "Tâche rénovée"


@pytest.mark.django_db
def test_elements_absents_du_fichier_sont_conserves():
    charger_referentiel(document_minimal())
    doc = document_minimal()
    doc["matrice"] = []
    doc["competences_lsl"] = []
    doc["activites"][0]["taches"] = []
    rapport = charger_referentiel(doc)
    assert rapport.comptes["taches"].absents == ["A1-T1"]
    assert rapport.comptes["liens"].absents == ["A1-T1 ↔ C1.1"]
    assert rapport.comptes["competences_lsl"].absents == ["0101"]
    assert Tache.objects.filter(code="A1-T1").exists()
    assert LienTacheCompetence.objects.count() == 1
    assert "absent(s) du fichier" in rapport.resume()


@pytest.mark.django_db
def test_changement_de_lien_m2m_compte_comme_modification():
    charger_referentiel(document_minimal())
    doc = document_minimal()
    doc["grilles_ccf"][0]["competences"] = []
    rapport = charger_referentiel(doc)
    assert rapport.comptes["grilles"].modifies == 1
    assert not GrilleCCF.objects.get().competences.exists()


@pytest.mark.django_db
def test_previsualiser_n_ecrit_rien():
    rapport = previsualiser_referentiel(document_minimal())
    assert rapport.valide and not rapport.ecrit
    assert rapport.diplome_cree and rapport.crees == 11
    assert Diplome.objects.count() == 0
    charger_referentiel(document_minimal())
    doc = document_minimal()
    doc["unites"][0]["intitule"] = "Autre intitulé"
    rapport = previsualiser_referentiel(doc)
    assert rapport.comptes["unites"].modifies == 1
    assert Unite.objects.get().intitule == "Épreuve pratique"


def _erreurs(doc):
    with pytest.raises(ReferentielInvalide) as exc:
        charger_referentiel(doc)
    return exc.value.erreurs


@pytest.mark.django_db
def test_cles_manquantes():
    doc = document_minimal()
    del doc["matrice"]
    del doc["diplome"]["intitule"]
    del doc["groupes"][0]["competences"][0]["criteres"][0]["confiance"]
    erreurs = _erreurs(doc)
    assert "Document : la clé « matrice » est manquante." in erreurs
    assert "Diplôme : la clé « intitule » est manquante." in erreurs
    assert "Compétence C1.1, critère C1.1-1 : la clé « confiance » est manquante." in erreurs
    assert Diplome.objects.count() == 0


@pytest.mark.django_db
def test_codes_en_double():
    doc = document_minimal()
    doc["activites"][0]["taches"].append({"code": "A1-T1", "intitule": "Bis", **_p()})
    doc["unites"].append(dict(doc["unites"][0]))
    erreurs = _erreurs(doc)
    assert "Tâche A1-T1 : code de tâche « A1-T1 » en double." in erreurs
    assert "Unité U31 : code d'unité « U31 » en double." in erreurs
    assert Diplome.objects.count() == 0


@pytest.mark.django_db
def test_reference_inconnue_dans_la_matrice():
    charger_referentiel(document_minimal())
    avant = comptes()
    doc = document_minimal()
    doc["activites"][0]["intitule"] = "Ne doit pas être écrit"
    doc["matrice"].append({"tache": "A1-T1", "competence": "C9.9", **_p()})
    doc["grilles_ccf"][0]["unite"] = "U99"
    erreurs = _erreurs(doc)
    assert "Matrice, lien n° 2 : compétence « C9.9 » inconnue." in erreurs
    assert "Grille CCF E31 : unité « U99 » inconnue." in erreurs
    assert comptes() == avant
    assert Activite.objects.get().intitule == "Activité unique"


def test_valeurs_hors_domaine():
    doc = document_minimal()
    doc["format"] = "autre"
    doc["diplome"]["niveaux"] = ["CAP"]
    doc["unites"][0]["coefficient"] = "quatre"
    doc["grilles_ccf"][0]["niveaux"] = ["N1"]
    doc["activites"][0]["confiance"] = "sure"
    erreurs = valider_referentiel(doc)
    assert "le document n'est pas au format « cpro-referentiel » (clé « format »)." in erreurs
    assert "Diplôme : niveau « CAP » inconnu (SECONDE, PREMIERE ou TERMINALE)." in erreurs
    assert "Unité U31 : « coefficient » doit être un nombre (ou null)." in erreurs
    assert "Grille CCF E31 : « niveaux » doit contenir exactement 4 libellés." in erreurs
    assert any("confiance « sure » inconnue" in e for e in erreurs)
    assert valider_referentiel([]) == ["Le document doit être un objet JSON."]


def test_lire_json_erreurs_en_francais():
    from referentiels.services import lire_json

    with pytest.raises(ReferentielInvalide) as exc:
        lire_json(b"{pas du json")
    assert exc.value.erreurs[0].startswith("Le fichier n'est pas un JSON valide (ligne 1")
    with pytest.raises(ReferentielInvalide):
        lire_json(b"[1, 2]")


@pytest.mark.django_db
def test_charge_sur_les_diplomes_des_personas(personas, referentiels_charges):
    """The personas' factory-made MCV-A/MCV-B (same code + version) are updated in place."""
    d = Diplome.objects.get(pk=personas.a.diplome.pk)
    assert d.code == "MCV-A" and d.intitule_court == "Bac Pro MCV A"
    assert d.niveaux == ["PREMIERE", "TERMINALE"]
    assert d.code_diplome == "40031213"
    assert d.taches.filter(code="A1-T1").exists()
    assert Diplome.objects.count() == 4


@pytest.mark.django_db
def test_contenu_des_fixtures(referentiels_charges):
    mcv_a = Diplome.objects.get(code="MCV-A")
    assert set(mcv_a.groupes.values_list("code", flat=True)) == {"B1", "B2", "B3", "B4A"}
    assert list(
        Critere.objects.filter(competence__diplome=mcv_a, competence__code="C1.2")
        .order_by("ordre")
        .values_list("code", "confiance")
    ) == [
        ("C1.2-1", "high"),
        ("C1.2-2", "high"),
        ("C1.2-3", "high"),
        ("C1.2-4", "low"),
        ("C1.2-5", "low"),
        ("C1.2-6", "low"),
        ("C1.2-7", "low"),
    ]
    critere = Critere.objects.get(competence__diplome=mcv_a, code="C1.2-1")
    assert [d["niveau"] for d in critere.descripteurs] == [
        "Novice",
        "Débrouillé",
        "Averti",
        "Expert",
    ]
    assert Tache.objects.get(diplome=mcv_a, code="A1-T1").confiance == "high"
    assert mcv_a.unites.get(code="U31").ccf
    assert mcv_a.unites.get(code="U2").coefficient == 4
    grille = mcv_a.grilles_ccf.get(epreuve="E31")
    assert grille.niveaux == ["Novice", "Débrouillé", "Averti", "Expert"]
    assert grille.unite.code == "U31"
    assert mcv_a.competences_lsl.get(code="0102").competences.get().code == "C1.2"
    mcv_b = Diplome.objects.get(code="MCV-B")
    assert mcv_b.groupes.filter(code="B4B").exists() and not mcv_b.groupes.filter(code="B4A")
    seconde = Diplome.objects.get(code="2MRC")
    assert seconde.niveaux == ["SECONDE"]
    s11 = seconde.competences.get(code="S1.1")
    assert s11.correspondances == ["MA:C1.2", "MCV:C1.2"]
    codes = list(s11.criteres.order_by("ordre").values_list("code", flat=True))
    assert codes[0] == "S1.1-MA-C1.2-1" and "S1.1-MCV-C1.2-1" in codes
    assert Diplome.objects.get(code="MA").code_diplome == "40031212"


def _p(confiance="high"):
    return {"source": "test", "confiance": confiance}
