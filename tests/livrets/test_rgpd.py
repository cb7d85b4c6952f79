"""RGPD of the livrets (livrets/rgpd.py): the apprentice's export holds his livrets; erasure
keeps them (training record) attached to the pseudonym, even when pfmp deletes the signed link
an observation came through."""

import pytest

from gestion import rgpd
from livrets import services
from livrets.models import Auteur, Livret, Observation, PriseConnaissance, Visite
from pfmp.services_portfolio import lien_depuis_token
from tests.livrets import factories as lf

pytestmark = pytest.mark.django_db


def _remplir(personas):
    a = personas.a
    aff = lf.affectation(a, titre="PFMP rgpd")
    url = services.creer_lien_maitre(aff, par=a.enseignant.user)
    lien, _ = lien_depuis_token(url.rstrip("/").rsplit("/", 1)[1])
    services.observer(aff, auteur=Auteur.MAITRE, texte="Par le lien.", lien=lien)
    services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="Du prof.", par=a.enseignant.user)
    services.ajouter_visite(
        aff, par=a.enseignant.user, date=aff.periode.date_debut, nature="APPEL", compte_rendu="CR"
    )
    services.prendre_connaissance(aff, qui="APPRENTI", par=a.apprenti.user)
    return aff


def test_export_du_livret(personas):
    aff = _remplir(personas)
    livrets = rgpd.donnees_apprenant(aff.apprenant)["livrets_apprentissage"]
    assert len(livrets) == 1
    livret = livrets[0]
    assert livret["annee"] == aff.periode.annee.libelle
    assert {o["texte"] for o in livret["observations"]} == {"Par le lien.", "Du prof."}
    assert livret["visites"][0]["compte_rendu"] == "CR"
    assert livret["pris_connaissance"][0]["qui"] == "Apprenti"


def test_effacement_conserve_le_livret(personas):
    aff = _remplir(personas)
    apprenant = aff.apprenant
    membership = apprenant.membership
    membership.active = False
    membership.save()
    rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)
    assert Livret.objects.filter(apprenant=apprenant).count() == 1
    assert Observation.objects.count() == 2 and Visite.objects.count() == 1
    assert PriseConnaissance.objects.count() == 1
    # pfmp deleted the signed link (with the tutor's address): the observation stays.
    assert Observation.objects.get(auteur=Auteur.MAITRE).lien is None
