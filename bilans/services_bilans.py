"""Bilans intermédiaires: every write and every rule.

Rules enforced here (never only in a form):
- who writes a draft: any ENSEIGNANT/DDFPT of the bilan's establishment (REDIGER_BILANS);
  who deletes a draft: its author (still a writer here) or the DDFPT; who unlocks a validated
  bilan: the DDFPT only (DEVERROUILLER_BILANS);
- a validated bilan is read-only until the DDFPT unlocks it;
- one bilan per learner and date (also a database constraint);
- constats and conseils at most TEXTE_MAX characters each; the note between 0 and 20 with at
  most two decimals (or empty); levels on the one scale (NE, 1..4);
- a bilan positions the learner on every competence of their diplôme, pre-filled from the
  explainable suggestion (bilans.suggestion), and takes into account the learner's évaluations
  shown in dashboards dated up to the bilan's date;
- when the establishment has an active transversal référentiel, a new bilan also positions its
  active competences (same suggestion), and takes into account the évaluations of any diploma
  that link one of its criteria; a bilan created before keeps its positionnements;
- validating locks those évaluations; unlocking unlocks them, except those another validated
  bilan still takes into account.

Every multi-row write is atomic and validated before anything is written.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bilans import queries_bilans
from bilans.models import TEXTE_MAX, BilanIntermediaire, Positionnement
from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit, Verrouille
from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant
from evaluations.services import deverrouiller_evaluations, verrouiller_evaluations

MESSAGE_VALIDE = "Ce bilan est validé : le DDFPT peut le déverrouiller."
MESSAGE_DROIT = (
    "Seuls les enseignants et le DDFPT de l'établissement peuvent rédiger un bilan intermédiaire."
)
NOTE_MAX = Decimal(20)


# --- who may do what (cpro.perms.peut, object rules in bilans.regles) ------------------------


def _exiger(objet, par, permission: str, message: str) -> None:
    if not perms.peut(perms.membership_de(par, objet.etablissement_id), permission, objet):
        raise Interdit(message)


def _exiger_redacteur(objet, par) -> None:
    """An active ENSEIGNANT/DDFPT of the establishment of the bilan (or learner)."""
    _exiger(objet, par, perms.REDIGER_BILANS, MESSAGE_DROIT)


def _exiger_brouillon(bilan: BilanIntermediaire) -> None:
    if bilan.est_valide:
        raise Verrouille(MESSAGE_VALIDE)


# --- validation helpers ----------------------------------------------------------------------


def _verifier_date(date) -> datetime.date:
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": "Indiquez la date du bilan (jj/mm/aaaa)."})
    return date


def _exiger_date_libre(apprenant, date: datetime.date, *, sauf=None) -> None:
    """One bilan per learner and date: a second one is refused, naming the existing one (the
    error's `params` carry its pk and status so that the page links to it; code "doublon")."""
    existants = BilanIntermediaire.objects.filter(apprenant=apprenant, date=date)
    if sauf is not None:
        existants = existants.exclude(pk=sauf.pk)
    existant = existants.select_related("auteur").first()
    if existant is not None:
        raise _erreur_doublon(existant, apprenant, date)


def _erreur_doublon(existant, apprenant, date: datetime.date) -> ValidationError:
    etat = "validé" if existant.est_valide else "brouillon"
    auteur = f", rédigé par {existant.auteur}" if existant.auteur_id else ""
    message = (
        f"Un bilan du {date:%d/%m/%Y} existe déjà pour {apprenant} ({etat}{auteur}) : un seul "
        "bilan par apprenant et par date. Ouvrez ce bilan ou choisissez une autre date."
    )
    return ValidationError(
        {
            "date": ValidationError(
                message.replace("%", "%%"),  # `params` format the message
                code="doublon",
                params={
                    "bilan": existant.pk,
                    "apprenant": apprenant.pk,
                    "valide": existant.est_valide,
                },
            )
        }
    )


def _verifier_texte(champ: str, libelle: str, texte) -> str:
    texte = (texte or "").strip()
    if len(texte) > TEXTE_MAX:
        raise ValidationError(
            {champ: f"{libelle} ne peuvent pas dépasser {TEXTE_MAX} caractères ({len(texte)})."}
        )
    return texte


def normaliser_note(note) -> Decimal | None:
    """None/"" → None; "12,5" or 12.5 → Decimal("12.5"); anything else or out of 0..20 or more
    than two decimals → ValidationError."""
    if note is None or (isinstance(note, str) and not note.strip()):
        return None
    try:
        valeur = Decimal(str(note).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"note": "La note doit être un nombre (ex. 12,5)."}) from None
    if not valeur.is_finite():
        raise ValidationError({"note": "La note doit être un nombre (ex. 12,5)."})
    if valeur < 0 or valeur > NOTE_MAX:
        raise ValidationError({"note": "La note doit être comprise entre 0 et 20."})
    if valeur != valeur.quantize(Decimal("0.01")):
        raise ValidationError({"note": "La note comporte au plus deux décimales."})
    return valeur.quantize(Decimal("0.01"))


