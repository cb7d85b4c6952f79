"""PRONOTE: tokens managed by the DDFPT, and the bearer-authenticated pull of validated bilans."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bilans import services_documents as services
from bilans.models import JetonPronote
from cpro.models import AuditLog
from tests.bilans import documents_factories as df

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def url(personas, name, side="a", **kw):
    return reverse(name, kwargs={"etab": getattr(personas, side).etablissement.slug, **kw})


def le(jour: int, heure=10) -> datetime.datetime:
    return datetime.datetime(2025, 3, jour, heure, tzinfo=TZ)


@pytest.fixture
def jeton(personas):
    _, clair = services.creer_jeton_pronote(
        personas.a.etablissement, nom="PRONOTE 2024-2025", par=personas.a.ddfpt.user
    )
    return clair


def api(client, personas, jeton=None, side="a", **params):
    headers = {"Authorization": f"Bearer {jeton}"} if jeton else {}
    params = {"du": "2025-03-01", "au": "2025-03-31", **params}
    params = {k: v for k, v in params.items() if v is not None}
    return client.get(
        url(personas, "bilans:api_pronote_bilans", side=side), params, headers=headers
    )


# --- tokens ---------------------------------------------------------------------------------


def test_creer_jeton_stocke_seulement_l_empreinte(personas):
    jeton, clair = services.creer_jeton_pronote(
        personas.a.etablissement, nom="  PRONOTE   2025 ", par=personas.a.ddfpt.user
    )
    assert len(clair) >= 43
    assert jeton.nom == "PRONOTE 2025"
    assert jeton.jeton_hash == hashlib.sha256(clair.encode()).hexdigest()
    assert jeton.prefixe == clair[:8]
    assert clair not in str(JetonPronote.objects.values_list().get())
    log = AuditLog.objects.get(action="pronote.jeton_creation")
    assert clair not in str(log.apres)


def test_page_jetons_affiche_le_jeton_une_seule_fois(as_persona, personas):
    client = as_persona("ddfpt")
    page = url(personas, "bilans:pronote_jetons")
    response = client.post(page, {"nom": "PRONOTE"})
    assert response.status_code == 200
    jeton = JetonPronote.objects.get()
    html = response.content.decode()
    assert "il ne sera plus jamais affiché" in html
    clair = response.context["clair"]
    assert clair in html and hashlib.sha256(clair.encode()).hexdigest() == jeton.jeton_hash
    html = client.get(page).content.decode()
    assert clair not in html and f"{jeton.prefixe}…" in html
    assert client.post(page, {"nom": ""}).status_code == 200
    assert JetonPronote.objects.count() == 1


def test_revoquer(as_persona, personas, jeton):
    j = JetonPronote.objects.get()
    client = as_persona("ddfpt")
    response = client.post(url(personas, "bilans:pronote_revoquer", pk=j.pk))
    assert response.status_code == 302
    j.refresh_from_db()
    assert j.revoque_le is not None
    assert AuditLog.objects.filter(action="pronote.jeton_revocation").count() == 1
    response = api(client, personas, jeton)
    assert response.status_code == 401
    assert response.json() == {"erreur": "Jeton invalide ou révoqué pour cet établissement."}


def test_seul_le_ddfpt_gere_les_jetons(as_persona, personas, jeton):
    j = JetonPronote.objects.get()
    for persona in ("chef", "enseignant"):
        client = as_persona(persona)
        assert client.get(url(personas, "bilans:pronote_jetons")).status_code == 403
        assert client.post(url(personas, "bilans:pronote_revoquer", pk=j.pk)).status_code == 403
    _, clair_b = services.creer_jeton_pronote(
        personas.b.etablissement, nom="B", par=personas.b.ddfpt.user
    )
    jb = JetonPronote.objects.get(etablissement=personas.b.etablissement)
    client = as_persona("ddfpt")
    assert client.post(url(personas, "bilans:pronote_revoquer", pk=jb.pk)).status_code == 404
    jb.refresh_from_db()
    assert jb.revoque_le is None


# --- API: authentication --------------------------------------------------------------------


def test_jeton_obligatoire(client, personas):
    response = api(client, personas)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in response.json()["erreur"]
    response = client.get(
        url(personas, "bilans:api_pronote_bilans"), HTTP_AUTHORIZATION="Basic abc"
    )
    assert response.status_code == 401
    assert api(client, personas, "pas-un-jeton").status_code == 401


def test_jeton_d_un_autre_etablissement_refuse(client, personas, jeton):
    (c1,) = df.referentiel(personas.b.diplome, competences=1)
    df.bilan(personas.b, niveaux={c1: "3"}, valide_le=le(10))
    response = api(client, personas, jeton, side="b")
    assert response.status_code == 401
    assert "erreur" in response.json()


def test_session_ne_suffit_pas(as_persona, personas):
    assert api(as_persona("ddfpt"), personas).status_code == 401


def test_utilisation_enregistree(client, personas, jeton):
    assert JetonPronote.objects.get().utilise_le is None
    assert api(client, personas, jeton).status_code == 200
    assert JetonPronote.objects.get().utilise_le is not None


# --- API: parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"du": None}, "« du » est obligatoire"),
        ({"au": None}, "« au » est obligatoire"),
        ({"du": "01/03/2025"}, "« du » doit être une date AAAA-MM-JJ"),
        ({"au": "2025-02-30"}, "« au » doit être une date AAAA-MM-JJ"),
        ({"du": "2025-03-10", "au": "2025-03-09"}, "postérieure ou égale"),
        ({"du": "2024-03-01", "au": "2025-03-02"}, "ne peut dépasser un an"),
    ],
)
def test_parametres_invalides(client, personas, jeton, params, message):
    response = api(client, personas, jeton, **params)
    assert response.status_code == 400
    assert message in response.json()["erreur"]


def test_un_an_exactement_accepte(client, personas, jeton):
    assert api(client, personas, jeton, du="2024-03-01", au="2025-03-01").status_code == 200
    assert api(client, personas, jeton, du="2025-03-01", au="2025-03-01").status_code == 200


# --- API: content ---------------------------------------------------------------------------


def test_seuls_les_bilans_valides_de_la_periode(client, personas, jeton):
    c1, c2 = df.referentiel(personas.a.diplome, competences=2)
    apprenant = personas.a.apprenant.apprenant
    dedans = df.bilan(
        personas.a,
        niveaux={c1: "4", c2: "NE"},
        date=datetime.date(2025, 3, 5),
        valide_le=le(6),
        note="12.5",
        conseils="Continuez ainsi.",
        constats="Très sérieux.",
    )
    bord = df.bilan(
        personas.a, personas.a.apprenti.apprenant, niveaux={c1: "1"}, valide_le=le(31, 23)
    )
    # One bilan per learner and date: the excluded ones have dates of their own.
    avant, apres = datetime.date(2025, 2, 27), datetime.date(2025, 4, 1)
    df.bilan(
        personas.a, niveaux={c1: "2"}, date=avant, valide_le=le(1) - datetime.timedelta(hours=11)
    )
    df.bilan(
        personas.a, niveaux={c1: "2"}, date=apres, valide_le=le(31) + datetime.timedelta(days=1)
    )
    df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2025, 3, 20), valide=False)
    (cb,) = df.referentiel(personas.b.diplome, competences=1)
    df.bilan(personas.b, niveaux={cb: "3"}, valide_le=le(10))  # other establishment

    response = api(client, personas, jeton)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["etablissement"] == {"uai": "0690001B", "nom": "Lycée professionnel a"}
    assert data["du"] == "2025-03-01" and data["au"] == "2025-03-31"
    assert [b["id"] for b in data["bilans"]] == [dedans.pk, bord.pk]
    b = data["bilans"][0]
    user = apprenant.membership.user
    assert b == {
        "id": dedans.pk,
        "date": "2025-03-05",
        "valide_le": timezone.localtime(le(6)).isoformat(),
        "apprenant": {
            "nom": user.last_name,
            "prenom": user.first_name,
            "ine": apprenant.ine,
            "eleve_id": apprenant.eleve_id,
            "division": personas.a.division.nom,
        },
        "diplome": {"code": "MCV-A", "intitule": personas.a.diplome.intitule},
        "note": "12.5",
        "conseils": "Continuez ainsi.",
        "constats": "Très sérieux.",
        "positionnements": [
            {"competence": c1.code, "intitule": c1.intitule, "niveau": "4", "symbole": "++"},
            {"competence": c2.code, "intitule": c2.intitule, "niveau": "NE", "symbole": "NE"},
        ],
    }
    assert data["bilans"][1]["positionnements"][0]["symbole"] == "−−"


def test_note_absente(client, personas, jeton):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    df.bilan(personas.a, niveaux={c1: "3"}, valide_le=le(10), note=None)
    assert api(client, personas, jeton).json()["bilans"][0]["note"] is None


def test_nombre_de_requetes_constant(client, personas, jeton):
    competences = df.referentiel(personas.a.diplome, competences=4)
    df.bilan(personas.a, niveaux={c: "3" for c in competences}, valide_le=le(2))
    with CaptureQueriesContext(connection) as un:
        assert len(api(client, personas, jeton).json()["bilans"]) == 1
    for i, eleve in enumerate(df.apprenants(personas.a, 19)):
        df.bilan(personas.a, eleve, niveaux={c: "4" for c in competences}, valide_le=le(3 + i))
    with CaptureQueriesContext(connection) as vingt:
        assert len(api(client, personas, jeton).json()["bilans"]) == 20
    assert len(vingt.captured_queries) == len(un.captured_queries)
    # establishment, token, utilise_le, bilans, positionnements
    assert len(un.captured_queries) == 5, [q["sql"] for q in un.captured_queries]
