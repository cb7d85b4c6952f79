"""Issue 17 (part 3): the livrets des apprentis, end to end in a browser.

The DDFPT opens « Livrets des apprentis » from the menu, sees the statuses (one livret en
retard with its reason, one à jour), opens the late one, adds a visit and the teacher's
observation. The maître d'apprentissage (account, on a phone) opens « Livrets de mes
apprentis », writes his observation and acknowledges; the apprentice acknowledges; the DDFPT
exports the PDF through the export pipeline and downloads it. A maître d'apprentissage without
an account opens his signed link on a phone and writes his observation.
Screenshots at 1366×768 and 390×844; no horizontal scroll at 390 px."""

import datetime
import io
import re

import pytest
from django.utils import timezone

from cpro.models import Statut
from livrets import services
from livrets.models import Auteur, Observation, PriseConnaissance, Visite
from tests.e2e.outils import choisir_diplome, connecter
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory
from tests.livrets import factories as lf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUREAU = {"width": 1366, "height": 768}
TELEPHONE = {"width": 390, "height": 844}


def _sans_defilement_horizontal(page):
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= page.viewport_size["width"], largeur


def _apprenti(side, nom):
    user = UserFactory(username=f"apprenti-{nom.lower()}", last_name=nom, first_name="Léo")
    return ApprenantFactory(
        etablissement=side.etablissement,
        membership=MembershipFactory(user=user, etablissement=side.etablissement, role="APPRENANT"),
        division=side.division,
        statut=Statut.APPRENTI,
    )


def _page(browser, viewport, violations):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return context, page


def _session(browser, base, identifiant, viewport, violations, diplome=None):
    context, page = _page(browser, viewport, violations)
    connecter(page, base, identifiant)
    if diplome:
        choisir_diplome(page, diplome)
    return context, page


def _menu(page, entree: str):
    # On a phone the navigation may sit behind the header's menu button (static/cpro/js/menu.js).
    bouton = page.locator(".bandeau .menu-bouton")
    if bouton.count() and bouton.is_visible() and bouton.get_attribute("aria-expanded") != "true":
        bouton.click()
    page.locator("nav.nav-principale summary", has_text="Suivre les acquis").click()
    page.locator("nav.nav-principale").get_by_role("link", name=entree).click()
    page.wait_for_load_state()