def _verifier_niveaux(bilan: BilanIntermediaire, niveaux: dict) -> dict[int, str]:
    valides = set(Maitrise.values)
    resultat = {}
    for cid, niveau in (niveaux or {}).items():
        try:
            cid = int(cid)
        except (TypeError, ValueError):
            raise ValidationError("Compétence inconnue dans ce bilan.") from None
        niveau = str(niveau)
        if niveau not in valides:
            raise ValidationError(
                {"niveaux": f"Niveau inconnu « {niveau} » : choisissez NE, −−, −, + ou ++."}
            )
        resultat[cid] = niveau
    connues = set(bilan.positionnements.values_list("competence_id", flat=True))
    if not set(resultat) <= connues:
        raise ValidationError("Compétence inconnue dans ce bilan.")
    return resultat


def _transversal_du_bilan(bilan: BilanIntermediaire):
    """The id of the transversal référentiel the bilan positions, or None (1 query)."""
    return (
        Positionnement.objects.filter(bilan=bilan)
        .exclude(competence__diplome_id=bilan.diplome_id)
        .values_list("competence__diplome_id", flat=True)
        .first()
    )


def _eligibles(bilan: BilanIntermediaire, date) -> list[int]:
    return list(
        queries_bilans.evaluations_eligibles(
            bilan.apprenant, bilan.diplome, date, transversal=_transversal_du_bilan(bilan)
        ).values_list("pk", flat=True)
    )


def _verifier_evaluations(bilan, date, evaluations) -> list[int]:
    ids = {getattr(e, "pk", e) for e in evaluations}
    eligibles = set(_eligibles(bilan, date))
    if not ids <= eligibles:
        raise ValidationError(
            {
                "evaluations": "Un bilan ne peut prendre en compte que les évaluations de "
                "l'apprenant affichées dans son tableau de bord et antérieures à sa date."
            }
        )
    return sorted(ids)


def _etat(bilan: BilanIntermediaire) -> dict:
    return {
        "statut": bilan.statut,
        "date": bilan.date.isoformat(),
        "note": str(bilan.note) if bilan.note is not None else None,
        "valide_le": bilan.valide_le.isoformat() if bilan.valide_le else None,
        "valide_par": bilan.valide_par_id,
    }


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def creer_bilan(apprenant: Apprenant, *, par, date: datetime.date) -> BilanIntermediaire:
    """A draft bilan of `apprenant` for their division's diplôme, dated `date`.

    Writes: the bilan (author `par`, school year of `date`); one Positionnement per competence
    of the diplôme and per active competence of the establishment's active transversal
    référentiel, niveau = suggestion = the suggested level at `date` (stored aggregates,
    queries_bilans.niveaux_suggeres); the évaluations taken into account = the learner's
    évaluations shown in dashboards dated ≤ `date`, of the diplôme or linking a transversal
    criterion.
    Audit: `bilan.creation`. Raises PermissionDenied (not a writer here) or ValidationError
    (no division; a bilan of this learner at this date already exists: code "doublon")."""
    _exiger_redacteur(apprenant, par)
    date = _verifier_date(date)
    division = apprenant.division
    if division is None:
        raise ValidationError(
            "Cet apprenant n'est rattaché à aucune division : rattachez-le d'abord à sa classe."
        )
    diplome = division.diplome
    _exiger_date_libre(apprenant, date)
    try:
        # A savepoint: two teachers creating the same bilan at once hit the unique
        # constraint; the second gets the same message as above.
        with transaction.atomic():
            bilan = BilanIntermediaire.objects.create(
                etablissement_id=apprenant.etablissement_id,
                apprenant=apprenant,
                diplome=diplome,
                annee=AnneeScolaire.courante(date),
                date=date,
                auteur=par,
            )
    except IntegrityError:
        existant = BilanIntermediaire.objects.filter(apprenant=apprenant, date=date).first()
        if existant is None:
            raise
        raise _erreur_doublon(existant, apprenant, date) from None
    transversal = queries_bilans.referentiel_transversal(apprenant.etablissement_id)
    competences = list(queries_bilans.competences_du_diplome(diplome))
    if transversal is not None:
        competences += list(queries_bilans.competences_transversales(transversal))
    niveaux = queries_bilans.niveaux_suggeres(apprenant, [c.pk for c in competences], date)
    Positionnement.objects.bulk_create(
        Positionnement(bilan=bilan, competence=c, niveau=niveaux[c.pk], suggestion=niveaux[c.pk])
        for c in competences
    )
    bilan.evaluations.set(
        queries_bilans.evaluations_eligibles(apprenant, diplome, date, transversal=transversal)
    )
    journaliser(
        "bilan.creation",
        par=par,
        etablissement=bilan.etablissement,
        objet=bilan,
        apres=_etat(bilan),
    )
    return bilan


