"""Scénario exports: printable ODT and DOCX documents, and the .scpro exchange file.

The printable documents are A4, in French, with a header (establishment, diplôme, class such
as « Première Bac Pro »), a footer « Page n / N » and clickable links: see
`scenarios.bureautique`.

Params of every kind: {"scenario": pk}. The job may run long after the request, so `render`
checks again that the scénario belongs to the job's establishment and is visible to the
requester (someone else's private scénario → ExportError).
"""

import io
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from cpro import perms
from cpro.niveaux import Niveau
from cpro.pipeline_exports import Exporter, ExportError, exporter
from scenarios import bureautique, echange
from scenarios.models import Ressource, Scenario
from scenarios.queries import scenarios_visibles

ODT_CONTENT_TYPE = "application/vnd.oasis.opendocument.text"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Characters XML 1.0 cannot carry (both libraries refuse them).
_NON_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(texte) -> str:
    return _NON_XML.sub("", str(texte or ""))


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


# The kind of diploma, read from the start of its title (long or short): « Première Bac Pro ».
_TYPES_DIPLOME = (
    ("baccalauréat professionnel", "Bac Pro"),
    ("bac pro", "Bac Pro"),
    ("certificat d'aptitude professionnelle", "CAP"),
    ("cap ", "CAP"),
    ("brevet des métiers d'art", "BMA"),
    ("bma ", "BMA"),
    ("mention complémentaire", "MC"),
)


def classe(niveau: str, diplome) -> str:
    """The class as teachers say it: « Première Bac Pro », « Terminale CAP »; a seconde of a
    famille de métiers is a « Seconde professionnelle »; else the level alone."""
    libelle = Niveau(niveau).label if niveau in Niveau.values else str(niveau or "")
    for intitule in (diplome.intitule, diplome.intitule_court):
        debut = (intitule or "").casefold()
        if debut.startswith("seconde professionnelle"):
            return "Seconde professionnelle"
        for prefixe, sigle in _TYPES_DIPLOME:
            if debut.startswith(prefixe):
                return f"{libelle} {sigle}".strip()
    return str(libelle)


def nom_fichier(scenario: Scenario, extension: str) -> str:
    return f"{slugify(scenario.titre)[:80].strip('-') or 'scenario'}{extension}"


def scenario_du_job(job) -> Scenario:
    """The job's scénario if it is still in the job's establishment and visible to its
    requester; ExportError (French) otherwise."""
    pk = (job.params or {}).get("scenario")
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ExportError("Aucun scénario n'est indiqué : impossible de l'exporter.")
    scenario = (
        scenarios_visibles(job.etablissement, job.demandeur)
        .filter(pk=pk)
        .select_related("diplome", "auteur", "etablissement")
        .first()
    )
    if scenario is None:
        if Scenario.objects.filter(pk=pk, etablissement=job.etablissement, prive=True).exists():
            raise ExportError(
                "Ce scénario est privé : seul son auteur peut le consulter et l'exporter."
            )
        raise ExportError(
            "Ce scénario n'existe pas ou plus dans votre établissement : impossible de l'exporter."
        )
    return scenario


@dataclass
class Fiche:
    """What the printable document shows, independent of the file format."""

    titre: str
    diplome: str
    niveau: str
    auteur: str
    etablissement: str
    diplome_court: str
    date: str
    origine: str
    contexte: list[str]
    taches: list[str] = field(default_factory=list)
    competences: list[tuple[str, list[str]]] = field(default_factory=list)
    ressources: list[str] = field(default_factory=list)

    @property
    def meta(self) -> list[str]:
        lignes = [
            f"Diplôme : {self.diplome}",
            f"Niveau : {self.niveau}",
            f"Auteur : {self.auteur}",
            f"Date : {self.date}",
        ]
        if self.origine:
            lignes.append(f"Scénario importé de : {self.origine}")
        return lignes

    @property
    def entete(self) -> str:
        """The page header: « Lycée … — Bac Pro MCV A — Première Bac Pro »."""
        return " — ".join(p for p in (self.etablissement, self.diplome_court, self.niveau) if p)


