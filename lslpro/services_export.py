"""LSL export: pre-flight check, launch, production of the validated XML, history, PRONOTE pull.

The file itself is built in the export pipeline (lslpro.exporters → `produire_export`); a request
only runs the pre-flight (`verifier`), which builds each learner's fragment in memory to compare
it with the last export — no file, no validation, a constant number of queries.

Who is checked: every learner of the LSL population of the chosen divisions
(lslpro.queries.population_lsl — the same list as the Complétude page: scolaire, in the division
this year, not left). A learner without a livret of the year is listed « Livret absent » and
blocks like an incomplete one.

Incomplete learners: the export is refused while a selected learner is blocking, unless the user
explicitly ticks « exclure les apprenants incomplets » — the learners blocked at that moment are
then listed in the job's parameters and left out of the file (the worker re-checks: a learner
blocked since then and not excluded makes the export fail with the reason).

The code matière of each diplôme of the chosen divisions must be set (and not be a placeholder,
lslpro.nomenclature): otherwise the whole export is blocked with a message saying where to set
it; the profile raises too if asked to build a file anyway.
"""

import functools
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from lxml import etree

from cpro import perms
from cpro.audit import journaliser
from cpro.models import AnneeScolaire, Apprenant, Division
from cpro.pipeline_exports import ExportError
from lslpro import nomenclature, profils
from lslpro.models import ExportLSL, Livret
from lslpro.queries import livrets_annee, population_lsl

KIND = "lsl_xml"
MAX_ERREURS = 3
LIVRET_ABSENT = "Livret absent : aucun livret saisi pour cette année"


class Changement:
    NOUVEAU = "nouveau"
    MODIFIE = "modifie"
    INCHANGE = "inchange"
    RETIRE = "retire"
    LIBELLES = {
        NOUVEAU: "Nouveau",
        MODIFIE: "Modifié",
        INCHANGE: "Inchangé",
        RETIRE: "Retiré",
    }


# ---------------------------------------------------------------------------------------------
# Reading


def annees(etablissement):
    """The school years that have divisions in the establishment, newest first (plus the
    current one)."""
    courante = AnneeScolaire.courante()
    qs = AnneeScolaire.objects.filter(divisions__etablissement=etablissement).distinct()
    return sorted({courante, *qs}, key=lambda a: -a.debut)


def annee(debut: int) -> AnneeScolaire | None:
    return AnneeScolaire.objects.filter(debut=debut).first()


def division(etablissement, annee, nom: str) -> Division | None:
    return Division.objects.filter(etablissement=etablissement, annee=annee, nom=nom).first()


def divisions_annee(etablissement, annee):
    """Every division of the establishment for the year, all diplômes."""
    return (
        Division.objects.filter(etablissement=etablissement, annee=annee)
        .select_related("diplome")
        .order_by("nom")
    )


def historique(etablissement, annee=None):
    qs = ExportLSL.objects.filter(etablissement=etablissement).select_related("annee", "par")
    if annee is not None:
        qs = qs.filter(annee=annee)
    return qs.order_by("-cree_le", "-pk")


# ---------------------------------------------------------------------------------------------
# Pre-flight


@dataclass
class LigneVerification:
    livret: Livret | None  # None: « livret absent »
    apprenant: Apprenant
    nom: str
    division: str
    eleve_id: str
    manques: list[str]
    changement: str = ""
    complet: bool = False  # the livret is complete (lslpro.completude), as on Complétude

    @property
    def bloque(self) -> bool:
        return bool(self.manques)

    @property
    def livret_absent(self) -> bool:
        return self.livret is None

    @property
    def libelle_changement(self) -> str:
        return Changement.LIBELLES.get(self.changement, "")


