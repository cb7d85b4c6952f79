"""Portfolios of the périodes en entreprise: journal de bord, fiches activités, bilan entreprise
and the tutors' signed links. Every rule lives here (views only call these functions).

Who does what (checked here, whatever the view):
- the LEARNER writes their journal (présentation, weeks, bilan personnel) and their fiches
  (draft → submitted; revised when sent back « à revoir »);
- a TEACHER of the establishment (SUIVRE_PORTFOLIOS: enseignant, DDFPT) comments the submitted
  fiches, manages the tutor links, opens, enters, validates and reopens the bilan entreprise;
- the TUTOR (the TUTEUR membership assigned on the affectation, or a valid LienTuteur) enters
  the bilan entreprise while it is EN_COURS.

The bilan entreprise's résultats are the Resultat rows of an évaluation of nature E (one
participant, the learner): teachers enter them through evaluations.services_grille; tutors
through `saisir_bilan`'s own path, which writes and audits them the same way
("resultat.modifier"). Validation shows them on the learner's dashboard
(`afficher_tableau_de_bord`). An évaluation locked by a validated bilan intermédiaire refuses
every write (`evaluations.services.exiger_modifiable`).
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit
from cpro.maitrise import Maitrise
from cpro.models import AuditLog, Membership
from cpro.templatetags.francais import de_texte
from evaluations import agregats
from evaluations.models import Evaluation, Nature, Participant, Resultat
from evaluations.services import exiger_modifiable
from evaluations.services_grille import (
    ACTION as ACTION_RESULTAT,
)
from evaluations.services_grille import (
    Changement,
    enregistrer_grille,
    normaliser_niveau,
)
from pfmp.models import (
    Affectation,
    BilanEntreprise,
    FicheActivite,
    LienTuteur,
    Portfolio,
    SemaineJournal,
)
from referentiels.models import Critere, Tache

logger = logging.getLogger(__name__)

TEXTE_MAX = 5000
TITRE_MAX = 255
TUTEUR_NOM_MAX = 255
LIEN_SALT = "pfmp.lien-tuteur"
LIEN_DUREE_MAX = 365
EVALUATION_TITRE_MAX = 255

A_REVOIR = "a_revoir"
VALIDER = "valider"
DECISIONS = (A_REVOIR, VALIDER)

MESSAGE_ARCHIVEE = (
    "Cet apprenant a été retiré de la période : son portfolio est archivé et ne peut plus être "
    "modifié."
)
MESSAGE_BILAN_VALIDE = (
    "Le bilan entreprise est validé : il ne peut plus être modifié. Le professeur peut le "
    "rouvrir si nécessaire."
)
MESSAGE_LIEN_INVALIDE = (
    "Ce lien d'accès n'est plus valable. Demandez un nouveau lien au professeur référent."
)


# --- who ------------------------------------------------------------------------------------


def _etablissement_id(affectation: Affectation) -> int:
    return affectation.periode.etablissement_id


def est_apprenant_de(affectation: Affectation, user) -> bool:
    """Is `user` the learner of this affectation?"""
    apprenant = affectation.apprenant
    return bool(getattr(user, "pk", None)) and apprenant.membership.user_id == user.pk


def _exiger_apprenant(affectation: Affectation, par) -> None:
    if not est_apprenant_de(affectation, par):
        raise PermissionDenied("Seul l'apprenant complète son portfolio.")
    if affectation.archivee:
        raise ValidationError(MESSAGE_ARCHIVEE, code="archivee")


def _exiger_enseignant(affectation: Affectation, par) -> Membership:
    """A teacher (enseignant, DDFPT) of the affectation's establishment (SUIVRE_PORTFOLIOS,
    pfmp.regles)."""
    membership = perms.membership_de(par, _etablissement_id(affectation))
    if not perms.peut(membership, perms.SUIVRE_PORTFOLIOS, affectation):
        raise Interdit("Réservé aux enseignants de l'établissement.")
    return membership


def _exiger_non_archivee(affectation: Affectation) -> None:
    if affectation.archivee:
        raise ValidationError(MESSAGE_ARCHIVEE, code="archivee")


def _texte(valeur, libelle: str, maximum: int = TEXTE_MAX) -> str:
    texte = (valeur or "").strip()
    if len(texte) > maximum:
        raise ValidationError(
            f"« {libelle} » dépasse {maximum} caractères ({len(texte)}).", code="longueur"
        )
    return texte


# --- journal de bord ------------------------------------------------------------------------


def taches_proposees(periode):
    """The tasks a learner may tick: the période's planned tasks, or else every task of the
    diplôme."""
    qs = periode.taches.all()
    if not qs.exists():
        qs = Tache.objects.filter(diplome_id=periode.diplome_id)
    return qs.select_related("activite").order_by("activite__ordre", "ordre", "code")


def _valider_taches(periode, taches) -> list:
    ids = {int(getattr(t, "pk", t)) for t in (taches or [])}
    if not ids:
        return []
    connues = set(taches_proposees(periode).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - connues:
        raise ValidationError(
            "Choisissez des tâches parmi les activités prévues de la période.", code="taches"
        )
    return sorted(ids)


def modifier_presentation(portfolio: Portfolio, *, par, texte: str) -> Portfolio:
    """The learner presents their entreprise (≤ 5000 characters). Writes the portfolio."""
    _exiger_apprenant(portfolio.affectation, par)
    portfolio.presentation_entreprise = _texte(texte, "Présentation de l'entreprise")
    portfolio.save(update_fields=["presentation_entreprise", "modifie_le"])
    return portfolio


def modifier_bilan_personnel(portfolio: Portfolio, *, par, texte: str) -> Portfolio:
    """The learner's personal bilan of the période (≤ 5000 characters)."""
    _exiger_apprenant(portfolio.affectation, par)
    portfolio.bilan_personnel = _texte(texte, "Bilan personnel")
    portfolio.save(update_fields=["bilan_personnel", "modifie_le"])
    return portfolio


