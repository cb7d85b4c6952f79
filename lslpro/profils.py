"""Versioned LSL export profiles.

A profile turns the livrets of one establishment and year into the bytes of an import file and
says which schema validates it. The livret model (lslpro.models) stays complete; each profile
takes what its schema carries:

- ``lsl-1.0``: the national LSL import schema v1.0 (lslpro/schemas/import-lsl-v1.0.xsd). The
  spécialité du baccalauréat professionnel is ONE ``evaluation`` (competence levels, period
  averages, appreciation, teachers). PFMP synthesis, weeks, abroad flag and chef-d'œuvre are not
  in this schema and are not exported.
- ``lsl-pro-projet``: the LSL Pro parts (PFMP, chef-d'œuvre). Declared so the livret data and the
  export page already know it, but it refuses to export until the official schema is published:
  plugging it in means writing its ``construire`` and pointing ``xsd_path`` at the schema.

Profiles never query per learner: `construire` reads livrets whose relations were prefetched
(see lslpro.services_export) plus, when the caller does not give them, one query for the
périodicités, one for the codes matière and the population queries for the structures.

**Code matière and modalité d'élection** (``evaluation@code-matiere``, ``@modalite-election``):
the code is the one the DDFPT set for the establishment × diplôme (lslpro.models.CodeMatiereLSL,
LSL Pro › Paramètres LSL); a missing or placeholder code (lslpro.nomenclature) makes
``produire`` raise ``CodeMatiereInvalide`` — no file is ever built with a code that only fills
the slot. The modalité is read from the learner's SIECLE options (``Apprenant.options``: the
option whose ``code_matiere`` is the spécialité's gives O / F / S); without such an option it is
« S » (tronc commun: the spécialité is taught to every learner of the MEF, so SIECLE lists it
as an option only when the structure declares it so).

**Structure** (``evaluation/structure``: effectif, moyenne, répartition < 8 / 8–12 / ≥ 12): the
figures describe the learner's **division** for the year, not the file. They are computed over
every learner of the LSL population of the division (lslpro.queries.population_lsl: scolaire,
in the division this year, not left), whatever subset is exported — a partial export (incomplete
learners excluded) and a full one carry the same figures, and so does each later export as long
as the data do not change.

- ``effectif``: the number of learners of that population (with or without a livret, with or
  without a note).
- ``moyenne`` and the three ``repar-*`` percentages: over the learners who have an annual
  average, i.e. at least one note of their livret associated with a period of the périodicité
  (average of those period notes). A learner without any note counts in ``effectif`` only: a
  missing note is not a zero, and the three percentages must describe the averages the
  ``moyenne`` is made of (they add up to 100). When nobody has a note, only ``effectif`` is
  written (the schema makes the other attributes optional).
"""

import copy
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

from cpro.maitrise import rendu
from cpro.models import Statut
from cpro.pipeline_exports import ExportError
from lslpro import nomenclature
from lslpro.models import APPRECIATION_MAX, CodeMatiereLSL, EnseignantLivret, Periodicite

NS = "urn:ac-grenoble.fr:lsl:import"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

EDITEUR = "Cpro"
APPLICATION = "Cpro"

CENT = Decimal("0.01")
SANS_MOYENNE = "-1"  # the schema's convention for a period without an average


def codes_matiere(etablissement) -> dict[int, str]:
    """{diplome_id: code matière of the spécialité} as set for the establishment (one query);
    placeholders included — `nomenclature.exiger_code_matiere` refuses them."""
    return dict(
        CodeMatiereLSL.objects.filter(etablissement=etablissement).values_list("diplome_id", "code")
    )


def periodicites(etablissement, annee) -> dict[tuple[int, str], str]:
    """{(diplome_id, niveau): "T" | "S"} for the establishment's year (one query)."""
    return {
        (p.diplome_id, p.niveau): p.type
        for p in Periodicite.objects.filter(etablissement=etablissement, annee=annee)
    }


