"""The radar chart of the last two bilans (bilans/radar.py): well-formed SVG, both series
distinguishable without colour, a text alternative, nothing a strict CSP would block."""

from lxml import etree

from bilans.radar import radar_svg

SVG = "{http://www.w3.org/2000/svg}"
COMPETENCES = [
    ("C1.1", "Assurer la veille commerciale"),
    ("C1.2", "Réaliser la vente dans un cadre omnicanal"),
    ("C2.1", "Traiter la commande & la livraison <express>"),
    ("C3.1", "Fidéliser la clientèle"),
]
SERIES = [
    ("Bilan du 12/12/2025", {"C1.1": "2", "C1.2": "1", "C2.1": "NE", "C3.1": "3"}),
    ("Bilan du 20/03/2026", {"C1.1": "3", "C1.2": "2", "C2.1": "4"}),  # C3.1 missing → NE
]


def _arbre(competences=COMPETENCES, series=SERIES):
    return etree.fromstring(radar_svg(competences, series).encode())


def test_well_formed_accessible_svg():
    svg = _arbre()
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    titre = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert titre is not None and titre.text
    assert svg.get("aria-labelledby") == f"{titre.get('id')} {desc.get('id')}"
    # No script, no style element or attribute, no external reference.
    assert not svg.findall(f".//{SVG}script") and not svg.findall(f".//{SVG}style")
    for el in svg.iter():
        assert "style" not in el.attrib
        assert not any("href" in k for k in el.attrib)


def test_axes_rings_and_labels():
    svg = _arbre()
    axes = svg.findall(f".//{SVG}g[@class='radar-axes']/{SVG}text")
    codes = [t.xpath("string(text())") for t in axes]
    assert codes == ["C1.1", "C1.2", "C2.1", "C3.1"]
    anneaux = svg.findall(f".//{SVG}g[@class='radar-grille']/{SVG}polygon")
    assert len(anneaux) == 4  # levels 1..4; NE is the centre


def test_two_series_differ_by_pattern_and_colour():
    svg = _arbre()
    series = svg.findall(f".//{SVG}g[@class='radar-serie']")
    assert len(series) == 2
    assert [s.find(f"{SVG}title").text for s in series] == [libelle for libelle, _ in SERIES]
    couleurs = {s.get("stroke") for s in series}
    assert len(couleurs) == 2
    tirets = [s.find(f"{SVG}polygon").get("stroke-dasharray") for s in series]
    assert tirets[0] and tirets[1] is None  # older dashed, latest solid
    # Marker shapes differ too.
    assert series[0].findall(f"{SVG}circle") and series[1].findall(f"{SVG}rect")
    legende = "".join(svg.find(f".//{SVG}g[@class='radar-legende']").itertext())
    assert "Bilan du 12/12/2025 (tirets)" in legende
    assert "Bilan du 20/03/2026 (trait plein)" in legende


def test_text_alternative_lists_every_competence_with_both_levels():
    desc = _arbre().find(f"{SVG}desc").text
    assert "C1.1 – Assurer la veille commerciale : Bilan du 12/12/2025 : 2 (−" in desc
    assert "Bilan du 20/03/2026 : 3 (+" in desc
    assert "C3.1 – Fidéliser la clientèle : Bilan du 12/12/2025 : 3 (+" in desc
    assert "Bilan du 20/03/2026 : NE (non évalué)" in desc
    # Text is escaped, never markup.
    assert "Traiter la commande & la livraison <express>" in desc


def test_points_at_their_level():
    svg = _arbre()
    dernier = svg.findall(f".//{SVG}g[@class='radar-serie']")[1]
    points = dernier.find(f"{SVG}polygon").get("points").split()
    centre = "290.0,230.0"
    assert points[3] == centre  # C3.1 missing → NE → centre
    assert points[0] == "290.0,110.0"  # C1.1 level 3 on the vertical axis: 3/4 of 160 up


def test_few_competences_still_well_formed():
    svg = _arbre(COMPETENCES[:2], SERIES)
    assert len(svg.findall(f".//{SVG}g[@class='radar-grille']/{SVG}circle")) == 4
    assert etree.fromstring(radar_svg([], SERIES).encode()) is not None
