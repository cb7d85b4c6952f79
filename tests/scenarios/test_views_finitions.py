"""Issue 15 (finitions): one « Actions » menu per scénario row, the folder rename behind
« Renommer », and a confirmation naming the container after a move."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.personas import login
from tests.scenarios.factories import DossierFactory, scenario_de

pytestmark = pytest.mark.django_db


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def test_une_ligne_a_deux_actions_visibles_et_un_menu(client, personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, nom="Vente")
    s = scenario_de(a, titre="Smartphone", dossier=d)
    login(client, a.enseignant, a.diplome)
    page = client.get(url(personas, "scenarios:liste")).content.decode()
    ligne = re.search(rf'<li class="sc-item" id="scenario-{s.pk}".*?</li>', page, re.S).group(0)
    avant_menu, menu = ligne.split('<details class="sc-actions">')
    # Visible: Ouvrir and the évaluation; everything else is inside the menu.
    assert "Ouvrir" in avant_menu and "Créer une grille de positionnement" in avant_menu
    assert "<form" not in avant_menu
    assert "Actions" in menu
    for action in ("Dupliquer", "Monter", "Descendre", "Classer", "Éditer", "Supprimer", "DOCX"):
        assert action in menu, action
    # The rename field of the folder is behind its « Renommer » summary.
    bloc = re.search(r'<details class="sc-renommer">.*?</details>', page, re.S).group(0)
    assert '<summary class="bouton secondaire petit">Renommer' in bloc
    assert f'id="renommer-{d.pk}"' in bloc


def test_deplacer_confirme_et_revient_sur_la_ligne(client, personas):
    a = personas.a
    s1, s2 = scenario_de(a, titre="A"), scenario_de(a, titre="B")
    login(client, a.enseignant, a.diplome)
    r = client.post(url(personas, "scenarios:deplacer", pk=s2.pk), {"sens": "haut"})
    assert r["Location"].endswith(f"#scenario-{s2.pk}")
    textes = [str(m) for m in get_messages(r.wsgi_request)]
    assert textes == [
        "Scénario « B » déplacé dans « Première Bac Pro – hors dossier » : position 1."
    ]
    r = client.post(url(personas, "scenarios:deplacer", pk=s2.pk), {"sens": "haut"})
    textes = [str(m) for m in get_messages(r.wsgi_request)][-1:]
    assert textes == [
        "Scénario « B » déjà en tête dans « Première Bac Pro – hors dossier » (position 1)."
    ]
    s1.refresh_from_db()
    assert s1.ordre == 2


def test_classer_confirme_le_dossier(client, personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, nom="Vente")
    s = scenario_de(a, titre="Smartphone")
    login(client, a.enseignant, a.diplome)
    r = client.post(url(personas, "scenarios:classer", pk=s.pk), {"dossier": d.pk})
    assert r["Location"].endswith(f"#scenario-{s.pk}")
    assert [str(m) for m in get_messages(r.wsgi_request)] == [
        "Scénario « Smartphone » déplacé dans « Vente »."
    ]
    r = client.post(url(personas, "scenarios:classer", pk=s.pk), {"dossier": ""})
    assert [str(m) for m in get_messages(r.wsgi_request)][-1:] == [
        "Scénario « Smartphone » déplacé dans « Première Bac Pro – hors dossier »."
    ]