def fiche(scenario: Scenario) -> Fiche:
    auteur = scenario.auteur
    nom_auteur = (auteur.get_full_name() or auteur.username) if auteur else "—"
    taches = scenario.taches.order_by("activite__ordre", "ordre", "code")
    criteres = scenario.criteres.select_related("competence").order_by(
        "competence__groupe__ordre", "competence__ordre", "competence__code", "ordre", "code"
    )
    competences: list[tuple[str, list[str]]] = []
    courante = None
    for c in criteres:
        if c.competence_id != courante:
            courante = c.competence_id
            competences.append((f"{c.competence.code} – {c.competence.intitule}", []))
        competences[-1][1].append(c.intitule)
    ressources = []
    for r in scenario.ressources.order_by("ordre", "pk"):
        if r.type == Ressource.Type.LIEN:
            ressources.append(f"{r.titre} — lien : {r.url}")
        else:
            nom = r.nom_fichier or (r.fichier.name.rsplit("/", 1)[-1] if r.fichier else "")
            ressources.append(f"{r.titre} — fichier : {nom}")
    contexte = scenario.contexte.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Fiche(
        titre=_xml(scenario.titre),
        diplome=_xml(scenario.diplome.intitule),
        niveau=classe(scenario.niveau, scenario.diplome),
        auteur=_xml(nom_auteur),
        etablissement=_xml(scenario.etablissement.nom),
        diplome_court=_xml(scenario.diplome.intitule_court),
        date=_date(scenario.modifie_le or scenario.cree_le),
        origine=_xml(scenario.origine),
        contexte=[_xml(p) for p in contexte] if scenario.contexte.strip() else [],
        taches=[_xml(f"{t.code} – {t.intitule}") for t in taches],
        competences=[(_xml(c), [_xml(k) for k in ks]) for c, ks in competences],
        ressources=[_xml(r) for r in ressources],
    )


VIDES = {
    "contexte": "Aucun contexte n'a été saisi.",
    "taches": "Aucune tâche professionnelle n'est associée à ce scénario.",
    "competences": "Aucun critère d'évaluation n'est sélectionné.",
    "ressources": "Aucune ressource n'est associée à ce scénario.",
}


@exporter
class ScenarioOdt(Exporter):
    """The scénario as a printable OpenDocument text (odfpy)."""

    kind = "scenario_odt"
    permission = perms.VOIR_SCENARIOS
    libelle = "Scénario pédagogique (ODT)"

    def render(self, progress):
        scenario = scenario_du_job(self.job)
        progress(10)
        f = fiche(scenario)
        progress(40)
        data = _odt(f)
        progress(95)
        return nom_fichier(scenario, ".odt"), ODT_CONTENT_TYPE, data


