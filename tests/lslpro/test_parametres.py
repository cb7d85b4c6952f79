"""« Paramètres LSL »: the code matière per diplôme and the divisions' codes MEF, with their
provenance; DDFPT writes, the chef reads; audited; constant queries."""

import pytest
from django.urls import reverse

from cpro.models import AuditLog, Division
from lslpro import services_parametres as services
from lslpro.models import CodeMatiereLSL
from tests.lslpro import export_factories as ef
from tests.personas import login

pytestmark = pytest.mark.django_db


def url(personas, name, side="a"):
    return reverse(name, kwargs={"etab": getattr(personas, side).etablissement.slug})


def _code(personas, **extra):
    return {
        "diplome": personas.a.diplome.pk,
        "code": "046500",
        "source": "BCN, 12/09/2026",
        **extra,
    }


def test_ddfpt_enregistre_le_code_matiere_avec_sa_provenance(as_persona, personas):
    client = as_persona("ddfpt")
    response = client.post(url(personas, "lslpro:parametres_code_matiere"), _code(personas))
    assert response.status_code == 302
    code = CodeMatiereLSL.objects.get()
    assert (code.etablissement, code.diplome, code.code) == (
        personas.a.etablissement,
        personas.a.diplome,
        "046500",
    )
    assert code.source == "BCN, 12/09/2026" and code.modifie_par == personas.a.ddfpt.user
    log = AuditLog.objects.get(action="lsl.code_matiere")
    assert log.avant == {} and log.apres["code"] == "046500"
    html = client.get(url(personas, "lslpro:parametres")).content.decode()
    assert "046500" in html and "BCN, 12/09/2026" in html and "saisi par" in html
    # A second write records the value before.
    client.post(url(personas, "lslpro:parametres_code_matiere"), _code(personas, code="046501"))
    assert AuditLog.objects.filter(action="lsl.code_matiere").latest("pk").avant == {
        "code": "046500",
        "source": "BCN, 12/09/2026",
    }


@pytest.mark.parametrize(
    ("code", "source", "message"),
    [
        ("200000", "BCN", "code de remplissage"),
        ("000000", "BCN", "code de remplissage"),
        ("12345", "BCN", "exactement 6 chiffres"),
        ("046500", "", "Indiquez la source du code"),
    ],
)
def test_code_matiere_refuse(as_persona, personas, code, source, message):
    response = as_persona("ddfpt").post(
        url(personas, "lslpro:parametres_code_matiere"),
        _code(personas, code=code, source=source),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CodeMatiereLSL.objects.exists() and not AuditLog.objects.exists()


def test_service_refuse_le_chef_et_un_diplome_etranger(personas):
    from django.core.exceptions import PermissionDenied, ValidationError

    a = personas.a
    with pytest.raises(PermissionDenied):
        services.definir_code_matiere(
            a.etablissement, diplome=a.diplome, code="046500", source="BCN", par=a.chef.user
        )
    with pytest.raises(ValidationError):
        services.definir_code_matiere(
            a.etablissement,
            diplome=None,
            code="046500",
            source="BCN",
            par=a.ddfpt.user,
        )


def test_chef_lit_sans_formulaire_et_ne_peut_pas_ecrire(as_persona, personas):
    client = as_persona("chef")
    response = client.get(url(personas, "lslpro:parametres"))
    assert response.status_code == 200
    assert "Seul le DDFPT peut les modifier" in response.content.decode()
    assert "parametres/code-matiere/" not in response.content.decode()
    assert (
        client.post(url(personas, "lslpro:parametres_code_matiere"), _code(personas)).status_code
        == 403
    )
    assert not CodeMatiereLSL.objects.exists()


def test_diplome_ou_division_d_un_autre_etablissement_404(as_persona, personas):
    client = as_persona("ddfpt")
    autre = ef.division(personas.b, "1B-MEF")
    assert (
        client.post(
            url(personas, "lslpro:parametres_code_mef"),
            {"division": autre.pk, "code_mef": "24723402210"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            url(personas, "lslpro:parametres_code_matiere"),
            {"diplome": 999999, "code": "046500", "source": "BCN"},
        ).status_code
        == 404
    )
    login(client, personas.b.ddfpt, personas.b.diplome)
    assert client.get(url(personas, "lslpro:parametres")).status_code == 404


def test_anonyme_et_get_sur_post(client, as_persona, personas):
    response = client.get(url(personas, "lslpro:parametres"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{personas.a.etablissement.slug}/?next=")
    ddfpt = as_persona("ddfpt")
    assert ddfpt.get(url(personas, "lslpro:parametres_code_matiere")).status_code == 405
    assert ddfpt.get(url(personas, "lslpro:parametres_code_mef")).status_code == 405


def test_code_mef_saisi_par_le_ddfpt(as_persona, personas):
    a = personas.a
    response = as_persona("ddfpt").post(
        url(personas, "lslpro:parametres_code_mef"),
        {"division": a.division.pk, "code_mef": "24723402210"},
    )
    assert response.status_code == 302
    division = Division.objects.get(pk=a.division.pk)
    assert division.code_mef == "24723402210"
    assert division.code_mef_source.startswith(f"saisi par {a.ddfpt.user.get_full_name()} le ")
    log = AuditLog.objects.get(action="division.code_mef")
    assert log.apres["code_mef"] == "24723402210"
    refus = as_persona("ddfpt").post(
        url(personas, "lslpro:parametres_code_mef"),
        {"division": a.division.pk, "code_mef": "24-7"},
    )
    assert refus.status_code == 200 and "11 caractères" in refus.content.decode()
    assert Division.objects.get(pk=a.division.pk).code_mef == "24723402210"


# Middleware (session, user, establishment, membership…) + current year + codes (1)
# + diplômes (1) + divisions (1): the same for 1 or 12 divisions.
REQUETES_PARAMETRES = 9


@pytest.mark.parametrize("nombre", [1, 12])
def test_page_parametres_requetes_constantes(
    as_persona, personas, nombre, django_assert_num_queries
):
    for i in range(nombre):
        ef.division(personas.a, f"1P{i:02d}")
    ef.code_matiere(personas.a)
    client = as_persona("ddfpt")
    with django_assert_num_queries(REQUETES_PARAMETRES):
        response = client.get(url(personas, "lslpro:parametres"))
    assert response.status_code == 200
    assert len(response.context["lignes_mef"]) >= nombre
