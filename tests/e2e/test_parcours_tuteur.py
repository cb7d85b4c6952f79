"""Issue 9: the tutor's journey. The teacher opens the bilan entreprise and creates a signed
link (the services behind « Ouvrir le bilan entreprise » and « Créer un lien tuteur »); the
tutor, without an account, opens the link, reads the portfolio, fills the bilan entreprise and
sees the confirmation."""

import datetime
import re

import pytest
from django.utils import timezone

from evaluations.models import Resultat
from pfmp import services_periodes, services_portfolio
from pfmp.models import BilanEntreprise, LienTuteur
from referentiels.models import Critere

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_parcours_tuteur(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    eleve = a.apprenant.apprenant
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
        apprenants=[eleve],
    )
    affectation = periode.affectations.get()
    affectation.referent = prof
    affectation.save()
    bilan = services_portfolio.ouvrir_bilan_entreprise(affectation, par=prof)
    lien = services_portfolio.creer_lien_tuteur(
        affectation, par=prof, email="claire.dumas@exemple.fr", base_url=live_server.url
    )
    assert lien.startswith(f"{live_server.url}/lp-a/pfmp/acces-tuteur/")

    # The tutor opens the link: the learner's portfolio, read only.
    page.goto(lien)
    page.wait_for_url(f"{live_server.url}/lp-a/pfmp/acces-tuteur/portfolio/{affectation.pk}/")
    assert eleve.user.last_name.upper() in page.locator("main").inner_text().upper()
    assert page.get_by_role("link", name="Se déconnecter").count() == 0
    assert LienTuteur.objects.get().utilise_le is not None

    # The bilan entreprise: one level per criterion, an appreciation and the tutor's name.
    page.get_by_role("link", name=re.compile("Bilan entreprise")).first.click()
    page.get_by_role("heading", name="Bilan entreprise").wait_for()
    selects = page.locator("form.pf-form-bilan select")
    assert selects.count() == len(criteres) > 0
    for i in range(selects.count()):
        selects.nth(i).select_option("3" if i % 2 else "4")
    page.get_by_label(re.compile("Appréciation", re.I)).fill(
        "Très bon contact avec la clientèle, ponctuel et impliqué."
    )
    page.get_by_label(re.compile("Tuteur ou maître d'apprentissage")).fill("Claire Dumas")
    page.get_by_role("button", name="Enregistrer le bilan").click()

    # Confirmation, and the entry kept on the page and in the database.
    page.get_by_text("Bilan entreprise enregistré.").wait_for()
    assert page.get_by_label(re.compile("Tuteur ou maître d'apprentissage")).input_value() == (
        "Claire Dumas"
    )
    bilan.refresh_from_db()
    assert bilan.statut == BilanEntreprise.Statut.EN_COURS
    assert bilan.tuteur_nom == "Claire Dumas"
    assert bilan.appreciation.startswith("Très bon contact")
    niveaux = Resultat.objects.filter(evaluation=bilan.evaluation, apprenant=eleve)
    assert sorted(niveaux.values_list("niveau", flat=True)) == sorted(
        "3" if i % 2 else "4" for i in range(len(criteres))
    )
    capture(page, "parcours_tuteur")
    assert csp_violations == []
