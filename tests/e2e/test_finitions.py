"""Issue 15 (finitions), in a browser: the scénario « Actions » menu with the keyboard and a
move that brings the focus back to its row; a locked évaluation read-only; the bilans
entreprise grouped per PFMP; the bilan form and the dashboard filter message; the live count
of a CCF grid; « Copier le lien » for a tutor link. Screenshots finitions_<screen>_1366/_390."""

import datetime
import re

import pytest
from django.urls import reverse

from certification.models import GrilleCandidat
from cpro.models import AnneeScolaire, Division
from evaluations import services as services_evaluations
from evaluations.models import Nature
from pfmp.models import BilanEntreprise
from referentiels.models import GrilleCCF
from tests.bilans import bilans_factories as bf
from tests.bilans import tableaux_factories as tf
from tests.e2e.outils import connecter
from tests.evaluations.factories import ParticipantFactory, evaluation_de, mini_referentiel
from tests.factories import ApprenantFactory
from tests.pfmp import portfolio_factories as pf
from tests.pfmp.factories import AffectationFactory, periode_de
from tests.scenarios.factories import DossierFactory, scenario_de

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LARGEURS = ((1366, 768), (390, 844))


def _url(live_server, nom, **kwargs):
    return live_server.url + reverse(nom, kwargs={"etab": "lp-a", **kwargs})


def _captures(page, capture, ecran: str, preparer=None):
    """Both widths; at 390 px the page must not scroll horizontally."""
    for largeur, hauteur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": hauteur})
        if preparer:
            preparer()
        capture(page, f"finitions_{ecran}_{largeur}")
        if largeur == 390:
            # Nothing may stick out of the screen, except inside a scrolling container
            # (*defilement: wide tables scroll on their own; the shared .defilement rule is
            # in cpro.css).
            fautifs = page.evaluate(
                "Array.from(document.querySelectorAll('body *'))"
                ".filter(e => !e.closest('[class*=defilement]'))"
                ".filter(e => e.getBoundingClientRect().right"
                " > document.documentElement.clientWidth + 1)"
                ".slice(0, 6).map(e => e.tagName + '.' + e.className + ' '"
                " + Math.round(e.getBoundingClientRect().right))"
            )
            assert fautifs == [], f"{ecran}: dépasse l'écran de 390 px : {fautifs}"
    page.set_viewport_size({"width": 1366, "height": 768})


def _focus(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return (e.tagName + '#' + (e.id || '') + '.' + (e.className || '')); })()"
    )


def test_menu_actions_des_scenarios_au_clavier(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    dossier = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, nom="Vente")
    premier = scenario_de(a, titre="Accueil du client en magasin")
    scenario_de(a, titre="Vente additionnelle en rayon")
    scenario_de(a, titre="Fidélisation", dossier=dossier)
    base = f"{live_server.url}/lp-a"
    connecter(page, base, "a-enseignant")
    page.goto(_url(live_server, "scenarios:liste"))

    ligne = page.locator(f"#scenario-{premier.pk}")
    # Two actions visible, the others behind « Actions ».
    assert ligne.get_by_role("link", name=re.compile("^Ouvrir")).is_visible()
    assert ligne.get_by_role("link", name=re.compile("^Créer une grille")).is_visible()
    assert not ligne.get_by_role("button", name=re.compile("^Dupliquer")).is_visible()
    # The folder's rename field is hidden until « Renommer ».
    assert not page.locator(f"#renommer-{dossier.pk}").is_visible()
    page.locator(".sc-renommer summary").first.click()
    assert page.locator(f"#renommer-{dossier.pk}").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(f"#renommer-{dossier.pk}").is_visible()

    # Keyboard: Tab to « Actions », Enter opens, Escape closes and gives the focus back.
    menu = ligne.locator("details.sc-actions")
    ligne.get_by_role("link", name=re.compile("^Créer une grille")).focus()
    page.keyboard.press("Tab")
    assert "SUMMARY" in _focus(page)
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    assert ligne.get_by_role("button", name=re.compile("^Dupliquer")).is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert "SUMMARY" in _focus(page)
    page.keyboard.press("Enter")
    _captures(page, capture, "scenarios_menu")

    # Move down: confirmation, and the focus is on the moved row.
    ligne.get_by_role("button", name=re.compile("^↓ Descendre")).click()
    page.wait_for_load_state()
    page.get_by_text(
        "Scénario « Accueil du client en magasin » déplacé dans "
        "« Première Bac Pro – hors dossier » : position 2."
    ).wait_for()
    page.wait_for_function(f"document.activeElement.id === 'scenario-{premier.pk}'")
    assert page.url.endswith(f"#scenario-{premier.pk}")
    _captures(page, capture, "scenarios_deplace")
    assert csp_violations == []