_periodicites = periodicites  # the build methods take a `periodicites` argument


def numero_periode(periode: str, type_periode: str | None) -> int | None:
    """ "T2" → 2 when the périodicité is trimestrielle; None for a period that does not belong
    to the périodicité (S3, T4, X1, or a T period under a semestrielle périodicité)."""
    if not type_periode or len(periode) != 2 or periode[0] != type_periode:
        return None
    maximum = 3 if type_periode == Periodicite.Type.TRIMESTRE else 2
    return int(periode[1]) if periode[1].isdigit() and 1 <= int(periode[1]) <= maximum else None


def quantifier(valeur: Decimal) -> Decimal:
    return valeur.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_xml(valeur: Decimal) -> str:
    """Two decimals at most, decimal point: 12.5 → "12.50"."""
    return format(quantifier(Decimal(valeur)), "f")


@dataclass
class Ligne:
    """What a profile reads from one livret (built without any query)."""

    livret: object
    eleve_id: str
    nom: str
    prenom: str
    division: str
    division_id: int | None
    type_periode: str | None  # "T", "S" or None when no périodicité is set
    periodes: list  # [(code "T1", numero or None, note Decimal or None)] in period order
    competences: list  # [(code, niveau LSL)] in the référentiel's order
    appreciation: str
    enseignants: list  # [(nom, prenom)] of the appreciation, without duplicates
    diplome_id: int | None = None
    options: list = None  # the learner's SIECLE options (Apprenant.options)
    code_matiere: str | None = None  # the spécialité's code for this establishment × diplôme

    @property
    def modalite(self) -> str:
        """Modalité d'élection of the spécialité (nomenclature.modalite_election)."""
        return nomenclature.modalite_election(self.options, self.code_matiere or "")

    @property
    def moyenne_annuelle(self) -> Decimal | None:
        notes = [note for _code, numero, note in self.periodes if numero and note is not None]
        return quantifier(sum(notes) / len(notes)) if notes else None


def ligne(livret, periodicites_etab: dict, codes: dict | None = None) -> Ligne:
    """Read a livret whose apprenant, division, niveaux, notes and enseignants are loaded;
    `codes`: {diplome_id: code matière} (see `codes_matiere`)."""
    apprenant = livret.apprenant
    user = apprenant.membership.user
    division = apprenant.division
    type_periode = periodicites_etab.get((livret.diplome_id, division.niveau)) if division else None
    notes = sorted(livret.notes.all(), key=lambda n: n.periode)
    niveaux = sorted(
        livret.niveaux.all(), key=lambda n: (n.competence.ordre, n.competence.code, n.pk)
    )
    enseignants = []
    for e in sorted(livret.enseignants.all(), key=lambda e: (e.nom.upper(), e.prenom, e.pk)):
        nom_prenom = (e.nom.strip(), e.prenom.strip())
        if e.role == EnseignantLivret.Role.APPRECIATION and nom_prenom not in enseignants:
            enseignants.append(nom_prenom)
    return Ligne(
        livret=livret,
        eleve_id=(apprenant.eleve_id or "").strip(),
        nom=user.last_name,
        prenom=user.first_name,
        division=division.nom if division else "",
        division_id=division.pk if division else None,
        type_periode=type_periode,
        periodes=[
            (n.periode, numero_periode(n.periode, type_periode), n.bilan.note) for n in notes
        ],
        competences=[(n.competence.code, rendu(n.niveau).lsl) for n in niveaux],
        appreciation=(livret.appreciation or "").strip(),
        enseignants=enseignants,
        diplome_id=livret.diplome_id,
        options=apprenant.options,
        code_matiere=(codes or {}).get(livret.diplome_id),
    )


