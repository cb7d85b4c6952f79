"""Issue 15: a locked évaluation (validated bilan) shows its five tabs read-only — text instead
of fields, no save button, one banner — while the services keep refusing every write."""

import re

import pytest
from django.urls import reverse

from evaluations import services
from tests.evaluations.factories import (
    ParticipantFactory,
    RessourceEvaluationFactory,
    evaluation_de,
    mini_referentiel,
)

pytestmark = pytest.mark.django_db

BANDEAU = "Évaluation verrouillée (bilan validé) : lecture seule"
ONGLETS = (
    "evaluations:modifier",
    "evaluations:apprenants",
    "evaluations:contexte",
    "evaluations:liaison",
    "evaluations:ressources",
)


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def _onglet(page: str) -> str:
    return re.search(r'<section class="eval-onglet".*?</section>\s*</div>', page, re.S).group(0)


@pytest.fixture
def evaluation_verrouillee(personas):
    a = personas.a
    mini_referentiel(a.diplome)
    ev = evaluation_de(
        a, titre="Vente additionnelle", contexte="Magasin de sport", secteurs="Sport"
    )
    ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
    RessourceEvaluationFactory(evaluation=ev, titre="Fiche produit")
    services.verrouiller_evaluations([ev], par=a.ddfpt.user, motif="bilan validé")
    return ev


@pytest.mark.parametrize("onglet", ONGLETS)
def test_onglets_en_lecture_seule(as_persona, personas, evaluation_verrouillee, onglet):
    ev = evaluation_verrouillee
    page = as_persona("enseignant").get(url(personas, onglet, pk=ev.pk)).content.decode()
    assert BANDEAU in page
    contenu = _onglet(page)
    assert "Enregistrer" not in contenu
    assert (
        'type="submit"' not in contenu or '<fieldset class="eval-lecture-seule" disabled' in contenu
    )
    if onglet != "evaluations:liaison":
        assert "<input" not in contenu and "<textarea" not in contenu and "<select" not in contenu


def test_lecture_seule_montre_les_valeurs(as_persona, personas, evaluation_verrouillee):
    ev = evaluation_verrouillee
    client = as_persona("enseignant")
    infos = _onglet(client.get(url(personas, "evaluations:modifier", pk=ev.pk)).content.decode())
    assert "Vente additionnelle" in infos and "Intermédiaire" in infos
    assert personas.a.enseignant.user.last_name.upper() in infos
    contexte = _onglet(client.get(url(personas, "evaluations:contexte", pk=ev.pk)).content.decode())
    assert "Magasin de sport" in contexte and "Sport" in contexte
    eleves = _onglet(client.get(url(personas, "evaluations:apprenants", pk=ev.pk)).content.decode())
    assert personas.a.apprenant.user.last_name.upper() in eleves
    assert "Tout sélectionner" not in eleves
    ressources = _onglet(
        client.get(url(personas, "evaluations:ressources", pk=ev.pk)).content.decode()
    )
    assert "Fiche produit" in ressources and "Télécharger" in ressources
    assert "Supprimer" not in ressources and "Ajouter" not in ressources


def test_liaison_verrouillee_dans_un_fieldset_desactive(
    as_persona, personas, evaluation_verrouillee
):
    ev = evaluation_verrouillee
    page = as_persona("enseignant").get(url(personas, "evaluations:liaison", pk=ev.pk))
    contenu = _onglet(page.content.decode())
    assert contenu.index('<fieldset class="eval-lecture-seule" disabled') < contenu.index("<button")


def test_evaluation_modifiable_garde_ses_champs(as_persona, personas):
    ev = evaluation_de(personas.a)
    client = as_persona("enseignant")
    page = client.get(url(personas, "evaluations:modifier", pk=ev.pk)).content.decode()
    assert BANDEAU not in page and 'name="titre"' in page and "Enregistrer" in page
    page = client.get(url(personas, "evaluations:liaison", pk=ev.pk)).content.decode()
    assert "eval-lecture-seule" not in page


def test_le_refus_du_service_reste(as_persona, personas, evaluation_verrouillee):
    ev = evaluation_verrouillee
    client = as_persona("enseignant")
    r = client.post(url(personas, "evaluations:contexte", pk=ev.pk), {"contexte": "X"})
    assert services.MESSAGE_VERROUILLEE in r.content.decode()
    r = client.post(
        url(personas, "evaluations:modifier", pk=ev.pk),
        {"titre": "X", "date": "05/10/2026", "nature": "C"},
    )
    assert services.MESSAGE_VERROUILLEE in r.content.decode()
    ev.refresh_from_db()
    assert ev.contexte == "Magasin de sport" and ev.titre == "Vente additionnelle"
