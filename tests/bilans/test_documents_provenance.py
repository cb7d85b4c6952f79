"""The référentiel browser marks « à vérifier » (confiance not high) for every role that can open
it, the source reachable on hover and keyboard focus (a button described by a tooltip), without
inline script or style. (Kept with the documents tests: the same markers explain the marks of
the attestation.)"""

import re

import pytest
from django.urls import reverse

from referentiels.models import Confiance, Critere, GrilleCCF, LienTacheCompetence

pytestmark = pytest.mark.django_db

ROLES = ["enseignant", "enseignant2", "chef", "ddfpt"]


def page(as_persona, personas, role, onglet):
    url = reverse("referentiels:navigateur", kwargs={"etab": personas.a.etablissement.slug})
    response = as_persona(role).get(url, {"onglet": onglet})
    assert response.status_code == 200
    return response.content.decode()


def tooltips_coherents(html):
    """Every marker button is described by exactly one tooltip of the page, and vice versa."""
    decrits = re.findall(
        r'<button type="button" class="badge a-verifier[^"]*" aria-describedby="([^"]+)"', html
    )
    bulles = re.findall(r'<span class="provenance-bulle" role="tooltip" id="([^"]+)"', html)
    assert decrits and sorted(decrits) == sorted(bulles)
    assert len(set(bulles)) == len(bulles)  # ids unique in the page


@pytest.mark.parametrize("role", ROLES)
def test_competences_a_verifier_pour_chaque_role(as_persona, personas, referentiels_charges, role):
    html = page(as_persona, personas, role, "competences")
    assert 'href="/static/cpro/css/provenance.css"' in html
    tooltips_coherents(html)
    reconstruit = Critere.objects.get(competence__diplome=personas.a.diplome, code="C1.2-4")
    assert reconstruit.confiance == Confiance.BASSE
    ident = f"prov-critere-{reconstruit.pk}"
    bouton = re.search(rf'<button[^>]*aria-describedby="{ident}"[^>]*>([^<]*)</button>', html)
    assert bouton and bouton.group(1) == "à vérifier · reconstruit"
    bulle = re.search(rf'id="{ident}">(.*?)</span>', html).group(1)
    assert "À vérifier (reconstruit)" in bulle and "from memory" in bulle
    verifie = Critere.objects.get(competence__diplome=personas.a.diplome, code="C1.2-1")
    assert f"prov-critere-{verifie.pk}" not in html
    assert "Survolez la mention ou atteignez-la avec la touche Tab" in html
    assert " style=" not in html and "<script>" not in html


@pytest.mark.parametrize("role", ["enseignant", "chef"])
def test_autres_onglets_marques_pour_les_enseignants(
    as_persona, personas, referentiels_charges, role
):
    lien = LienTacheCompetence.objects.filter(
        tache__diplome=personas.a.diplome, tache__code="A1-T2", competence__code="C1.2"
    ).get()
    assert lien.a_verifier
    matrice = page(as_persona, personas, role, "matrice")
    tooltips_coherents(matrice)
    assert f'aria-describedby="prov-lien-{lien.pk}" aria-label="Source de la liaison">?<' in matrice
    assert 'class="visuellement-cache">A1-T2 mobilise C1.2 (liaison à vérifier)' in matrice

    activites = page(as_persona, personas, role, "activites")
    tooltips_coherents(activites)
    assert f'aria-describedby="prov-lien-{lien.pk}">liaison à vérifier<' in activites

    grilles = page(as_persona, personas, role, "grilles")
    e33 = GrilleCCF.objects.get(diplome=personas.a.diplome, epreuve="E33")
    assert not e33.niveaux_attestes
    assert f'aria-describedby="prov-grille-{e33.pk}"' in grilles
    assert grilles.count("libellés des niveaux non attestés : à vérifier") == 1  # E33 only

    for onglet in ("unites", "lsl"):
        tooltips_coherents(page(as_persona, personas, role, onglet))
    # The data reservations of the diplôme are not the DDFPT's alone any more.
    assert "Texte de référence et réserves sur les données" in grilles


@pytest.mark.parametrize("onglet", ["activites", "competences", "matrice", "grilles"])
def test_navigateur_requetes_epinglees(
    as_persona, personas, referentiels_charges, onglet, django_assert_num_queries
):
    """The markers read fields already fetched: the page's queries do not grow with them."""
    client = as_persona("enseignant")
    url = reverse("referentiels:navigateur", kwargs={"etab": personas.a.etablissement.slug})
    client.get(url)  # warm the session
    # Session, user, membership and its diplômes (middleware), then referentiel_complet's 12.
    with django_assert_num_queries(17):
        assert client.get(url, {"onglet": onglet}).status_code == 200