def structures(population) -> dict:
    """{division_id: attributes of ``structure``} from `population`, an iterable of
    (division_id, annual average or None) — one item per learner of the division's LSL
    population (rules in the module docstring)."""
    groupes: dict = {}
    for division_id, moyenne in population:
        groupes.setdefault(division_id, []).append(moyenne)
    resultat = {}
    for division_id, moyennes in groupes.items():
        attrs = {"effectif": str(len(moyennes))}
        notes = [m for m in moyennes if m is not None]
        if notes:
            n = Decimal(len(notes))
            moins = sum(1 for m in notes if m < 8)
            plus = sum(1 for m in notes if m >= 12)
            attrs["moyenne"] = decimal_xml(sum(notes) / n)
            attrs["repar-moins-huit"] = decimal_xml(Decimal(100 * moins) / n)
            attrs["repar-huit-douze"] = decimal_xml(Decimal(100 * (len(notes) - moins - plus)) / n)
            attrs["repar-plus-douze"] = decimal_xml(Decimal(100 * plus) / n)
        resultat[division_id] = attrs
    return resultat


def population_structures(etablissement, annee, division_ids, periodicites_etab=None) -> dict:
    """`structures` of the LSL population of these divisions, read from the database (used
    when the caller — a test, a script — did not compute them with its pre-flight)."""
    from lslpro.queries import population_lsl

    if periodicites_etab is None:
        periodicites_etab = periodicites(etablissement, annee)
    population = []
    for item in population_lsl(etablissement, annee, division_ids):
        moyenne = ligne(item.livret, periodicites_etab).moyenne_annuelle if item.livret else None
        population.append((item.apprenant.division_id, moyenne))
    return structures(population)


class Profil:
    """An export format: `construire` returns the file's bytes, validated against `xsd_path`
    by the caller (lslpro.services_export.valider) before anything is stored."""

    code: str = ""
    libelle: str = ""
    xsd_path: Path | None = None
    disponible: bool = True
    extension = "xml"
    content_type = "application/xml"

    def controler(self, ligne: Ligne) -> list[str]:
        """What blocks this learner for this profile (French, one reason per item)."""
        return []

    # `contexte` of the build methods: periodicites ({(diplome_id, niveau): "T"|"S"}),
    # structures ({division_id: attrs}) and codes ({diplome_id: code matière}); each is read
    # from the database when not given.

    def construire(self, livrets, *, etablissement, annee, **contexte) -> bytes:
        raise NotImplementedError

    def produire(self, livrets, *, etablissement, annee, **contexte) -> tuple[bytes, dict]:
        """`construire` plus {eleve_id: fingerprint} from the same build."""
        raise NotImplementedError

    def empreintes(self, livrets, *, etablissement, annee, **contexte) -> dict:
        """{eleve_id: sha256 of the learner's canonical XML fragment}."""
        raise NotImplementedError


