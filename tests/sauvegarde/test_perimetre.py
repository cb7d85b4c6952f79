"""The establishment export walks the models (sauvegarde.perimetre): every model with a path
of foreign keys to an establishment or a user is moved, or excluded with its reason; every
model it points to outside that scope can be found again on another instance by natural key."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from cpro.models import Etablissement
from sauvegarde import perimetre


def test_every_model_linked_to_an_establishment_or_a_user_is_moved_or_excluded():
    scope = {m.label for m in perimetre.perimetre()}
    oublies = [
        modele._meta.label
        for modele in apps.get_models(include_auto_created=True)
        if modele._meta.app_label != perimetre.APP_REFERENTIELS
        and perimetre.chemin(modele, (Etablissement, get_user_model())) is not None
        and perimetre.label(modele) not in scope
        and perimetre.label(modele) not in perimetre.EXCLUS
    ]
    assert oublies == []
    for label in (
        "cpro.user",
        "cpro.membership",
        "cpro.apprenant",
        "cpro.auditlog",
        "evaluations.resultat",
        "evaluations.evaluation_enseignants",
        "pfmp.mediapublication",
        "bilans.attestation",
        "certification.grillecandidat",
        "lslpro.livret",
        "lslpro.exportlsl",
        "account.emailaddress",
        "mfa.authenticator",
    ):
        assert label in scope, label
    assert not any(label.startswith("referentiels.") for label in scope)


def test_scope_order_puts_every_model_after_what_it_needs():
    ordre = [m.modele for m in perimetre.perimetre()]
    position = {modele: i for i, modele in enumerate(ordre)}
    for modele in ordre:
        for f in perimetre.liens(modele):
            if f.related_model in position and f.related_model is not modele:
                assert position[f.related_model] < position[modele], (modele, f.name)


def test_shared_models_have_natural_keys():
    partages = {perimetre.label(m) for m in perimetre.modeles_partages(perimetre.perimetre())}
    assert {"referentiels.diplome", "referentiels.critere", "cpro.anneescolaire"} <= partages
    assert perimetre.cle_naturelle(apps.get_model("referentiels", "Diplome")) == (
        "code",
        "version",
    )
    for label in partages:
        assert perimetre.cle_naturelle(apps.get_model(label))


@isolate_apps("sauvegarde")
def test_a_new_model_is_found_without_a_hand_list():
    class Carnet(models.Model):  # noqa: DJ008
        etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE)

        class Meta:
            app_label = "sauvegarde"

    class Page(models.Model):  # noqa: DJ008
        carnet = models.ForeignKey(Carnet, on_delete=models.CASCADE)

        class Meta:
            app_label = "sauvegarde"

    assert perimetre.chemin(Page, (Etablissement,)) == ["carnet", "etablissement"]
