"""Journey of issue 5: a learner fills a week of the journal de bord and submits a fiche; the
tutor opens the signed link and fills the bilan entreprise with the teacher; the teacher
validates it and sees the E cells appear on the learner's dashboard."""

import datetime
import re

import pytest
from django.utils import timezone

from pfmp import services_periodes, services_portfolio
from pfmp.models import FicheActivite
from referentiels.models import Critere

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _connecter(page, base, identifiant):
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(identifiant)
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/accueil/")


def test_pfmp_journey(
    live_server, browser, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    prof = a.enseignant.user
    criteres = list(
        Critere.objects.filter(competence__diplome=a.diplome, competence__code__in=["C1.1", "C1.2"])
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
        apprenants=[a.apprenant.apprenant],
    )
    affectation = periode.affectations.get()
    affectation.referent = prof
    affectation.save()
    base = f"{live_server.url}/lp-a"

    # The learner fills week 1 and submits fiche 1.
    eleve = browser.new_context().new_page()
    eleve.on(
        "console",
        lambda m: (
            csp_violations.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    _connecter(eleve, base, "a-apprenant")
    eleve.goto(f"{base}/pfmp/mes-portfolios/")
    eleve.get_by_role("link", name=re.compile("PFMP 1")).first.click()
    eleve.locator("a[href$='/semaines/1/']").first.click()
    eleve.get_by_label(re.compile("Activités de la semaine", re.I)).fill(
        "Mise en rayon, accueil des clients et encaissement."
    )
    eleve.get_by_role("button", name="Enregistrer").click()
    eleve.get_by_text("Mise en rayon, accueil des clients et encaissement.").wait_for()
    fiche = FicheActivite.objects.get(portfolio__affectation=affectation, numero=1)
    eleve.goto(f"{base}/pfmp/fiches/{fiche.pk}/")
    eleve.get_by_label(re.compile(r"^Activité\s*:?$")).fill("Vente d'un téléviseur")
    eleve.get_by_label(re.compile("^Ce que j'ai fait")).fill(
        "J'ai accueilli le client, découvert ses besoins et conclu la vente."
    )
    eleve.get_by_role("button", name="Soumettre au professeur référent").click()
    eleve.get_by_text("Soumise").first.wait_for()
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.SOUMISE

    # The teacher opens the bilan entreprise; the tutor fills it through the signed link.
    enseignant = browser.new_context().new_page()
    _connecter(enseignant, base, "a-enseignant")
    enseignant.goto(f"{base}/pfmp/portfolios/{affectation.pk}/bilan-entreprise/")
    enseignant.get_by_role("button", name="Ouvrir le bilan entreprise").click()
    enseignant.get_by_role("button", name="Enregistrer le bilan").wait_for()
    lien = services_portfolio.creer_lien_tuteur(affectation, par=prof, base_url=live_server.url)
    tuteur = browser.new_context().new_page()
    tuteur.goto(lien if lien.startswith("http") else f"{live_server.url}{lien}")
    tuteur.get_by_role("link", name=re.compile("Bilan entreprise")).first.click()
    selects = tuteur.locator("form.pf-form-bilan select")
    for i in range(selects.count()):
        selects.nth(i).select_option("3" if i % 2 else "4")
    tuteur.get_by_label(re.compile("Tuteur ou maître d'apprentissage")).fill("Claire Dumas")
    tuteur.get_by_role("button", name="Enregistrer le bilan").click()
    tuteur.get_by_text(re.compile("enregistré", re.I)).first.wait_for()

    # The teacher validates; the E cells appear on the learner's dashboard.
    enseignant.reload()
    enseignant.get_by_role("button", name="Valider le bilan entreprise").click()
    enseignant.get_by_text("Validé").first.wait_for()
    enseignant.goto(
        f"{base}/bilans/tableaux-de-bord/?division={a.division.pk}&apprenant={a.apprenant.apprenant.pk}"
    )
    cellules_e = enseignant.locator(".tb-entreprise")
    assert cellules_e.count() >= len(criteres)
    assert "E" in cellules_e.first.inner_text()
    capture(enseignant, "parcours_pfmp")
    assert csp_violations == []
