"""LSL export: pre-flight check, launch, production of the validated XML, history, PRONOTE pull.

The file itself is built in the export pipeline (lslpro.exporters → `produire_export`); a request
only runs the pre-flight (`verifier`), which builds each learner's fragment in memory to compare
it with the last export — no file, no validation, a constant number of queries.

Incomplete learners: the export is refused while a selected learner is blocking, unless the user
explicitly ticks « exclure les apprenants incomplets » — the learners blocked at that moment are
then listed in the job's parameters and left out of the file (the worker re-checks: a learner
blocked since then and not excluded makes the export fail with the reason).
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
from cpro.exports import ExportError
from cpro.models import AnneeScolaire, Apprenant, Division, Membership
from lslpro import profils
from lslpro.completude import manques
from lslpro.models import ExportLSL, Livret
from lslpro.queries import livrets_annee

KIND = "lsl_xml"
MAX_ERREURS = 3


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
    livret: Livret
    apprenant: Apprenant
    nom: str
    division: str
    eleve_id: str
    manques: list[str]
    changement: str = ""

    @property
    def bloque(self) -> bool:
        return bool(self.manques)

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
    refus: str = ""  # the profile cannot export at all

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
    """Per learner: what blocks the export (completeness + what the profile needs) and, for
    the exportable ones (when `comparer`), what changed since the last export of the same year
    and profile.

    Reads only; a constant number of queries whatever the number of learners."""
    profil_obj = profils.profil(profil)
    divisions = list(divisions)
    livrets = list(livrets_annee(etablissement, annee, divisions))
    periodicites = profils.periodicites(etablissement, annee)
    lignes = []
    for livret in livrets:
        item = profils.ligne(livret, periodicites)
        lignes.append(
            LigneVerification(
                livret=livret,
                apprenant=livret.apprenant,
                nom=f"{item.nom.upper()} {item.prenom}".strip(),
                division=item.division,
                eleve_id=item.eleve_id,
                manques=_dedoublonner([*manques(livret), *profil_obj.controler(item)]),
            )
        )
    dernier = (
        historique(etablissement, annee).filter(profil=profil_obj.code).first()
        if comparer
        else None
    )
    verification = Verification(
        profil_obj, annee, divisions, lignes, dernier, periodicites=periodicites
    )
    if not profil_obj.disponible:
        verification.refus = getattr(profil_obj, "MESSAGE", "Profil indisponible.")
        return verification
    if not comparer:
        return verification
    exportables = [ligne.livret for ligne in verification.exportables]
    courantes = (
        profil_obj.empreintes(
            exportables, etablissement=etablissement, annee=annee, periodicites=periodicites
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
    if not verification.lignes:
        raise ValidationError(
            "Aucun livret d'apprenant sous statut scolaire dans les divisions choisies."
        )
    bloques = verification.bloques
    if bloques and not exclure_incomplets:
        raise ValidationError(
            f"{len(bloques)} apprenant(s) incomplet(s) : complétez leur livret ou cochez "
            "« exclure les apprenants incomplets de cet export »."
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
    membership = Membership.objects.filter(
        user=user, etablissement=etablissement, active=True
    ).first()
    return perms.a_permission(membership, perms.EXPORTER_LSL)


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
    data, empreintes = profil_obj.produire(
        livrets,
        etablissement=etablissement,
        annee=annee_obj,
        periodicites=verification.periodicites,
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
    division), as the PRONOTE API's JSON: the same data as the XML. Constant queries."""
    divisions = divisions_annee(etablissement, annee)
    if division is not None:
        divisions = divisions.filter(pk=division.pk)
    periodicites = profils.periodicites(etablissement, annee)
    resultat = []
    for livret in livrets_annee(etablissement, annee, divisions):
        item = profils.ligne(livret, periodicites)
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
