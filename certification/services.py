"""Commission de certification: every write on the grilles CCF des candidats, and every rule.

Rules enforced here (never only in a form):
- who writes: an active ENSEIGNANT/DDFPT of the grid's establishment (SAISIR_CERTIFICATION);
  who unlocks: the DDFPT only (DEVERROUILLER_CERTIFICATION);
- a locked grid is read-only: every write refuses it (MESSAGE_VERROUILLEE);
- the commission's comment is at most COMMENTAIRE_MAX (300) characters;
- the proposed note is a number from 0 to 20 with at most two decimals (decimal comma accepted);
- a level is 1..4 and only for a criterion of the épreuve's competences;
- the numéro de candidat is stored once, on the learner, so every grid of the candidate shows
  it; it cannot change while one of the candidate's grids is locked;
- a member is an active teacher/DDFPT of the establishment, or typed (nom and prénom);
- locking needs every header field, a level on every criterion, the proposed note, at least
  MEMBRES_MIN (2) members and a comment within the limit: the refusal lists what is missing.

Lock and unlock are audited (before/after), as are the numéro de candidat changes.
"""

import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from certification.models import (
    COMMENTAIRE_MAX,
    GrilleCandidat,
    MembreCommission,
    NiveauCritere,
)
from certification.queries import POINTS_NIVEAU, criteres_de_grille, manquants
from certification.queries import suggestion_note as suggestion_note  # noqa: F401 (demo)
from certification.services_documents import effacer_pdf_fige, figer_pdf
from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit, Verrouille
from cpro.models import Apprenant, Membership, Role

logger = logging.getLogger(__name__)

MESSAGE_PDF_ECHEC = (
    "La grille n'a pas été verrouillée : son PDF n'a pas pu être produit. Réessayez dans un "
    "instant ; si l'échec persiste, prévenez l'administrateur de Cpro."
)
MESSAGE_VERROUILLEE = "Grille verrouillée : seul le DDFPT peut la déverrouiller."
MESSAGE_DROIT = (
    "Seuls les enseignants et le DDFPT de l'établissement peuvent compléter une grille CCF."
)
MESSAGE_DEVERROUILLER = "Seul le DDFPT de l'établissement peut déverrouiller une grille CCF."
NOTE_MAX = Decimal(20)
NUMERO_MAX = 20
NUMERO_RE = re.compile(r"^[0-9A-Za-z-]+$")
DATES_MAX = 255

# --- who may do what (cpro.perms.peut; no object rule: the grid's establishment) -----------


def _exiger(objet, par, permission: str, message: str) -> None:
    if not perms.peut(perms.membership_de(par, objet.etablissement_id), permission, objet):
        raise Interdit(message)


def _exiger_saisie(objet, par) -> None:
    """An active ENSEIGNANT/DDFPT of the establishment of `objet` (grid or learner)."""
    _exiger(objet, par, perms.SAISIR_CERTIFICATION, MESSAGE_DROIT)


def _exiger_en_cours(gc: GrilleCandidat) -> None:
    if gc.est_verrouillee:
        raise Verrouille(MESSAGE_VERROUILLEE)


def _relire(gc: GrilleCandidat) -> GrilleCandidat:
    """The grid re-read under a row lock: a concurrent lock cannot slip between the check and
    the write (select_for_update is a no-op on SQLite, which serialises writers anyway)."""
    frais = GrilleCandidat.objects.select_for_update().get(pk=gc.pk)
    gc.statut = frais.statut
    gc.verrouillee_le = frais.verrouillee_le
    gc.verrouillee_par_id = frais.verrouillee_par_id
    return gc


# --- validation helpers ----------------------------------------------------------------------


def normaliser_commentaire(texte) -> str:
    """Strip, normalise line breaks (a browser counts a line break as one character), and
    refuse more than COMMENTAIRE_MAX characters."""
    texte = (texte or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(texte) > COMMENTAIRE_MAX:
        raise ValidationError(
            {
                "commentaire": (
                    f"Les commentaires de la commission ne peuvent pas dépasser "
                    f"{COMMENTAIRE_MAX} caractères ({len(texte)} saisis)."
                )
            }
        )
    return texte


def normaliser_note(note) -> Decimal | None:
    """None/"" → None; "12,5" or 12.5 → Decimal("12.50"); anything else, outside 0..20 or with
    more than two decimals → ValidationError."""
    if note is None or (isinstance(note, str) and not note.strip()):
        return None
    message = "La note proposée doit être un nombre (ex. 12,5)."
    try:
        valeur = Decimal(str(note).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"note_proposee": message}) from None
    if not valeur.is_finite():
        raise ValidationError({"note_proposee": message})
    if valeur < 0 or valeur > NOTE_MAX:
        raise ValidationError({"note_proposee": "La note proposée est comprise entre 0 et 20."})
    if valeur != valeur.quantize(Decimal("0.01")):
        raise ValidationError(
            {"note_proposee": "La note proposée comporte au plus deux décimales."}
        )
    return valeur.quantize(Decimal("0.01"))


