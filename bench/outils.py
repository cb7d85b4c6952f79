"""Pure helpers of the HTTP and browser bench (no network, no Django): medians, per-round
ratios, French number formatting, the targets table of issue 14, the browser timing read back
from the page. Tested in tests/cpro/test_bench_outils.py."""

import math
import re
import statistics
from dataclasses import dataclass

CSRF_FORMULAIRE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def mediane(valeurs) -> float | None:
    valeurs = [v for v in valeurs if v is not None]
    return statistics.median(valeurs) if valeurs else None


def rapports(numerateurs, denominateurs) -> list[float]:
    """Round-by-round ratios (same index = same round); rounds where either is missing are
    skipped."""
    return [
        n / d
        for n, d in zip(numerateurs, denominateurs, strict=True)
        if n is not None and d not in (None, 0)
    ]


def rapport_median(numerateurs, denominateurs) -> float | None:
    """Median of the round-by-round ratios: each page compared with the reference measured in
    the same round, so a slow moment of the shared machine weighs on both."""
    return mediane(rapports(numerateurs, denominateurs))


def nombre(valeur: float | None, decimales: int = 1) -> str:
    """French formatting: decimal comma, narrow no-break space between thousands; "—" if None."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return "—"
    texte = f"{valeur:,.{decimales}f}"
    return texte.replace(",", "\u202f").replace(".", ",")


def extraire_csrf(html: str) -> str | None:
    m = CSRF_FORMULAIRE.search(html)
    return m[1] if m else None


@dataclass(frozen=True)
class Cible:
    """One line of the targets table: `valeur ≤ seuil` is met."""

    libelle: str
    seuil: float
    unite: str  # "×" (ratio to the home page), "" (plain ratio), " s", " Ko"
    decimales: int = 1

    def texte_cible(self) -> str:
        return f"≤ {nombre(self.seuil, self.decimales)}{self.unite}"

    def texte(self, valeur: float | None, detail: str = "") -> str:
        if valeur is None:
            return "—"
        texte = f"{nombre(valeur, self.decimales)}{self.unite}"
        return f"{texte} ({detail})" if detail else texte

    def atteinte(self, valeur: float | None) -> str:
        if valeur is None:
            return "non mesuré"
        return "oui" if valeur <= self.seuil else "non"


@dataclass
class LigneCible:
    cible: Cible
    avant: float | None
    apres: float | None
    detail_avant: str = ""
    detail_apres: str = ""


def tableau_cibles(lignes: list[LigneCible]) -> str:
    """The Markdown table "page | cible | avant | après | atteint ?" (met: judged on après)."""
    sortie = ["| Page | Cible | Avant | Après | Atteint ? |", "|---|---|---:|---:|---|"]
    for ligne in lignes:
        c = ligne.cible
        sortie.append(
            f"| {c.libelle} | {c.texte_cible()} | {c.texte(ligne.avant, ligne.detail_avant)} "
            f"| {c.texte(ligne.apres, ligne.detail_apres)} | {c.atteinte(ligne.apres)} |"
        )
    return "\n".join(sortie)


def tableau(entetes: list[str], lignes: list[list[str]], alignements: str = "") -> str:
    """A Markdown table; `alignements` one letter per column: g (left, default) or d (right)."""
    marques = ["---:" if alignements[i : i + 1] == "d" else "---" for i in range(len(entetes))]
    sortie = ["| " + " | ".join(entetes) + " |", "| " + " | ".join(marques) + " |"]
    sortie += ["| " + " | ".join(cellules) + " |" for cellules in lignes]
    return "\n".join(sortie)


@dataclass(frozen=True)
class MesureNavigateur:
    """One page load read back from the page (ms from navigation start, timeOrigin)."""

    pret: float  # second requestAnimationFrame after the load event: loaded and painted
    charge: float  # loadEventEnd
    dcl: float  # domContentLoadedEventEnd
    premier_octet: float  # responseStart
    lcp: float | None  # largest-contentful-paint (None if the browser reported none)
    octets: int  # transferSize of the document (headers included)
    noeuds: int  # elements in the DOM


def lire_mesure_navigateur(brut: dict) -> MesureNavigateur:
    """The object built by the init script of bench/navigateur.py (window.__benchPret)."""
    if not isinstance(brut, dict) or "pret" not in brut:
        raise ValueError(f"mesure du navigateur illisible : {brut!r}")
    nav = brut.get("navigation") or {}
    lcp = brut.get("lcp")
    return MesureNavigateur(
        pret=float(brut["pret"]),
        charge=float(nav.get("loadEventEnd") or 0.0),
        dcl=float(nav.get("domContentLoadedEventEnd") or 0.0),
        premier_octet=float(nav.get("responseStart") or 0.0),
        lcp=float(lcp) if lcp else None,
        octets=int(nav.get("transferSize") or 0),
        noeuds=int(brut.get("noeuds") or 0),
    )
