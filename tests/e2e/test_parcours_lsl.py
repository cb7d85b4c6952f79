"""Journey of issue 8: a teacher fills a livret with « Recopie », a note and its period, an
appreciation and a teacher, and sees completeness reach 100 %; the chef exports the XML."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from lxml import etree

from bilans import services_bilans
from cpro.models import AnneeScolaire
from lslpro.models import Periodicite
from tests.lslpro import export_factories as ef

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _connecter(page, base, identifiant):
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(identifiant)
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()


def test_lsl_journey(live_server, browser, personas, referentiels_charges, csp_violations, capture):
    a = personas.a
    eleve = a.apprenant.apprenant
    prof = a.enseignant.user
    Periodicite.objects.create(
        etablissement=a.etablissement,
        annee=AnneeScolaire.courante(),
        diplome=a.diplome,
        niveau=a.division.niveau,
        type=Periodicite.Type.TRIMESTRE,
    )
    aujourd_hui = timezone.localdate()
    bilan = services_bilans.creer_bilan(
        eleve,
        par=prof,
        date=max(aujourd_hui - datetime.timedelta(days=1), AnneeScolaire.courante().date_debut),
    )
    niveaux = {p.competence_id: "3" for p in bilan.positionnements.all()}
    services_bilans.modifier_bilan(
        bilan,
        par=prof,
        date=bilan.date,
        constats="Progrès nets à l'oral.",
        conseils="Soigner l'écrit.",
        note=Decimal("13.5"),
        niveaux=niveaux,
    )
    services_bilans.valider_bilan(bilan, par=prof)
    ef.code_matiere(a)  # the export is blocked while the spécialité's code matière is not set
    base = f"{live_server.url}/lp-a"

    page = browser.new_page()
    page.on(
        "console",
        lambda m: (
            csp_violations.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    _connecter(page, base, "a-enseignant")
    page.wait_for_url(f"{base}/accueil/")
    page.goto(f"{base}/lsl/saisie/{eleve.pk}/")
    page.get_by_role("button", name="Recopie du dernier bilan").click()
    page.wait_for_load_state()
    page.locator("tfoot select").first.select_option("T1")
    page.locator("textarea[name=appreciation]").fill(
        "Élève sérieux, en progrès constants sur la vente-conseil."
    )
    page.locator("input[name=enseignants]").first.check()
    page.get_by_role("button", name="Enregistrer", exact=True).last.click()
    page.wait_for_load_state()
    page.get_by_text("Le livret est enregistré.").wait_for()
    assert page.get_by_text(re.compile(r"Complétude : 100 %")).first.is_visible()

    # The chef exports the division and downloads the XML.
    chef = browser.new_page()
    _connecter(chef, base, "a-chef")
    if "/diplome/" in chef.url:
        chef.get_by_label("Bac Pro MCV A").check()
        chef.get_by_role("button", name="Valider").click()
    chef.goto(f"{base}/lsl/export/")
    chef.get_by_label(re.compile(f"^{a.division.nom}")).check()
    chef.get_by_role("button", name="Vérifier").click()
    chef.get_by_role("button", name="Lancer l'export").click()
    lien = chef.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with chef.expect_download() as telechargement:
        lien.click()
    xml = etree.parse(telechargement.value.path())
    assert xml.getroot().tag == "{urn:ac-grenoble.fr:lsl:import}lsl"
    assert xml.find(".//eleve").get("id") == eleve.eleve_id
    capture(chef, "parcours_lsl")
    assert csp_violations == []
