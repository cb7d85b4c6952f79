"""Irreversible actions ask first (issue 15): the buttons carry `data-confirmer`, read by
static/cpro/js/confirmation.js (a <dialog>, loaded on every page, no inline script). Without
JavaScript the plain form submits: the attribute changes nothing on the server side. The
dialog itself is tested in the browser (tests/e2e/test_grille_remplir_confirmation.py)."""

import re
from html import unescape
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.bilans import bilans_factories as bf
from tests.certification.grilles_factories import grille_candidat, grille_verrouillee


def _bouton(html: str, libelle: str) -> str:
    """The opening tag of the submit button whose text starts with `libelle`."""
    m = re.search(r"<button([^>]*)>" + re.escape(libelle), html)
    assert m, libelle
    return m[1]


def _question(attributs: str) -> str:
    m = re.search(r'data-confirmer="([^"]+)"', attributs)
    assert m, attributs
    return m[1]


def _get(client, side, name, **kwargs):
    url = reverse(name, kwargs={"etab": side.etablissement.slug, **kwargs})
    return unescape(client.get(url).content.decode())


def test_every_page_loads_the_dialog_script(as_persona, personas):
    html = _get(as_persona("enseignant"), personas.a, "etab:accueil")
    assert "cpro/js/confirmation.js" in html and "<script>" not in html


def test_the_script_is_static_and_csp_safe():
    js = Path(finders.find("cpro/js/confirmation.js")).read_text(encoding="utf-8")
    assert "showModal" in js and "requestSubmit" in js
    for interdit in ("innerHTML", "eval(", "style=", 'setAttribute("on', "window.confirm"):
        assert interdit not in js
    # The pages' own scripts no longer ask with window.confirm (one confirmation per click).
    for nom in ("portfolio.js", "gestion.js", "scenarios.js"):
        assert "window.confirm" not in Path(finders.find(f"cpro/js/{nom}")).read_text()


def test_bilan_validation_asks_first(as_persona, personas):
    side = personas.a
    bilan = bf.bilan(side)
    client = as_persona("enseignant")
    html = _get(client, side, "bilans:bilan_modifier", pk=bilan.pk)
    assert "Valider ce bilan ?" in _question(_bouton(html, "Enregistrer et valider"))
    assert "data-confirmer" not in _bouton(html, "Enregistrer<")  # plain save: no question
    url = reverse("bilans:bilans", kwargs={"etab": side.etablissement.slug})
    html = unescape(
        client.get(
            f"{url}?division={side.division.pk}&apprenant={bilan.apprenant_id}&bilan={bilan.pk}"
        ).content.decode()
    )
    assert "Valider ce bilan ?" in _question(_bouton(html, "Valider le bilan"))


def test_bilan_unlock_asks_first(as_persona, personas):
    side = personas.a
    bilan = bf.bilan_valide(side)
    url = reverse("bilans:bilans", kwargs={"etab": side.etablissement.slug})
    html = unescape(
        as_persona("ddfpt")
        .get(f"{url}?division={side.division.pk}&apprenant={bilan.apprenant_id}&bilan={bilan.pk}")
        .content.decode()
    )
    assert "Déverrouiller ce bilan ?" in _question(_bouton(html, "Déverrouiller le bilan"))


def test_ccf_lock_and_unlock_ask_first(as_persona, personas):
    side = personas.a
    gc = grille_candidat(side)
    html = _get(as_persona("enseignant"), side, "certification:grille", pk=gc.pk)
    assert "Verrouiller cette grille ?" in _question(_bouton(html, "Verrouiller la grille"))
    verrouillee = grille_verrouillee(side)
    html = _get(as_persona("ddfpt"), side, "certification:grille", pk=verrouillee.pk)
    question = _question(_bouton(html, "Déverrouiller la grille"))
    assert "Déverrouiller cette grille ?" in question
