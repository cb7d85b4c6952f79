"""Journey of issue 17 (part 2): the DDFPT creates and edits the establishment's transversal
référentiel, a teacher links two transversal criteria in an évaluation's liaison and fills them
in the grid, opens « Suivi des compétences transversales » (learner, then class view); the
learner finds his own in « Mon tableau de bord ». Beside each suggested level, the level of
the latest validated bilan; « Pourquoi ce niveau ? » is loaded when opened. Screenshots at
1366 × 768 and 390 × 844."""

import re

import pytest
from django.utils import timezone

from bilans import services_bilans
from evaluations.models import Resultat
from referentiels.models import Critere
from tests.e2e.outils import connecter
from tests.evaluations import grille_factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAILLES = {"1366": (1366, 768), "390": (390, 844)}


def _captures(page, capture, nom: str) -> None:
    """Screenshots of the current page at both sizes; no horizontal scroll at 390 px."""
    for taille, (largeur, hauteur) in TAILLES.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        if taille == "390":
            largeur_page = page.evaluate("document.documentElement.scrollWidth")
            assert largeur_page <= largeur, f"{nom} : défilement horizontal ({largeur_page} px)"
        capture(page, f"transversales_{nom}_{taille}")
    page.set_viewport_size({"width": 1366, "height": 768})


def _deconnecter(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def test_parcours_transversales(live_server, page, personas, csp_violations, capture):
    a = personas.a
    eleve = a.apprenant.apprenant
    ev = gf.evaluation(a, titre="Accueil d'un client en magasin", participants=[eleve])
    base = f"{live_server.url}/lp-a"
    page.set_viewport_size({"width": 1366, "height": 768})

    # 1. The DDFPT: Administration › Référentiels › Compétences transversales.
    connecter(page, base, "a-ddfpt")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Administration").click()
    nav.get_by_role("link", name="Référentiels").click()
    page.get_by_role("link", name="Compétences transversales de l'établissement").click()
    page.get_by_text("n'a encore défini aucune compétence transversale").wait_for()
    page.get_by_role("button", name="Ajouter le jeu de départ").click()
    page.get_by_text("Jeu de départ ajouté").wait_for()
    page.get_by_label("Code", exact=True).last.fill("NUM")
    page.get_by_label("Libellé de la compétence").last.fill("Usage du numérique")
    page.get_by_label(re.compile("^Critères d'évaluation")).fill(
        "Utilise les outils numériques du poste\nProtège les données des clients"
    )
    page.get_by_role("button", name="Ajouter la compétence").click()
    page.get_by_text("Compétence NUM ajoutée.").wait_for()
    # Edit the label of a criterion of the starting set.
    aut1 = Critere.objects.get(code="AUT.1", competence__diplome__etablissement=a.etablissement)
    bloc = page.locator(f"#critere-{aut1.pk}")
    bloc.get_by_text("Modifier le libellé").click()
    bloc.get_by_label("Libellé du critère AUT.1").fill("Organise son travail en autonomie")
    bloc.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Critère AUT.1 modifié.").wait_for()
    assert page.get_by_text("Organise son travail en autonomie").is_visible()
    _captures(page, capture, "referentiel")
    _deconnecter(page)

    # 2. The teacher links two transversal criteria in the évaluation's liaison tab.
    connecter(page, base, "a-enseignant")
    page.goto(f"{base}/evaluations/{ev.pk}/liaison/")
    page.get_by_role("heading", name="Compétences transversales").wait_for()
    equ1 = Critere.objects.get(code="EQU.1", competence__diplome__etablissement=a.etablissement)
    for critere in (aut1, equ1):
        page.locator(f"#competence-{critere.competence_id} > summary").click()
        page.locator(f"#critere-{critere.pk}").click()
        page.locator(f"#critere-{critere.pk}[aria-pressed=true]").wait_for()
    assert set(ev.criteres.filter(competence__diplome__nature="transversal")) == {aut1, equ1}
    _captures(page, capture, "liaison")

    # 3. … and fills them in the grid (keyboard, autosave).
    page.goto(f"{base}/evaluations/{ev.pk}/grille/")
    for critere, niveau in ((aut1, "3"), (equ1, "4")):
        page.locator(f"#s-{eleve.pk}-{critere.pk}").focus()
        page.keyboard.press(niveau)
        page.locator(f"#cel-{eleve.pk}-{critere.pk}.lvl-{niveau} .etat-ok").wait_for()
    assert Resultat.objects.get(evaluation=ev, apprenant=eleve, critere=aut1).niveau == "3"
    _captures(page, capture, "grille")

    # A validated bilan intermédiaire positions AUT: its level shows beside the suggestion.
    aut = Critere.objects.get(pk=aut1.pk).competence
    jour = timezone.localdate()
    bilan = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=jour)
    services_bilans.modifier_bilan(
        bilan, par=a.enseignant.user, date=jour, constats="", conseils="", note=None,
        niveaux={aut.pk: "2"},
    )  # fmt: skip
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)

    # 4. « Suivi des compétences transversales » from the menu: the learner, then the class.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Suivi des compétences transversales").click()
    page.get_by_role("heading", name="Suivi des compétences transversales").wait_for()
    page.wait_for_load_state()  # the select submits itself once tableaux.js has run
    page.get_by_label("Apprenant").select_option(str(eleve.pk))
    page.wait_for_url(re.compile(rf"apprenant={eleve.pk}"))
    assert page.locator(".tb-ecole").count() >= 2
    assert page.get_by_text("Organise son travail en autonomie").is_visible()
    valide = page.locator(".tb-valide").first
    assert valide.inner_text().startswith(f"Bilan validé du {jour:%d/%m/%Y} :")
    # « Pourquoi ce niveau ? » loads the observations when opened
    pourquoi = page.locator("details.tb-pourquoi").first
    pourquoi.locator("summary").click()
    observations = re.compile("Observations prises en compte pour AUT")
    pourquoi.get_by_role("table", name=observations).wait_for()
    assert "Accueil d'un client en magasin" in pourquoi.inner_text()
    _captures(page, capture, "apprenant")
    page.get_by_role("link", name="Vue classe").click()
    tableau = page.locator("table.vc")
    tableau.wait_for()
    assert tableau.get_by_role("link", name=str(eleve)).is_visible()
    assert tableau.locator("abbr", has_text="AUT").is_visible()
    _captures(page, capture, "classe")
    _deconnecter(page)

    # 5. The learner sees his own in « Mon tableau de bord ».
    connecter(page, base, "a-apprenant")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Suivre les acquis").click()
    nav.get_by_role("link", name="Mon tableau de bord").click()
    page.get_by_role("link", name="Compétences transversales").click()
    page.get_by_text("Organise son travail en autonomie").wait_for()
    assert page.locator(".tb-ecole").count() >= 2
    _captures(page, capture, "mon_tableau")
    assert csp_violations == []
