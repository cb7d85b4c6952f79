"""The scénarios list's rows built in Python (scenarios/rendu_liste.py) are the HTML the
template (scenarios/_scenario.html, with the export buttons' include) rendered before, for every
kind of row: hostile title, private, with resources, author or not, without author, in a folder
or not, for a teacher, the DDFPT and a reader who may not create."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cpro import perms
from scenarios import queries, rendu_liste
from scenarios.models import Scenario
from tests.scenarios.factories import DossierFactory, RessourceLienFactory, scenario_de

pytestmark = pytest.mark.django_db

# scenarios/_scenario.html as it was before rendu_liste (the reference), its comment left out;
# compiled in the test, not at import (see tests/evaluations/test_rendu_liste.py).
LIGNE = """{% load cpro_tags %}
<li class="sc-item" id="scenario-{{ s.pk }}" data-id="{{ s.pk }}" tabindex="-1"{% if peut_creer %} draggable="true"{% endif %}>
  <div class="sc-item-titre">
    {% if peut_creer %}<span class="sc-poignee" aria-hidden="true" title="Glisser pour déplacer">⠿</span>{% endif %}
    <a href="{% eurl 'scenarios:voir' pk=s.pk %}">{{ s.titre }}</a>{% if s.prive %} <span class="badge sc-prive">Privé</span>{% endif %}
    <span class="discret sc-auteur">— {% if s.auteur %}{{ s.auteur.first_name }} {{ s.auteur.last_name }}{% else %}auteur inconnu{% endif %}{% if s.nb_ressources %} · {{ s.nb_ressources }} ressource{{ s.nb_ressources|pluriel }}{% endif %}</span>
  </div>
  <div class="sc-item-actions">
    <a class="bouton secondaire petit" href="{% eurl 'scenarios:voir' pk=s.pk %}">Ouvrir<span class="visuellement-cache"> « {{ s.titre }} »</span></a>
    {% if "evaluations.saisir" in cpro_perms %}<a class="bouton petit" href="{% eurl 'evaluations:creer' scenario=s.pk %}">Créer une grille de positionnement<span class="visuellement-cache"> à partir de « {{ s.titre }} »</span></a>{% endif %}
    <details class="sc-actions">
      <summary class="bouton secondaire petit">Actions<span class="visuellement-cache"> pour « {{ s.titre }} »</span> <span aria-hidden="true">▾</span></summary>
      <div class="sc-actions-panneau">
        <p class="sc-actions-groupe">Exporter</p>
        {% include "scenarios/_export_boutons.html" with scenario=s compact=True %}
        {% if peut_creer %}
        <p class="sc-actions-groupe">Organiser</p>
        <form method="post" action="{% eurl 'scenarios:deplacer' pk=s.pk %}" class="sc-en-ligne">{% csrf_token %}
          <button type="submit" name="sens" value="haut" class="bouton secondaire petit">↑ Monter<span class="visuellement-cache"> « {{ s.titre }} »</span></button>
          <button type="submit" name="sens" value="bas" class="bouton secondaire petit">↓ Descendre<span class="visuellement-cache"> « {{ s.titre }} »</span></button>
        </form>
        {% if dossiers %}
        <form method="post" action="{% eurl 'scenarios:classer' pk=s.pk %}" class="sc-en-ligne sc-classer">{% csrf_token %}
          <label for="classer-{{ s.pk }}">Classer dans</label>
          <select name="dossier" id="classer-{{ s.pk }}">
            <option value="">Hors dossier</option>
            {% for g in dossiers %}<option value="{{ g.dossier.pk }}"{% if g.dossier.pk == s.dossier_id %} selected{% endif %}>{{ g.dossier.nom }}</option>{% endfor %}
          </select>
          <button type="submit" class="bouton secondaire petit">Classer<span class="visuellement-cache"> « {{ s.titre }} »</span></button>
        </form>
        {% endif %}
        <form method="post" action="{% eurl 'scenarios:dupliquer' pk=s.pk %}" class="sc-en-ligne">{% csrf_token %}<button type="submit" class="bouton secondaire petit">Dupliquer<span class="visuellement-cache"> « {{ s.titre }} »</span></button></form>
        {% endif %}
        {% if s.auteur_id == request.user.pk %}
        <p class="sc-actions-groupe">Auteur</p>
        <div class="sc-en-ligne">
          <a class="bouton secondaire petit" href="{% eurl 'scenarios:modifier' pk=s.pk %}">Éditer<span class="visuellement-cache"> « {{ s.titre }} »</span></a>
          <form method="post" action="{% eurl 'scenarios:confidentialite' pk=s.pk %}" class="sc-en-ligne">{% csrf_token %}
            {% if s.prive %}<input type="hidden" name="prive" value="0"><button type="submit" class="bouton secondaire petit">Partager<span class="visuellement-cache"> « {{ s.titre }} »</span></button>
            {% else %}<input type="hidden" name="prive" value="1"><button type="submit" class="bouton secondaire petit">Rendre privé<span class="visuellement-cache"> « {{ s.titre }} »</span></button>{% endif %}
          </form>
          <a class="bouton danger petit" href="{% eurl 'scenarios:supprimer' pk=s.pk %}">Supprimer<span class="visuellement-cache"> « {{ s.titre }} »</span></a>
        </div>
        {% endif %}
      </div>
    </details>
  </div>
