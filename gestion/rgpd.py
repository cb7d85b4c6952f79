"""RGPD: a learner's data exported (right of access), erased once they left (right to
erasure), and the retention of what is kept after they left.

This module only orchestrates: each module declares what it holds about a learner, how it is
exported and what erasure does with it, in its `<app>/rgpd.py` (registry: `cpro.rgpd`); here
are the order, the transaction, the audit entry and the checks around them. The ZIP is
written by `gestion.exporters.DonneesApprenant`.

**A learner who has left** is a learner whose account in the establishment is deactivated
(`Membership.active` false). `Apprenant.date_sortie` records the day the DDFPT deactivated it
(`marquer_sortie`); the retention period runs from that date.

**Erasure rule** (`effacer_apprenant`). The establishment keeps the learner's school and
certification record, under a pseudonymised identity, because it must be able to justify a
certification and the school record (CCF grids are examination documents; the LSL livret was
transmitted); everything the learner wrote about themself, their contacts and their identity is
removed:

- *deleted*: the book (publications, their photos and videos — files included — and their
  comments), the comments the learner wrote, the journal de bord (weeks) and the fiches
  activités of every portfolio, the portfolio texts (présentation de l'entreprise, bilan
  personnel), the tutor links (tutors' e-mail addresses), the bilans intermédiaires still in
  draft (not validated, not used by a livret), the export files about the learner or requested
  by them, the account's e-mail addresses, MFA authenticators, sessions, groups and
  per-object permissions;
- *anonymised*: the account (username `efface-<id>`, name « Apprenant effacé n°<learner id> »,
  no e-mail, unusable password, inactive, last login forgotten), the learner profile (INE,
  ELEVE_ID, birth date and nom d'usage cleared), the audit log (the learner's name, username,
  e-mail, INE and ELEVE_ID are replaced in every entry of the establishment; the identity fields
  of entries about their profile or account are replaced by « [effacé] ») and the PDF stored
  when a CCF grid was locked (printed again under the pseudonym, the old file deleted);
- *kept as they are* (now attached to the pseudonym): évaluations taken (participations,
  teachers' comments, résultats per criterion), PFMP affectations (période, entreprise, tutor,
  référent) and bilans entreprise with their résultats, validated bilans intermédiaires,
  attestations, CCF grids (levels, proposed note, commission's comment and members) with the
  candidate number, the LSL livret and the LSL exports already produced, the division and the
  statut.

Each module's part of this rule is declared, model by model, in its `<app>/rgpd.py`.

A learner still active, already erased, or whose account also belongs to another
establishment (the account is shared: erasing it would change the other establishment's data)
is refused with a French message. Everything happens in one transaction; files are deleted
only once it commits.

**Retention** (`appliquer_retention`, command `manage.py appliquer_retention`): expired export
files are purged, and what the modules declare for retention (the book media, files and rows)
of learners who left more than `settings.RGPD_RETENTION_JOURS` days ago is removed.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Sum, Value
from django.utils import timezone

from cpro.audit import journaliser
from cpro.models import Apprenant, AuditLog, Etablissement, ExportJob, Membership
from cpro.ressources import supprimer_fichiers_apres_commit
from cpro.rgpd import (
    CHAMPS_IDENTITE,  # noqa: F401 (part of this module's interface)
    EFFACE,  # noqa: F401
    FORMAT,
    NOM_EFFACE,  # noqa: F401
    Effacement,
    FichierExport,
    declarations,
)
from cpro.services import lancer_export, purger_exports_expires
from cpro.sessions import terminer_sessions

KIND_EXPORT = "rgpd_apprenant"
ACTION_EFFACER = "apprenant.effacer"


# --- leaving ---------------------------------------------------------------------------------


def marquer_sortie(membership: Membership, date: datetime.date | None = None) -> None:
    """Record the day a learner left (their account is deactivated); the first date is kept.

    To be called by `gestion.services.desactiver_compte`, inside its transaction.
    Writes: Apprenant.date_sortie (learners only; nothing for other roles)."""
    apprenant = Apprenant.objects.filter(membership=membership).first()
    if apprenant is not None and apprenant.date_sortie is None:
        apprenant.date_sortie = date or timezone.localdate()
        apprenant.save(update_fields=["date_sortie"])


def annuler_sortie(membership: Membership) -> None:
    """Forget the date of leaving of a learner whose account is reactivated.

    To be called by `gestion.services.reactiver_compte`, inside its transaction."""
    Apprenant.objects.filter(membership=membership, date_sortie__isnull=False).update(
        date_sortie=None
    )


def est_efface(apprenant: Apprenant) -> bool:
    return AuditLog.objects.filter(
        action=ACTION_EFFACER, objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk)
    ).exists()


def motif_refus_effacement(apprenant: Apprenant) -> str | None:
    """Why this learner's data cannot be erased (French), or None when it can."""
    membership = apprenant.membership
    if membership.active:
        return (
            "Cet apprenant a un compte actif : ses données ne peuvent être effacées qu'après "
            "son départ. Désactivez d'abord son compte."
        )
    if est_efface(apprenant):
        return "Les données de cet apprenant ont déjà été effacées."
    if Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists():
        return (
            "Ce compte est aussi rattaché à un autre établissement : ses données ne peuvent pas "
            "être effacées depuis celui-ci."
        )
    return None