def normaliser_numero(numero) -> str:
    numero = (numero or "").strip()
    if len(numero) > NUMERO_MAX:
        raise ValidationError(
            {"numero_candidat": f"Le numéro de candidat comporte au plus {NUMERO_MAX} caractères."}
        )
    if numero and not NUMERO_RE.match(numero):
        raise ValidationError(
            {
                "numero_candidat": "Le numéro de candidat ne comporte que des chiffres, des "
                "lettres et des tirets."
            }
        )
    return numero


def _verifier_niveaux(gc: GrilleCandidat, niveaux: dict) -> dict[int, int | None]:
    connus = {c.pk for c in criteres_de_grille(gc.grille)}
    resultat: dict[int, int | None] = {}
    for cid, niveau in (niveaux or {}).items():
        try:
            cid = int(cid)
        except (TypeError, ValueError):
            raise ValidationError("Critère inconnu dans cette grille.") from None
        if cid not in connus:
            raise ValidationError("Critère inconnu dans cette grille.")
        if niveau in (None, ""):
            resultat[cid] = None
            continue
        try:
            niveau = int(niveau)
        except (TypeError, ValueError):
            niveau = 0
        if niveau not in POINTS_NIVEAU:
            raise ValidationError({"niveaux": "Un niveau est compris entre 1 et 4."})
        resultat[cid] = niveau
    return resultat


def _etat(gc: GrilleCandidat) -> dict:
    return {
        "statut": gc.statut,
        "note_proposee": f"{gc.note_proposee:.2f}" if gc.note_proposee is not None else None,
        "verrouillee_le": gc.verrouillee_le.isoformat() if gc.verrouillee_le else None,
        "verrouillee_par": gc.verrouillee_par_id,
    }


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def grille_pour(apprenant: Apprenant, grille, session: int, *, par) -> GrilleCandidat:
    """The grid of `apprenant` for the épreuve `grille` (a GrilleCCF) and `session`, created
    empty on first open. Writes: at most one GrilleCandidat. Raises PermissionDenied (not a
    writer here) or ValidationError (the épreuve is not of the learner's diplôme)."""
    _exiger_saisie(apprenant, par)
    division = apprenant.division
    if division is None or division.diplome_id != grille.diplome_id:
        raise ValidationError("Cette épreuve n'appartient pas au diplôme préparé par l'apprenant.")
    try:
        session = int(session)
    except (TypeError, ValueError):
        raise ValidationError("Session invalide.") from None
    if not 2000 <= session <= 2100:
        raise ValidationError("Session invalide.")
    gc, _cree = GrilleCandidat.objects.get_or_create(
        apprenant=apprenant,
        grille=grille,
        session=session,
        defaults={"etablissement_id": apprenant.etablissement_id},
    )
    return gc


@transaction.atomic
def definir_numero_candidat(apprenant: Apprenant, numero: str, *, par) -> Apprenant:
    """Store the numéro de candidat on the learner: every grid of the candidate shows it.
    Refused while one of the candidate's grids is locked (it would change a locked grid).
    Audit: `certification.numero_candidat` (before/after). Returns the learner."""
    _exiger_saisie(apprenant, par)
    numero = normaliser_numero(numero)
    avant = apprenant.numero_candidat
    if numero == avant:
        return apprenant
    if GrilleCandidat.objects.filter(
        apprenant=apprenant, statut=GrilleCandidat.Statut.VERROUILLEE
    ).exists():
        raise ValidationError(
            {
                "numero_candidat": "Le numéro de candidat figure sur une grille verrouillée : "
                "seul le DDFPT peut la déverrouiller."
            }
        )
    apprenant.numero_candidat = numero
    apprenant.save(update_fields=["numero_candidat"])
    journaliser(
        "certification.numero_candidat",
        par=par,
        etablissement=apprenant.etablissement,
        objet=apprenant,
        avant={"numero_candidat": avant},
        apres={"numero_candidat": numero},
    )
    return apprenant


