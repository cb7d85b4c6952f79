"""Pure helpers of the HTTP / browser bench (bench/outils.py): no network, no gunicorn."""

import pytest

from bench.outils import (
    Cible,
    LigneCible,
    MesureNavigateur,
    extraire_csrf,
    lire_mesure_navigateur,
    mediane,
    nombre,
    rapport_median,
    rapports,
    tableau,
    tableau_cibles,
)


def test_mediane_ignore_les_absents():
    assert mediane([3.0, None, 1.0, 2.0]) == 2.0
    assert mediane([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert mediane([]) is None
    assert mediane([None]) is None


def test_rapports_tour_par_tour():
    # Round 2 is slow for both (a busy moment of the machine): its ratio stays 2.
    pages = [20.0, 60.0, 22.0, None]
    accueil = [10.0, 30.0, 10.0, 10.0]
    assert rapports(pages, accueil) == [2.0, 2.0, 2.2]
    assert rapport_median(pages, accueil) == 2.0
    # The median of per-round ratios, not the ratio of the medians (60/30 weighs as 2).
    assert rapport_median([10.0, 100.0, 12.0], [10.0, 10.0, 12.0]) == 1.0
    assert rapport_median([], []) is None
    with pytest.raises(ValueError):
        rapports([1.0], [1.0, 2.0])


def test_nombre_a_la_francaise():
    assert nombre(1234.56) == "1\u202f234,6"
    assert nombre(0.456, 2) == "0,46"
    assert nombre(12, 0) == "12"
    assert nombre(None) == "—"
    assert nombre(float("nan")) == "—"


def test_extraire_csrf():
    html = '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123XYZ"></form>'
    assert extraire_csrf(html) == "abc123XYZ"
    assert extraire_csrf("<form></form>") is None


def test_cible_atteinte_et_textes():
    cible = Cible("Grille 35 × 20", 2.0, "×")
    assert cible.texte_cible() == "≤ 2,0×"
    assert cible.atteinte(2.0) == "oui"
    assert cible.atteinte(2.01) == "non"
    assert cible.atteinte(None) == "non mesuré"
    assert cible.texte(3.456, "45,0 ms") == "3,5× (45,0 ms)"
    assert cible.texte(None) == "—"


def test_tableau_des_cibles():
    lignes = [
        LigneCible(Cible("Tableau de bord complet", 2.5, "×"), 8.4, 2.1, "120 ms", "30 ms"),
        LigneCible(Cible("ZIP", 2.0, " s"), 30.2, 2.6),
        LigneCible(Cible("Octets", 60, " Ko", 0), None, 41.0),
    ]
    texte = tableau_cibles(lignes).splitlines()
    assert texte[0] == "| Page | Cible | Avant | Après | Atteint ? |"
    assert texte[1] == "|---|---|---:|---:|---|"
    assert texte[2] == "| Tableau de bord complet | ≤ 2,5× | 8,4× (120 ms) | 2,1× (30 ms) | oui |"
    assert texte[3] == "| ZIP | ≤ 2,0 s | 30,2 s | 2,6 s | non |"
    assert texte[4] == "| Octets | ≤ 60 Ko | — | 41 Ko | oui |"


def test_tableau_markdown_alignements():
    assert tableau(["Page", "ms"], [["Accueil", "7,0"]], "gd").splitlines() == [
        "| Page | ms |",
        "| --- | ---: |",
        "| Accueil | 7,0 |",
    ]


def test_lire_mesure_navigateur():
    brut = {
        "pret": 812.5,
        "lcp": 640.0,
        "noeuds": 14809,
        "navigation": {
            "responseStart": 95.2,
            "domContentLoadedEventEnd": 600.1,
            "loadEventEnd": 790.0,
            "transferSize": 36000,
        },
    }
    assert lire_mesure_navigateur(brut) == MesureNavigateur(
        pret=812.5,
        charge=790.0,
        dcl=600.1,
        premier_octet=95.2,
        lcp=640.0,
        octets=36000,
        noeuds=14809,
    )
    # No LCP reported (nothing contentful painted), no navigation entry.
    sans = lire_mesure_navigateur({"pret": 10, "lcp": None})
    assert sans.lcp is None and sans.charge == 0.0 and sans.octets == 0
    with pytest.raises(ValueError):
        lire_mesure_navigateur(None)
    with pytest.raises(ValueError):
        lire_mesure_navigateur({"navigation": {}})
