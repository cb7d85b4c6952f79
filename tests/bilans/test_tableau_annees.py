"""Issue 14: the dashboard shows the current school year by default, the earlier ones on
demand (HTMX fragment, or a plain link without JavaScript); the suggestion always weighs the
whole history."""

import datetime
import re

import pytest
from django.urls import reverse

from bilans.queries_tableaux import annee_courante
from tests.bilans import tableaux_factories as tf

pytestmark = pytest.mark.django_db

# middleware = 5, divisions, the learner, their division's learners (values), the data = 4 +
# the suggested levels (stored aggregates)
REQUETES_FRAGMENT = 5 + 3 + 5


@pytest.fixture
def trois_ans(personas):
    """The scolaire learner with 60 évaluations over 3 school years (20 a year, 2 of them
    hidden from dashboards), on 12 criteria."""
    a = personas.a
    ref = tf.referentiel(a.diplome, competences=3, criteres=2)
    moi = a.apprenant.apprenant
    evaluations = tf.gros_volume(
        a, [moi, a.apprenti.apprenant], ref["criteres"], nb_evaluations=60, par_evaluation=6
    )
    visibles = [e for e in evaluations if e.afficher_tableau_de_bord]
    par_annee: dict[int, int] = {}
    for e in visibles:
        par_annee[e.annee.debut] = par_annee.get(e.annee.debut, 0) + 1
    return {"moi": moi, "par_annee": par_annee}


def _url(personas, name="tableau"):
    return reverse(f"bilans:{name}", kwargs={"etab": personas.a.etablissement.slug})


def test_annee_courante_par_defaut_et_annees_anterieures_a_la_demande(
    as_persona, personas, trois_ans
):
    courante = annee_courante()
    par_annee = trois_ans["par_annee"]
    assert sorted(par_annee) == [courante - 2, courante - 1, courante]
    client = as_persona("enseignant")
    params = {"apprenant": trois_ans["moi"].pk}
    response = client.get(_url(personas), params)
    donnees = response.context["donnees"]
    assert [c.debut for c in donnees.colonnes] == [courante] * par_annee[courante]
    assert sum(c.nb for c in donnees.comptes) == par_annee[courante]
    html = response.content.decode()
    assert html.count('<th scope="col" class="tb-col') == par_annee[courante]
    for debut in (courante - 2, courante - 1):
        n = par_annee[debut]
        assert f"{debut}-{debut + 1} — {n} évaluation{'s' if n > 1 else ''}" in html
    # the button: HTMX on the same view, and a real link without JavaScript
    lien = f"?apprenant={trois_ans['moi'].pk}&amp;annees=toutes"
    assert f'href="{lien}" hx-get="{lien}" hx-target="#tb-donnees"' in html
    assert "Afficher les années antérieures" in html
    tout = client.get(_url(personas), {**params, "annees": "toutes"})
    assert len(tout.context["donnees"].colonnes) == sum(par_annee.values())
    page = tout.content.decode()
    assert "<html" in page and "Afficher seulement l'année en cours" in page
    assert f'href="?apprenant={trois_ans["moi"].pk}"' in page


