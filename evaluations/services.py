"""Évaluations: every write and every rule of the évaluation pages (the grid has its own
services_grille.py, which follows the same rules through `exiger_modifiable` and
SAISIR_EVALUATIONS, see evaluations.regles).

Rules enforced here (never only in a form):
- an évaluation is made from a scénario and keeps a copy of what it took (diplôme, niveau,
  contexte, tasks, criteria, resources with their stored files copied): editing or deleting the
  scénario never changes it;
- its nature is Intermédiaire (INT) or Complexe (C); E is reserved to the bilans entreprise;
- its evaluating teachers are active ENSEIGNANT/DDFPT members of the establishment managing its
  diplôme; the author is always one of them at creation;
- who may modify it (informations, learners, criteria, resources): its author, its evaluating
  teachers and the DDFPT (SAISIR_EVALUATIONS); who may delete it: its author and the DDFPT
  (SUPPRIMER_EVALUATIONS) — `cpro.perms.peut`, object rules in evaluations.regles;
- a locked évaluation (taken into account in a validated bilan intermédiaire) refuses every
  write (`exiger_modifiable`); only the bilan services lock and unlock it;
- removing a learner or a criterion that already has résultats needs an explicit confirmation,
  then deletes those résultats and writes an audit entry;
- resources: at most RESSOURCES_MAX, files up to 10 Mo of the scénarios' allowed types
  (extension and content checked by scenarios.fiche, as for the scénarios), links http(s) only.

Stored files are removed only once the transaction that deleted their rows has committed.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit, Verrouille
from cpro.models import AnneeScolaire, Apprenant, Membership, Role
from evaluations import agregats
from evaluations.models import (
    TITRE_MAX,
    Evaluation,
    Nature,
    Participant,
    RessourceEvaluation,
    Resultat,
)
from scenarios import fiche
from scenarios.fiche import CONTEXTE_MAX as CONTEXTE_MAX
from scenarios.fiche import EXTENSIONS_LIBELLE as EXTENSIONS_LIBELLE
from scenarios.fiche import RESSOURCES_MAX as RESSOURCES_MAX
from scenarios.fiche import ConfirmationRequise as ConfirmationRequise

SECTEURS_MAX = 2_000

NATURES_SAISIES = (Nature.INTERMEDIAIRE, Nature.COMPLEXE)

MESSAGE_VERROUILLEE = (
    "Cette évaluation est prise en compte dans un bilan intermédiaire validé : elle ne peut "
    "plus être modifiée. Le DDFPT peut déverrouiller le bilan."
)


# --- rules shared with the grid --------------------------------------------------------------


def exiger_modifiable(evaluation: Evaluation) -> None:
    """Every write on an évaluation (form, learners, criteria, resources, résultats, deletion)
    starts here: a locked évaluation refuses it."""
    if evaluation.verrouillee:
        raise Verrouille(MESSAGE_VERROUILLEE)


def exiger_droit_modification(evaluation: Evaluation, par) -> None:
    """Author, evaluating teachers and the DDFPT of the évaluation's establishment
    (SAISIR_EVALUATIONS, evaluations.regles); the lock aside: that is `exiger_modifiable`."""
    membership = perms.membership_de(par, evaluation.etablissement_id)
    if not perms.peut(membership, perms.SAISIR_EVALUATIONS, evaluation):
        raise Interdit(
            "Seuls l'auteur, les enseignants évaluateurs et le DDFPT peuvent modifier cette "
            "évaluation."
        )


def _exiger_modification(evaluation: Evaluation, par) -> None:
    exiger_droit_modification(evaluation, par)
    exiger_modifiable(evaluation)


# --- validation helpers ----------------------------------------------------------------------


def enseignants_possibles(etablissement, diplome):
    """Users who may evaluate for this diplôme: active teachers managing it and the DDFPT
    (who manages every diplôme prepared by the establishment)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    ok_diplome = etablissement.diplomes.filter(pk=diplome.pk).exists() if diplome else False
    filtre = Q(role=Role.ENSEIGNANT, diplomes=diplome)
    if ok_diplome:
        filtre |= Q(role=Role.DDFPT)
    membres = Membership.objects.filter(etablissement=etablissement, active=True).filter(filtre)
    return (
        get_user_model()
        .objects.filter(pk__in=membres.values("user_id"))
        .order_by("last_name", "first_name", "pk")
    )