def test_evaluation_verrouillee_en_lecture_seule(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    mini_referentiel(a.diplome)
    ev = evaluation_de(a, titre="Vente additionnelle", contexte="Magasin de sport")
    ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
    services_evaluations.verrouiller_evaluations([ev], par=a.ddfpt.user, motif="bilan validé")
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(_url(live_server, "evaluations:modifier", pk=ev.pk))
    page.get_by_text("Évaluation verrouillée (bilan validé) : lecture seule").wait_for()
    onglet = page.locator("section.eval-onglet")
    assert onglet.locator("input, textarea, select").count() == 0
    assert onglet.get_by_role("button", name="Enregistrer").count() == 0
    assert "Vente additionnelle" in onglet.inner_text()
    _captures(page, capture, "evaluation_verrouillee")
    page.goto(_url(live_server, "evaluations:liaison", pk=ev.pk))
    boutons = onglet.locator("fieldset.eval-lecture-seule button")
    assert boutons.count() > 0
    assert all(boutons.nth(i).is_disabled() for i in range(boutons.count()))
    _captures(page, capture, "evaluation_verrouillee_liaison")
    assert csp_violations == []


def test_bilans_entreprise_groupes_par_pfmp(live_server, page, personas, csp_violations, capture):
    a = personas.a
    periode = periode_de(
        a,
        date_debut=datetime.date(2026, 11, 2),
        date_fin=datetime.date(2026, 11, 20),
        annee=AnneeScolaire.courante(),
    )
    apprenants = [a.apprenant.apprenant] + [
        ApprenantFactory(etablissement=a.etablissement, division=a.division) for _ in range(4)
    ]
    for i, apprenant in enumerate(apprenants):
        ev = evaluation_de(
            a,
            niveau=periode.niveau,
            nature=Nature.ENTREPRISE,
            titre=f"Bilan entreprise – {periode.titre} – Boutique",
            date=periode.date_fin,
        )
        ParticipantFactory(evaluation=ev, apprenant=apprenant)
        BilanEntreprise.objects.create(
            affectation=AffectationFactory(periode=periode, apprenant=apprenant),
            evaluation=ev,
            statut="VALIDE" if i < 3 else "EN_COURS",
        )
    evaluation_de(a, titre="Vente additionnelle", niveau=periode.niveau)
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(_url(live_server, "evaluations:liste"))
    resume = page.get_by_text("Bilans entreprise — PFMP du 02/11/2026 au 20/11/2026")
    resume.wait_for()
    assert page.get_by_text("(5 apprenants, 3 validés)").is_visible()
    assert page.locator("tr.eval-ligne").count() == 2
    resume.click()
    liste = page.locator(".eval-groupe-apprenants li")
    assert liste.count() == 5 and liste.first.is_visible()
    _captures(page, capture, "evaluations_liste")
    assert csp_violations == []


def test_formulaire_de_bilan_et_filtres_du_tableau(
    live_server, page, personas, csp_violations, capture
):
    a = personas.a
    ref = tf.referentiel(a.diplome)
    eleve = a.apprenant.apprenant
    tf.evaluation(a, date=bf.DATE, resultats={(eleve, ref["par_unite"]["U2"][0]): "3"})
    from bilans import services_bilans

    bilan = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=bf.DATE)
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(_url(live_server, "bilans:bilan_modifier", pk=bilan.pk))
    select = page.locator("select[name^=niveau_]").first
    decrit = select.get_attribute("aria-describedby").split()[0]
    assert page.locator(f"#{decrit}").inner_text().startswith("Suggéré")
    _captures(page, capture, "bilan_formulaire")

    code = ref["competences"][0].code
    page.goto(
        _url(live_server, "bilans:tableau") + f"?apprenant={eleve.pk}&unite=U31&competence={code}"
    )
    message = (
        f"Aucune compétence ne correspond : la compétence {code} n'appartient pas à l'unité U31."
    )
    page.get_by_text(message).wait_for()
    _captures(page, capture, "tableau_filtres")
    page.get_by_role("link", name="Réinitialiser les filtres").click()
    page.wait_for_load_state()
    # The résultat is of 2025-2026: the current school year is shown by default, with the
    # link to the earlier years.
    page.get_by_role("link", name="Afficher les années antérieures").first.click()
    page.locator("table.tb").wait_for()
    assert page.locator("table.tb").count() == 1
    assert csp_violations == []