@pytest.mark.parametrize("vue", ["", "compacte"])
def test_fragment_htmx_et_liens_hors_fragment(
    as_persona, personas, trois_ans, vue, django_assert_num_queries
):
    client = as_persona("enseignant")
    params = {"apprenant": trois_ans["moi"].pk, "annees": "toutes", "vue": vue}
    with django_assert_num_queries(REQUETES_FRAGMENT):
        response = client.get(_url(personas), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tb-donnees"') and "<html" not in html
    assert "<h1" not in html and 'name="competence"' not in html  # not the filters
    # the links outside the fragment keep the school years: sent out-of-band
    assert (
        '<span id="tb-garde-annees" hx-swap-oob="true"><input type="hidden" name="annees"' in html
    )
    voisins = re.search(
        r'<nav class="tb-voisins" id="tb-voisins"[^>]*hx-swap-oob="true">.*?</nav>', html, re.S
    )
    assert voisins and "annees=toutes" in voisins.group(0)
    # a history restore (back button) gets the whole page
    restaure = client.get(
        _url(personas), params, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restaure.content.decode()


def test_parametre_garde_par_bascule_filtres_et_voisins(as_persona, personas, trois_ans):
    (troisieme,) = tf_apprenants(personas)
    client = as_persona("enseignant")
    html = client.get(
        _url(personas), {"apprenant": trois_ans["moi"].pk, "annees": "toutes", "unite": "U2"}
    ).content.decode()
    bascule = re.search(r'<a class="bouton secondaire tb-bascule" href="([^"]+)"', html).group(1)
    assert "annees=toutes" in bascule and "vue=compacte" in bascule and "unite=U2" in bascule
    assert re.search(r'<a href="[^"]*annees=toutes[^"]*" rel="(prev|next)">', html)
    filtres = re.search(r'<form method="get" class="tb-filtres".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="annees" value="toutes">' in filtres
    # compact view: the link back to the current year keeps the view
    compacte = client.get(
        _url(personas), {"apprenant": trois_ans["moi"].pk, "annees": "toutes", "vue": "compacte"}
    ).content.decode()
    assert f'href="?apprenant={trois_ans["moi"].pk}&amp;vue=compacte"' in compacte
    assert troisieme  # a third learner: the first one has a next one


def tf_apprenants(personas):
    from tests.evaluations import grille_factories as gf

    return gf.apprenants(personas.a, 1)


@pytest.mark.parametrize("vue", ["", "compacte"])
def test_suggestion_identique_avec_ou_sans_les_annees_anterieures(
    as_persona, personas, trois_ans, vue
):
    client = as_persona("enseignant")
    params = {"apprenant": trois_ans["moi"].pk, "vue": vue}
    courante = client.get(_url(personas), params).context["donnees"]
    toutes = client.get(_url(personas), {**params, "annees": "toutes"}).context["donnees"]
    assert len(courante.colonnes) < len(toutes.colonnes)

    def suggestions(t):
        return {b.competence.code: b.suggestion.niveau for b in t.blocs_competences}

    assert suggestions(courante) == suggestions(toutes)
    html = client.get(_url(personas), params).content.decode()
    adresses = re.findall(r'<details class="tb-pourquoi" hx-get="([^"]+)"', html)
    assert len(adresses) == len(courante.blocs_competences)
    # « Pourquoi ce niveau ? » (loaded on demand) weighs the earlier years too
    explication = client.get(adresses[0], HTTP_HX_REQUEST="true")
    assert re.search(
        r"… et \d+ observations plus anciennes ou de poids plus faible",
        explication.content.decode(),
    )
    debut = min(c.date for c in courante.colonnes)
    assert any(
        c.observation.date < debut for c in explication.context["p"].suggestion.contributions
    )


def test_filtre_sans_evaluation_cette_annee(as_persona, personas, trois_ans):
    """A filter whose criteria were evaluated only in earlier years: clear message + link."""
    a = personas.a
    ref = tf.referentiel(a.diplome, unites=("U33",), competences=1, criteres=1)
    tf.evaluation(
        a,
        date=datetime.date(annee_courante() - 1, 10, 1),
        titre="Ancienne",
        resultats={(trois_ans["moi"], ref["criteres"][0]): "2"},
    )
    html = (
        as_persona("enseignant")
        .get(_url(personas), {"apprenant": trois_ans["moi"].pk, "unite": "U33"})
        .content.decode()
    )
    courante = annee_courante()
    assert (
        "Aucune évaluation n'est encore affichée pour l'année scolaire "
        f"{courante}-{courante + 1} pour ce filtre" in html
    )
    assert "afficher les années antérieures</a>" in html and "unite=U33&amp;annees=toutes" in html


@pytest.mark.parametrize("annees", ["", "toutes"])
def test_date_de_reference_avant_des_observations(
    as_persona, personas, trois_ans, annees, django_assert_num_queries
):
    """A reference date (the filter) before some observations: the stored aggregates cannot
    answer; the level is the rule's on the observations up to that date — from the cells
    when every year is read, else from one more query (the earlier years' cells are not
    read)."""
    from bilans.queries_bilans import suggestion_expliquee

    client = as_persona("enseignant")
    reference = datetime.date(annee_courante() - 1, 11, 15)
    params = {"apprenant": trois_ans["moi"].pk, "annees": annees, "date": reference.isoformat()}
    with django_assert_num_queries(REQUETES_FRAGMENT + (0 if annees else 1)):
        response = client.get(_url(personas), params, HTTP_HX_REQUEST="true")
    donnees = response.context["donnees"]
    assert donnees.reference == reference
    niveaux = {b.competence.pk: b.suggestion.niveau for b in donnees.blocs_competences}
    assert niveaux == {
        pk: suggestion_expliquee(trois_ans["moi"], pk, reference).niveau for pk in niveaux
    }
    assert set(niveaux.values()) != {"NE"}
