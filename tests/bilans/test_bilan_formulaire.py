"""The bilan form made light (issue 14): suggested levels read from the stored aggregates (the
same level as `suggerer`, compared on random data), « Pourquoi ? » loaded on demand from
`bilans:bilan_pourquoi` (HTMX fragment or full page without JavaScript), `<select>`s built in
Python, and the query counts pinned."""

import datetime
import random
import re

import pytest
from django.urls import reverse

from bilans import queries_bilans, services_bilans
from bilans.suggestion import suggerer
from cpro.maitrise import rendu
from evaluations.models import Nature
from referentiels.models import Critere
from tests.bilans import bilans_factories as bf

pytestmark = pytest.mark.django_db

D = bf.DATE
# middleware (5) + bilan, positionnements, stored aggregates, évaluations taken into account
REQUETES_FORMULAIRE = 5 + 4
# middleware (5) + bilan, positionnement, observations of the competence
REQUETES_POURQUOI = 5 + 3


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(f"bilans:{name}", kwargs={"etab": slug, **kwargs})


def _donnees(a, *, competences, evaluations, graine=1):
    """`evaluations` évaluations of the side's scolaire learner on `competences` competences
    (2 criteria each), random levels (NE included), natures and dates over a year and a half."""
    rng = random.Random(graine)
    criteres = bf.referentiel(a, competences=competences)
    for i in range(evaluations):
        choisis = rng.sample(criteres, k=min(len(criteres), rng.randint(1, 4)))
        bf.evaluation(
            a,
            {c: rng.choice(["NE", "1", "2", "3", "4"]) for c in choisis},
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 540)),
            nature=rng.choice(list(Nature)),
            titre=f"Évaluation {i}",
        )
    return criteres


@pytest.mark.parametrize("graine", [1, 2, 3])
def test_niveaux_suggeres_identiques_a_suggerer(personas, graine):
    """The stored aggregates give the level `suggerer` computes from the observations, at
    reference dates before, among and after the observations (the fallback path included)."""
    a = personas.a
    _donnees(a, competences=4, evaluations=40, graine=graine)
    eleve = a.apprenant.apprenant
    ids = [c.competence_id for c in Critere.objects.filter(competence__diplome=a.diplome)]
    rng = random.Random(graine)
    references = [datetime.date(2024, 12, 1), datetime.date(2026, 7, 1)]
    references += [datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 540))]
    for reference in references:
        attendu = {
            cid: suggerer(obs, reference).niveau
            for cid, obs in queries_bilans.observations(eleve, a.diplome, reference).items()
        }
        obtenu = queries_bilans.niveaux_suggeres(eleve, ids, reference)
        assert obtenu == {cid: attendu.get(cid, "NE") for cid in set(ids)}


def test_creation_preremplie_comme_suggerer(personas):
    a = personas.a
    _donnees(a, competences=3, evaluations=25)
    eleve = a.apprenant.apprenant
    bilan = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=D)
    exact = queries_bilans.suggestions(eleve, a.diplome, D)
    for p in bilan.positionnements.all():
        attendu = exact[p.competence_id].niveau if p.competence_id in exact else "NE"
        assert p.suggestion == p.niveau == attendu


@pytest.mark.parametrize("evaluations", [1, 30])
def test_formulaire_requetes_constantes_sans_tableau_pourquoi(
    client, personas, as_persona, django_assert_num_queries, evaluations
):
    a = personas.a
    _donnees(a, competences=4, evaluations=evaluations)
    # An observation after the bilan's date would add the fallback query: none here.
    bilan = services_bilans.creer_bilan(
        a.apprenant.apprenant, par=a.enseignant.user, date=datetime.date(2026, 8, 1)
    )
    as_persona("enseignant")
    with django_assert_num_queries(REQUETES_FORMULAIRE):
        r = client.get(url(personas, "bilan_modifier", pk=bilan.pk))
    html = r.content.decode()
    assert r.status_code == 200
    # No observation table in the page: each « Pourquoi ? » is loaded when opened.
    assert "<table" not in html.split('<form method="post"')[1]
    competences = list(bilan.positionnements.values_list("competence_id", flat=True))
    assert len(competences) == 4
    for cid in competences:
        lien = url(personas, "bilan_pourquoi", pk=bilan.pk, competence=cid)
        assert f'hx-get="{lien}" hx-trigger="toggle once"' in html
        assert f'<a href="{lien}">Voir les observations</a>' in html
    # One select per competence, the stored level selected, described by its suggestion.
    for p in bilan.positionnements.all():
        ident = f"id_niveau_{p.competence_id}"
        balise = re.search(rf'<select name="niveau_{p.competence_id}"[^>]*>(.*?)</select>', html)
        assert f'aria-describedby="suggestion-{ident}"' in balise.group(0)
        assert f'<option value="{p.niveau}" selected>' in balise.group(1)
        assert balise.group(1).count(" selected") == 1


