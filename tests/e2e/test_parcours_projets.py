"""Issue 17 (part 1): the Suivi de projet (chef-d'œuvre) journey. A teacher creates a
collective projet with its stages and team through the menu, then changes it (a stage added, a
learner without data removed); the learner adds a carnet de bord entry and downloads the PDF of
his record from « Mon projet »; the teacher comments and writes the year's assessment; the LSL
saisie shows it « repris du suivi de projet » and takes it into the livret; the tutor reads the
record.
Screenshots at 1366 × 768 and 390 × 844 (no horizontal scroll on the phone)."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bilans import services_bilans
from cpro.models import AnneeScolaire
from lslpro.models import Livret, Periodicite
from projets.models import EntreeCarnet, EvaluationAnnuelle, Projet
from tests.e2e.outils import connecter
from tests.pfmp import portfolio_factories as pf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRAND = {"width": 1366, "height": 768}
MOBILE = {"width": 390, "height": 844}


def _page(browser, csp_violations, viewport=GRAND):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            csp_violations.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return page


def _deux_captures(page, capture, nom):
    """The page at 1366 and at 390 px wide; on the phone the page never scrolls sideways."""
    page.set_viewport_size(GRAND)
    capture(page, f"{nom}_1366")
    page.set_viewport_size(MOBILE)
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= MOBILE["width"], f"{nom} : défilement horizontal ({largeur} px)"
    capture(page, f"{nom}_390")
    page.set_viewport_size(GRAND)


def _menu(page, libelle):
    """Open « Suivre les acquis ▾ » (behind the « Menu » button on a phone) and follow
    `libelle`."""
    bouton = page.locator(".bandeau .menu-bouton")
    if bouton.is_visible() and bouton.get_attribute("aria-expanded") != "true":
        bouton.click()
    page.locator("nav.nav-principale summary", has_text="Suivre les acquis").click()
    page.locator("nav.nav-principale").get_by_role("link", name=libelle).click()
    page.wait_for_load_state()


def _livret_possible(a, eleve, prof):
    """What the LSL saisie needs: trimestres and a validated bilan of the year."""
    Periodicite.objects.create(
        etablissement=a.etablissement,
        annee=AnneeScolaire.courante(),
        diplome=a.diplome,
        niveau=a.division.niveau,
        type=Periodicite.Type.TRIMESTRE,
    )
    bilan = services_bilans.creer_bilan(
        eleve,
        par=prof,
        date=max(
            timezone.localdate() - datetime.timedelta(days=1), AnneeScolaire.courante().date_debut
        ),
    )
    services_bilans.modifier_bilan(
        bilan,
        par=prof,
        date=bilan.date,
        constats="Progrès nets.",
        conseils="Continuer.",
        note=Decimal("12"),
        niveaux={p.competence_id: "3" for p in bilan.positionnements.all()},
    )
    services_bilans.valider_bilan(bilan, par=prof)


def test_parcours_projets(
    live_server, browser, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    eleve = a.apprenant.apprenant
    prof = a.enseignant.user
    _livret_possible(a, eleve, prof)
    # The tutor follows the learner in PFMP (pfmp.Affectation): he may read the record.
    periode = pf.periode(a, criteres=[])
    pf.affectation(periode, eleve, tuteur=a.tuteur, referent=prof, entreprise=pf.entreprise(a))
    base = f"{live_server.url}/lp-a"
    annee = AnneeScolaire.courante()
    aujourd_hui = timezone.localdate()

    # 1. The teacher creates a collective projet from the menu.
    page = _page(browser, csp_violations)
    connecter(page, base, "a-enseignant")
    _menu(page, "Suivi de projet")
    page.get_by_role("heading", name=re.compile("Suivi de projet")).wait_for()
    page.get_by_role("link", name="Nouveau projet").click()
    page.get_by_label("Titre du projet").fill("Boutique éphémère de Noël")
    page.get_by_label("Description").fill("Concevoir et animer une boutique éphémère au lycée.")
    page.get_by_label(a.division.nom, exact=True).check()
    page.get_by_label(re.compile(re.escape(eleve.membership.user.nom_complet))).check()
    page.get_by_label(
        re.compile(re.escape(a.apprenti.apprenant.membership.user.nom_complet))
    ).check()
    page.get_by_label(prof.nom_complet, exact=True).check()
    debut = annee.date_debut
    for i in range(4):
        d = debut + datetime.timedelta(days=30 + 70 * i)
        page.locator(f"#id_etapes-{i}-date_debut").fill(d.isoformat())
        page.locator(f"#id_etapes-{i}-date_fin").fill((d + datetime.timedelta(days=60)).isoformat())
    page.locator("#id_etapes-0-livrables").fill("Cahier des charges, répartition des rôles.")
    page.get_by_role("button", name="Créer le projet").click()
    page.get_by_text("Le projet est créé.").wait_for()
    projet = Projet.objects.get()
    assert projet.etapes.count() == 4 and projet.apprenants.count() == 2
    assert [e.titre for e in projet.etapes.all()] == [
        "Démarrage",
        "Réalisation",
        "Finalisation",
        "Présentation",
    ]
    _deux_captures(page, capture, "projets_projet")

    # 1 bis. The teacher changes the projet: a fifth stage (a blank row of the edit page) and
    # the apprentice, who has no data yet, leaves the team.
    page.get_by_role("link", name="Modifier le projet").click()
    page.get_by_role("heading", name=re.compile("Modifier le projet")).wait_for()
    fin = projet.etapes.last().date_fin
    page.locator("#id_etapes-4-titre").fill("Bilan de l'équipe")
    page.locator("#id_etapes-4-date_debut").fill((fin + datetime.timedelta(days=1)).isoformat())
    page.locator("#id_etapes-4-date_fin").fill((fin + datetime.timedelta(days=10)).isoformat())
    page.locator("#id_etapes-4-livrables").fill("Retour d'expérience écrit.")
    page.get_by_label(
        re.compile(re.escape(a.apprenti.apprenant.membership.user.nom_complet))
    ).uncheck()
    _deux_captures(page, capture, "projets_modifier")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Le projet est modifié.").wait_for()
    assert [e.titre for e in projet.etapes.all()][-1] == "Bilan de l'équipe"
    assert list(projet.apprenants.all()) == [eleve]
    page.get_by_text("Livrables attendus : Retour d'expérience écrit.").wait_for()

    # 2. The learner adds an entry to his carnet de bord (menu « Mon projet »).
    eleve_page = _page(browser, csp_violations, MOBILE)
    connecter(eleve_page, base, "a-apprenant")
    _menu(eleve_page, "Mon projet (chef-d'œuvre)")
    eleve_page.get_by_role("link", name="Mon carnet de bord").click()
    eleve_page.get_by_label("Ce que j'ai fait, ce qui reste à faire").fill(
        "Contact avec deux artisans ; tableau comparatif des prix."
    )
    eleve_page.get_by_label("Lien (facultatif, http:// ou https://)").fill(
        "https://exemple.fr/planche-tendances"
    )
    eleve_page.get_by_role("button", name="Ajouter au carnet de bord").click()
    eleve_page.get_by_text("L'entrée est ajoutée au carnet de bord.").wait_for()
    assert EntreeCarnet.objects.get().date == aujourd_hui
    _deux_captures(eleve_page, capture, "projets_carnet")
    # … and downloads the PDF of his record from « Mon projet » (export pipeline).
    _menu(eleve_page, "Mon projet (chef-d'œuvre)")
    _deux_captures(eleve_page, capture, "projets_mon_projet")
    eleve_page.get_by_role("button", name="Mon dossier en PDF").click()
    lien = eleve_page.get_by_role("link", name=re.compile("Télécharger"))
    lien.wait_for()
    with eleve_page.expect_download() as telechargement:
        lien.click()
    with open(telechargement.value.path(), "rb") as fichier:
        pdf = PdfReader(io.BytesIO(fichier.read()))
    texte = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Boutique éphémère de Noël" in texte and "Exemplaire de l'apprenant" in texte
    assert "Contact avec deux artisans" in texte and "Bilan de l'équipe" in texte

    # 3. The teacher reads the Suivi, comments and writes the year's assessment.
    page.goto(f"{base}/projets/")
    page.get_by_text("1 entrée").wait_for()
    _deux_captures(page, capture, "projets_suivi")
    page.get_by_role("link", name=eleve.membership.user.nom_complet).click()
    page.get_by_text("Contact avec deux artisans").wait_for()
    page.get_by_role("textbox", name="Commentaire").fill(
        "Bonne piste : chiffrez maintenant le budget."
    )
    page.get_by_role("button", name="Commenter").click()
    page.get_by_text("Le commentaire est enregistré.").wait_for()
    page.get_by_label(re.compile("^Appréciation")).fill(
        "Investi dans le projet collectif, a pris en charge les relations avec les artisans."
    )
    page.get_by_label("Note sur 20").fill("15,5")
    page.get_by_label(re.compile("Valider l'évaluation")).check()
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    page.get_by_text("L'évaluation est validée").wait_for()
    ev = EvaluationAnnuelle.objects.get()
    assert ev.validee and ev.note == Decimal("15.50")
    _deux_captures(page, capture, "projets_dossier")

    # 4. The LSL saisie shows it « repris du suivi de projet » and takes it into the livret.
    page.goto(f"{base}/lsl/saisie/{eleve.pk}/")
    bloc = page.locator("#lsl-projet")
    bloc.get_by_text("Repris du suivi de projet").wait_for()
    assert (
        page.locator("textarea[name=chef_oeuvre_appreciation]")
        .input_value()
        .startswith("Investi dans le projet collectif")
    )
    bloc.get_by_role("button", name="Reprendre du suivi de projet").click()
    page.get_by_text("L'évaluation du suivi de projet est reprise dans le livret").wait_for()
    livret = Livret.objects.get(apprenant=eleve)
    assert livret.chef_oeuvre_actif and livret.chef_oeuvre_note == Decimal("15.50")
    assert livret.chef_oeuvre_appreciation == ev.appreciation
    page.locator("#lsl-projet").get_by_text(
        "Le livret est identique au suivi de projet."
    ).wait_for()
    page.locator("#lsl-chef-oeuvre").scroll_into_view_if_needed()
    _deux_captures(page, capture, "projets_lsl")

    # 5. The tutor reads the record (menu « Projets de mes apprenants »), without any form.
    tuteur = _page(browser, csp_violations)
    connecter(tuteur, base, "a-tuteur")
    _menu(tuteur, "Projets de mes apprenants")
    tuteur.get_by_role("link", name=re.compile("Dossier de")).click()
    tuteur.get_by_text("lecture seule").first.wait_for()
    assert tuteur.get_by_text("Bonne piste : chiffrez maintenant le budget.").is_visible()
    assert tuteur.get_by_role("button", name="Commenter").count() == 0
    assert tuteur.get_by_role("button", name="Ajouter au carnet de bord").count() == 0
    _deux_captures(tuteur, capture, "projets_tuteur")

    assert not csp_violations