@dataclass
class Verification:
    profil: profils.Profil
    annee: AnneeScolaire
    divisions: list
    lignes: list[LigneVerification]
    dernier: ExportLSL | None
    retires: list[str] = field(default_factory=list)  # eleve_id in the last export, not now
    empreintes: dict = field(default_factory=dict)
    periodicites: dict = field(default_factory=dict)
    structures: dict = field(default_factory=dict)  # {division_id: structure attributes}
    codes: dict = field(default_factory=dict)  # {diplome_id: code matière}
    codes_manquants: list[str] = field(default_factory=list)  # French, one per diplôme
    refus: str = ""  # the profile cannot export at all

    @property
    def bloque_globalement(self) -> bool:
        return bool(self.refus or self.codes_manquants)

    @property
    def complets(self) -> int:
        """Complete livrets (the Complétude page's count)."""
        return sum(1 for ligne in self.lignes if ligne.complet)

    @property
    def absents(self) -> list[LigneVerification]:
        return [ligne for ligne in self.lignes if ligne.livret_absent]

    @property
    def bloques(self) -> list[LigneVerification]:
        return [ligne for ligne in self.lignes if ligne.bloque]

    @property
    def exportables(self) -> list[LigneVerification]:
        return [ligne for ligne in self.lignes if not ligne.bloque]

    @property
    def compte(self) -> dict:
        """{changement: number of learners} (for the page's summary)."""
        comptes = {c: 0 for c in Changement.LIBELLES}
        for ligne in self.exportables:
            comptes[ligne.changement] = comptes.get(ligne.changement, 0) + 1
        comptes[Changement.RETIRE] = len(self.retires)
        return comptes


def _dedoublonner(items):
    return list(dict.fromkeys(items))


def verifier(
    etablissement, *, annee, divisions, profil=profils.PROFIL_DEFAUT, comparer: bool = True
) -> Verification:
    """Per learner of the LSL population of `divisions` (queries.population_lsl): what blocks
    the export (livret absent, completeness, what the profile needs) and, for the exportable
    ones (when `comparer`), what changed since the last export of the same year and profile.
    Also: the `structure` figures of each division over its whole population (what the file
    will carry, whatever subset is exported) and the diplômes whose code matière is missing
    or a placeholder (the export is then blocked as a whole).

    Reads only; a constant number of queries whatever the number of learners."""
    profil_obj = profils.profil(profil)
    divisions = list(divisions)
    population = population_lsl(etablissement, annee, divisions)
    periodicites = profils.periodicites(etablissement, annee)
    codes = profils.codes_matiere(etablissement)
    lignes = []
    moyennes = []
    for item in population:
        apprenant = item.apprenant
        user = apprenant.membership.user
        nom = f"{user.last_name.upper()} {user.first_name}".strip()
        if item.livret is None:
            lignes.append(
                LigneVerification(
                    livret=None,
                    apprenant=apprenant,
                    nom=nom,
                    division=apprenant.division.nom,
                    eleve_id=(apprenant.eleve_id or "").strip(),
                    manques=[LIVRET_ABSENT],
                )
            )
            moyennes.append((apprenant.division_id, None))
            continue
        ligne_profil = profils.ligne(item.livret, periodicites, codes)
        moyennes.append((apprenant.division_id, ligne_profil.moyenne_annuelle))
        lignes.append(
            LigneVerification(
                livret=item.livret,
                apprenant=apprenant,
                nom=nom,
                division=ligne_profil.division,
                eleve_id=ligne_profil.eleve_id,
                manques=_dedoublonner(
                    [*item.completude.manques, *profil_obj.controler(ligne_profil)]
                ),
                complet=item.completude.complet,
            )
        )
    dernier = (
        historique(etablissement, annee).filter(profil=profil_obj.code).first()
        if comparer
        else None
    )
    verification = Verification(
        profil_obj,
        annee,
        divisions,
        lignes,
        dernier,
        periodicites=periodicites,
        structures=profils.structures(moyennes),
        codes=codes,
    )
    diplomes = {d.diplome_id: d.diplome for d in divisions}
    verification.codes_manquants = [
        nomenclature.message_code_manquant(diplome, codes.get(pk))
        for pk, diplome in sorted(diplomes.items())
        if nomenclature.est_factice(codes.get(pk))
    ]
    if not profil_obj.disponible:
        verification.refus = getattr(profil_obj, "MESSAGE", "Profil indisponible.")
        return verification
    if not comparer or verification.codes_manquants:
        return verification
    exportables = [ligne.livret for ligne in verification.exportables]
    courantes = (
        profil_obj.empreintes(
            exportables, etablissement=etablissement, annee=annee, **_contexte(verification)
        )
        if exportables
        else {}
    )
    precedentes = dernier.empreintes if dernier else {}
    for ligne in verification.exportables:
        avant = precedentes.get(ligne.eleve_id)
        if avant is None:
            ligne.changement = Changement.NOUVEAU
        elif avant != courantes.get(ligne.eleve_id):
            ligne.changement = Changement.MODIFIE
        else:
            ligne.changement = Changement.INCHANGE
    verification.empreintes = courantes
    verification.retires = sorted(set(precedentes) - set(courantes))
    return verification


