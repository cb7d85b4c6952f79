"""The évaluations list's rows built in Python (evaluations/rendu_liste.py) are the HTML the
template rendered before (same escaping, badges, links), for every kind of row: hostile title,
locked, hidden from dashboards, with and without teachers, editable or not, grouped bilans
entreprise validated or not."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cpro import perms
from cpro.models import AnneeScolaire
from evaluations import queries, rendu_liste
from tests.evaluations.factories import evaluation_de
from tests.evaluations.test_liste_bilans_entreprise import _bilans

pytestmark = pytest.mark.django_db

# The rows as evaluations/liste.html wrote them before rendu_liste (the reference). Compiled
# in the tests, not at import: a Template built at collection would create the template engine
# before pytest-django makes a missing variable fail (tests/cpro/test_gabarits.py).
LIGNE = """{% with ev=ligne %}<tr id="evaluation-{{ ev.pk }}" class="eval-ligne">
        <th scope="row" class="eval-titre">
          <span>{{ ev.titre }}</span>
          {% if ev.verrouillee %}<span class="badge verrou"><span aria-hidden="true">🔒</span> Verrouillée</span>{% endif %}
          {% if not ev.afficher_tableau_de_bord %}<span class="badge">Masquée du tableau de bord</span>{% endif %}
          {% if ev.modifiable %}<a class="eval-editer bouton secondaire" href="{% eurl 'evaluations:modifier' pk=ev.pk %}">Éditer l'évaluation<span class="visuellement-cache"> « {{ ev.titre }} »</span></a>{% endif %}
        </th>
        <td data-label="Date">{{ ev.date|date_fr }}</td>
        <td data-label="Niveau de complexité"><abbr title="{{ ev.get_nature_display }}">{{ ev.code_nature }}</abbr></td>
        <td data-label="Apprenants">{{ ev.nb_apprenants }}</td>
        <td data-label="Enseignants">{% if ev.noms_enseignants %}{{ ev.noms_enseignants|join:", " }}{% else %}<span class="discret">—</span>{% endif %}</td>
        <td data-label="Grille"><a href="{% eurl 'evaluations:grille' pk=ev.pk %}">Grille de positionnement<span class="visuellement-cache"> de « {{ ev.titre }} »</span></a></td>
      </tr>{% endwith %}"""  # noqa: E501
APPRENANTS = """{% for ev in ligne.evaluations %}
              <li id="evaluation-{{ ev.pk }}">
                <span class="eval-groupe-nom">{{ ev.nom_apprenant_bilan|default:ev.titre }}</span>
                <span class="eval-groupe-etat">{% if ev.statut_bilan == "VALIDE" %}<span class="badge eval-valide">Validé</span>{% else %}<span class="badge">En cours</span>{% endif %}{% if ev.verrouillee %} <span class="badge verrou">Verrouillée</span>{% endif %}</span>
                <a href="{% eurl 'evaluations:grille' pk=ev.pk %}">Grille<span class="visuellement-cache"> du bilan entreprise de {{ ev.nom_apprenant_bilan|default:ev.titre }}</span></a>
                {% if ev.modifiable %}<a href="{% eurl 'evaluations:modifier' pk=ev.pk %}">Éditer<span class="visuellement-cache"> le bilan entreprise de {{ ev.nom_apprenant_bilan|default:ev.titre }}</span></a>{% endif %}
              </li>
              {% endfor %}"""  # noqa: E501


def _lignes(side, membership):
    request = RequestFactory().get("/")
    request.etablissement = side.etablissement
    sections = queries.page_liste(side.etablissement, side.diplome, AnneeScolaire.courante())
    for section in sections:
        for ev in section.evaluations:
            ev.modifiable = perms.peut(membership, perms.SAISIR_EVALUATIONS, ev)
    rendu_liste.preparer(request, sections)
    return request, [ligne for s in sections for ligne in s.lignes]


@pytest.mark.parametrize("persona", ["enseignant", "ddfpt", "enseignant2"])
def test_lignes_identiques_au_gabarit(personas, persona):
    a = personas.a
    hostile = evaluation_de(a, titre='<script>alert(1)</script> « L\'accueil » & "co"')
    hostile.enseignants.set([a.enseignant.user, a.ddfpt.user])
    verrouillee = evaluation_de(a, titre="Vente conseil", verrouillee=True, nature="C")
    verrouillee.enseignants.set([a.enseignant.user])
    evaluation_de(a, titre="Masquée", afficher_tableau_de_bord=False, nature="E")
    evaluation_de(a, titre="Sans enseignant", date=datetime.date(2026, 9, 1), enseignants=[])
    evaluation_de(a, a.enseignant2, titre="Évaluation d'un collègue")
    _bilans(a, 3, 2)
    request, lignes = _lignes(a, getattr(a, persona))
    simples = [ligne for ligne in lignes if not ligne.est_groupe]
    groupes = [ligne for ligne in lignes if ligne.est_groupe]
    assert len(simples) >= 4 and len(groupes) == 1
    modifiables = {
        ligne.modifiable for ligne in simples + [e for g in groupes for e in g.evaluations]
    }
    # Both branches are compared: the teacher edits his own, not his colleague's.
    assert modifiables == ({True, False} if persona == "enseignant" else modifiables)
    for ligne in simples:
        attendu = Template(LIGNE).render(Context({"ligne": ligne, "request": request}))
        assert str(ligne.html) == attendu
    for groupe in groupes:
        attendu = Template(APPRENANTS).render(Context({"ligne": groupe, "request": request}))
        assert str(groupe.html_apprenants) == attendu
    assert "&lt;script&gt;alert(1)&lt;/script&gt; « L&#x27;accueil » &amp; &quot;co&quot;" in (
        next(ligne.html for ligne in simples if ligne.pk == hostile.pk)
    )


def test_page_liste_montre_les_lignes(as_persona, personas):
    a = personas.a
    ev = evaluation_de(a, titre="Accueil <client>")
    page = (
        as_persona("enseignant")
        .get(reverse("evaluations:liste", kwargs={"etab": a.etablissement.slug}))
        .content.decode()
    )
    assert f'<tr id="evaluation-{ev.pk}" class="eval-ligne">' in page
    assert "Accueil &lt;client&gt;" in page
    assert reverse("evaluations:grille", kwargs={"etab": a.etablissement.slug, "pk": ev.pk}) in page
