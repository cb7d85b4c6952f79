"""Transversal competences end to end on the server side: linked in an évaluation's liaison
(any diploma), entered in the grid, read in « Suivi des compétences transversales » (learner and
class view, pinned query counts) and in the learner's own dashboard; the diploma dashboards keep
showing only their diploma's criteria."""

import datetime
import re

import pytest
from django.urls import reverse

from bilans import services_bilans
from bilans.queries_bilans import suggestion_expliquee
from bilans.queries_tableaux import donnees_tableau
from bilans.queries_transversales import donnees_transversales, vue_classe_transversale
from evaluations.models import Nature, Resultat
from tests.bilans import tableaux_factories as tf
from tests.evaluations import grille_factories as gf
from tests.referentiels import transversal as tt

pytestmark = pytest.mark.django_db

# middleware (5) + référentiel, divisions, learner, classmates (values), criteria, évaluations,
# their teachers, résultats, the suggested levels (stored aggregates), the latest validated
# bilans
REQUETES_APPRENANT = 5 + 10
# middleware (5) + référentiel, divisions, learners, criteria, participations, résultats,
# validated positionnements
REQUETES_CLASSE = 5 + 7


def url(personas, nom, **kwargs):
    return reverse(nom, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


@pytest.fixture
def donnees(personas):
    """A's transversal référentiel; an évaluation of each diploma of A linking AUT.1 / EQU.1,
    with résultats for the scolaire learner; a diploma criterion too."""
    a = personas.a
    tt.referentiel(a)
    moi, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    aut1, equ1 = tt.critere(a, "AUT.1"), tt.critere(a, "EQU.1")
    officiel = tf.referentiel(a.diplome, unites=("U2",), competences=1, criteres=1)["criteres"][0]
    ev1 = tf.evaluation(
        a,
        date=datetime.date(2025, 3, 1),
        titre="Accueil client",
        resultats={(moi, aut1): "2", (moi, officiel): "3", (apprenti, aut1): "4"},
    )
    ev2 = tf.evaluation(
        a,
        date=datetime.date(2025, 4, 1),
        titre="Stage",
        nature=Nature.ENTREPRISE,
        diplome=a.diplome2,
        resultats={(moi, aut1): "4", (moi, equ1): "3"},
    )
    return {"moi": moi, "apprenti": apprenti, "ev1": ev1, "ev2": ev2, "officiel": officiel}


def test_donnees_d_un_apprenant_toutes_evaluations_de_tous_diplomes(personas, donnees):
    a = personas.a
    ref = tt.referentiel(a)
    tableau = donnees_transversales(donnees["moi"], ref, reference=datetime.date(2025, 5, 1))
    assert [c.titre for c in tableau.colonnes] == ["Accueil client", "Stage"]
    blocs = {b.competence.code: b for b in tableau.blocs_competences}
    assert list(blocs) == ["AUT", "EQU"]
    aut = blocs["AUT"]
    assert [cel.niveau for cel in aut.criteres[0].resultats] == ["2", "4"]
    assert aut.suggestion.niveau == "4"  # the recent workplace observation weighs more
    explique = suggestion_expliquee(donnees["moi"], aut.competence.pk, datetime.date(2025, 5, 1))
    assert explique.niveau == "4"
    assert {c.observation.titre for c in explique.contributions} == {"Accueil client", "Stage"}
    # The official criterion is never a transversal row.
    codes = {ligne.critere.code for b in tableau.blocs_competences for ligne in b.criteres}
    assert donnees["officiel"].code not in codes
    # … and the diploma dashboard keeps only its own criteria.
    diplome = donnees_tableau(donnees["moi"], a.diplome)
    codes = {ligne.critere.code for b in diplome.blocs_competences for ligne in b.criteres}
    assert codes == {donnees["officiel"].code}


def test_filtre_competence_et_criteres_desactives(personas, donnees):
    from referentiels.services_transversal import changer_activite

    a = personas.a
    ref = tt.referentiel(a)
    tableau = donnees_transversales(donnees["moi"], ref, competence="EQU")
    assert [b.competence.code for b in tableau.blocs_competences] == ["EQU"]
    assert [c.titre for c in tableau.colonnes] == ["Stage"]
    # AUT.2 (never evaluated) disappears once deactivated; AUT.1 with résultats stays.
    changer_activite(tt.critere(a, "AUT.2"), actif=False, par=None)
    tableau = donnees_transversales(donnees["apprenti"], ref)
    aut = tableau.blocs_competences[0]
    assert [ligne.critere.code for ligne in aut.criteres] == ["AUT.1"]


def test_vue_classe(personas, donnees):
    a = personas.a
    ref = tt.referentiel(a)
    vue = vue_classe_transversale(a.division, ref, reference=datetime.date(2025, 5, 1))
    assert [c.code for c in vue.competences] == ["AUT", "EQU"]
    lignes = {ligne.apprenant: ligne.positions for ligne in vue.lignes}
    assert [(p.niveau, p.suggere) for p in lignes[donnees["moi"]]] == [("4", True), ("3", True)]
    assert [p.niveau for p in lignes[donnees["apprenti"]]] == ["4", "NE"]


def test_pages_du_suivi(as_persona, personas, donnees):
    client = as_persona("enseignant")
    # the évaluations of the fixture are of earlier school years: shown on demand
    html = client.get(
        url(personas, "bilans:transversales"), {"apprenant": donnees["moi"].pk}
    ).content.decode()
    assert "Afficher les années antérieures" in html and "Accueil client" not in html
    assert "Pourquoi ce niveau" in html  # the suggestion weighs every year
    html = client.get(
        url(personas, "bilans:transversales"), {"apprenant": donnees["moi"].pk, "annees": "toutes"}
    ).content.decode()
    assert "Suivi des compétences transversales" in html
    assert "Autonomie" in html and "Pourquoi ce niveau" in html
    assert "Accueil client" in html and "Stage" in html
    html = client.get(
        url(personas, "bilans:transversales"),
        {"apprenant": donnees["moi"].pk, "vue": "compacte", "annees": "toutes"},
    ).content.decode()
    assert "tb-compacte" in html and "Accueil client" in html
    html = client.get(
        url(personas, "bilans:transversales_classe"), {"division": personas.a.division.pk}
    ).content.decode()
    assert "vc-suggere" in html and f"?apprenant={donnees['moi'].pk}" in html


def test_apprenant_d_un_autre_etablissement_404(as_persona, personas, donnees):
    tt.referentiel(personas.b)
    client = as_persona("enseignant")
    autre = personas.b.apprenant.apprenant
    response = client.get(url(personas, "bilans:transversales"), {"apprenant": autre.pk})
    assert response.status_code == 404
    response = client.get(
        url(personas, "bilans:transversales_classe"), {"division": personas.b.division.pk}
    )
    assert response.status_code == 404


def test_l_apprenant_ne_voit_que_les_siennes(as_persona, personas, donnees):
    client = as_persona("apprenti")
    page = url(personas, "bilans:mes_transversales")
    html = client.get(page, {"annees": "toutes"}).content.decode()
    assert "Compétences transversales" in html and "Accueil client" in html
    assert "Stage" not in html  # the scolaire learner's évaluation, not the apprentice's
    assert "Pourquoi ce niveau" not in html
    response = client.get(page, {"apprenant": donnees["moi"].pk})
    assert response.status_code == 404
    html = client.get(url(personas, "bilans:mon_tableau")).content.decode()
    assert page in html  # the tab from « Mon tableau de bord »


def test_etats_vides(as_persona, personas):
    client = as_persona("enseignant")
    html = client.get(url(personas, "bilans:transversales")).content.decode()
    assert "pas encore défini de compétences transversales" in html
    html = client.get(url(personas, "bilans:transversales_classe")).content.decode()
    assert "pas encore défini de compétences transversales" in html
    html = as_persona("apprenant").get(url(personas, "bilans:mes_transversales")).content.decode()
    assert "pas encore défini de compétences transversales" in html


# --- liaison and grid ------------------------------------------------------------------------


def test_liaison_puis_grille(as_persona, personas):
    a = personas.a
    tt.referentiel(a)
    tt.referentiel(personas.b)
    ev = gf.evaluation(a, criteres=gf.referentiel(a.diplome, competences=1, criteres=1))
    client = as_persona("enseignant")
    liaison = url(personas, "evaluations:liaison", pk=ev.pk)
    html = client.get(liaison).content.decode()
    assert "Compétences transversales" in html and "Sollicite de l&#x27;aide" in html
    aut1, equ1 = tt.critere(a, "AUT.1"), tt.critere(a, "EQU.1")
    for cr in (aut1, equ1):
        assert client.post(liaison, {"critere": cr.pk}).status_code == 302
    assert set(ev.criteres.filter(competence__diplome__nature="transversal")) == {aut1, equ1}
    # Another establishment's transversal criterion is refused.
    etranger = tt.critere(personas.b, "AUT.1")
    client.post(liaison, {"critere": etranger.pk})
    assert not ev.criteres.filter(pk=etranger.pk).exists()
    # The grid shows them after the diploma's criteria, and accepts their résultats.
    html = client.get(url(personas, "evaluations:grille", pk=ev.pk)).content.decode()
    assert html.index("Organise son travail") > html.index("Critère")
    moi = a.apprenant.apprenant
    response = client.post(
        url(personas, "evaluations:saisir", pk=ev.pk),
        {"apprenant": moi.pk, "critere": aut1.pk, "niveau": "3"},
    )
    assert response.status_code == 302
    assert Resultat.objects.get(evaluation=ev, apprenant=moi, critere=aut1).niveau == "3"
    response = client.post(
        url(personas, "evaluations:saisir", pk=ev.pk),
        {"apprenant": moi.pk, "critere": etranger.pk, "niveau": "3"},
    )
    assert response.status_code == 404


def test_critere_desactive_ne_s_ajoute_plus(as_persona, personas):
    from referentiels.services_transversal import changer_activite

    a = personas.a
    tt.referentiel(a)
    aut2 = tt.critere(a, "AUT.2")
    changer_activite(aut2, actif=False, par=None)
    ev = gf.evaluation(a, criteres=[])
    client = as_persona("enseignant")
    liaison = url(personas, "evaluations:liaison", pk=ev.pk)
    assert "Sollicite de l&#x27;aide" not in client.get(liaison).content.decode()
    response = client.post(liaison, {"critere": aut2.pk}, follow=True)
    assert "désactivé" in response.content.decode()
    assert not ev.criteres.exists()


def test_pourquoi_d_une_competence_transversale(as_persona, personas, donnees):
    """« Pourquoi ce niveau ? » of the transversal follow-up: the same URL as the diploma
    dashboard's, for a transversal competence of the establishment (learner of any diploma)."""
    a = personas.a
    client = as_persona("enseignant")
    html = client.get(
        url(personas, "bilans:transversales"),
        {"apprenant": donnees["moi"].pk, "date": "2025-05-01", "annees": "toutes"},
    ).content.decode()
    aut = tt.competence(a, "AUT")
    adresse = url(
        personas, "bilans:tableau_pourquoi", apprenant=donnees["moi"].pk, competence=aut.pk
    )
    assert f'hx-get="{adresse}?date=2025-05-01"' in html
    fragment = client.get(f"{adresse}?date=2025-05-01", HTTP_HX_REQUEST="true")
    texte = fragment.content.decode()
    assert "Accueil client" in texte and "Stage" in texte and "pour AUT au 01/05/2025" in texte
    page = client.get(adresse).content.decode()
    assert "compétence transversale" in page and "Retour au suivi des compétences" in page
    # another establishment's transversal competence → 404
    b = personas.b
    tt.referentiel(b)
    autre = tt.competence(b, "AUT")
    refus = url(
        personas, "bilans:tableau_pourquoi", apprenant=donnees["moi"].pk, competence=autre.pk
    )
    assert client.get(refus).status_code == 404


def test_niveau_du_dernier_bilan_valide(as_persona, personas, donnees):
    """Beside the suggested level: the level of the latest VALIDATED bilan intermédiaire that
    positions the transversal competence (a draft does not count)."""
    a = personas.a
    aut, equ = tt.competence(a, "AUT"), tt.competence(a, "EQU")
    prof = a.enseignant.user

    def bilan(date, niveaux, valider=True):
        b = services_bilans.creer_bilan(donnees["moi"], par=prof, date=date)
        services_bilans.modifier_bilan(
            b, par=prof, date=date, constats="", conseils="", note=None, niveaux=niveaux
        )
        if valider:
            services_bilans.valider_bilan(b, par=prof)
        return b

    def cellules():
        html = (
            as_persona("enseignant")
            .get(
                url(personas, "bilans:transversales"),
                {"apprenant": donnees["moi"].pk, "annees": "toutes"},
            )
            .content.decode()
        )
        return re.findall(r'<div class="tb-suggestion-contenu">(.*?)<details', html)

    assert all("Bilan validé" not in c for c in cellules())
    bilan(datetime.date(2025, 6, 2), {aut.pk: "2", equ.pk: "1"})
    bilan(datetime.date(2025, 9, 15), {aut.pk: "3"})
    bilan(datetime.date(2025, 10, 1), {aut.pk: "4"}, valider=False)  # a draft
    tableau = donnees_transversales(donnees["moi"], tt.referentiel(a))
    valides = {b.competence.code: b.bilan_valide for b in tableau.blocs_competences}
    assert valides["AUT"] == (datetime.date(2025, 9, 15), "3")
    assert valides["EQU"][0] == datetime.date(2025, 9, 15)  # the latest bilan positions it too
    aut_html, equ_html = cellules()
    assert re.search(r"Bilan validé du 15/09/2025 :</span> <span class=\"lvl lvl-3\"", aut_html)
    assert "Bilan validé du 15/09/2025" in equ_html
    # the learner's own follow-up shows no suggestion, hence no bilan either
    sans = donnees_transversales(donnees["moi"], tt.referentiel(a), avec_suggestions=False)
    assert all(b.bilan_valide is None for b in sans.blocs_competences)


# --- pinned query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("nb_evaluations", [2, 20])
def test_page_apprenant_requetes_constantes(
    as_persona, personas, nb_evaluations, django_assert_num_queries
):
    a = personas.a
    tt.referentiel(a)
    criteres = [tt.critere(a, "AUT.1"), tt.critere(a, "AUT.2"), tt.critere(a, "EQU.1")]
    moi = a.apprenant.apprenant
    tf.gros_volume(a, [moi], criteres, nb_evaluations=nb_evaluations, par_evaluation=2)
    client = as_persona("enseignant")
    for annees in ("", "toutes"):
        with django_assert_num_queries(REQUETES_APPRENANT):
            response = client.get(
                url(personas, "bilans:transversales"), {"apprenant": moi.pk, "annees": annees}
            )
        assert response.status_code == 200
    assert response.context["donnees"].colonnes


@pytest.mark.parametrize("nb", [3, 25])
def test_vue_classe_requetes_constantes(as_persona, personas, nb, django_assert_num_queries):
    a = personas.a
    tt.referentiel(a)
    eleves = [a.apprenant.apprenant, a.apprenti.apprenant, *gf.apprenants(a, nb - 2)]
    criteres = [tt.critere(a, "AUT.1"), tt.critere(a, "EQU.1")]
    tf.gros_volume(a, eleves, criteres, nb_evaluations=6, par_evaluation=2)
    client = as_persona("enseignant")
    with django_assert_num_queries(REQUETES_CLASSE):
        response = client.get(
            url(personas, "bilans:transversales_classe"), {"division": a.division.pk}
        )
    assert len(response.context["vue"].lignes) == nb


def test_bilan_entreprise_le_tuteur_evalue_les_criteres_transversaux_lies(personas):
    from evaluations import services as services_evaluations
    from pfmp import services_portfolio
    from pfmp.queries_portfolio import page_bilan
    from tests.pfmp import portfolio_factories as pf

    a = personas.a
    tt.referentiel(a)
    aff = pf.de_persona(personas)
    prof = a.enseignant.user
    bilan = services_portfolio.ouvrir_bilan_entreprise(aff, par=prof)
    aut1 = tt.critere(a, "AUT.1")
    services_evaluations.basculer_critere(bilan.evaluation, aut1.pk, par=prof)
    lignes = [ligne.critere for g in page_bilan(bilan) for ligne in g.lignes]
    assert aut1 in lignes
    services_portfolio.saisir_bilan(bilan, {aut1.pk: "3"}, par=a.tuteur.user)
    assert Resultat.objects.get(evaluation=bilan.evaluation, critere=aut1).niveau == "3"