def test_formulaire_repli_quand_observation_posterieure(
    client, personas, as_persona, django_assert_num_queries
):
    """An observation dated after the bilan: the stored sums cannot be used for that
    competence, its level comes from the observations (one more query), still exact."""
    a = personas.a
    ref = bf.referentiel(a)
    bf.evaluation(a, {ref[0]: "1"}, date=datetime.date(2025, 11, 1))
    bf.evaluation(a, {ref[0]: "4", ref[1]: "4"}, date=datetime.date(2026, 3, 1))
    bilan = services_bilans.creer_bilan(a.apprenant.apprenant, par=a.enseignant.user, date=D)
    assert bilan.positionnements.get(competence=ref[0].competence).niveau == "1"
    as_persona("enseignant")
    with django_assert_num_queries(REQUETES_FORMULAIRE + 1):
        html = client.get(url(personas, "bilan_modifier", pk=bilan.pk)).content.decode()
    ident = f"id_niveau_{ref[0].competence_id}"
    suggestion = re.search(rf'id="suggestion-{ident}">(.*?)</span>\n', html).group(1)
    assert f'title="{rendu("1").libelle}"' in suggestion


def test_pourquoi_fragment_htmx_et_page_complete(
    client, personas, as_persona, django_assert_num_queries
):
    a = personas.a
    ref = bf.referentiel(a)
    ev = bf.evaluation(a, {ref[0]: "3"}, titre="Vente conseil d'un smartphone")
    bilan = services_bilans.creer_bilan(a.apprenant.apprenant, par=a.enseignant.user, date=D)
    as_persona("enseignant")
    lien = url(personas, "bilan_pourquoi", pk=bilan.pk, competence=ref[0].competence_id)
    with django_assert_num_queries(REQUETES_POURQUOI):
        r = client.get(lien, HTTP_HX_REQUEST="true")
    fragment = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in fragment
    assert ev.titre.replace("'", "&#x27;") in fragment
    assert f"Observations de {ref[0].competence.code}" in fragment
    assert "médiane pondérée" in fragment and "Poids total : 1,00." in fragment
    # Without JavaScript: the same table in a full page, with the way back to the form.
    page = client.get(lien).content.decode()
    assert "<html" in page and ev.titre.replace("'", "&#x27;") in page
    assert f'href="{url(personas, "bilan_modifier", pk=bilan.pk)}"' in page
    # A competence without observation says so.
    vide = client.get(
        url(personas, "bilan_pourquoi", pk=bilan.pk, competence=ref[2].competence_id),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Aucune observation jusqu'à la date du bilan" in vide


def test_pourquoi_competence_hors_bilan_404(client, personas, as_persona):
    a = personas.a
    bf.referentiel(a)
    bilan = bf.bilan(a)
    autre = bf.referentiel(personas.b)[0].competence
    as_persona("enseignant")
    assert (
        client.get(url(personas, "bilan_pourquoi", pk=bilan.pk, competence=autre.pk)).status_code
        == 404
    )
    assert (
        client.get(
            url(personas, "bilan_pourquoi", "b", pk=bilan.pk, competence=autre.pk)
        ).status_code
        == 404
    )


def test_formulaire_en_erreur_garde_la_saisie(client, personas, as_persona):
    a = personas.a
    ref = bf.referentiel(a)
    bilan = bf.bilan(a)
    c1, c2 = ref[0].competence, ref[2].competence
    as_persona("enseignant")
    r = client.post(
        url(personas, "bilan_modifier", pk=bilan.pk),
        {
            "date": "2026-01-20",
            "constats": "Bonne <implication>",
            "note": "21",
            f"niveau_{c1.pk}": "3",
            f"niveau_{c2.pk}": "9",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert re.search(rf'<select name="niveau_{c1.pk}"[^>]*>.*?<option value="3" selected>', html)
    assert "Bonne &lt;implication&gt;</textarea>" in html
    assert 'value="21"' in html and 'aria-describedby="id_note_helptext id_note_error"' in html
    assert '<ul class="errorlist" id="id_note_error"><li>La note doit être comprise' in html