@transaction.atomic
def enregistrer_grille(
    gc: GrilleCandidat,
    *,
    par,
    dates_situations: str,
    note_proposee,
    commentaire: str,
    niveaux: dict,
    numero_candidat: str | None = None,
) -> GrilleCandidat:
    """Save the grid's form: dates of the situations, proposed note /20, the commission's
    comment (≤ 300 characters), one level 1..4 per criterion (None/"" clears it) and, when
    given, the candidate's number (stored on the learner, see `definir_numero_candidat`).
    Everything is validated before anything is written. Refused on a locked grid."""
    _exiger_saisie(gc, par)
    _relire(gc)
    _exiger_en_cours(gc)
    erreurs: dict[str, list] = {}
    valeurs = {}
    for champ, fonction, valeur in (
        ("commentaire", normaliser_commentaire, commentaire),
        ("note_proposee", normaliser_note, note_proposee),
    ):
        try:
            valeurs[champ] = fonction(valeur)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                erreurs.setdefault(k, []).extend(v)
    dates = (dates_situations or "").strip()
    if len(dates) > DATES_MAX:
        erreurs.setdefault("dates_situations", []).append(
            f"Les dates des situations comportent au plus {DATES_MAX} caractères."
        )
    if numero_candidat is not None:
        try:
            numero_candidat = normaliser_numero(numero_candidat)
        except ValidationError as exc:
            erreurs.setdefault("numero_candidat", []).extend(exc.message_dict["numero_candidat"])
    if erreurs:
        raise ValidationError(erreurs)
    niveaux = _verifier_niveaux(gc, niveaux)

    if numero_candidat is not None:
        definir_numero_candidat(gc.apprenant, numero_candidat, par=par)
    gc.dates_situations = dates
    gc.note_proposee = valeurs["note_proposee"]
    gc.commentaire = valeurs["commentaire"]
    gc.save(update_fields=["dates_situations", "note_proposee", "commentaire", "modifie_le"])
    a_effacer = [cid for cid, n in niveaux.items() if n is None]
    if a_effacer:
        NiveauCritere.objects.filter(grille_candidat=gc, critere_id__in=a_effacer).delete()
    existants = {n.critere_id: n for n in gc.niveaux.filter(critere_id__in=list(niveaux))}
    a_creer, a_modifier = [], []
    for cid, n in niveaux.items():
        if n is None:
            continue
        if cid in existants:
            if existants[cid].niveau != n:
                existants[cid].niveau = n
                a_modifier.append(existants[cid])
        else:
            a_creer.append(NiveauCritere(grille_candidat=gc, critere_id=cid, niveau=n))
    NiveauCritere.objects.bulk_create(a_creer)
    NiveauCritere.objects.bulk_update(a_modifier, ["niveau"])
    return gc


@transaction.atomic
def ajouter_membre(
    gc: GrilleCandidat,
    *,
    par,
    membre: Membership | None = None,
    nom: str = "",
    prenom: str = "",
    qualite: str = "",
) -> MembreCommission:
    """Add a commission member: a teacher/DDFPT of the establishment (`membre`, its name is
    copied so the grid keeps it), or typed (`nom`, `prenom`, `qualite`) when absent from the
    list. The same teacher is not added twice. Refused on a locked grid."""
    _exiger_saisie(gc, par)
    _relire(gc)
    _exiger_en_cours(gc)
    nom, prenom, qualite = (nom or "").strip(), (prenom or "").strip(), (qualite or "").strip()
    user = None
    if membre is not None:
        if (
            membre.etablissement_id != gc.etablissement_id
            or not membre.active
            or membre.role not in (Role.ENSEIGNANT, Role.DDFPT)
        ):
            raise ValidationError(
                "Ce membre n'est pas un enseignant actif de l'établissement : saisissez son nom "
                "et son prénom."
            )
        user = membre.user
        if gc.membres.filter(user=user).exists():
            raise ValidationError(f"{user.nom_complet} fait déjà partie de la commission.")
        nom, prenom = user.last_name or user.username, user.first_name
        qualite = qualite or (
            "Professeur" if membre.role == Role.ENSEIGNANT else str(Role(membre.role).label)
        )
    else:
        erreurs = {}
        if not nom:
            erreurs["nom"] = "Indiquez le nom du membre de la commission."
        if not prenom:
            erreurs["prenom"] = "Indiquez le prénom du membre de la commission."
        if erreurs:
            raise ValidationError(erreurs)
    for champ, valeur in (("nom", nom), ("prenom", prenom), ("qualite", qualite)):
        maximum = MembreCommission._meta.get_field(champ).max_length
        if len(valeur) > maximum:
            raise ValidationError({champ: f"Au plus {maximum} caractères."})
    ordre = (gc.membres.order_by("-ordre").values_list("ordre", flat=True).first() or 0) + 1
    return MembreCommission.objects.create(
        grille_candidat=gc, user=user, nom=nom, prenom=prenom, qualite=qualite, ordre=ordre
    )