def modifier_semaine(semaine: SemaineJournal, *, par, activites: str, taches=()) -> SemaineJournal:
    """One week of the journal: what the learner did (≤ 5000 characters) and the tasks carried
    out, chosen among the période's (or diplôme's) tasks. Validates, then writes in one
    transaction."""
    affectation = semaine.portfolio.affectation
    _exiger_apprenant(affectation, par)
    texte = _texte(activites, f"Activités de la semaine {semaine.numero}")
    ids = _valider_taches(affectation.periode, taches)
    with transaction.atomic():
        semaine.activites = texte
        semaine.save(update_fields=["activites", "modifie_le"])
        semaine.taches.set(ids)
    return semaine


# --- fiches activités -----------------------------------------------------------------------


MODIFIABLES = (FicheActivite.Statut.BROUILLON, FicheActivite.Statut.A_REVOIR)


def fiche_modifiable(fiche: FicheActivite) -> bool:
    return fiche.statut in MODIFIABLES


def enregistrer_fiche(
    fiche: FicheActivite,
    *,
    par,
    titre: str = "",
    contexte: str = "",
    realisation: str = "",
    resultat: str = "",
    difficultes: str = "",
    taches=(),
) -> FicheActivite:
    """The learner writes a draft (or a fiche sent back « à revoir »). A submitted or validated
    fiche is read-only for them. Texts ≤ 5000 characters, titre ≤ 255; tasks among the
    période's. Validates everything, then writes in one transaction."""
    affectation = fiche.portfolio.affectation
    _exiger_apprenant(affectation, par)
    if not fiche_modifiable(fiche):
        raise ValidationError(
            "Cette fiche est soumise ou validée : elle ne peut plus être modifiée.",
            code="statut",
        )
    valeurs = {
        "titre": _texte(titre, "Activité", TITRE_MAX),
        "contexte": _texte(contexte, "Contexte"),
        "realisation": _texte(realisation, "Ce que j'ai fait"),
        "resultat": _texte(resultat, "Résultat obtenu"),
        "difficultes": _texte(difficultes, "Difficultés rencontrées"),
    }
    ids = _valider_taches(affectation.periode, taches)
    with transaction.atomic():
        for champ, valeur in valeurs.items():
            setattr(fiche, champ, valeur)
        fiche.save(update_fields=[*valeurs, "modifie_le"])
        fiche.taches.set(ids)
    return fiche


