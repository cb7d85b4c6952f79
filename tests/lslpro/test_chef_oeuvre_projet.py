"""The chef-d'œuvre section of the livret « repris du suivi de projet » (projets): pre-filled
when empty, copied by « Reprendre du suivi de projet » (audited like any save), and the page
says when the livret differs from the validated assessment."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpro.models import AuditLog
from lslpro import services
from lslpro.models import Livret
from tests.personas import login
from tests.projets import factories as pj

pytestmark = pytest.mark.django_db


def _url(personas, apprenant):
    return reverse(
        "lslpro:livret", kwargs={"etab": personas.a.etablissement.slug, "pk": apprenant.pk}
    )


def _evaluation(lsl, **kw):
    projet = pj.projet(lsl.side)
    return pj.evaluation(projet, lsl.apprenant, **kw)


def test_livret_vide_pre_rempli(client, personas, lsl):
    ev = _evaluation(lsl, note="15.5", appreciation="Chef-d'œuvre mené avec rigueur.")
    login(client, personas.a.enseignant, personas.a.diplome)
    response = client.get(_url(personas, lsl.apprenant))
    html = response.content.decode()
    assert "Repris du suivi de projet" in html and "15,50/20" in html
    assert "pré-rempli" in html
    form = response.context["form"]
    assert form["chef_oeuvre_appreciation"].value() == "Chef-d'œuvre mené avec rigueur."
    assert form["chef_oeuvre_note"].value() == "15,50"
    assert form["chef_oeuvre_actif"].value() is True
    assert response.context["evaluation_projet"] == ev


def test_evaluation_non_validee_ignoree(client, personas, lsl):
    _evaluation(lsl, validee=False)
    login(client, personas.a.enseignant, personas.a.diplome)
    html = client.get(_url(personas, lsl.apprenant)).content.decode()
    assert "Repris du suivi de projet" not in html


def test_reprendre_du_suivi_de_projet(client, personas, lsl):
    a = personas.a
    _evaluation(lsl, note="13", appreciation="Bonne implication.")
    services.enregistrer_livret(
        lsl.apprenant,
        services.Saisie(chef_oeuvre_actif=True, chef_oeuvre_appreciation="Autre texte."),
        par=a.enseignant.user,
    )
    login(client, a.enseignant, a.diplome)
    html = client.get(_url(personas, lsl.apprenant)).content.decode()
    assert "Le livret diffère de cette évaluation." in html
    response = client.post(
        _url(personas, lsl.apprenant), {"action": "reprendre_projet", "appreciation": ""}
    )
    assert response.status_code == 302
    livret = Livret.objects.get(apprenant=lsl.apprenant)
    assert livret.chef_oeuvre_actif
    assert livret.chef_oeuvre_appreciation == "Bonne implication."
    assert livret.chef_oeuvre_note == Decimal("13.00")
    # the projet's teachers become the chef-d'œuvre's teachers when none were chosen
    assert [e.user for e in livret.enseignants.filter(role="CHEF_OEUVRE")] == [a.enseignant.user]
    log = AuditLog.objects.filter(action="lsl.livret.enregistrer").latest("pk")
    assert log.avant["chef_oeuvre"]["appreciation"] == "Autre texte."
    assert log.apres["chef_oeuvre"]["appreciation"] == "Bonne implication."
    html = client.get(_url(personas, lsl.apprenant)).content.decode()
    assert "Le livret est identique au suivi de projet." in html


def test_reprendre_sans_evaluation_refuse(personas, lsl):
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_livret(
            lsl.apprenant, services.Saisie(reprendre_projet=True), par=personas.a.enseignant.user
        )
    assert "chef_oeuvre_appreciation" in exc.value.message_dict
    assert not Livret.objects.exists()


def test_ecart_projet():
    class L:
        chef_oeuvre_appreciation = "A"
        chef_oeuvre_note = Decimal("12.00")

    class E:
        appreciation = "A"
        note = Decimal("12.00")

    assert services.ecart_projet(L(), None) == ""
    assert services.ecart_projet(None, E()) == "absent"
    assert services.ecart_projet(L(), E()) == "identique"
    E.note = Decimal("13.00")
    assert services.ecart_projet(L(), E()) == "different"
