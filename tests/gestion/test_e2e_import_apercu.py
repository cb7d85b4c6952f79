"""Browser check of the import preview carrying SIECLE data (statut, departure, usage name,
MEF, options): rendered without CSP violation at desktop and phone widths; screenshots saved
in artefacts/captures-e2e/import_apercu_<largeur>.png."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from cpro.models import Division
from tests.gestion.fichiers import siecle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CAPTURES = Path(__file__).resolve().parents[2] / "artefacts" / "captures-e2e"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, as in tests/e2e (Playwright's own browser is not downloadable)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


@pytest.mark.parametrize(("largeur", "hauteur"), [(1366, 768), (390, 844)])
def test_apercu_import_siecle(live_server, page, personas, largeur, hauteur, tmp_path):
    a = personas.a
    Division.objects.filter(pk=a.division.pk).update(
        code_mef="24723400000", code_mef_source="Saisi par le DDFPT"
    )
    passee = datetime.date.today() - datetime.timedelta(days=40)
    future = datetime.date.today() + datetime.timedelta(days=40)
    extra = {
        "501235": {"sortie": f"{passee:%d/%m/%Y}"},
        "501236": {"sortie": f"{future:%d/%m/%Y}", "mef": "24723402199"},
    }
    eleves = [
        ("501234", "1234567890A", "LEFÈVRE", "Éloïse", "14/03/2008", a.division.nom),
        ("501235", "2345678901B", "NGUYEN", "Hugo", "02/11/2007", a.division.nom),
        ("501236", "3456789012C", "CŒUR", "Inès", "27/06/2009", "2MRC"),
        ("501237", "4567890123D", "N’DIAYE", "Zoé", "05/01/2008", "2MRC"),
    ]
    fichier = tmp_path / "ElevesSansAdresses.xml"
    fichier.write_bytes(siecle(eleves, extra=extra, encoding="cp1252", declaration=False))
    base = f"{live_server.url}/{a.etablissement.slug}"
    csp = []
    page.set_viewport_size({"width": largeur, "height": hauteur})
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{base}/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(a.ddfpt.user.username)
    page.get_by_label("Mot de passe").fill("motdepasse-cpro")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if page.get_by_role("button", name="Valider").count():
        page.get_by_label(a.diplome.intitule_court).first.check()
        page.get_by_role("button", name="Valider").click()
    page.goto(live_server.url + reverse("gestion:import", kwargs={"etab": a.etablissement.slug}))
    page.set_input_files("input[type=file]", str(fichier))
    page.get_by_role("button", name="Afficher l'aperçu").click()
    page.wait_for_load_state()
    texte = page.content()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"import_apercu_{largeur}.png"), full_page=True)
    assert "Aperçu de l'import" in texte
    assert f"sorti le {passee:%d/%m/%Y}" in texte
    assert "remplace un code saisi à la main" in texte
    assert "codes MEF différents" in texte
    assert "CŒUR" in texte and "N’DIAYE" in texte
    assert csp == []