# --- export (right of access) ----------------------------------------------------------------


def demander_export(apprenant: Apprenant, *, par) -> ExportJob:
    """Queue the export of everything Cpro holds about a learner (ZIP: donnees.json,
    donnees.pdf, the files the modules declare) — gestion.exporters.DonneesApprenant.

    Writes: one ExportJob (task queued on commit). Audit: `apprenant.exporter_donnees`."""
    with transaction.atomic():
        job = lancer_export(
            etablissement=apprenant.etablissement,
            par=par,
            kind=KIND_EXPORT,
            params={"apprenant": apprenant.pk},
        )
        journaliser(
            "apprenant.exporter_donnees",
            par=par,
            etablissement=apprenant.etablissement,
            objet=apprenant,
        )
    return job


def donnees_apprenant(apprenant: Apprenant) -> dict:
    """Everything Cpro holds about a learner, as a JSON-able structure (dates and decimals are
    serialised by `json_donnees`): the sections of every declaration, in their order. Runs in
    the export worker."""
    apprenant = Apprenant.objects.select_related(
        "membership__user", "etablissement", "division__annee", "division__diplome"
    ).get(pk=apprenant.pk)
    donnees = {"format": FORMAT, "genere_le": timezone.now()}
    for declaration in declarations():
        sections = declaration.exporter(apprenant)
        if doublons := donnees.keys() & sections.keys():
            raise ImproperlyConfigured(
                f"Section RGPD déclarée deux fois ({declaration.identifiant}) : {doublons}"
            )
        donnees.update(sections)
    return donnees


def fichiers_export(apprenant: Apprenant) -> list[FichierExport]:
    """The stored files of the learner copied into the export ZIP, module by module."""
    return [f for declaration in declarations() for f in declaration.fichiers(apprenant)]