def test_parcours_livrets(live_server, browser, personas, capture):
    csp = []
    a = personas.a
    base = f"{live_server.url}/{a.etablissement.slug}"
    # The apprentice's période ended 30 days ago: no observation yet → en retard.
    aff = lf.affectation(a, titre="PFMP automne – magasin")
    # Another apprentice, à jour (both observations written); his next période is with a
    # maître d'apprentissage without an account (signed link, step 6).
    zola = _apprenti(a, "ZOLA")
    autre = lf.affectation(a, apprenant=zola, titre="PFMP automne – drive")
    services.observer(autre, auteur=Auteur.MAITRE, texte="Bien.", par=a.tuteur.user)
    services.observer(autre, auteur=Auteur.ENSEIGNANT, texte="Bien.", par=a.enseignant.user)
    recente = timezone.localdate() - datetime.timedelta(days=12)
    sans_compte = lf.affectation(
        a, apprenant=zola, tuteur=None, debut=recente, jours=7, titre="PFMP hiver – entrepôt"
    )

    # 1. The DDFPT: the list, the statuses, the livret, a visit and an observation.
    ctx, page = _session(browser, base, "a-ddfpt", BUREAU, csp, a.diplome.intitule_court)
    _menu(page, "Livrets des apprentis")
    page.get_by_role("heading", name="Livrets des apprentis").wait_for()
    texte = page.locator("main").inner_text()
    assert "En retard" in texte
    assert "sans observation du professeur" in texte
    capture(page, "livrets_liste_1366")
    page.get_by_role("link", name=re.compile(a.apprenti.user.last_name, re.I)).click()
    page.get_by_role("heading", name=re.compile("Livret d'apprentissage")).wait_for()
    section = page.locator(f"#periode-{aff.pk}")
    section.get_by_text("Ajouter une visite, un entretien ou un appel").click()
    jour = aff.periode.date_debut + datetime.timedelta(days=5)
    section.get_by_label("Date", exact=True).fill(jour.isoformat())
    section.get_by_label("Nature", exact=True).select_option("VISITE")
    section.get_by_label("Compte rendu").fill("Visite au magasin : poste conforme, bon accueil.")
    section.get_by_role("button", name="Enregistrer le suivi").click()
    page.get_by_text("Suivi enregistré.").wait_for()
    section = page.locator(f"#periode-{aff.pk}")
    section.get_by_label("Observation du professeur").fill("Bonne intégration, à suivre.")
    section.get_by_role("button", name="Enregistrer l'observation").click()
    page.get_by_text("Observation enregistrée.").wait_for()
    assert Visite.objects.get().par == a.ddfpt.user
    assert Observation.objects.get(affectation=aff, auteur=Auteur.ENSEIGNANT).texte == (
        "Bonne intégration, à suivre."
    )
    capture(page, "livrets_livret_1366")

    # 2. The maître d'apprentissage (account) on his phone.
    ctx_ma, ma = _session(browser, base, "a-tuteur", TELEPHONE, csp)
    _menu(ma, "Livrets de mes apprentis")
    ma.get_by_role("heading", name="Livrets de mes apprentis").wait_for()
    _sans_defilement_horizontal(ma)
    capture(ma, "livrets_tuteur_390")
    ma.locator(".lv-carte", has_text="PFMP automne – magasin").get_by_role("link").click()
    ma.get_by_role("heading", name=re.compile("Livret d'apprentissage")).wait_for()
    ma.get_by_label("Mon observation sur la période").fill("Ponctuel, sérieux et curieux.")
    ma.get_by_role("button", name="Enregistrer mon observation").click()
    ma.get_by_text("Observation enregistrée.").wait_for()
    ma.get_by_role("button", name="J'ai pris connaissance du livret de cette période").click()
    ma.get_by_text("Prise de connaissance enregistrée.").wait_for()
    assert "pris connaissance le" in ma.locator(f"#periode-{aff.pk}").inner_text()
    _sans_defilement_horizontal(ma)
    capture(ma, "livrets_livret_390")
    ctx_ma.close()

    # 3. The apprentice acknowledges.
    ctx_ap, ap = _session(browser, base, "a-apprenti", TELEPHONE, csp)
    _menu(ap, "Mon livret d'apprentissage")
    ap.get_by_role("button", name="J'ai pris connaissance du livret de cette période").click()
    ap.get_by_text("Prise de connaissance enregistrée.").wait_for()
    _sans_defilement_horizontal(ap)
    capture(ap, "livrets_apprenti_390")
    ctx_ap.close()
    assert set(PriseConnaissance.objects.values_list("qui", flat=True)) == {"MAITRE", "APPRENTI"}

    # 4. Back to the list: the livret is à jour now; the PDF through the export pipeline.
    _menu(page, "Livrets des apprentis")
    ligne = page.locator("tr", has_text=a.apprenti.user.last_name.upper())
    assert "À jour" in ligne.inner_text()
    ligne.get_by_role("link").click()
    page.get_by_role("button", name="Exporter le livret en PDF").click()
    lien = page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with page.expect_download() as telechargement:
        lien.click()
    chemin = telechargement.value.path()
    from pypdf import PdfReader

    with open(chemin, "rb") as f:
        pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)
    for attendu in ("PFMP automne – magasin", "Ponctuel, sérieux et curieux.", "Visite au magasin"):
        assert attendu in pdf, attendu
    ctx.close()

    # 5. The list at 390 px (cards, no horizontal scroll).
    ctx_t, tel = _session(browser, base, "a-ddfpt", TELEPHONE, csp, a.diplome.intitule_court)
    tel.goto(f"{base}/livrets/")
    _sans_defilement_horizontal(tel)
    capture(tel, "livrets_liste_390")
    ctx_t.close()

    # 6. A maître d'apprentissage without an account: the signed link, on a phone.
    url = services.creer_lien_maitre(sans_compte, par=a.enseignant.user, base_url=live_server.url)
    ctx_l, lien_page = _page(browser, TELEPHONE, csp)
    lien_page.goto(url)
    lien_page.wait_for_url(f"{base}/livrets/lien/{sans_compte.pk}/")
    assert "PFMP hiver – entrepôt" in lien_page.locator("main").inner_text()
    assert "PFMP automne – drive" not in lien_page.locator("main").inner_text()
    lien_page.get_by_label("Mon observation sur la période").fill("Très bon esprit d'équipe.")
    lien_page.get_by_role("button", name="Enregistrer mon observation").click()
    lien_page.get_by_text("Observation enregistrée.").wait_for()
    obs = Observation.objects.get(affectation=sans_compte, auteur=Auteur.MAITRE)
    assert obs.lien is not None and obs.redigee_par is None
    _sans_defilement_horizontal(lien_page)
    capture(lien_page, "livrets_lien_390")
    ctx_l.close()
    assert csp == []