@transaction.atomic
def retirer_membre(membre: MembreCommission, *, par) -> None:
    """Remove a commission member. Refused on a locked grid."""
    gc = membre.grille_candidat
    _exiger_saisie(gc, par)
    _relire(gc)
    _exiger_en_cours(gc)
    membre.delete()


@transaction.atomic
def verrouiller_grille(gc: GrilleCandidat, *, par, rendu=None) -> GrilleCandidat:
    """Lock the grid once complete (see `manquants`): every header field (académie of the
    establishment, session, numéro de candidat, dates des situations), a level on every
    criterion, the proposed note, ≥ MEMBRES_MIN members, a comment ≤ COMMENTAIRE_MAX.
    Otherwise ValidationError listing what is missing. Writes statut, verrouillee_le/par and
    the printed PDF (`pdf_fige`, rendered here inside the transaction: every later download
    serves these bytes). If the PDF cannot be rendered the lock fails (ValidationError code
    "pdf", French message) and nothing is written. `rendu` (certification.exporters.RenduGrilles)
    shares fonts and stylesheet between the locks of a batch (the demo).
    Audit: `certification.verrouillage` (before/after)."""
    _exiger_saisie(gc, par)
    _relire(gc)
    _exiger_en_cours(gc)
    manque = manquants(gc)
    if manque:
        raise ValidationError(
            "La grille ne peut pas être verrouillée : il manque " + " ; ".join(manque) + "."
        )
    avant = _etat(gc)
    avant_statut = (gc.statut, gc.verrouillee_le, gc.verrouillee_par)
    gc.statut = GrilleCandidat.Statut.VERROUILLEE
    gc.verrouillee_le = timezone.now()
    gc.verrouillee_par = par
    gc.save(update_fields=["statut", "verrouillee_le", "verrouillee_par", "modifie_le"])
    try:
        figer_pdf(gc, rendu=rendu)
    except Exception as exc:
        # The lock never exists without its printed PDF: the transaction is rolled back.
        logger.exception("PDF de la grille %s non produit au verrouillage", gc.pk)
        gc.statut, gc.verrouillee_le, gc.verrouillee_par = avant_statut
        gc.pdf_fige = ""
        raise ValidationError(MESSAGE_PDF_ECHEC, code="pdf") from exc
    journaliser(
        "certification.verrouillage",
        par=par,
        etablissement=gc.etablissement,
        objet=gc,
        avant=avant,
        apres=_etat(gc),
    )
    return gc


@transaction.atomic
def deverrouiller_grille(gc: GrilleCandidat, *, par) -> GrilleCandidat:
    """Unlock a locked grid (DDFPT only): it is editable again. Writes statut (EN_COURS),
    clears verrouillee_le/par and the stored PDF (file deleted after commit; the next lock
    stores a new one). Audit: `certification.deverrouillage` (before/after)."""
    _exiger(gc, par, perms.DEVERROUILLER_CERTIFICATION, MESSAGE_DEVERROUILLER)
    _relire(gc)
    if not gc.est_verrouillee:
        raise ValidationError("Cette grille n'est pas verrouillée.")
    avant = _etat(gc)
    gc.statut = GrilleCandidat.Statut.EN_COURS
    gc.verrouillee_le = None
    gc.verrouillee_par = None
    gc.save(update_fields=["statut", "verrouillee_le", "verrouillee_par", "modifie_le"])
    effacer_pdf_fige(gc)
    journaliser(
        "certification.deverrouillage",
        par=par,
        etablissement=gc.etablissement,
        objet=gc,
        avant=avant,
        apres=_etat(gc),
    )
    return gc