def _odt(f: Fiche) -> bytes:
    from odf import dc
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.text import H, P

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text=f.titre))
    doc.meta.addElement(dc.Language(text=bureautique.LANGUE))
    langue = bureautique.odt_mise_en_page(doc, f.entete)

    def style(name, *, size, bold=False, italic=False, top="0cm", bottom="0.15cm", left="0cm"):
        s = Style(name=name, family="paragraph")
        s.addElement(
            TextProperties(
                fontsize=size,
                fontweight="bold" if bold else "normal",
                fontstyle="italic" if italic else "normal",
                fontname="Liberation Sans",
                fontfamily="'Liberation Sans', Arial, sans-serif",
                **langue,
            )
        )
        s.addElement(ParagraphProperties(margintop=top, marginbottom=bottom, marginleft=left))
        doc.styles.addElement(s)
        return s

    titre = style("Titre", size="18pt", bold=True, bottom="0.3cm")
    h1 = style("Titre1", size="14pt", bold=True, top="0.5cm", bottom="0.2cm")
    h2 = style("Titre2", size="11pt", bold=True, top="0.25cm", bottom="0.1cm")
    meta = style("Meta", size="10pt", bottom="0.05cm")
    corps = style("Corps", size="11pt")
    puce = style("Puce", size="11pt", left="0.6cm", bottom="0.08cm")
    vide = style("Vide", size="10pt", italic=True)

    def para(stylename, texte, element=P, **kw):
        p = element(stylename=stylename, **kw)
        bureautique.odt_texte(p, texte)
        doc.text.addElement(p)

    para(titre, f.titre, H, outlinelevel=1)
    for ligne in f.meta:
        para(meta, ligne)

    para(h1, "Contexte", H, outlinelevel=2)
    for ligne in f.contexte or [VIDES["contexte"]]:
        para(corps if f.contexte else vide, ligne)

    para(h1, "Tâches professionnelles", H, outlinelevel=2)
    for t in f.taches:
        para(puce, f"• {t}")
    if not f.taches:
        para(vide, VIDES["taches"])

    para(h1, "Compétences et critères d'évaluation", H, outlinelevel=2)
    for competence, criteres in f.competences:
        para(h2, competence, H, outlinelevel=3)
        for c in criteres:
            para(puce, f"• {c}")
    if not f.competences:
        para(vide, VIDES["competences"])

    para(h1, "Ressources", H, outlinelevel=2)
    for r in f.ressources:
        para(puce, f"• {r}")
    if not f.ressources:
        para(vide, VIDES["ressources"])

    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


@exporter
class ScenarioDocx(Exporter):
    """The scénario as a printable Word document (python-docx)."""

    kind = "scenario_docx"
    permission = perms.VOIR_SCENARIOS
    libelle = "Scénario pédagogique (DOCX)"

    def render(self, progress):
        scenario = scenario_du_job(self.job)
        progress(10)
        f = fiche(scenario)
        progress(40)
        data = _docx(f)
        progress(95)
        return nom_fichier(scenario, ".docx"), DOCX_CONTENT_TYPE, data


def _docx(f: Fiche) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = f.titre
    doc.core_properties.author = f.auteur
    doc.styles["Normal"].font.size = Pt(11)
    bureautique.docx_langue(doc)
    bureautique.docx_a4(doc)
    bureautique.docx_entete_pied(doc, f.entete)

    def vide(texte):
        doc.add_paragraph().add_run(texte).italic = True

    def para(texte, style=None):
        bureautique.docx_texte(doc.add_paragraph(style=style), texte)

    doc.add_heading(f.titre, level=0)
    for ligne in f.meta:
        para(ligne)

    doc.add_heading("Contexte", level=1)
    for ligne in f.contexte:
        para(ligne)
    if not f.contexte:
        vide(VIDES["contexte"])

    doc.add_heading("Tâches professionnelles", level=1)
    for t in f.taches:
        para(t, style="List Bullet")
    if not f.taches:
        vide(VIDES["taches"])

    doc.add_heading("Compétences et critères d'évaluation", level=1)
    for competence, criteres in f.competences:
        doc.add_heading(competence, level=2)
        for c in criteres:
            para(c, style="List Bullet")
    if not f.competences:
        vide(VIDES["competences"])

    doc.add_heading("Ressources", level=1)
    for r in f.ressources:
        para(r, style="List Bullet")
    if not f.ressources:
        vide(VIDES["ressources"])

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@exporter
class ScenarioScpro(Exporter):
    """The .scpro exchange file (docs/scpro.md), to import the scénario in another
    establishment."""

    kind = "scenario_scpro"
    permission = perms.VOIR_SCENARIOS
    libelle = "Scénario pédagogique (.scpro)"

    def render(self, progress):
        scenario = scenario_du_job(self.job)
        progress(10)
        data = echange.construire_scpro(scenario)
        progress(95)
        return nom_fichier(scenario, echange.EXTENSION), echange.CONTENT_TYPE, data