def json_donnees(donnees: dict) -> bytes:
    return json.dumps(donnees, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


# --- erasure ---------------------------------------------------------------------------------


@dataclass
class ApercuEffacement:
    """What an erasure would delete and keep (counts per name, from the declarations), for the
    confirmation page."""

    supprimes: dict = field(default_factory=dict)
    conserves: dict = field(default_factory=dict)

    def comme_dict(self) -> dict:
        return dict(self.supprimes)


def _fusionner(cible: dict, ajout: dict, identifiant: str) -> None:
    if doublons := cible.keys() & ajout.keys():
        raise ImproperlyConfigured(f"Compte RGPD déclaré deux fois ({identifiant}) : {doublons}")
    cible.update(ajout)


def _preparer(apprenant: Apprenant) -> tuple[Effacement, dict]:
    """The erasure's context (with the rows kept alive by other modules) and, per declaration,
    the rows it would delete."""
    effacement = Effacement(apprenant=apprenant)
    for declaration in declarations():
        for label, pks in declaration.gardes(apprenant).items():
            effacement.gardes.setdefault(label, []).append(pks)
    lignes = {d.identifiant: d.a_supprimer(apprenant, effacement) for d in declarations()}
    return effacement, lignes


def _apercu(apprenant: Apprenant, lignes: dict) -> ApercuEffacement:
    apercu = ApercuEffacement()
    for declaration in declarations():
        comptes = {nom: qs.count() for nom, qs in lignes[declaration.identifiant].items()}
        _fusionner(apercu.supprimes, comptes, declaration.identifiant)
        _fusionner(apercu.conserves, declaration.conserves(apprenant), declaration.identifiant)
    return apercu


def apercu_effacement(apprenant: Apprenant) -> ApercuEffacement:
    return _apercu(apprenant, _preparer(apprenant)[1])


def effacer_apprenant(apprenant: Apprenant, *, par) -> dict:
    """Erase the personal data of a learner who left, keeping their school and certification
    record under a pseudonym (the rule is in this module's docstring, each module's part in
    its `<app>/rgpd.py`).

    Writes, in one transaction, the learner's row locked so that two erasures cannot run
    together: every declaration's `effacer` (in order; the identity is still readable), then
    every declaration's `pseudonymiser` (the account first). Files and sessions are deleted
    once the transaction commits. Audit: `apprenant.effacer` with the counts only (no erased
    personal data). Returns the counts of what was deleted."""
    motif = motif_refus_effacement(apprenant)
    if motif:
        raise ValidationError(motif)
    with transaction.atomic():
        apprenant = (
            Apprenant.objects.select_for_update()
            .select_related("membership__user", "etablissement")
            .get(pk=apprenant.pk)
        )
        motif = motif_refus_effacement(apprenant)
        if motif:
            raise ValidationError(motif)
        user = apprenant.membership.user
        effacement, lignes = _preparer(apprenant)
        bilan = _apercu(apprenant, lignes).comme_dict()

        for declaration in declarations():
            declaration.effacer(apprenant, effacement, lignes[declaration.identifiant])
        for declaration in declarations():
            declaration.pseudonymiser(apprenant, effacement)
        bilan.update(effacement.compte)
        pseudonyme = str(user)

        journaliser(
            ACTION_EFFACER,
            par=par,
            etablissement=apprenant.etablissement,
            objet=apprenant,
            apres=bilan,
        )
        # Deactivation already ended them; a session opened since (another browser) too.
        transaction.on_commit(lambda: terminer_sessions(user))
    bilan["pseudonyme"] = pseudonyme
    return bilan


# --- retention -------------------------------------------------------------------------------


@dataclass
class BilanRetention:
    jours: int
    limite: datetime.date
    simulation: bool
    exports: int = 0
    apprenants: int = 0
    medias: int = 0
    octets: int = 0


def apprenants_hors_delai(limite: datetime.date):
    """Learners who left before `limite` (account still inactive)."""
    return Apprenant.objects.filter(date_sortie__lt=limite, membership__active=False)


def appliquer_retention(
    *,
    maintenant: datetime.datetime | None = None,
    jours: int | None = None,
    simulation: bool = False,
) -> BilanRetention:
    """Apply the retention periods.

    - expired export files: `cpro.services.purger_exports_expires` (files and rows);
    - what the declarations give for retention (`DonneesApprenant.retention`: the book media)
      of learners who left more than `jours` days ago (default
      `settings.RGPD_RETENTION_JOURS`): rows deleted in one transaction per establishment,
      files deleted once it commits; audit `rgpd.retention` per establishment (counts only).

    With `simulation`, nothing is written: the counts say what would be removed."""
    maintenant = maintenant or timezone.now()
    jours = settings.RGPD_RETENTION_JOURS if jours is None else jours
    if jours < 0:
        raise ValueError("La durée de conservation doit être positive.")
    limite = timezone.localdate(maintenant) - datetime.timedelta(days=jours)
    bilan = BilanRetention(jours=jours, limite=limite, simulation=simulation)

    if simulation:
        bilan.exports = ExportJob.objects.filter(expire_le__lt=maintenant).count()
    else:
        bilan.exports = purger_exports_expires(maintenant)

    for declaration in declarations():
        retention = declaration.retention(apprenants_hors_delai(limite))
        if retention is not None:
            _appliquer(retention, bilan, limite)
    return bilan


def _appliquer(retention, bilan: BilanRetention, limite: datetime.date) -> None:
    etab = f"{retention.vers_apprenant}__etablissement"
    lignes = retention.lignes
    par_etablissement = (
        lignes.values(etab)
        .annotate(
            n=Count("pk"),
            octets=Sum(retention.champ_taille) if retention.champ_taille else Value(0),
            apprenants=Count(retention.vers_apprenant, distinct=True),
        )
        .order_by(etab)
    )
    storage = lignes.model._meta.get_field(retention.champ_fichier).storage
    for ligne in par_etablissement:
        bilan.medias += ligne["n"]
        bilan.octets += ligne["octets"] or 0
        bilan.apprenants += ligne["apprenants"]
        if bilan.simulation:
            continue
        with transaction.atomic():
            a_supprimer = lignes.filter(**{f"{etab}_id": ligne[etab]})
            noms = list(a_supprimer.values_list(retention.champ_fichier, flat=True))
            a_supprimer.delete()
            journaliser(
                "rgpd.retention",
                par=None,
                etablissement=Etablissement.objects.get(pk=ligne[etab]),
                apres={
                    "medias": ligne["n"],
                    "apprenants": ligne["apprenants"],
                    "sortis_avant": limite.isoformat(),
                },
            )
            supprimer_fichiers_apres_commit(*noms, storage=storage)