def soumettre_fiche(fiche: FicheActivite, *, par) -> FicheActivite:
    """The learner submits a draft (or a revised fiche) to the référent: statut SOUMISE.
    Refuses an empty fiche (titre and « ce que j'ai fait » required). Audit
    "fiche_activite.soumettre"."""
    affectation = fiche.portfolio.affectation
    _exiger_apprenant(affectation, par)
    if not fiche_modifiable(fiche):
        raise ValidationError("Cette fiche est déjà soumise ou validée.", code="statut")
    manquants = []
    if not fiche.titre.strip():
        manquants.append("l'activité (titre)")
    if not fiche.realisation.strip():
        manquants.append("« ce que j'ai fait »")
    if manquants:
        raise ValidationError(
            "Complétez " + " et ".join(manquants) + " avant de soumettre la fiche.",
            code="vide",
        )
    with transaction.atomic():
        avant = fiche.statut
        fiche.statut = FicheActivite.Statut.SOUMISE
        fiche.soumise_le = timezone.now()
        fiche.save(update_fields=["statut", "soumise_le", "modifie_le"])
        journaliser(
            "fiche_activite.soumettre",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=fiche,
            avant={"statut": avant},
            apres={"statut": fiche.statut},
        )
    return fiche


def commenter_fiche(fiche: FicheActivite, *, par, commentaire: str, decision: str):
    """A teacher of the establishment answers a submitted fiche: "a_revoir" sends it back to the
    learner (statut A_REVOIR, a comment is required), "valider" validates it (VALIDEE,
    read-only). Audit "fiche_activite.commenter" with the decision."""
    affectation = fiche.portfolio.affectation
    _exiger_enseignant(affectation, par)
    _exiger_non_archivee(affectation)
    if decision not in DECISIONS:
        raise ValidationError("Choisissez « à revoir » ou « valider ».", code="decision")
    commentaire = _texte(commentaire, "Commentaire")
    if fiche.statut != FicheActivite.Statut.SOUMISE:
        raise ValidationError(
            "Seule une fiche soumise par l'apprenant peut être commentée.", code="statut"
        )
    if decision == A_REVOIR and not commentaire:
        raise ValidationError(
            "Expliquez à l'apprenant ce qu'il doit revoir dans le commentaire.", code="commentaire"
        )
    with transaction.atomic():
        avant = {"statut": fiche.statut, "commentaire": fiche.commentaire}
        fiche.statut = (
            FicheActivite.Statut.A_REVOIR if decision == A_REVOIR else FicheActivite.Statut.VALIDEE
        )
        fiche.commentaire = commentaire
        fiche.commentee_par = par
        fiche.commentee_le = timezone.now()
        fiche.save(
            update_fields=["statut", "commentaire", "commentee_par", "commentee_le", "modifie_le"]
        )
        journaliser(
            "fiche_activite.commenter",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=fiche,
            avant=avant,
            apres={"statut": fiche.statut, "commentaire": commentaire, "decision": decision},
        )
    return fiche


# --- tutor links ----------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lien_valide(lien: LienTuteur, now=None) -> bool:
    """Not revoked, not expired, and its learner still on the période."""
    now = now or timezone.now()
    return lien.revoque_le is None and lien.expire_le > now and not lien.affectation.archivee


