"""Livrets d'apprentissage: every write, with its rule (views only call these functions).

Who does what (checked here, whatever the view):
- a TEACHER of the establishment (SUIVRE_LIVRETS: enseignant, DDFPT) writes the teacher's
  observation of a période, records visits (visite en entreprise, entretien, appel), creates
  the maître d'apprentissage's signed link, exports the livret (any team member may export);
- the MAÎTRE D'APPRENTISSAGE (the TUTEUR membership assigned on the affectation, or a valid
  pfmp LienTuteur of that affectation) writes his observation of the période and acknowledges
  it (« pris connaissance »);
- the APPRENTICE acknowledges each période of his own livret.

The livret row (one per apprentice and school year) is created by the first write. Only
apprentices (Apprenant.statut APPRENTI) have a livret. Every write is one transaction with an
audit entry ("livret.*").
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit
from cpro.models import AnneeScolaire, Apprenant, Statut
from livrets.models import Auteur, Livret, Observation, PriseConnaissance, Visite
from pfmp.models import Affectation, LienTuteur
from pfmp.services_portfolio import creer_lien_tuteur, lien_valide

TEXTE_MAX = 5000
MESSAGE_SCOLAIRE = "Le livret d'apprentissage est réservé aux apprentis."
MESSAGE_ARCHIVEE = "Cet apprenti a été retiré de la période : le livret de cette période est clos."
MESSAGE_LIEN = "Ce lien d'accès n'est plus valable. Demandez un nouveau lien au professeur."


def _texte(valeur, libelle: str, *, requis: bool = True) -> str:
    texte = (valeur or "").strip()
    if requis and not texte:
        raise ValidationError(f"Écrivez {libelle}.", code="requis")
    if len(texte) > TEXTE_MAX:
        raise ValidationError(
            f"« {libelle} » dépasse {TEXTE_MAX} caractères ({len(texte)}).", code="longueur"
        )
    return texte


def _exiger_apprenti(apprenant: Apprenant) -> None:
    if apprenant.statut != Statut.APPRENTI:
        raise ValidationError(MESSAGE_SCOLAIRE, code="scolaire")


def _exiger_active(affectation: Affectation) -> None:
    if affectation.archivee:
        raise ValidationError(MESSAGE_ARCHIVEE, code="archivee")


def _membership(par, etablissement_id):
    return perms.membership_de(par, etablissement_id)


def _livret(apprenant: Apprenant, annee: AnneeScolaire) -> Livret:
    livret, _cree = Livret.objects.get_or_create(
        apprenant=apprenant, annee=annee, defaults={"etablissement_id": apprenant.etablissement_id}
    )
    return livret


def _exiger_enseignant(affectation: Affectation, par):
    membership = _membership(par, affectation.periode.etablissement_id)
    if not perms.peut(membership, perms.SUIVRE_LIVRETS, affectation):
        raise Interdit("Réservé aux professeurs de l'établissement.")
    return membership


def _maitre(affectation: Affectation, par, lien: LienTuteur | None) -> None:
    """The maître d'apprentissage of this affectation: by account or by its signed link."""
    if lien is not None:
        if lien.affectation_id != affectation.pk or not lien_valide(lien):
            raise ValidationError(MESSAGE_LIEN, code="lien")
        return
    membership = _membership(par, affectation.periode.etablissement_id)
    if not perms.peut(membership, perms.LIVRETS_TUTEUR, affectation):
        raise Interdit("Réservé au maître d'apprentissage de cette période.")


# --- observations -----------------------------------------------------------------------------


def observer(
    affectation: Affectation,
    *,
    auteur: str,
    texte: str,
    par=None,
    lien: LienTuteur | None = None,
) -> Observation:
    """Write (or rewrite) one side's observation of a période of the apprentice's livret.

    `auteur` ENSEIGNANT: `par` a teacher of the establishment (SUIVRE_LIVRETS); MAITRE: the
    maître d'apprentissage (`par` his account, or `lien` his signed link). Validates the text
    (required, at most 5000 characters), creates the livret when needed. Audit
    "livret.observation" with the text before and after."""
    if auteur not in Auteur.values:
        raise ValidationError("Auteur d'observation inconnu.", code="auteur")
    _exiger_apprenti(affectation.apprenant)
    _exiger_active(affectation)
    if auteur == Auteur.ENSEIGNANT:
        _exiger_enseignant(affectation, par)
    else:
        _maitre(affectation, par, lien)
    texte = _texte(texte, "l'observation")
    with transaction.atomic():
        livret = _livret(affectation.apprenant, affectation.periode.annee)
        observation = (
            Observation.objects.select_for_update()
            .filter(livret=livret, affectation=affectation, auteur=auteur)
            .first()
        )
        avant = {"texte": observation.texte} if observation else None
        if observation is None:
            observation = Observation(livret=livret, affectation=affectation, auteur=auteur)
        observation.texte = texte
        observation.redigee_par = par if lien is None else None
        observation.lien = lien
        observation.save()
        apres = {"auteur": auteur, "periode": affectation.periode.titre, "texte": texte}
        if lien is not None:
            apres["lien_tuteur"] = lien.pk
        journaliser(
            "livret.observation",
            par=par if lien is None else None,
            etablissement=affectation.periode.etablissement,
            objet=observation,
            avant=avant,
            apres=apres,
        )
    return observation


# --- visits -----------------------------------------------------------------------------------


