"""Page set-up shared by the printable DOCX (python-docx) and ODT (odfpy) documents: A4 portrait,
French language (so that Word and LibreOffice spell-check in French), a header naming the
establishment, the diplôme and the class, a footer « Page n / N » made of fields (PAGE and
NUMPAGES in Word, text:page-number and text:page-count in OpenDocument), and clickable links
for every http(s) URL found in a text.
"""

import re

LANGUE = "fr-FR"
# A4 in twentieths of a point (Word's own values for 210 × 297 mm).
A4_TWIPS = (11906, 16838)
MARGE_TWIPS = 1134  # 2 cm
COULEUR_LIEN = "1F4E9C"

# http(s) URLs only (never javascript: or file:), without the punctuation that ends a sentence.
_URL = re.compile(r"https?://[^\s<>\"«»]+", re.IGNORECASE)
_FIN_URL = ".,;:!?)]}'’"


def morceaux(texte: str) -> list[tuple[str, str | None]]:
    """The text cut into (piece, url): url is None for plain text, else the piece is a link."""
    resultat: list[tuple[str, str | None]] = []
    position = 0
    for m in _URL.finditer(texte):
        url = m.group(0).rstrip(_FIN_URL)
        if not url or url.lower() in ("http://", "https://"):
            continue
        debut, fin = m.start(), m.start() + len(url)
        if debut > position:
            resultat.append((texte[position:debut], None))
        resultat.append((url, url))
        position = fin
    if position < len(texte) or not resultat:
        resultat.append((texte[position:], None))
    return resultat


# --- DOCX ------------------------------------------------------------------------------------


def _qn(nom):
    from docx.oxml.ns import qn

    return qn(nom)


def docx_langue(doc) -> None:
    """French as the document's default language, in every style that names one, and in the
    theme font setting (Word's « langue de vérification »)."""
    from docx.oxml import OxmlElement

    styles = doc.styles.element
    defauts = styles.find(_qn("w:docDefaults"))
    if defauts is None:
        defauts = OxmlElement("w:docDefaults")
        styles.insert(0, defauts)
    rpr_defaut = defauts.find(_qn("w:rPrDefault"))
    if rpr_defaut is None:
        rpr_defaut = OxmlElement("w:rPrDefault")
        defauts.insert(0, rpr_defaut)
    rpr = rpr_defaut.find(_qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_defaut.append(rpr)
    if rpr.find(_qn("w:lang")) is None:
        rpr.append(OxmlElement("w:lang"))
    for lang in styles.iter(_qn("w:lang")):
        lang.set(_qn("w:val"), LANGUE)
    reglages = doc.settings.element
    for theme in reglages.iter(_qn("w:themeFontLang")):
        theme.set(_qn("w:val"), LANGUE)
    doc.core_properties.language = LANGUE


def docx_a4(doc) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
        for cote in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, cote, Twips(MARGE_TWIPS))


def _champ_docx(paragraphe, instruction: str, exemple: str) -> None:
    """A simple field (PAGE, NUMPAGES): Word computes it when the page is laid out."""
    from docx.oxml import OxmlElement

    champ = OxmlElement("w:fldSimple")
    champ.set(_qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    texte = OxmlElement("w:t")
    texte.text = exemple
    run.append(texte)
    champ.append(run)
    paragraphe._p.append(champ)


def docx_entete_pied(doc, entete: str) -> None:
    """The header text (establishment, diplôme, class) and the footer « Page n / N »."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for section in doc.sections:
        haut = section.header.paragraphs[0]
        haut.text = ""
        run = haut.add_run(entete)
        run.font.size = Pt(9)
        haut.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        bas = section.footer.paragraphs[0]
        bas.text = ""
        bas.alignment = WD_ALIGN_PARAGRAPH.CENTER
        bas.add_run("Page ").font.size = Pt(9)
        _champ_docx(bas, "PAGE", "1")
        bas.add_run(" / ").font.size = Pt(9)
        _champ_docx(bas, "NUMPAGES", "1")


def docx_texte(paragraphe, texte: str) -> None:
    """Add the text to the paragraph, each URL as a clickable hyperlink (external
    relationship, blue and underlined)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement

    for morceau, url in morceaux(texte):
        if url is None:
            if morceau:
                paragraphe.add_run(morceau)
            continue
        r_id = paragraphe.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        lien = OxmlElement("w:hyperlink")
        lien.set(_qn("r:id"), r_id)
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        couleur = OxmlElement("w:color")
        couleur.set(_qn("w:val"), COULEUR_LIEN)
        souligne = OxmlElement("w:u")
        souligne.set(_qn("w:val"), "single")
        rpr.append(couleur)
        rpr.append(souligne)
        run.append(rpr)
        t = OxmlElement("w:t")
        t.text = morceau
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
        lien.append(run)
        paragraphe._p.append(lien)


# --- ODT -------------------------------------------------------------------------------------


def odt_mise_en_page(doc, entete: str):
    """A4 portrait page layout, French default language, header and footer « Page n / N » on
    the default master page (« Standard »). Returns the properties to give every text style
    (the language)."""
    from odf.style import (
        DefaultStyle,
        Footer,
        Header,
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TextProperties,
    )
    from odf.text import P, PageCount, PageNumber

    langue = {"language": "fr", "country": "FR"}
    for famille in ("paragraph", "text"):
        defaut = DefaultStyle(family=famille)
        defaut.addElement(TextProperties(**langue))
        doc.styles.addElement(defaut)

    mise_en_page = PageLayout(name="A4")
    mise_en_page.addElement(
        PageLayoutProperties(
            pagewidth="21cm",
            pageheight="29.7cm",
            printorientation="portrait",
            margintop="1.5cm",
            marginbottom="1.5cm",
            marginleft="2cm",
            marginright="2cm",
        )
    )
    doc.automaticstyles.addElement(mise_en_page)

    petit = Style(name="EnTetePied", family="paragraph")
    petit.addElement(TextProperties(fontsize="9pt", **langue))
    doc.styles.addElement(petit)
    droite = Style(name="EnTete", family="paragraph", parentstylename=petit)
    droite.addElement(ParagraphProperties(textalign="end"))
    doc.styles.addElement(droite)
    centre = Style(name="Pied", family="paragraph", parentstylename=petit)
    centre.addElement(ParagraphProperties(textalign="center"))
    doc.styles.addElement(centre)

    maitre = MasterPage(name="Standard", pagelayoutname=mise_en_page)
    haut = Header()
    haut.addElement(P(stylename=droite, text=entete))
    maitre.addElement(haut)
    bas = Footer()
    pied = P(stylename=centre, text="Page ")
    pied.addElement(PageNumber(selectpage="current", text="1"))
    pied.addText(" / ")
    pied.addElement(PageCount(text="1"))
    bas.addElement(pied)
    maitre.addElement(bas)
    doc.masterstyles.addElement(maitre)
    return langue


def odt_texte(element, texte: str) -> None:
    """Add the text to an ODT paragraph or heading, each URL as a clickable link."""
    from odf import teletype
    from odf.text import A

    for morceau, url in morceaux(texte):
        if url is None:
            if morceau:
                teletype.addTextToElement(element, morceau)
            continue
        lien = A(type="simple", href=url)
        teletype.addTextToElement(lien, morceau)
        element.addElement(lien)