def creer_lien_tuteur(
    affectation: Affectation,
    *,
    par,
    email: str = "",
    duree_jours: int = 60,
    envoyer: bool = False,
    base_url: str = "",
    vue: str = "pfmp:acces_tuteur",
) -> str:
    """A teacher creates a signed, expiring link giving a tutor access to this learner's
    portfolio (read) and bilan entreprise (write) for this période, nothing else.

    The token is a random secret signed (salt "pfmp.lien-tuteur") together with the LienTuteur
    id; only sha256(secret) is stored, so the URL is shown once. Audit "lien_tuteur.creer".
    With `envoyer` and an address, the link is e-mailed to the tutor after the commit.
    Returns the URL (`base_url` + "/<slug>/pfmp/acces-tuteur/<token>/"); `vue` names another
    entry view taking the same token (the livret d'apprentissage's, livrets:acces_tuteur).
    """
    _exiger_enseignant(affectation, par)
    _exiger_non_archivee(affectation)
    email = (email or "").strip()
    if len(email) > 254 or (email and "@" not in email):
        raise ValidationError("Adresse e-mail du tuteur invalide.", code="email")
    if envoyer and not email:
        raise ValidationError("Indiquez l'adresse e-mail du tuteur pour lui envoyer le lien.")
    if not 1 <= int(duree_jours) <= LIEN_DUREE_MAX:
        raise ValidationError(
            f"La durée de validité va de 1 à {LIEN_DUREE_MAX} jours.", code="duree"
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        lien = LienTuteur.objects.create(
            affectation=affectation,
            secret_hash=_hash(secret),
            email=email,
            cree_par=par,
            expire_le=timezone.now() + datetime.timedelta(days=int(duree_jours)),
        )
        journaliser(
            "lien_tuteur.creer",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=lien,
            apres={"email": email, "expire_le": lien.expire_le.isoformat()},
        )
    token = signing.dumps([lien.pk, secret], salt=LIEN_SALT)
    url = base_url.rstrip("/") + reverse(
        vue,
        kwargs={"etab": affectation.periode.etablissement.slug, "token": token},
    )
    if envoyer:
        transaction.on_commit(lambda: _envoyer_lien(lien, url))
    return url


def _envoyer_lien(lien: LienTuteur, url: str) -> None:
    affectation = lien.affectation
    apprenant = affectation.apprenant.membership.user
    periode = affectation.periode
    try:
        send_mail(
            subject=(
                f"Cpro – suivi {de_texte(apprenant.first_name)} {apprenant.last_name} en entreprise"
            ),
            message=(
                "Bonjour,\n\n"
                f"Vous accompagnez {apprenant.first_name} {apprenant.last_name} pendant la période "
                f"« {periode.titre} » (du {periode.date_debut:%d/%m/%Y} au "
                f"{periode.date_fin:%d/%m/%Y}).\n"
                "Ce lien personnel vous permet de consulter son portfolio et de compléter avec "
                "le professeur référent le bilan entreprise :\n\n"
                f"{url}\n\n"
                f"Il est valable jusqu'au {timezone.localtime(lien.expire_le):%d/%m/%Y}. "
                "Ne le transmettez pas.\n"
            ),
            from_email=None,
            recipient_list=[lien.email],
        )
    except Exception:  # the link exists and is shown to the teacher: mailing is best effort
        logger.exception("Envoi du lien tuteur %s impossible", lien.pk)


def lien_depuis_token(token: str) -> tuple[LienTuteur | None, bool]:
    """(lien, valid). (None, False) for a forged or unknown token (→ 404); (lien, False) for
    an authentic link that was revoked or expired, or whose learner left the période (→ 410)."""
    try:
        lien_id, secret = signing.loads(token, salt=LIEN_SALT)
        lien_id = int(lien_id)
        secret = str(secret)
    except (signing.BadSignature, ValueError, TypeError):
        return None, False
    lien = (
        LienTuteur.objects.filter(pk=lien_id)
        .select_related("affectation__periode__etablissement")
        .first()
    )
    if lien is None or not hmac.compare_digest(lien.secret_hash, _hash(secret)):
        return None, False
    return lien, lien_valide(lien)


def utiliser_lien(lien: LienTuteur) -> None:
    """Record the (last) use of a link."""
    LienTuteur.objects.filter(pk=lien.pk).update(utilise_le=timezone.now())


def revoquer_lien(lien: LienTuteur, *, par) -> LienTuteur:
    """A teacher revokes a link at once (every session it opened loses access on its next
    request). Audit "lien_tuteur.revoquer"."""
    _exiger_enseignant(lien.affectation, par)
    if lien.revoque_le is not None:
        return lien
    with transaction.atomic():
        lien.revoque_le = timezone.now()
        lien.save(update_fields=["revoque_le"])
        journaliser(
            "lien_tuteur.revoquer",
            par=par,
            etablissement=lien.affectation.periode.etablissement,
            objet=lien,
            apres={"revoque_le": lien.revoque_le.isoformat()},
        )
    return lien


# --- bilan entreprise -----------------------------------------------------------------------


def criteres_vises(periode):
    """The criteria aimed at by the période, or else those of its competences."""
    criteres = list(periode.criteres.all())
    if not criteres:
        criteres = list(Critere.objects.filter(competence__in=periode.competences.all()))
    return criteres


def _titre_bilan(affectation: Affectation) -> str:
    entreprise = affectation.entreprise.nom if affectation.entreprise else "entreprise"
    titre = f"Bilan entreprise – {affectation.periode.titre} – {entreprise}"
    return titre[:EVALUATION_TITRE_MAX]


def ouvrir_bilan_entreprise(affectation: Affectation, *, par) -> BilanEntreprise:
    """A teacher opens (once: later calls return it) the bilan entreprise of an affectation.

    Creates the évaluation of nature E (establishment, diplôme, niveau and year of the période,
    date = end of the période, the période's criteria, the learner as sole participant, the
    référent as evaluating teacher, hidden from dashboards while EN_COURS) and the
    BilanEntreprise, in one transaction. Audit "bilan_entreprise.ouvrir".
    """
    _exiger_enseignant(affectation, par)
    with transaction.atomic():
        # Lock the affectation: two teachers opening at once create one bilan.
        Affectation.objects.select_for_update().filter(pk=affectation.pk).first()
        existant = BilanEntreprise.objects.filter(affectation=affectation).first()
        if existant is not None:
            return existant
        _exiger_non_archivee(affectation)
        periode = affectation.periode
        criteres = criteres_vises(periode)
        if not criteres:
            raise ValidationError(
                "La période ne vise aucun critère ni aucune compétence : complétez la période "
                "avant d'ouvrir le bilan entreprise.",
                code="criteres",
            )
        evaluation = Evaluation.objects.create(
            etablissement_id=periode.etablissement_id,
            diplome_id=periode.diplome_id,
            niveau=periode.niveau,
            annee_id=periode.annee_id,
            titre=_titre_bilan(affectation),
            date=periode.date_fin,
            nature=Nature.ENTREPRISE,
            auteur=par,
            afficher_tableau_de_bord=False,
        )
        evaluation.criteres.set(criteres)
        if affectation.referent_id:
            evaluation.enseignants.add(affectation.referent_id)
        Participant.objects.create(evaluation=evaluation, apprenant_id=affectation.apprenant_id)
        bilan = BilanEntreprise.objects.create(affectation=affectation, evaluation=evaluation)
        journaliser(
            "bilan_entreprise.ouvrir",
            par=par,
            etablissement=periode.etablissement,
            objet=bilan,
            apres={"evaluation": evaluation.pk, "criteres": [c.code for c in criteres]},
        )
    return bilan


@dataclass(frozen=True)
class Redacteur:
    """Who enters a bilan: a teacher, the tutor's account, or a tutor link."""

    user: object = None
    lien: LienTuteur | None = None
    enseignant: bool = False


def _redacteur(bilan: BilanEntreprise, par, par_lien) -> Redacteur:
    affectation = bilan.affectation
    if par_lien is not None:
        if par_lien.affectation_id != affectation.pk or not lien_valide(par_lien):
            raise PermissionDenied(MESSAGE_LIEN_INVALIDE)
        return Redacteur(lien=par_lien)
    membership = perms.membership_de(par, _etablissement_id(affectation))
    if perms.peut(membership, perms.SUIVRE_PORTFOLIOS, affectation):
        return Redacteur(user=par, enseignant=True)
    if perms.peut(membership, perms.PORTFOLIOS_TUTEUR, affectation):
        return Redacteur(user=par)
    raise Interdit(
        "Seuls les enseignants et le tuteur de l'apprenant complètent le bilan entreprise."
    )


def _niveaux_valides(evaluation: Evaluation, niveaux: dict) -> dict[int, str]:
    propres = {}
    for critere_id, niveau in (niveaux or {}).items():
        try:
            propres[int(critere_id)] = normaliser_niveau(niveau)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError("Critère inconnu.", code="critere") from exc
    if propres:
        connus = set(evaluation.criteres.filter(pk__in=propres.keys()).values_list("pk", flat=True))
        if set(propres) - connus:
            raise ValidationError(
                "Ce critère n'est pas évalué dans ce bilan entreprise.", code="critere"
            )
    return propres


def _ecrire_par_tuteur(bilan: BilanEntreprise, niveaux: dict[int, str], redacteur) -> int:
    """The tutor's path: same writes and audit entries as the grid (upsert of the changed
    cells, deletion of the cleared ones, one "resultat.modifier" per changed cell)."""
    evaluation = bilan.evaluation
    apprenant = bilan.affectation.apprenant
    criteres = {c.pk: c for c in evaluation.criteres.filter(pk__in=niveaux.keys())}
    # Locked: the stored suggestion aggregates move from these levels.
    anciens = dict(
        Resultat.objects.select_for_update()
        .filter(evaluation=evaluation, apprenant=apprenant, critere_id__in=niveaux.keys())
        .values_list("critere_id", "niveau")
    )
    deltas = []
    user_id = getattr(redacteur.user, "pk", None)
    qui = {"tuteur": True}
    if redacteur.lien is not None:
        qui["lien_tuteur"] = redacteur.lien.pk
    a_ecrire, a_effacer, journal = [], [], []
    for critere_id, niveau in niveaux.items():
        ancien = anciens.get(critere_id) or None
        nouveau = niveau or None
        if ancien == nouveau:
            continue
        deltas += agregats.deltas_cellule(
            apprenant_id=apprenant.pk,
            competence_id=criteres[critere_id].competence_id,
            date=evaluation.date,
            nature=evaluation.nature,
            afficher=evaluation.afficher_tableau_de_bord,
            ancien=ancien,
            nouveau=nouveau,
            meme_etablissement=apprenant.etablissement_id == evaluation.etablissement_id,
        )
        if nouveau:
            a_ecrire.append(
                Resultat(
                    evaluation=evaluation,
                    apprenant=apprenant,
                    critere_id=critere_id,
                    niveau=nouveau,
                    modifie_par_id=user_id,
                )
            )
        else:
            a_effacer.append(critere_id)
        code = criteres[critere_id].code
        cible = {"apprenant": apprenant.pk, "ine": apprenant.ine, "critere": code}
        journal.append(
            AuditLog(
                etablissement_id=evaluation.etablissement_id,
                acteur_id=user_id,
                action=ACTION_RESULTAT,
                objet_type=evaluation._meta.label,
                objet_id=str(evaluation.pk),
                objet_repr=str(evaluation)[:255],
                avant={**cible, "niveau": ancien},
                apres={**cible, "niveau": nouveau, **qui},
            )
        )
    if a_ecrire:
        Resultat.objects.bulk_create(
            a_ecrire,
            update_conflicts=True,
            unique_fields=["evaluation", "apprenant", "critere"],
            update_fields=["niveau", "modifie_par", "modifie_le"],
        )
    if a_effacer:
        Resultat.objects.filter(
            evaluation=evaluation, apprenant=apprenant, critere_id__in=a_effacer
        ).delete()
    agregats.appliquer(deltas)
    AuditLog.objects.bulk_create(journal)
    return len(journal)


def saisir_bilan(
    bilan: BilanEntreprise,
    niveaux: dict,
    *,
    par=None,
    par_lien: LienTuteur | None = None,
    appreciation: str | None = None,
    tuteur_nom: str | None = None,
) -> int:
    """Enter the bilan entreprise: `niveaux` {critere_id: "NE" | "1".."4" | "" (clear)} — only
    the cells to change —, and optionally the appréciation (≤ 5000) and the tutor's name.

    Who: `par` a teacher of the establishment or the tutor assigned (account), or `par_lien` a
    valid tutor link of this affectation. Only while the bilan is EN_COURS and its évaluation is
    not locked. Everything is validated before any write; one transaction. Teachers write
    through evaluations.services_grille (becoming evaluating teachers of the évaluation);
    tutors through the same upsert + "resultat.modifier" audit entries. Appréciation / name
    changes: audit "bilan_entreprise.modifier". Returns the number of changes.
    """
    redacteur = _redacteur(bilan, par, par_lien)
    affectation = bilan.affectation
    _exiger_non_archivee(affectation)
    evaluation = bilan.evaluation
    propres = _niveaux_valides(evaluation, niveaux)
    appreciation = None if appreciation is None else _texte(appreciation, "Appréciation")
    tuteur_nom = None if tuteur_nom is None else _texte(tuteur_nom, "Tuteur", TUTEUR_NOM_MAX)
    with transaction.atomic():
        bilan = (
            BilanEntreprise.objects.select_for_update()
            .select_related("evaluation")
            .get(pk=bilan.pk)
        )
        evaluation = bilan.evaluation
        if bilan.statut != BilanEntreprise.Statut.EN_COURS:
            raise ValidationError(MESSAGE_BILAN_VALIDE, code="valide")
        exiger_modifiable(evaluation)
        n = 0
        if propres:
            if redacteur.enseignant:
                # The grid lets the évaluation's teachers write: a colleague who co-evaluates
                # the bilan becomes one of them (it is also who the dashboards show).
                evaluation.enseignants.add(redacteur.user)
                n += enregistrer_grille(
                    evaluation,
                    [
                        Changement(affectation.apprenant_id, critere_id, niveau)
                        for critere_id, niveau in propres.items()
                    ],
                    par=redacteur.user,
                )
            else:
                n += _ecrire_par_tuteur(bilan, propres, redacteur)
        avant, apres = {}, {}
        if appreciation is not None and appreciation != bilan.appreciation:
            avant["appreciation"], apres["appreciation"] = bilan.appreciation, appreciation
            bilan.appreciation = appreciation
        if tuteur_nom is not None and tuteur_nom != bilan.tuteur_nom:
            avant["tuteur_nom"], apres["tuteur_nom"] = bilan.tuteur_nom, tuteur_nom
            bilan.tuteur_nom = tuteur_nom
        if apres:
            bilan.save(update_fields=list(apres))
            if redacteur.lien is not None:
                apres["lien_tuteur"] = redacteur.lien.pk
            journaliser(
                "bilan_entreprise.modifier",
                par=redacteur.user,
                etablissement=affectation.periode.etablissement,
                objet=bilan,
                avant=avant,
                apres=apres,
            )
            n += 1
    return n


def valider_bilan_entreprise(bilan: BilanEntreprise, *, par) -> BilanEntreprise:
    """A teacher validates the bilan entreprise: statut VALIDE (read-only for the tutor), its
    évaluation E appears on the learner's dashboard (`afficher_tableau_de_bord`). Requires at
    least one criterion positioned at a level 1..4. The learner's stored suggestion aggregates
    are recomputed (evaluations.agregats). Audit "bilan_entreprise.valider"."""
    affectation = bilan.affectation
    _exiger_enseignant(affectation, par)
    _exiger_non_archivee(affectation)
    with transaction.atomic():
        bilan = (
            BilanEntreprise.objects.select_for_update()
            .select_related("evaluation")
            .get(pk=bilan.pk)
        )
        if bilan.statut == BilanEntreprise.Statut.VALIDE:
            raise ValidationError("Ce bilan entreprise est déjà validé.", code="valide")
        evaluation = bilan.evaluation
        exiger_modifiable(evaluation)
        positionnes = (
            Resultat.objects.filter(evaluation=evaluation).exclude(niveau=Maitrise.NE).exists()
        )
        if not positionnes:
            raise ValidationError(
                "Positionnez au moins un critère (niveau 1 à 4) avant de valider le bilan "
                "entreprise.",
                code="vide",
            )
        bilan.statut = BilanEntreprise.Statut.VALIDE
        bilan.valide_le = timezone.now()
        bilan.valide_par = par
        bilan.save(update_fields=["statut", "valide_le", "valide_par"])
        evaluation.afficher_tableau_de_bord = True
        evaluation.save(update_fields=["afficher_tableau_de_bord", "modifie_le"])
        # Its résultats become observations of the suggestion.
        agregats.recalculer([affectation.apprenant_id])
        journaliser(
            "bilan_entreprise.valider",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=bilan,
            avant={"statut": BilanEntreprise.Statut.EN_COURS},
            apres={"statut": bilan.statut, "evaluation": evaluation.pk},
        )
    return bilan


def rouvrir_bilan_entreprise(bilan: BilanEntreprise, *, par) -> BilanEntreprise:
    """A teacher reopens a validated bilan entreprise: EN_COURS again (the tutor may enter),
    hidden from the dashboard until validated again. Refused when its évaluation is locked by
    a validated bilan intermédiaire. The learner's stored suggestion aggregates are
    recomputed. Audit "bilan_entreprise.rouvrir"."""
    affectation = bilan.affectation
    _exiger_enseignant(affectation, par)
    with transaction.atomic():
        bilan = (
            BilanEntreprise.objects.select_for_update()
            .select_related("evaluation")
            .get(pk=bilan.pk)
        )
        if bilan.statut != BilanEntreprise.Statut.VALIDE:
            raise ValidationError("Ce bilan entreprise est déjà en cours.", code="en_cours")
        evaluation = bilan.evaluation
        exiger_modifiable(evaluation)
        avant = {
            "statut": bilan.statut,
            "valide_le": bilan.valide_le.isoformat() if bilan.valide_le else None,
            "valide_par": bilan.valide_par_id,
        }
        bilan.statut = BilanEntreprise.Statut.EN_COURS
        bilan.valide_le = None
        bilan.valide_par = None
        bilan.save(update_fields=["statut", "valide_le", "valide_par"])
        evaluation.afficher_tableau_de_bord = False
        evaluation.save(update_fields=["afficher_tableau_de_bord", "modifie_le"])
        agregats.recalculer([affectation.apprenant_id])
        journaliser(
            "bilan_entreprise.rouvrir",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=bilan,
            avant=avant,
            apres={"statut": bilan.statut},
        )
    return bilan


# --- demo -----------------------------------------------------------------------------------


def demo_bilan(
    affectation: Affectation,
    niveaux: dict,
    *,
    par,
    valider: bool = True,
    appreciation: str = "",
    tuteur_nom: str = "",
) -> BilanEntreprise:
    """For the demo data: open the bilan entreprise of `affectation`, enter `niveaux`
    {critere_code: level} (codes of the période's criteria; unknown ones → ValidationError)
    as the teacher `par`, then validate it unless `valider` is False."""
    bilan = ouvrir_bilan_entreprise(affectation, par=par)
    par_code = dict(bilan.evaluation.criteres.values_list("code", "pk"))
    inconnus = set(niveaux) - set(par_code)
    if inconnus:
        raise ValidationError(
            "Critères absents du bilan entreprise : " + ", ".join(sorted(inconnus)),
            code="critere",
        )
    saisir_bilan(
        bilan,
        {par_code[code]: niveau for code, niveau in niveaux.items()},
        par=par,
        appreciation=appreciation or None,
        tuteur_nom=tuteur_nom or None,
    )
    if valider:
        bilan = valider_bilan_entreprise(bilan, par=par)
    return bilan
