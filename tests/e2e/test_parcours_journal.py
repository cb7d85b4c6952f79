"""Issue 15: the DDFPT reads the Journal des actions: French labels and before → after, filters
by action and by learner, pages through a filtered list; readable at 1366 and 390 px wide."""

import re

import pytest
from django.conf import settings

from cpro.audit import journaliser
from tests.personas import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _journal(a):
    """60 grid changes for the apprentice, a change of statut, an account deactivation."""
    apprentie = a.apprenti.apprenant
    apprentie.sexe = "F"
    apprentie.save(update_fields=["sexe"])
    for i in range(60):
        cible = {"apprenant": apprentie.pk, "ine": "", "critere": f"C1.{i % 4 + 1}"}
        journaliser(
            "resultat.modifier",
            par=a.enseignant.user,
            etablissement=a.etablissement,
            objet=a.division,
            avant={**cible, "niveau": None if i % 3 else "2"},
            apres={**cible, "niveau": str(i % 4 + 1)},
        )
    journaliser(
        "apprenant.modifier",
        par=a.ddfpt.user,
        etablissement=a.etablissement,
        objet=a.apprenant.apprenant,
        avant={"statut": "SCOLAIRE", "date_naissance": "2008-03-14"},
        apres={"statut": "APPRENTI", "date_naissance": "2008-03-15"},
    )
    journaliser(
        "compte.desactiver",
        par=a.ddfpt.user,
        etablissement=a.etablissement,
        objet=a.tuteur,
        avant={"actif": True},
        apres={"actif": False, "sessions_terminees": 2},
    )


def _sans_defilement_horizontal(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_parcours_journal(live_server, page, client, personas, csp_violations, capture):
    a = personas.a
    _journal(a)
    nom_apprentie = str(a.apprenti.user)
    login(client, a.ddfpt, a.diplome)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/lp-a/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Administration").click()
    nav.get_by_role("link", name="Journal des actions").click()
    page.get_by_role("heading", name="Journal des actions").wait_for()

    tableau = page.locator("table.journal")
    texte = tableau.inner_text()
    assert "Désactivation d'un compte" in texte and "Compte actif :" in texte
    assert "Modification d'un apprenant" in texte and "14/03/2008" in texte
    assert "resultat.modifier" not in texte and "{'" not in texte
    assert page.get_by_text("Page 1 sur 3").is_visible()

    # Filter: the learner's grid changes only.
    page.get_by_label("Action").select_option(label="Modification d'un résultat")
    page.get_by_label("Apprenant").select_option(label=nom_apprentie)
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"action=resultat\.modifier"))
    assert page.get_by_text("60 actions correspondant aux filtres").is_visible()
    texte = page.locator("table.journal").inner_text()
    assert "Modification d'un résultat" in texte and nom_apprentie in texte
    assert "Acquis et transférable" in texte and "Désactivation" not in texte
    capture(page, "journal_1366")

    # Page 2 keeps the filters.
    page.get_by_role("link", name="Suivant →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "action=resultat.modifier" in page.url and "apprenant=" in page.url
    assert page.get_by_text("Page 2 sur 3").is_visible()
    assert page.locator("table.journal tbody tr").count() == 25
    assert page.get_by_label("Action").input_value() == "resultat.modifier"

    # A phone: entries as cards, no horizontal scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Suivant →").click()
    page.wait_for_url(re.compile(r"page=3"))
    assert page.locator("table.journal tbody tr").count() == 10
    assert _sans_defilement_horizontal(page) <= 0
    capture(page, "journal_390")

    # Clearing the filters brings every entry back.
    page.get_by_role("link", name="Effacer les filtres").first.click()
    page.get_by_text("62 actions").wait_for()
    assert csp_violations == []
