"""Steps shared by the browser journeys."""


def connecter(page, base: str, identifiant: str, mot_de_passe: str = "motdepasse-cpro"):
    """Log in through the establishment's login page (`base` = live_server.url + "/<slug>")."""
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(identifiant)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def choisir_diplome(page, libelle: str):
    """On the diplôme choice page (staff managing several diplômes): check it, validate."""
    page.get_by_label(libelle).check()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def confirmer(page):
    """Answer "yes" in the confirmation dialog of an irreversible action
    (static/cpro/js/confirmation.js): its red button repeats the action's label."""
    dialogue = page.get_by_role("dialog")
    dialogue.wait_for()
    dialogue.locator(".bouton.danger").click()