@transaction.atomic
def modifier_bilan(
    bilan: BilanIntermediaire,
    *,
    par,
    date: datetime.date,
    constats: str,
    conseils: str,
    note,
    niveaux: dict,
    evaluations=None,
) -> BilanIntermediaire:
    """Save a draft: date, constats, conseils, note, the levels `{competence_id: niveau}` given
    (others unchanged) and, when `evaluations` is given, the évaluations taken into account
    (each must be eligible at `date`); when it is None and the date changed, they are
    recomputed for the new date. The stored suggestions are refreshed for the date.

    Locks: the bilan row. Writes: the bilan, its positionnements, its évaluations.
    Raises PermissionDenied (not a writer) or ValidationError (validated bilan, limits)."""
    _exiger_redacteur(bilan, par)
    bilan = (
        BilanIntermediaire.objects.select_for_update()
        .select_related("apprenant", "diplome", "etablissement")
        .get(pk=bilan.pk)
    )
    _exiger_brouillon(bilan)
    date = _verifier_date(date)
    if date != bilan.date:
        _exiger_date_libre(bilan.apprenant, date, sauf=bilan)
    constats = _verifier_texte("constats", "Les constats", constats)
    conseils = _verifier_texte("conseils", "Les conseils", conseils)
    note = normaliser_note(note)
    niveaux = _verifier_niveaux(bilan, niveaux)
    ids_evaluations = None
    if evaluations is not None:
        ids_evaluations = _verifier_evaluations(bilan, date, evaluations)
    elif date != bilan.date:
        ids_evaluations = _eligibles(bilan, date)
    # Everything is valid: write.
    bilan.date = date
    bilan.annee = AnneeScolaire.courante(date)
    bilan.constats, bilan.conseils, bilan.note = constats, conseils, note
    try:
        with transaction.atomic():
            bilan.save(
                update_fields=["date", "annee", "constats", "conseils", "note", "modifie_le"]
            )
    except IntegrityError:
        existant = (
            BilanIntermediaire.objects.filter(apprenant=bilan.apprenant, date=date)
            .exclude(pk=bilan.pk)
            .first()
        )
        if existant is None:
            raise
        raise _erreur_doublon(existant, bilan.apprenant, date) from None
    positionnements = list(bilan.positionnements.all())
    sugg = queries_bilans.niveaux_suggeres(
        bilan.apprenant, [p.competence_id for p in positionnements], date
    )
    for p in positionnements:
        p.suggestion = sugg.get(p.competence_id, "NE")
        if p.competence_id in niveaux:
            p.niveau = niveaux[p.competence_id]
    Positionnement.objects.bulk_update(positionnements, ["niveau", "suggestion"])
    if ids_evaluations is not None:
        bilan.evaluations.set(ids_evaluations)
    return bilan