def _contexte(verification: Verification) -> dict:
    """What the profile would otherwise re-read: périodicités, structures, codes matière."""
    return {
        "periodicites": verification.periodicites,
        "structures": verification.structures,
        "codes": verification.codes,
    }


# ---------------------------------------------------------------------------------------------
# Launch (request) and production (worker)


def demander_export(
    etablissement,
    *,
    par,
    annee,
    divisions,
    profil=profils.PROFIL_DEFAUT,
    exclure_incomplets: bool = False,
):
    """Queue the LSL export of `divisions` for `annee`.

    Refused (ValidationError, French) when the profile cannot export, when no learner is
    exportable, or when a learner is blocking and `exclure_incomplets` is not set; otherwise the
    blocking learners' ids go to the job as `exclus`.
    Writes: one ExportJob (cpro.services.lancer_export); the task runs `produire_export`."""
    from cpro.services import lancer_export

    verification = verifier(etablissement, annee=annee, divisions=divisions, profil=profil)
    if verification.refus:
        raise ValidationError(verification.refus)
    if verification.codes_manquants:
        raise ValidationError(verification.codes_manquants, code="code_matiere")
    if not verification.lignes:
        raise ValidationError("Aucun apprenant sous statut scolaire dans les divisions choisies.")
    bloques = verification.bloques
    if bloques and not exclure_incomplets:
        raise ValidationError(
            f"{len(bloques)} apprenant(s) incomplet(s) ou sans livret : complétez leur livret "
            "ou cochez « exclure les apprenants incomplets de cet export »."
        )
    if not verification.exportables:
        raise ValidationError("Aucun apprenant complet à exporter dans les divisions choisies.")
    return lancer_export(
        etablissement=etablissement,
        par=par,
        kind=KIND,
        params={
            "annee": annee.debut,
            "divisions": sorted(d.pk for d in divisions),
            "profil": verification.profil.code,
            "exclus": sorted(ligne.apprenant.pk for ligne in bloques),
        },
    )