</li>
"""  # noqa: E501


def _donnees(side):
    d1 = DossierFactory(etablissement=side.etablissement, diplome=side.diplome, nom="Vente <b>")
    DossierFactory(etablissement=side.etablissement, diplome=side.diplome, nom="Accueil & co")
    hostile = scenario_de(side, titre='<script>x</script> « L\'accueil » & "co"', dossier=d1)
    RessourceLienFactory(scenario=hostile)
    RessourceLienFactory(scenario=hostile)
    un = scenario_de(side, titre="Une ressource", prive=True)
    RessourceLienFactory(scenario=un)
    scenario_de(side, side.enseignant2, titre="D'un collègue", dossier=d1)
    sans = scenario_de(side, titre="Sans auteur")
    Scenario.objects.filter(pk=sans.pk).update(auteur=None)
    scenario_de(side, side.ddfpt, titre="Du DDFPT")


@pytest.mark.parametrize("persona", ["enseignant", "ddfpt", "chef"])
def test_lignes_identiques_au_gabarit(personas, persona):
    a = personas.a
    _donnees(a)
    membership = getattr(a, persona)
    request = RequestFactory().get("/")
    request.user = membership.user
    request.etablissement = a.etablissement
    request.cpro_perms = perms.permissions(membership)
    sections = queries.page_liste(a.etablissement, membership.user, a.diplome)
    rendu_liste.preparer(request, sections)
    lignes = 0
    for section in sections:
        for scenarios in [g.scenarios for g in section.dossiers] + [section.scenarios]:
            for s in scenarios:
                jeton = re.search(r'csrfmiddlewaretoken" value="([^"]+)"', s.html).group(1)
                attendu = Template(LIGNE).render(
                    Context(
                        {
                            "s": s,
                            "request": request,
                            "peut_creer": perms.CREER_SCENARIOS in request.cpro_perms,
                            "cpro_perms": request.cpro_perms,
                            "dossiers": section.dossiers,
                            "csrf_token": jeton,
                        }
                    )
                )
                assert str(s.html) == attendu
                lignes += 1
    assert lignes >= 4


def test_page_liste_montre_les_lignes(as_persona, personas):
    a = personas.a
    s = scenario_de(a, titre="Vente <conseil>")
    page = (
        as_persona("enseignant")
        .get(reverse("scenarios:liste", kwargs={"etab": a.etablissement.slug}))
        .content.decode()
    )
    assert f'<li class="sc-item" id="scenario-{s.pk}"' in page
    assert "Vente &lt;conseil&gt;" in page