def ajouter_visite(
    affectation: Affectation,
    *,
    par,
    date: datetime.date,
    nature: str,
    compte_rendu: str,
) -> Visite:
    """A teacher records a visit (en entreprise), an entretien or a phone call for a période.

    The date lies in the période's school year and not in the future; the compte rendu is
    required (at most 5000 characters). Audit "livret.visite"."""
    _exiger_apprenti(affectation.apprenant)
    _exiger_active(affectation)
    _exiger_enseignant(affectation, par)
    if nature not in Visite.Nature.values:
        raise ValidationError({"nature": "Choisissez la nature du suivi."}, code="nature")
    annee = affectation.periode.annee
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": "Indiquez la date."}, code="date")
    if date > timezone.localdate():
        raise ValidationError(
            {"date": "La date ne peut pas être dans le futur : notez le suivi une fois fait."},
            code="futur",
        )
    if not annee.date_debut <= date <= annee.date_fin:
        raise ValidationError(
            {
                "date": f"La date doit appartenir à l'année scolaire {annee.libelle} "
                f"(du {annee.date_debut:%d/%m/%Y} au {annee.date_fin:%d/%m/%Y})."
            },
            code="annee",
        )
    compte_rendu = _texte(compte_rendu, "le compte rendu")
    with transaction.atomic():
        livret = _livret(affectation.apprenant, annee)
        visite = Visite.objects.create(
            livret=livret,
            affectation=affectation,
            date=date,
            nature=nature,
            compte_rendu=compte_rendu,
            par=par,
        )
        journaliser(
            "livret.visite",
            par=par,
            etablissement=affectation.periode.etablissement,
            objet=visite,
            apres={
                "periode": affectation.periode.titre,
                "date": date.isoformat(),
                "nature": nature,
                "compte_rendu": compte_rendu,
            },
        )
    return visite


# --- acknowledgements -----------------------------------------------------------------------


def prendre_connaissance(
    affectation: Affectation, *, qui: str, par=None, lien: LienTuteur | None = None
) -> PriseConnaissance:
    """The maître d'apprentissage (account or link) or the apprentice acknowledges the
    livret of a période (« pris connaissance le … »). Something must be there to read: at least
    one observation of the période. Idempotent: a second acknowledgement keeps the first date.
    Audit "livret.pris_connaissance"."""
    _exiger_apprenti(affectation.apprenant)
    _exiger_active(affectation)
    if qui == PriseConnaissance.Qui.MAITRE:
        _maitre(affectation, par, lien)
    elif qui == PriseConnaissance.Qui.APPRENTI:
        membership = _membership(par, affectation.periode.etablissement_id)
        if not perms.peut(membership, perms.MON_LIVRET, affectation.apprenant):
            raise Interdit("Seul l'apprenti prend connaissance de son livret.")
    else:
        raise ValidationError("Signataire inconnu.", code="qui")
    with transaction.atomic():
        livret = _livret(affectation.apprenant, affectation.periode.annee)
        if not Observation.objects.filter(livret=livret, affectation=affectation).exists():
            raise ValidationError(
                "Aucune observation n'a encore été écrite pour cette période : rien à signer.",
                code="vide",
            )
        prise, cree = PriseConnaissance.objects.get_or_create(
            livret=livret,
            affectation=affectation,
            qui=qui,
            defaults={"le": timezone.now(), "par": par if lien is None else None, "lien": lien},
        )
        if cree:
            apres = {"qui": qui, "periode": affectation.periode.titre, "le": prise.le.isoformat()}
            if lien is not None:
                apres["lien_tuteur"] = lien.pk
            journaliser(
                "livret.pris_connaissance",
                par=par if lien is None else None,
                etablissement=affectation.periode.etablissement,
                objet=prise,
                apres=apres,
            )
    return prise


# --- the maître d'apprentissage's signed link -------------------------------------------------


def creer_lien_maitre(
    affectation: Affectation, *, par, email: str = "", duree_jours: int = 60, base_url: str = ""
) -> str:
    """A teacher gives the maître d'apprentissage without an account a signed link to this
    période of the livret. It is pfmp's LienTuteur (same token, same checks, same revocation,
    audit "lien_tuteur.creer"), opened through the livret's entry view. Returns the URL."""
    _exiger_apprenti(affectation.apprenant)
    _exiger_enseignant(affectation, par)
    return creer_lien_tuteur(
        affectation,
        par=par,
        email=email,
        duree_jours=duree_jours,
        base_url=base_url,
        vue="livrets:acces_tuteur",
    )


# --- PDF ------------------------------------------------------------------------------------

KIND_EQUIPE = "livret_apprentissage_pdf"
KIND_APPRENTI = "livret_apprentissage_pdf_apprenti"


def demander_pdf(apprenant: Apprenant, annee: AnneeScolaire, *, par, equipe: bool):
    """Queue the livret's PDF through the export pipeline (kind livret_apprentissage_pdf for
    the team, livret_apprentissage_pdf_apprenti for the apprentice's own). Writes: one
    ExportJob (task queued on commit, cpro.services.lancer_export)."""
    from cpro.services import lancer_export

    _exiger_apprenti(apprenant)
    membership = _membership(par, apprenant.etablissement_id)
    if equipe:
        if not perms.peut(membership, perms.VOIR_LIVRETS, apprenant):
            raise Interdit("Réservé à l'équipe pédagogique.")
    elif not perms.peut(membership, perms.MON_LIVRET, apprenant):
        raise Interdit("Vous ne pouvez exporter que votre propre livret.")
    return lancer_export(
        etablissement=apprenant.etablissement,
        par=par,
        kind=KIND_EQUIPE if equipe else KIND_APPRENTI,
        params={"apprenant": apprenant.pk, "annee": annee.debut},
    )
