"""Journey of the espace de stockage (issue 17, part 4): a teacher opens « Mon espace » from
the menu, creates a folder, uploads a file, renames and moves it, sees his quota, attaches the
file to his scénario and downloads it from the scénario's Ressources tab (same bytes); the
chooser « Depuis mon espace de stockage » and the shared spaces are shown too."""

import re

import pytest

from tests.e2e.outils import connecter
from tests.e2e.test_accessibilite import violations
from tests.scenarios.factories import scenario_de
from tests.stockage.outils import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTENU = PDF + b"%" + b"x" * 300_000 + b"\n"
TAILLES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def _captures(page, capture, nom: str, csp: list) -> None:
    """Screenshots at 1366 and 390 px; at 390 px nothing may scroll sideways."""
    for taille, viewport in TAILLES.items():
        page.set_viewport_size(viewport)
        if taille == "390":
            largeur = page.evaluate("document.documentElement.scrollWidth")
            assert largeur <= 390, f"{nom} : défilement horizontal à 390 px ({largeur} px)"
        capture(page, f"stockage_{nom}_{taille}")
        avant = len(csp)
        assert violations(page, taille) == []
        del csp[avant:]  # axe-core's own injected styles, not the page's
    page.set_viewport_size(TAILLES["1366"])


def test_stockage_journey(
    live_server, browser, personas, media_temporaire, csp_violations, capture, tmp_path
):
    a = personas.a
    scenario = scenario_de(a, titre="Vente-conseil en magasin")
    base = f"{live_server.url}/{a.etablissement.slug}"
    context = browser.new_context(viewport=TAILLES["1366"], locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            csp_violations.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    connecter(page, base, "a-enseignant")

    # The menu item.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Espace de stockage ▾").click()
    nav.get_by_role("link", name="Mon espace", exact=True).click()
    page.get_by_role("heading", name="Mon espace").wait_for()
    page.get_by_text("0 Mo utilisés sur 500 Mo").wait_for()

    # A folder, then a file at the root.
    page.get_by_label("Nom du dossier").fill("Séquence 1 – Accueil")
    page.get_by_role("button", name="Créer le dossier").click()
    page.get_by_text("Le dossier « Séquence 1 – Accueil » a été créé.").wait_for()
    page.get_by_label("Fichier", exact=True).set_input_files(
        {"name": "consignes.pdf", "mimeType": "application/pdf", "buffer": CONTENU}
    )
    page.get_by_role("button", name="Déposer").click()
    page.get_by_text("Le fichier « consignes.pdf » est déposé.").wait_for()
    page.get_by_text("0,3 Mo utilisés sur 500 Mo").wait_for()

    # Rename (the extension stays), then move into the folder.
    page.locator("summary", has_text="Renommer « consignes.pdf »").click()
    ligne = page.locator("tr", has_text="consignes.pdf")
    ligne.get_by_label("Nouveau nom").fill("Consignes vente")
    ligne.get_by_role("button", name="Renommer").click()
    page.get_by_text("Le fichier s'appelle désormais « Consignes vente.pdf ».").wait_for()
    page.locator("summary", has_text="Déplacer « Consignes vente.pdf »").click()
    ligne = page.locator("tr", has_text="Consignes vente.pdf")
    ligne.get_by_label("Vers").select_option(label="Séquence 1 – Accueil")
    ligne.get_by_role("button", name="Déplacer").click()
    page.get_by_text("Le fichier « Consignes vente.pdf » est rangé dans").wait_for()
    assert page.locator("[aria-current=location]").inner_text() == "Séquence 1 – Accueil"
    _captures(page, capture, "dossier", csp_violations)

    # Attach it to the scénario.
    page.get_by_role("link", name="Joindre à un scénario").click()
    page.get_by_label("Joindre à").select_option(label=f"{scenario.titre} – Première")
    page.get_by_label("Titre de la ressource (facultatif)").fill("Consignes de la vente")
    _captures(page, capture, "joindre", csp_violations)
    page.get_by_role("button", name="Joindre le fichier").click()
    page.get_by_text(
        f"« Consignes vente.pdf » est ajouté aux ressources de « {scenario.titre} »"
    ).wait_for()
    assert page.url.endswith(f"/scenarios/{scenario.pk}/ressources/")

    # Download it from the scénario's Ressources tab: the same bytes.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger « Consignes de la vente »").click()
    chemin = tmp_path / "telecharge.pdf"
    telechargement.value.save_as(chemin)
    assert chemin.read_bytes() == CONTENU
    assert telechargement.value.suggested_filename == "Consignes vente.pdf"

    # The chooser from the Ressources tab lists the file too.
    page.get_by_role("link", name="Depuis mon espace de stockage").click()
    page.get_by_role("heading", name=f"Ajouter aux ressources de « {scenario.titre} »").wait_for()
    assert page.locator("tbody tr").count() == 1
    _captures(page, capture, "choisir", csp_violations)

    # My space's root, and the shared spaces.
    page.goto(f"{base}/stockage/")
    _captures(page, capture, "espace", csp_violations)
    page.get_by_role("link", name="Espaces partagés").first.click()
    page.get_by_role("link", name=a.diplome.intitule_court).click()
    page.get_by_role("heading", name=re.compile("Espace partagé")).wait_for()
    page.get_by_label("Nom du dossier").fill("Progressions")
    page.get_by_role("button", name="Créer le dossier").click()
    page.get_by_role("link", name="Progressions (dossier)").wait_for()
    _captures(page, capture, "partage", csp_violations)
    assert not csp_violations
