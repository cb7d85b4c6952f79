"""PRONOTE's pull of LSL data: bearer token of bilans.JetonPronote (same authentication as the
bilans API), scoped to its establishment, the same data as the XML, constant queries."""

import pytest
from django.urls import reverse

from bilans.models import JetonPronote
from tests.lslpro import export_factories as ef

pytestmark = pytest.mark.django_db


def api(client, personas, jeton=None, side="a", **params):
    headers = {"Authorization": f"Bearer {jeton}"} if jeton else {}
    params = {"annee": "2025", **params}
    params = {k: v for k, v in params.items() if v is not None}
    url = reverse(
        "lslpro:api_pronote_lsl", kwargs={"etab": getattr(personas, side).etablissement.slug}
    )
    return client.get(url, params, headers=headers)


def test_jeton_obligatoire(client, personas):
    response = api(client, personas)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["erreur"]
    assert api(client, personas, jeton="inconnu").status_code == 401


def test_jeton_revoque(client, personas):
    jeton = ef.jeton(personas.a, revoque=True)
    response = api(client, personas, jeton=jeton)
    assert response.status_code == 401
    assert response.json() == {"erreur": "Jeton invalide ou révoqué pour cet établissement."}


def test_jeton_d_un_autre_etablissement(client, personas):
    ef.demo(personas.a)
    jeton_b = ef.jeton(personas.b)
    assert api(client, personas, jeton=jeton_b).status_code == 401
    # With its own establishment it works, and sees none of A's learners.
    response = api(client, personas, jeton=jeton_b, side="b")
    assert response.status_code == 200 and response.json()["eleves"] == []


def test_session_sans_jeton_refusee(as_persona, personas):
    assert api(as_persona("ddfpt"), personas).status_code == 401


def test_donnees(client, personas):
    ef.demo(personas.a)
    jeton = ef.jeton(personas.a)
    response = api(client, personas, jeton=jeton)
    assert response.status_code == 200
    corps = response.json()
    assert corps["etablissement"]["uai"] == personas.a.etablissement.uai
    assert corps["annee"] == 2025 and corps["annee_scolaire"] == "2025-2026"
    # No global code: per learner, the code set for the diplôme and the modalité.
    assert "code_matiere" not in corps
    eleves = corps["eleves"]
    assert [e["eleve_id"] for e in eleves] == ["1234501", "1234502", "1234503", "1234504"]
    lea = eleves[0]
    assert lea["nom"] == "Bernard" and lea["prenom"] == "Léa" and lea["division"] == "1MCVA-G"
    assert lea["ine"] and lea["periodicite"] == "T"
    assert lea["code_matiere"] == ef.CODE_MATIERE and lea["modalite_election"] == "S"
    assert lea["competences"] == [
        {"code": "0101", "niveau": "4"},
        {"code": "0102", "niveau": "3"},
        {"code": "0201", "niveau": "NE"},
        {"code": "0202", "niveau": "2"},
    ]
    assert lea["periodes"] == [
        {"periode": "T1", "numero": 1, "moyenne": "14.25"},
        {"periode": "T2", "numero": 2, "moyenne": "15.00"},
        {"periode": "T3", "numero": 3, "moyenne": None},
    ]
    assert lea["appreciation"] == ef.APPRECIATION
    assert lea["enseignants"] == [
        {"nom": "LEROY", "prenom": "Hugo"},
        {"nom": "MARTIN", "prenom": "Claire"},
    ]
    assert JetonPronote.objects.get().utilise_le is not None


def test_filtre_division_et_parametres(client, personas):
    ef.demo(personas.a)
    jeton = ef.jeton(personas.a)
    response = api(client, personas, jeton=jeton, division="TMCVA-G")
    assert [e["eleve_id"] for e in response.json()["eleves"]] == ["1234504"]
    assert api(client, personas, jeton=jeton, division="INCONNUE").status_code == 400
    assert api(client, personas, jeton=jeton, annee=None).status_code == 400
    assert api(client, personas, jeton=jeton, annee="deux-mille").status_code == 400
    vide = api(client, personas, jeton=jeton, annee="2030")
    assert vide.status_code == 200 and vide.json()["eleves"] == []


def test_post_refuse(client, personas):
    jeton = ef.jeton(personas.a)
    url = reverse("lslpro:api_pronote_lsl", kwargs={"etab": personas.a.etablissement.slug})
    assert client.post(url, headers={"Authorization": f"Bearer {jeton}"}).status_code == 405


# établissement, jeton, utilise_le, année, divisions, livrets + 4 prefetches (niveaux, notes,
# enseignants, compétences LSL du diplôme), périodicités, codes matière: 12 for 1 or 20
# learners.
REQUETES_API = 12


@pytest.mark.parametrize("nombre", [1, 20])
def test_requetes_constantes(client, personas, nombre, django_assert_max_num_queries):
    annee = ef.annee(2025)
    division = ef.division(personas.a, "1VOL", annee_obj=annee)
    ef.periodicite(personas.a, annee_obj=annee, type_="T")
    competences = ef.competences_lsl(personas.a.diplome)
    ef.code_matiere(personas.a)
    ef.masse(personas.a, nombre, division_obj=division, annee_obj=annee, competences=competences)
    jeton = ef.jeton(personas.a)
    with django_assert_max_num_queries(REQUETES_API):
        response = api(client, personas, jeton=jeton)
    assert len(response.json()["eleves"]) == nombre
