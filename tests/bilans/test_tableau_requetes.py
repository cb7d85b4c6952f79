"""Query counts of the dashboards: constant whatever the amount of data (pinned with a small
set and a large one: 3 school years, 150 évaluations × 40 criteria)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bilans.queries_tableaux import donnees_tableau
from tests.bilans import tableaux_factories as tf

pytestmark = pytest.mark.django_db

# criteria (+ competence, group, unit), évaluations (+ author, year), their teachers, résultats
REQUETES_SANS_SUGGESTION = 4
# + the suggested levels, read from the stored aggregates
REQUETES_DONNEES = REQUETES_SANS_SUGGESTION + 1
# middleware (session, user, establishment, membership, diplômes) = 5, divisions, the
# learner, their division's learners (values), + the data
REQUETES_PAGE_EQUIPE = 5 + 3 + REQUETES_DONNEES
# middleware = 5, the learner's profile, + the data (no suggestion)
REQUETES_PAGE_APPRENANT = 5 + 1 + REQUETES_SANS_SUGGESTION
# « Pourquoi ce niveau ? »: middleware = 5, the learner, the competence, its observations
REQUETES_POURQUOI = 5 + 3


@pytest.fixture(params=["petit", "grand"])
def volume(request, personas):
    a = personas.a
    moi = a.apprenant.apprenant
    if request.param == "petit":
        ref = tf.referentiel(a.diplome, competences=1, criteres=1)
        # today: in the school year shown by default
        tf.evaluation(a, date=timezone.localdate(), resultats={(moi, ref["criteres"][0]): "3"})
    else:
        ref = tf.referentiel(
            a.diplome, unites=("U2", "U31", "U32", "U33"), competences=3, criteres=4
        )
        assert len(ref["criteres"]) == 48
        tf.gros_volume(
            a, [moi, a.apprenti.apprenant], ref["criteres"], nb_evaluations=150, par_evaluation=40
        )
    return request.param


def test_donnees_nombre_constant(personas, volume, django_assert_num_queries):
    moi = personas.a.apprenant.apprenant
    with django_assert_num_queries(REQUETES_DONNEES):
        t = donnees_tableau(moi, personas.a.diplome)
        # everything the templates read
        for b in t.blocs_competences:
            _ = b.competence.groupe.unite, b.html_suggestion
            for ligne in b.criteres:
                [c.colonne.infobulle for c in ligne.resultats]
    assert t.colonnes
    if volume == "grand":
        assert len(t.colonnes) == 144  # 6 of 150 hidden from dashboards
        assert {p.libelle for p in t.plages} == {
            "Seconde Bac Pro",
            "Première Bac Pro",
            "Terminale Bac Pro",
        }


@pytest.mark.parametrize("params", [{}, {"vue": "compacte"}, {"unite": "U2"}])
def test_page_equipe_nombre_constant(
    as_persona, personas, volume, params, django_assert_num_queries
):
    client = as_persona("enseignant")
    url = reverse("bilans:tableau", kwargs={"etab": personas.a.etablissement.slug})
    with django_assert_num_queries(REQUETES_PAGE_EQUIPE):
        response = client.get(url, {"apprenant": personas.a.apprenant.apprenant.pk, **params})
    assert response.status_code == 200
    assert REQUETES_PAGE_EQUIPE <= 13


def test_donnees_date_anterieure_aux_observations_sans_requete_de_plus(
    personas, volume, django_assert_num_queries
):
    """A reference date before some observations: the stored aggregates cannot answer, the
    levels are computed from the cells already read (no query added)."""
    moi = personas.a.apprenant.apprenant
    with django_assert_num_queries(REQUETES_DONNEES):
        t = donnees_tableau(moi, personas.a.diplome, reference=datetime.date(2020, 12, 1))
        niveaux = [b.suggestion.niveau for b in t.blocs_competences]
    assert niveaux


@pytest.mark.parametrize("htmx", [True, False])
def test_pourquoi_nombre_constant(as_persona, personas, volume, htmx, django_assert_num_queries):
    from referentiels.models import Competence

    client = as_persona("enseignant")
    moi = personas.a.apprenant.apprenant
    competence = Competence.objects.filter(diplome=personas.a.diplome).order_by("pk").first()
    url = reverse(
        "bilans:tableau_pourquoi",
        kwargs={
            "etab": personas.a.etablissement.slug,
            "apprenant": moi.pk,
            "competence": competence.pk,
        },
    )
    entetes = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with django_assert_num_queries(REQUETES_POURQUOI):
        response = client.get(url, **entetes)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Poids total" in html and ("<html" in html) is not htmx


def test_page_apprenant_nombre_constant(as_persona, personas, volume, django_assert_num_queries):
    client = as_persona("apprenant")
    url = reverse("bilans:mon_tableau", kwargs={"etab": personas.a.etablissement.slug})
    client.get(url)  # the first request stores the learner's diplôme in the session
    with django_assert_num_queries(REQUETES_PAGE_APPRENANT):
        response = client.get(url)
    assert response.status_code == 200


def test_page_equipe_grand_volume_sous_13_requetes(as_persona, personas):
    a = personas.a
    ref = tf.referentiel(a.diplome, unites=("U2", "U31"), competences=4, criteres=5)
    tf.gros_volume(
        a, [a.apprenant.apprenant], ref["criteres"], nb_evaluations=150, par_evaluation=40
    )
    client = as_persona("ddfpt")
    url = reverse("bilans:tableau", kwargs={"etab": a.etablissement.slug})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"apprenant": a.apprenant.apprenant.pk, "annees": "toutes"})
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 13
    assert response.content.decode().count('class="tb-cel ') >= 5000
