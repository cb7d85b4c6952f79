"""Radar chart of the last two bilans, rendered server-side as SVG (no script, no external
resource, no style attribute: presentation attributes only, so a strict CSP holds).

Accessibility: `role="img"` with <title> and <desc>; the <desc> lists every competence with its
level in each series (the text alternative). The two series differ by colour AND by stroke
pattern (solid vs dashed) and marker shape (square vs circle): never colour alone.
"""

import math
from xml.sax.saxutils import escape

from cpro.maitrise import rendu

TAILLE = 460
RAYON = 160
NIVEAUX = (1, 2, 3, 4)
# (stroke colour, dash pattern or "", marker shape, legend wording)
STYLES = (
    ("#c25e00", "7 5", "cercle", "tirets"),
    ("#1f4e9c", "", "carre", "trait plein"),
)


def _valeur(niveau) -> int:
    code = rendu(niveau).code
    return int(code) if code in {"1", "2", "3", "4"} else 0  # NE at the centre


def _point(cx, cy, angle, r) -> tuple[float, float]:
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _points(coords) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)


def _libelle_niveau(niveau) -> str:
    r = rendu(niveau)
    return "NE (non évalué)" if r.code == "NE" else f"{r.code} ({r.symbole}, {r.libelle})"


def radar_svg(
    competences: list[tuple[str, str]],
    series: list[tuple[str, dict]],
    *,
    ident: str = "radar",
) -> str:
    """SVG markup of a radar: one axis per competence (labelled with its code), rings for the
    levels 1..4 (NE = the centre), one polygon per series (at most two are drawn distinctly).

    `competences`: [(code, intitulé)]; `series`: [(libellé, {code: niveau})], oldest first.
    `ident` prefixes the element ids (several charts on one page)."""
    series = list(series)[-2:]
    n = len(competences)
    hauteur_legende = 26 * len(series) + 10
    largeur, hauteur = TAILLE + 120, TAILLE + hauteur_legende
    cx, cy = largeur / 2, TAILLE / 2
    angles = [-math.pi / 2 + 2 * math.pi * i / max(n, 1) for i in range(n)]
    titre = "Diagramme radar des deux derniers bilans"
    lignes_desc = [
        f"Positionnement par compétence : {' puis '.join(lib for lib, _ in series)}. "
        "Échelle : NE au centre, puis 1 (−−) à 4 (++) vers l'extérieur."
    ]
    for code, intitule in competences:
        niveaux = " ; ".join(
            f"{lib} : {_libelle_niveau(valeurs.get(code, 'NE'))}" for lib, valeurs in series
        )
        lignes_desc.append(f"{code} – {intitule} : {niveaux}.")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img" '
        f'viewBox="0 0 {largeur:.0f} {hauteur:.0f}" width="{largeur:.0f}" '
        f'height="{hauteur:.0f}" aria-labelledby="{ident}-titre {ident}-desc">',
        f'<title id="{ident}-titre">{escape(titre)}</title>',
        f'<desc id="{ident}-desc">{escape(" ".join(lignes_desc))}</desc>',
        '<g class="radar-grille" fill="none" stroke="#9aa4b5" stroke-width="1">',
    ]
    for niveau in NIVEAUX:
        r = RAYON * niveau / 4
        if n >= 3:
            out.append(f'<polygon points="{_points(_point(cx, cy, a, r) for a in angles)}"/>')
        else:
            out.append(f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}"/>')
    for a in angles:
        x, y = _point(cx, cy, a, RAYON)
        out.append(f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}"/>')
    out.append("</g>")
    # Level numbers along the first axis.
    out.append('<g class="radar-echelle" font-size="11" fill="#5a6270" text-anchor="middle">')
    for niveau in NIVEAUX:
        x, y = _point(cx, cy, -math.pi / 2, RAYON * niveau / 4)
        out.append(f'<text x="{_fmt(x + 9)}" y="{_fmt(y + 4)}">{niveau}</text>')
    out.append("</g>")
    # Axis labels (competence codes).
    out.append('<g class="radar-axes" font-size="13" fill="#1b1f27">')
    for (code, intitule), a in zip(competences, angles, strict=True):
        x, y = _point(cx, cy, a, RAYON + 22)
        cos = math.cos(a)
        ancre = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        out.append(
            f'<text x="{_fmt(x)}" y="{_fmt(y + 4)}" text-anchor="{ancre}">'
            f"<title>{escape(f'{code} – {intitule}')}</title>{escape(code)}</text>"
        )
    out.append("</g>")
    # Series.
    for i, (libelle, valeurs) in enumerate(series):
        couleur, tirets, forme, _ = STYLES[i + (2 - len(series))]
        coords = [
            _point(cx, cy, a, RAYON * _valeur(valeurs.get(code, "NE")) / 4)
            for (code, _), a in zip(competences, angles, strict=True)
        ]
        dash = f' stroke-dasharray="{tirets}"' if tirets else ""
        out.append(
            f'<g class="radar-serie" stroke="{couleur}" fill="{couleur}">'
            f"<title>{escape(libelle)}</title>"
        )
        out.append(
            f'<polygon points="{_points(coords)}" fill-opacity="0.12" stroke-width="2.5"{dash}/>'
        )
        for x, y in coords:
            if forme == "carre":
                out.append(f'<rect x="{_fmt(x - 4)}" y="{_fmt(y - 4)}" width="8" height="8"/>')
            else:
                out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4.5" fill="#fff"/>')
        out.append("</g>")
    # Legend.
    out.append('<g class="radar-legende" font-size="14" fill="#1b1f27">')
    for i, (libelle, _) in enumerate(series):
        couleur, tirets, forme, mots = STYLES[i + (2 - len(series))]
        y = TAILLE + 14 + 26 * i
        dash = f' stroke-dasharray="{tirets}"' if tirets else ""
        out.append(
            f'<line x1="40" y1="{y}" x2="90" y2="{y}" stroke="{couleur}" stroke-width="3"{dash}/>'
        )
        if forme == "carre":
            out.append(f'<rect x="61" y="{y - 4}" width="8" height="8" fill="{couleur}"/>')
        else:
            out.append(
                f'<circle cx="65" cy="{y}" r="4.5" fill="#fff" stroke="{couleur}" '
                'stroke-width="2"/>'
            )
        out.append(f'<text x="100" y="{y + 5}">{escape(f"{libelle} ({mots})")}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