@functools.cache
def _schema(path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def valider(data: bytes, profil: profils.Profil) -> None:
    """Validate the file against the profile's XSD; ExportError (French) with the first schema
    errors otherwise. A profile without a schema cannot produce a file."""
    if profil.xsd_path is None:
        raise ExportError(getattr(profil, "MESSAGE", "Ce profil n'a pas de schéma de validation."))
    try:
        document = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ExportError(f"Le fichier produit n'est pas un XML bien formé : {exc}.") from exc
    schema = _schema(profil.xsd_path)
    if schema.validate(document):
        return
    erreurs = [
        f"ligne {e.line} ({e.path}) : {e.message}" for e in list(schema.error_log)[:MAX_ERREURS]
    ]
    raise ExportError(
        f"Le fichier LSL produit n'est pas conforme au schéma {profil.xsd_path.name} ; "
        "il n'a pas été enregistré. Erreurs : " + " ; ".join(erreurs)
    )


def _peut_exporter(etablissement, user) -> bool:
    return perms.peut(perms.membership_de(user, etablissement.pk), perms.EXPORTER_LSL)


def produire_export(
    etablissement, *, par, annee: int, divisions: list, profil: str, exclus=(), progress=None
) -> tuple[str, bytes, ExportLSL]:
    """Build, validate and record one LSL export (called by the exporter, in the worker).

    Re-checks the tenant (divisions of this establishment only) and the requester's right to
    export; refuses when a learner not explicitly excluded is blocking.
    Writes (atomic): one ExportLSL row (sha256 of the file, per-learner fingerprints = sha256 of
    each `eleve` fragment in exclusive C14N) and the audit entry "lsl.export"."""
    progress = progress or (lambda _p: None)
    if not _peut_exporter(etablissement, par):
        raise ExportError("Vous n'avez plus le droit d'exporter le livret scolaire (LSL).")
    profil_obj = profils.profil(profil)
    if not profil_obj.disponible:
        raise ExportError(profil_obj.MESSAGE)
    annee_obj = AnneeScolaire.objects.filter(debut=annee).first()
    if annee_obj is None:
        raise ExportError("Cette année scolaire n'existe pas.")
    division_objs = list(divisions_annee(etablissement, annee_obj).filter(pk__in=divisions))
    if not division_objs or len(division_objs) != len(set(divisions)):
        raise ExportError("Une des divisions choisies n'existe pas dans votre établissement.")
    verification = verifier(
        etablissement,
        annee=annee_obj,
        divisions=division_objs,
        profil=profil_obj.code,
        comparer=False,
    )
    progress(30)
    exclus = set(exclus)
    non_exclus = [ligne for ligne in verification.bloques if ligne.apprenant.pk not in exclus]
    if non_exclus:
        detail = " ; ".join(
            f"{ligne.nom} : {', '.join(ligne.manques)}" for ligne in non_exclus[:MAX_ERREURS]
        )
        raise ExportError(
            f"{len(non_exclus)} apprenant(s) incomplet(s) depuis la vérification : {detail}. "
            "Vérifiez à nouveau avant de relancer l'export."
        )
    livrets = [ligne.livret for ligne in verification.exportables]
    if not livrets:
        raise ExportError("Aucun apprenant complet à exporter dans les divisions choisies.")
    # Raises CodeMatiereInvalide (an ExportError) when a code matière is missing.
    data, empreintes = profil_obj.produire(
        livrets, etablissement=etablissement, annee=annee_obj, **_contexte(verification)
    )
    progress(70)
    valider(data, profil_obj)
    progress(90)
    noms = sorted(d.nom for d in division_objs)
    with transaction.atomic():
        export = ExportLSL.objects.create(
            etablissement=etablissement,
            annee=annee_obj,
            profil=profil_obj.code,
            divisions=noms,
            empreintes=empreintes,
            hash=hashlib.sha256(data).hexdigest(),
            nb_apprenants=len(empreintes),
            par=par,
        )
        journaliser(
            "lsl.export",
            par=par,
            etablissement=etablissement,
            objet=export,
            apres={
                "annee": annee_obj.libelle,
                "profil": profil_obj.code,
                "divisions": noms,
                "nb_apprenants": len(empreintes),
                "exclus": len(verification.bloques),
                "hash": export.hash,
            },
        )
    horodatage = timezone.localtime(export.cree_le).strftime("%Y%m%d-%H%M")
    filename = f"lsl-{etablissement.uai}-{annee_obj.debut}-{horodatage}.{profil_obj.extension}"
    return filename, data, export


# ---------------------------------------------------------------------------------------------
# PRONOTE pull


def donnees_pronote(etablissement, annee, division=None) -> list[dict]:
    """The LSL data of every scolaire learner with a livret of the year (optionally one
    division), as the PRONOTE API's JSON: the same data as the XML, with the code matière and
    modalité d'élection per learner (null while the code is not set). Constant queries."""
    divisions = divisions_annee(etablissement, annee)
    if division is not None:
        divisions = divisions.filter(pk=division.pk)
    periodicites = profils.periodicites(etablissement, annee)
    codes = profils.codes_matiere(etablissement)
    resultat = []
    for livret in livrets_annee(etablissement, annee, divisions):
        item = profils.ligne(livret, periodicites, codes)
        code = None if nomenclature.est_factice(item.code_matiere) else item.code_matiere
        apprenant = livret.apprenant
        resultat.append(
            {
                "ine": apprenant.ine,
                "eleve_id": item.eleve_id,
                "nom": item.nom,
                "prenom": item.prenom,
                "division": item.division,
                "diplome": livret.diplome.code,
                "periodicite": item.type_periode,
                # null while the DDFPT has not set the real code (never a placeholder).
                "code_matiere": code,
                "modalite_election": item.modalite if code else None,
                "competences": [
                    {"code": code, "niveau": niveau} for code, niveau in item.competences
                ],
                "periodes": [
                    {
                        "periode": code,
                        "numero": numero,
                        "moyenne": None if note is None else profils.decimal_xml(note),
                    }
                    for code, numero, note in item.periodes
                ],
                "appreciation": item.appreciation,
                "enseignants": [{"nom": nom, "prenom": prenom} for nom, prenom in item.enseignants],
            }
        )
    return resultat
