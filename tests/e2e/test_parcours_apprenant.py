"""Issue 9: a learner's journey. « Mes évaluations » and one grid, « Mon tableau de bord »,
a week of the journal de bord and a fiche d'activité submitted; a classmate's pages reached
by typing their address answer the « Page introuvable » page (404)."""

import datetime
import re

import pytest
from django.utils import timezone

from evaluations.models import Resultat
from pfmp import services_periodes
from pfmp.models import FicheActivite, SemaineJournal
from referentiels.models import Critere
from tests.e2e.outils import connecter
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_parcours_apprenant(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    eleve, camarade = a.apprenant.apprenant, a.apprenti.apprenant
    prof = a.enseignant.user
    # Criteria of the loaded MCV-A référentiel (the grid factory's own référentiel would
    # collide with its codes).
    criteres = list(
        Critere.objects.filter(competence__diplome=a.diplome).order_by(
            "competence__ordre", "ordre"
        )[:4]
    )
    ev = gf.evaluation(
        a, titre="Accueil d'un client au rayon image", participants=[eleve], criteres=criteres
    )
    for critere, niveau in zip(ev.criteres.all(), ["3", "4", "2", "1"], strict=False):
        Resultat.objects.create(evaluation=ev, apprenant=eleve, critere=critere, niveau=niveau)
    ev_camarade = gf.evaluation(
        a, titre="Évaluation du camarade", participants=[camarade], criteres=criteres
    )
    annexe = services_periodes.creer_annexe(
        a.etablissement,
        a.diplome,
        par=prof,
        titre="PFMP vente",
        niveau=a.division.niveau,
        objectifs="Conseiller et vendre en magasin.",
        criteres=criteres,
    )
    fin = timezone.localdate() - datetime.timedelta(days=1)
    periode = services_periodes.creer_periode(
        annexe,
        par=prof,
        titre="PFMP 1 – novembre",
        date_debut=fin - datetime.timedelta(days=13),
        date_fin=fin,
        apprenants=[eleve, camarade],
    )
    affectation = periode.affectations.get(apprenant=eleve)
    affectation_camarade = periode.affectations.get(apprenant=camarade)
    base = f"{live_server.url}/lp-a"

    connecter(page, base, "a-apprenant")
    page.wait_for_url(f"{base}/accueil/")
    nav = page.get_by_role("navigation", name="Navigation principale")

    # « Mes évaluations »: only the learner's own évaluation, then its grid.
    nav.get_by_text("Gérer et évaluer les activités de formation").click()
    nav.get_by_role("link", name="Mes évaluations").click()
    page.get_by_role("heading", name="Mes évaluations").wait_for()
    assert page.get_by_role("link", name="Accueil d'un client au rayon image").is_visible()
    assert page.get_by_text("Évaluation du camarade").count() == 0
    page.get_by_role("link", name="Accueil d'un client au rayon image").click()
    page.get_by_role("heading", name="Accueil d'un client au rayon image").wait_for()
    assert page.locator("table .lvl-4").count() >= 1

    # « Mon tableau de bord »: the results, without suggestion.
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Mon tableau de bord").click()
    page.get_by_role("heading", name="Mon tableau de bord").wait_for()
    assert page.locator(".tb-ecole").count() >= 4
    assert page.get_by_text("Créer un bilan intermédiaire").count() == 0

    # Journal de bord, week 1.
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Mon portfolio").click()
    page.get_by_role("link", name=re.compile("PFMP 1")).first.click()
    page.locator("a[href$='/semaines/1/']").first.click()
    page.get_by_label(re.compile("Activités de la semaine", re.I)).fill(
        "Réception des livraisons, mise en rayon et conseil aux clients."
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Réception des livraisons, mise en rayon et conseil aux clients.").wait_for()
    semaine = SemaineJournal.objects.get(portfolio__affectation=affectation, numero=1)
    assert semaine.activites.startswith("Réception des livraisons")

    # Fiche d'activité 1, submitted.
    fiche = FicheActivite.objects.get(portfolio__affectation=affectation, numero=1)
    page.goto(f"{base}/pfmp/fiches/{fiche.pk}/")
    page.get_by_label(re.compile(r"^Activité\s*:?$")).fill("Vente d'un appareil photo")
    page.get_by_label(re.compile("^Ce que j'ai fait")).fill(
        "J'ai présenté deux modèles, comparé leurs fonctions et conclu la vente."
    )
    page.get_by_role("button", name="Soumettre au professeur référent").click()
    page.get_by_text("Soumise").first.wait_for()
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.SOUMISE

    # A classmate's pages, typed in the address bar: 404 « Page introuvable ».
    for chemin in (
        f"bilans/mon-tableau-de-bord/?apprenant={camarade.pk}",
        f"pfmp/portfolios/{affectation_camarade.pk}/",
        f"pfmp/portfolios/{affectation_camarade.pk}/semaines/1/",
        f"evaluations/mes-grilles/{ev_camarade.pk}/",
    ):
        reponse = page.goto(f"{base}/{chemin}")
        assert reponse.status == 404, chemin
        assert page.get_by_role("heading", name="Page introuvable").is_visible(), chemin
        assert camarade.user.last_name not in page.locator("main").inner_text(), chemin
    # The teachers' dashboard is not a learner's page at all.
    reponse = page.goto(f"{base}/bilans/tableaux-de-bord/?apprenant={camarade.pk}")
    assert reponse.status in (403, 404)
    assert camarade.user.last_name not in page.locator("main").inner_text()

    page.goto(f"{base}/pfmp/portfolios/{affectation.pk}/")
    capture(page, "parcours_apprenant")
    assert csp_violations == []