def _nettoyer_titre(titre: str) -> str:
    titre = (titre or "").strip()
    if not titre:
        raise ValidationError({"titre": "Le titre de l'évaluation est obligatoire."})
    if len(titre) > TITRE_MAX:
        raise ValidationError(
            {"titre": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères ({len(titre)})."}
        )
    return titre


def _verifier_date(date) -> datetime.date:
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": "Indiquez la date de l'évaluation (jj/mm/aaaa)."})
    return date


def _verifier_nature(nature: str) -> str:
    if nature == Nature.ENTREPRISE:
        raise ValidationError(
            {
                "nature": "Le niveau de complexité « Entreprise » est réservé aux bilans "
                "entreprise : choisissez Intermédiaire ou Complexe."
            }
        )
    if nature not in NATURES_SAISIES:
        raise ValidationError({"nature": "Choisissez Intermédiaire ou Complexe."})
    return nature


def _verifier_enseignants(etablissement, diplome, enseignants, *, obligatoires=()) -> list:
    ids = {getattr(e, "pk", e) for e in enseignants or ()}
    ids |= {getattr(e, "pk", e) for e in obligatoires if e is not None}
    possibles = {u.pk: u for u in enseignants_possibles(etablissement, diplome)}
    if not ids <= set(possibles):
        raise ValidationError(
            {
                "enseignants": "Les enseignants évaluateurs doivent être des enseignants actifs "
                "de l'établissement qui gèrent ce diplôme."
            }
        )
    if not ids:
        raise ValidationError({"enseignants": "Choisissez au moins un enseignant évaluateur."})
    return [possibles[i] for i in sorted(ids)]


# --- creation and informations ---------------------------------------------------------------


@transaction.atomic
def creer_evaluation(
    scenario,
    *,
    par,
    titre: str,
    date,
    nature: str = Nature.INTERMEDIAIRE,
    enseignants=(),
    afficher_tableau_de_bord: bool = True,
) -> Evaluation:
    """Create an évaluation from a scénario `par` may see (the view checked it), authored by
    `par`, a teacher or the DDFPT of the scénario's establishment, who is always one of its
    evaluating teachers.

    Copies from the scénario its diplôme, niveau, contexte, tasks, criteria and resources (each
    stored file copied under the évaluation: the scénario's files are never shared). The school
    year is the one of `date`.

    Writes: one Evaluation, its m2m rows, one RessourceEvaluation (and stored file) per
    resource; audit entry `evaluation.creation`. Validates everything before writing."""
    etablissement = scenario.etablissement
    membership = perms.membership_de(par, etablissement.pk)
    if membership is None or membership.role not in (Role.ENSEIGNANT, Role.DDFPT):
        raise Interdit("Seuls les enseignants et le DDFPT créent des évaluations.")
    titre = _nettoyer_titre(titre)
    date = _verifier_date(date)
    nature = _verifier_nature(nature)
    enseignants = _verifier_enseignants(
        etablissement, scenario.diplome, enseignants, obligatoires=[par]
    )
    evaluation = Evaluation.objects.create(
        etablissement=etablissement,
        diplome=scenario.diplome,
        niveau=scenario.niveau,
        annee=AnneeScolaire.courante(date),
        scenario=scenario,
        titre=titre,
        date=date,
        nature=nature,
        contexte=scenario.contexte,
        auteur=par,
        afficher_tableau_de_bord=bool(afficher_tableau_de_bord),
    )
    evaluation.enseignants.set(enseignants)
    evaluation.taches.set(scenario.taches.all())
    evaluation.criteres.set(scenario.criteres.all())
    fiche.copier_ressources(scenario, evaluation)
    journaliser(
        "evaluation.creation",
        par=par,
        etablissement=etablissement,
        objet=evaluation,
        apres={
            "scenario": scenario.pk,
            "titre": titre,
            "date": date.isoformat(),
            "nature": nature,
            "enseignants": [u.pk for u in enseignants],
        },
    )
    return evaluation


@transaction.atomic
def modifier_informations(
    evaluation: Evaluation,
    *,
    par,
    titre: str,
    date,
    nature: str,
    enseignants,
    afficher_tableau_de_bord: bool,
) -> Evaluation:
    """The Informations tab. Author, evaluating teachers or DDFPT; refused when locked. The
    author stays an evaluating teacher while they may evaluate this diplôme; the school year
    follows the date.

    Writes: Evaluation (titre, date, annee, nature, afficher_tableau_de_bord), its
    evaluating teachers (set); when the date, nature or display flag changed, the stored
    suggestion aggregates of its learners, recomputed (evaluations.agregats)."""
    _exiger_modification(evaluation, par)
    titre = _nettoyer_titre(titre)
    date = _verifier_date(date)
    nature = _verifier_nature(nature)
    possibles = set(
        enseignants_possibles(evaluation.etablissement, evaluation.diplome).values_list(
            "pk", flat=True
        )
    )
    auteur = [evaluation.auteur_id] if evaluation.auteur_id in possibles else []
    enseignants = _verifier_enseignants(
        evaluation.etablissement, evaluation.diplome, enseignants, obligatoires=auteur
    )
    poids_change = (evaluation.date, evaluation.nature, evaluation.afficher_tableau_de_bord) != (
        date,
        nature,
        bool(afficher_tableau_de_bord),
    )
    evaluation.titre = titre
    evaluation.date = date
    evaluation.annee = AnneeScolaire.courante(date)
    evaluation.nature = nature
    evaluation.afficher_tableau_de_bord = bool(afficher_tableau_de_bord)
    evaluation.save()
    evaluation.enseignants.set(enseignants)
    if poids_change:
        agregats.recalculer(agregats.apprenants_de(evaluation))
    return evaluation


@transaction.atomic
def modifier_contexte(evaluation: Evaluation, *, par, contexte: str, secteurs: str) -> Evaluation:
    """The « Contexte et secteur(s) d'activité » tab. Refused when locked.

    Writes: Evaluation.contexte, Evaluation.secteurs (stripped, bounded)."""
    _exiger_modification(evaluation, par)
    contexte = fiche.nettoyer_contexte(contexte)
    secteurs = (secteurs or "").strip()
    if len(secteurs) > SECTEURS_MAX:
        raise ValidationError(
            {
                "secteurs": f"Les secteurs d'activité ne peuvent pas dépasser {SECTEURS_MAX} "
                "caractères."
            }
        )
    evaluation.contexte = contexte
    evaluation.secteurs = secteurs
    evaluation.save(update_fields=["contexte", "secteurs", "modifie_le"])
    return evaluation


# --- learners --------------------------------------------------------------------------------


def apprenants_selectionnables(evaluation: Evaluation):
    """Learners of the current-year divisions of the évaluation's establishment, diplôme and
    niveau (active accounts)."""
    return Apprenant.objects.filter(
        etablissement=evaluation.etablissement,
        membership__active=True,
        division__annee=AnneeScolaire.courante(),
        division__diplome=evaluation.diplome,
        division__niveau=evaluation.niveau,
        division__etablissement=evaluation.etablissement,
    )


@dataclass
class ChangementApprenants:
    ajoutes: list = field(default_factory=list)  # apprenant ids
    retires: list = field(default_factory=list)
    resultats_supprimes: int = 0


@transaction.atomic
def choisir_apprenants(
    evaluation: Evaluation, apprenants, *, par, confirme: bool = False
) -> ChangementApprenants:
    """Set the learners of the évaluation to `apprenants` (ids or objects). New ones come from
    the current-year divisions of its diplôme and niveau; learners already evaluated stay
    allowed even if they changed division. Removing learners who have résultats raises
    ConfirmationRequise unless `confirme`.

    Writes: Participant rows (added, deleted); the removed learners' Resultat rows; audit entry
    `evaluation.apprenants_retires` when résultats were deleted; the stored suggestion
    aggregates of the learners removed or added, recomputed. Refused when locked."""
    _exiger_modification(evaluation, par)
    voulus = {getattr(a, "pk", a) for a in apprenants or ()}
    try:
        voulus = {int(a) for a in voulus}
    except (TypeError, ValueError) as exc:
        raise ValidationError("Apprenant inconnu.") from exc
    actuels = set(evaluation.participants.values_list("apprenant_id", flat=True))
    nouveaux = voulus - actuels
    if nouveaux:
        autorises = set(
            apprenants_selectionnables(evaluation)
            .filter(pk__in=nouveaux)
            .values_list("pk", flat=True)
        )
        if autorises != nouveaux:
            raise ValidationError(
                "Certains apprenants ne font pas partie des divisions de ce diplôme et de ce "
                "niveau pour l'année en cours."
            )
    retires = actuels - voulus
    avec_resultats = list(
        Apprenant.objects.filter(pk__in=retires, resultats__evaluation=evaluation)
        .annotate(nb=Count("resultats"))
        .select_related("membership__user")
        .order_by("membership__user__last_name", "membership__user__first_name")
    )
    if avec_resultats and not confirme:
        raise ConfirmationRequise(
            "Ces apprenants ont déjà des résultats dans cette évaluation : les retirer "
            "supprimera définitivement leurs résultats.",
            [f"{a} ({a.nb} résultat{'s' if a.nb > 1 else ''})" for a in avec_resultats],
        )
    changement = ChangementApprenants(ajoutes=sorted(nouveaux), retires=sorted(retires))
    if retires:
        if avec_resultats:
            supprimes, _ = Resultat.objects.filter(
                evaluation=evaluation, apprenant_id__in=retires
            ).delete()
            changement.resultats_supprimes = supprimes
            journaliser(
                "evaluation.apprenants_retires",
                par=par,
                etablissement=evaluation.etablissement,
                objet=evaluation,
                avant={
                    "apprenants": {
                        str(a.pk): {"nom": str(a), "resultats": a.nb} for a in avec_resultats
                    }
                },
                apres={"resultats_supprimes": supprimes},
            )
        evaluation.participants.filter(apprenant_id__in=retires).delete()
    Participant.objects.bulk_create(
        [Participant(evaluation=evaluation, apprenant_id=a) for a in sorted(nouveaux)]
    )
    # Removed learners lose this évaluation's observations; an added one could have résultats
    # kept from an earlier participation (none are, but the rule counts participants only).
    agregats.recalculer(retires | nouveaux)
    return changement


# --- liaison with the référentiel ------------------------------------------------------------


@transaction.atomic
def basculer_tache(evaluation: Evaluation, tache_id, *, par) -> bool:
    """Select the task if it was not, unselect it otherwise (tasks of the évaluation's diplôme
    only); returns True when it is now selected. Refused when locked.

    Writes: one row of Evaluation.taches."""
    _exiger_modification(evaluation, par)
    return fiche.basculer_tache(evaluation, tache_id)


@transaction.atomic
def basculer_critere(evaluation: Evaluation, critere_id, *, par, confirme: bool = False) -> bool:
    """Select or unselect an evaluation criterion of the évaluation's diplôme; returns True when
    it is now selected. Unselecting a criterion that has résultats raises ConfirmationRequise
    unless `confirme`, then deletes them. Refused when locked.

    Writes: one row of Evaluation.criteres; the criterion's Resultat rows of this évaluation
    and audit entry `evaluation.critere_retire` when there were some (and the stored
    suggestion aggregates of their learners, recomputed)."""
    _exiger_modification(evaluation, par)

    def supprimer_resultats(critere):
        resultats = Resultat.objects.filter(evaluation=evaluation, critere=critere)
        nombre = resultats.count()
        if nombre and not confirme:
            raise ConfirmationRequise(
                "Ce critère a déjà des résultats dans cette évaluation : le retirer supprimera "
                "définitivement ces résultats.",
                [
                    f"{critere.competence.code} – {critere.intitule} ({nombre} résultat"
                    f"{'s' if nombre > 1 else ''})"
                ],
            )
        if nombre:
            apprenants = set(resultats.values_list("apprenant_id", flat=True))
            resultats.delete()
            agregats.recalculer(apprenants)
            journaliser(
                "evaluation.critere_retire",
                par=par,
                etablissement=evaluation.etablissement,
                objet=evaluation,
                avant={"critere": critere.pk, "code": critere.code, "resultats": nombre},
                apres={"resultats_supprimes": nombre},
            )

    return fiche.basculer_critere(evaluation, critere_id, avant_retrait=supprimer_resultats)


# --- resources -------------------------------------------------------------------------------


@transaction.atomic
def ajouter_fichier(evaluation: Evaluation, *, titre: str, fichier, par) -> RessourceEvaluation:
    """Attach an uploaded file (≤ 10 Mo, allowed type checked by extension and content, as for
    the scénarios: scenarios.fiche); the title defaults to the file name. Stored privately with
    a random name, served only by the checked download view. Refused when locked.

    Writes: one RessourceEvaluation row and one stored file."""
    _exiger_modification(evaluation, par)
    return fiche.ajouter_fichier(evaluation, titre=titre, fichier=fichier)


@transaction.atomic
def ajouter_lien(evaluation: Evaluation, *, titre: str, url: str, par) -> RessourceEvaluation:
    """Attach a link (http or https only); the title defaults to the address. Refused when
    locked.

    Writes: one RessourceEvaluation row."""
    _exiger_modification(evaluation, par)
    return fiche.ajouter_lien(evaluation, titre=titre, url=url)


@transaction.atomic
def supprimer_ressource(ressource: RessourceEvaluation, *, par) -> None:
    """Refused when the évaluation is locked. Writes: deletes the row; its stored file is
    removed after commit."""
    _exiger_modification(ressource.evaluation, par)
    fiche.supprimer_ressource(ressource)


# --- deletion and locks ----------------------------------------------------------------------


@transaction.atomic
def supprimer_evaluation(evaluation: Evaluation, *, par) -> None:
    """Its author or the DDFPT; refused when locked. Deletes the évaluation with its learners,
    résultats and resources.

    Writes: deletes Evaluation (+ Participant, Resultat, RessourceEvaluation by cascade);
    the stored suggestion aggregates of its learners, recomputed; audit entry
    `evaluation.suppression`; stored files removed after commit."""
    if not perms.peut(
        perms.membership_de(par, evaluation.etablissement_id),
        perms.SUPPRIMER_EVALUATIONS,
        evaluation,
    ):
        raise Interdit("Seuls l'auteur de l'évaluation et le DDFPT peuvent la supprimer.")
    exiger_modifiable(evaluation)
    fichiers = fiche.supprimer_fichiers_de(evaluation)
    journaliser(
        "evaluation.suppression",
        par=par,
        etablissement=evaluation.etablissement,
        objet=evaluation,
        avant={
            "titre": evaluation.titre,
            "date": evaluation.date.isoformat(),
            "niveau": evaluation.niveau,
            "diplome": evaluation.diplome_id,
            "scenario": evaluation.scenario_id,
            "apprenants": evaluation.participants.count(),
            "resultats": evaluation.resultats.count(),
            "ressources": len(fichiers),
        },
    )
    apprenants = agregats.apprenants_de(evaluation)
    evaluation.delete()
    agregats.recalculer(apprenants)


def _changer_verrou(evaluations, *, par, motif: str, verrouillee: bool) -> int:
    action = "evaluation.verrouillage" if verrouillee else "evaluation.deverrouillage"
    ids = [getattr(e, "pk", e) for e in evaluations]
    a_changer = list(
        Evaluation.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(verrouillee=verrouillee)
        .select_related("etablissement")
    )
    for evaluation in a_changer:
        evaluation.verrouillee = verrouillee
        journaliser(
            action,
            par=par,
            etablissement=evaluation.etablissement,
            objet=evaluation,
            avant={"verrouillee": not verrouillee},
            apres={"verrouillee": verrouillee, "motif": motif or ""},
        )
    Evaluation.objects.bulk_update(a_changer, ["verrouillee"])
    for e in evaluations:
        if isinstance(e, Evaluation):
            e.verrouillee = verrouillee
    return len(a_changer)


@transaction.atomic
def verrouiller_evaluations(evaluations, *, par, motif: str) -> int:
    """Lock évaluations (ids or objects), e.g. those a validated bilan intermédiaire took into
    account; every write service then refuses them. Already locked ones are left as they are.
    Returns how many changed.

    Locks: the évaluation rows (select_for_update). Writes: Evaluation.verrouillee; one audit
    entry `evaluation.verrouillage` (with `motif`) per évaluation changed."""
    return _changer_verrou(evaluations, par=par, motif=motif, verrouillee=True)


@transaction.atomic
def deverrouiller_evaluations(evaluations, *, par, motif: str) -> int:
    """Unlock évaluations (the DDFPT unlocking a bilan). Returns how many changed.

    Locks: the évaluation rows. Writes: Evaluation.verrouillee; one audit entry
    `evaluation.deverrouillage` (with `motif`) per évaluation changed."""
    return _changer_verrou(evaluations, par=par, motif=motif, verrouillee=False)