class ProfilLsl10(Profil):
    """The national LSL import schema v1.0: root ``lsl`` in the namespace, children
    unqualified, one ``eleve`` per scolaire learner, one ``scolarite`` for the year."""

    code = "lsl-1.0"
    libelle = "LSL 1.0 (schéma national d'import, spécialité du baccalauréat professionnel)"
    xsd_path = SCHEMAS / "import-lsl-v1.0.xsd"

    def controler(self, ligne: Ligne) -> list[str]:
        raisons = []
        if not ligne.eleve_id:
            raisons.append("ELEVE_ID manquant (import SIECLE)")
        elif not ligne.eleve_id.isdigit() or int(ligne.eleve_id) == 0:
            raisons.append(
                f"ELEVE_ID « {ligne.eleve_id} » invalide : un entier positif est attendu"
            )
        if ligne.type_periode is None:
            raisons.append(
                "Périodicité non définie pour ce diplôme et ce niveau (à paramétrer par le DDFPT "
                "ou le chef d'établissement)"
            )
        else:
            vus = set()
            for code, numero, _note in ligne.periodes:
                if numero is None:
                    raisons.append(
                        f"Période « {code} » incompatible avec la périodicité "
                        f"({'trimestres' if ligne.type_periode == 'T' else 'semestres'})"
                    )
                elif numero in vus:
                    raisons.append(f"Période « {code} » associée à plusieurs notes")
                vus.add(numero)
        # An empty appreciation, no level, no note or no teacher are reported by
        # lslpro.completude.manques; the profile adds what only the schema imposes.
        if len(ligne.appreciation) > APPRECIATION_MAX:
            raisons.append(
                f"Appréciation générale trop longue ({len(ligne.appreciation)} caractères, "
                f"{APPRECIATION_MAX} au plus)"
            )
        if ligne.code_matiere and nomenclature.modalite_invalide(ligne.modalite):
            raisons.append(
                f"Modalité d'élection « {ligne.modalite} » (options SIECLE) non acceptée par le "
                "LSL : O, F ou S"
            )
        for code, _niveau in ligne.competences:
            if not (len(code) == 4 and code.isdigit()):
                raisons.append(f"Code de compétence LSL « {code} » non conforme (4 chiffres)")
        for nom, prenom in ligne.enseignants:
            if not nom or len(nom) > 65 or len(prenom) > 50:
                raisons.append(
                    f"Nom ou prénom d'enseignant vide ou trop long : « {nom} {prenom} » "
                    "(65 et 50 caractères au plus)"
                )
        return raisons

    # -- building ----------------------------------------------------------------------------

    def _lignes(self, livrets, etablissement, annee, periodicites_etab, codes):
        return [
            ligne(livret, periodicites_etab, codes)
            for livret in livrets
            if livret.apprenant.statut == Statut.SCOLAIRE
        ]

    def _eleve(self, item: Ligne, annee, structure: dict) -> etree._Element:
        eleve = etree.Element("eleve", id=item.eleve_id)
        scolarite = etree.SubElement(
            etree.SubElement(eleve, "scolarites"),
            "scolarite",
            {"annee-scolaire": str(annee.debut), "code-periode": item.type_periode or ""},
        )
        evaluation = etree.SubElement(
            scolarite,
            "evaluation",
            {
                "modalite-election": item.modalite,
                "code-matiere": nomenclature.exiger_code_matiere(
                    item.code_matiere, item.livret.diplome
                ),
            },
        )
        etree.SubElement(evaluation, "structure", structure)
        etree.SubElement(evaluation, "annuelle").text = item.appreciation
        periodes = [(numero, note) for _c, numero, note in item.periodes if numero]
        if periodes:
            periodiques = etree.SubElement(evaluation, "periodiques")
            for numero, note in sorted(periodes, key=lambda p: p[0]):
                etree.SubElement(
                    periodiques,
                    "periode",
                    numero=str(numero),
                    moyenne=SANS_MOYENNE if note is None else decimal_xml(note),
                )
        if item.competences:
            competences = etree.SubElement(evaluation, "competences")
            for code, niveau in item.competences:
                etree.SubElement(competences, "competence", code=code).text = niveau
        enseignants = etree.SubElement(evaluation, "enseignants")
        for nom, prenom in item.enseignants:
            etree.SubElement(enseignants, "enseignant", nom=nom, prenom=prenom)
        return eleve

    def _elements(
        self, livrets, etablissement, annee, periodicites=None, structures=None, codes=None
    ):
        """(Ligne, ``eleve`` element) per scolaire livret. Raises CodeMatiereInvalide before
        building anything when a diplôme's code matière is missing or a placeholder."""
        if periodicites is None:
            periodicites = _periodicites(etablissement, annee)
        if codes is None:
            codes = codes_matiere(etablissement)
        lignes = self._lignes(livrets, etablissement, annee, periodicites, codes)
        for item in lignes:
            nomenclature.exiger_code_matiere(item.code_matiere, item.livret.diplome)
        manquantes = {i.division_id for i in lignes} - set(structures or {})
        if manquantes:
            structures = {
                **(structures or {}),
                **population_structures(etablissement, annee, sorted(manquantes), periodicites),
            }
        return [
            (item, self._eleve(item, annee, structures.get(item.division_id, {})))
            for item in lignes
        ]

    @staticmethod
    def empreinte(element) -> str:
        """sha256 of the ``eleve`` fragment in exclusive C14N, indentation removed: the same
        value for the fragment built in memory and for the one read back from the file."""
        copie = copy.deepcopy(element)
        copie.tail = None
        for el in copie.iter():
            if len(el) and el.text is not None and not el.text.strip():
                el.text = None
            if el is not copie and el.tail is not None and not el.tail.strip():
                el.tail = None
        return hashlib.sha256(
            etree.tostring(copie, method="c14n", exclusive=True, with_comments=False)
        ).hexdigest()

    def empreintes(self, livrets, *, etablissement, annee, **contexte) -> dict:
        return {
            item.eleve_id: self.empreinte(element)
            for item, element in self._elements(livrets, etablissement, annee, **contexte)
        }

    def produire(self, livrets, *, etablissement, annee, **contexte) -> tuple[bytes, dict]:
        """The file and the per-learner fingerprints, from one build."""
        elements = self._elements(livrets, etablissement, annee, **contexte)
        if not elements:
            raise ExportError(
                "Aucun élève à exporter : le fichier LSL doit en contenir au moins un."
            )
        empreintes = {item.eleve_id: self.empreinte(element) for item, element in elements}
        racine = etree.Element(f"{{{NS}}}lsl", nsmap={"lsl": NS}, schemaVersion="1.0")
        racine.append(
            etree.Comment(
                f" Cpro, profil {self.code}, export du "
                f"{timezone.localtime().isoformat(timespec='seconds')} "
            )
        )
        entete = etree.SubElement(racine, "entete")
        etree.SubElement(entete, "editeur").text = getattr(settings, "LSL_EDITEUR", EDITEUR)
        etree.SubElement(entete, "application").text = getattr(
            settings, "LSL_APPLICATION", APPLICATION
        )
        etree.SubElement(entete, "etablissement").text = etablissement.uai
        donnees = etree.SubElement(racine, "donnees")
        for _item, element in elements:
            donnees.append(element)
        data = etree.tostring(racine, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return data, empreintes

    def construire(self, livrets, *, etablissement, annee, **contexte) -> bytes:
        return self.produire(livrets, etablissement=etablissement, annee=annee, **contexte)[0]


class ProfilLslProProjet(Profil):
    """LSL Pro (PFMP synthesis, weeks, abroad flag, chef-d'œuvre): waiting for the official
    schema. The livret model already stores everything it will need."""

    code = "lsl-pro-projet"
    libelle = "LSL Pro (PFMP, chef-d'œuvre) — schéma officiel non publié"
    xsd_path = None
    disponible = False
    MESSAGE = (
        "Le schéma officiel LSL Pro n'est pas encore disponible : utilisez le profil LSL 1.0. "
        "Les données PFMP et chef-d'œuvre restent enregistrées dans les livrets et seront "
        "exportées dès que ce schéma sera intégré."
    )

    def construire(self, livrets, *, etablissement, annee, **contexte) -> bytes:
        raise ExportError(self.MESSAGE)

    def produire(self, livrets, *, etablissement, annee, **contexte) -> tuple[bytes, dict]:
        raise ExportError(self.MESSAGE)

    def empreintes(self, livrets, *, etablissement, annee, **contexte) -> dict:
        raise ExportError(self.MESSAGE)


PROFILS: dict[str, Profil] = {p.code: p for p in (ProfilLsl10(), ProfilLslProProjet())}
PROFIL_DEFAUT = ProfilLsl10.code


def profil(code: str) -> Profil:
    try:
        return PROFILS[code]
    except KeyError:
        raise ExportError(f"Profil d'export LSL inconnu : « {code} ».") from None