def test_grille_ccf_compte_en_direct(
    live_server, page, personas, referentiels_charges, csp_violations, capture
):
    a = personas.a
    terminale = Division.objects.create(
        etablissement=a.etablissement,
        annee=AnneeScolaire.courante(),
        nom="TMCVA",
        diplome=a.diplome,
        niveau="TERMINALE",
    )
    eleve = a.apprenant.apprenant
    eleve.division = terminale
    eleve.save()
    grille = GrilleCCF.objects.get(diplome=a.diplome, epreuve="E31")
    session = AnneeScolaire.courante().debut + 1
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(
        f"{live_server.url}/lp-a/certification/grilles/epreuve/{grille.pk}/session/{session}"
        f"/apprenant/{eleve.pk}/"
    )
    gc = GrilleCandidat.objects.get(apprenant=eleve, grille=grille)
    progression = page.locator("#ccf-progression")
    assert progression.get_attribute("aria-live") == "polite"
    total = int(re.search(r"/ (\d+)", progression.inner_text()).group(1))
    assert progression.inner_text() == f"0 / {total} critères positionnés"
    lignes = page.locator("table.ccf-grille tbody tr:has(input[type=radio])")
    lignes.nth(0).locator("input[type=radio]").nth(2).check()
    page.get_by_text(f"1 / {total} critères positionnés").wait_for()
    lignes.nth(1).locator("input[type=radio]").nth(3).check()
    # Another level on the same criterion does not count twice.
    lignes.nth(1).locator("input[type=radio]").nth(1).check()
    page.get_by_text(f"2 / {total} critères positionnés").wait_for()
    legende = page.locator("table.ccf-grille caption").inner_text()
    assert f"(2 / {total} positionnés)" in legende
    _captures(page, capture, "grille_ccf")
    assert gc.pk and csp_violations == []


def test_copier_le_lien_tuteur(live_server, page, personas, csp_violations, capture):
    aff = pf.de_persona(personas)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    connecter(page, f"{live_server.url}/lp-a", "a-enseignant")
    page.goto(_url(live_server, "pfmp:portfolio", pk=aff.pk))
    page.get_by_role("button", name="Créer le lien").click()
    page.wait_for_load_state()
    champ = page.get_by_label(re.compile("^Nouveau lien tuteur"))
    adresse = champ.input_value()
    assert "/pfmp/acces-tuteur/" in adresse
    bouton = page.get_by_role("button", name="Copier le lien")
    bouton.click()
    page.locator("#lien-tuteur-statut").get_by_text("Lien copié").wait_for()
    copie = page.evaluate("navigator.clipboard.readText()")
    assert copie == adresse
    page.locator("#acces-tuteur").scroll_into_view_if_needed()
    _captures(page, capture, "lien_tuteur")
    assert csp_violations == []