@transaction.atomic
def valider_bilan(bilan: BilanIntermediaire, *, par) -> BilanIntermediaire:
    """Validate a draft: statut VALIDE, valide_le/valide_par.

    Locks: the bilan row, then (evaluations.services.verrouiller_evaluations) the évaluations
    it takes into account (those of its transversal competences too), which every write
    service then refuses. Audit: `bilan.validation`
    (before/after) and one `evaluation.verrouillage` per évaluation locked."""
    _exiger_redacteur(bilan, par)
    bilan = (
        BilanIntermediaire.objects.select_for_update()
        .select_related("etablissement")
        .get(pk=bilan.pk)
    )
    _exiger_brouillon(bilan)
    avant = _etat(bilan)
    bilan.statut = BilanIntermediaire.Statut.VALIDE
    bilan.valide_le = timezone.now()
    bilan.valide_par = par
    bilan.save(update_fields=["statut", "valide_le", "valide_par", "modifie_le"])
    ids = list(bilan.evaluations.values_list("pk", flat=True))
    verrouiller_evaluations(ids, par=par, motif=f"bilan {bilan.pk} validé")
    journaliser(
        "bilan.validation",
        par=par,
        etablissement=bilan.etablissement,
        objet=bilan,
        avant=avant,
        apres={**_etat(bilan), "evaluations": ids},
    )
    return bilan


@transaction.atomic
def deverrouiller_bilan(bilan: BilanIntermediaire, *, par) -> BilanIntermediaire:
    """The DDFPT unlocks a validated bilan: back to BROUILLON (valide_le/par cleared).

    Unlocks its évaluations, except those another validated bilan still takes into account
    (they stay locked). Locks: the bilan row and the évaluation rows. Audit:
    `bilan.deverrouillage` (before/after, with the évaluations unlocked and kept locked) and one
    `evaluation.deverrouillage` per évaluation unlocked."""
    _exiger(
        bilan, par, perms.DEVERROUILLER_BILANS, "Seul le DDFPT peut déverrouiller un bilan validé."
    )
    bilan = (
        BilanIntermediaire.objects.select_for_update()
        .select_related("etablissement")
        .get(pk=bilan.pk)
    )
    if not bilan.est_valide:
        raise ValidationError("Ce bilan n'est pas validé : il est déjà modifiable.")
    avant = _etat(bilan)
    ids = set(bilan.evaluations.values_list("pk", flat=True))
    retenues = set(
        BilanIntermediaire.evaluations.through.objects.filter(
            evaluation_id__in=ids,
            bilanintermediaire__statut=BilanIntermediaire.Statut.VALIDE,
        )
        .exclude(bilanintermediaire_id=bilan.pk)
        .values_list("evaluation_id", flat=True)
    )
    a_liberer = sorted(ids - retenues)
    bilan.statut = BilanIntermediaire.Statut.BROUILLON
    bilan.valide_le = None
    bilan.valide_par = None
    bilan.save(update_fields=["statut", "valide_le", "valide_par", "modifie_le"])
    deverrouiller_evaluations(a_liberer, par=par, motif=f"bilan {bilan.pk} déverrouillé")
    journaliser(
        "bilan.deverrouillage",
        par=par,
        etablissement=bilan.etablissement,
        objet=bilan,
        avant=avant,
        apres={
            **_etat(bilan),
            "evaluations_deverrouillees": a_liberer,
            "evaluations_restees_verrouillees": sorted(retenues),
        },
    )
    return bilan


@transaction.atomic
def supprimer_bilan(bilan: BilanIntermediaire, *, par) -> None:
    """Delete a draft (its author or the DDFPT). Writes: deletes the bilan and its
    positionnements. Audit: `bilan.suppression`."""
    _exiger(
        bilan,
        par,
        perms.SUPPRIMER_BILANS,
        "Seuls l'auteur du bilan et le DDFPT peuvent le supprimer.",
    )
    bilan = (
        BilanIntermediaire.objects.select_for_update()
        .select_related("etablissement")
        .get(pk=bilan.pk)
    )
    _exiger_brouillon(bilan)
    avant = _etat(bilan)
    journaliser(
        "bilan.suppression", par=par, etablissement=bilan.etablissement, objet=bilan, avant=avant
    )
    bilan.delete()
