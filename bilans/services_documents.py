"""Write side of the bilan documents: competences validated for an attestation, attestations
(creation, signature) and the PRONOTE pull tokens.

Every function validates before writing, runs in one transaction and records an audit entry.
Refusals are `ValidationError` (or a typed subclass, e.g. `BilanNonValide`) with a French
message the view shows as is and a `code` callers may branch on.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bilans.models import Attestation, BilanIntermediaire, JetonPronote, Positionnement
from cpro.audit import journaliser

PREFIXE_LONGUEUR = 8


class BilanNonValide(ValidationError):
    """An attestation is an official document: only a validated bilan may produce one."""

    def __init__(self, bilan: BilanIntermediaire):
        super().__init__(
            _(
                "Le bilan du %(date)s est encore un brouillon : validez-le avant de générer "
                "une attestation de compétences."
            )
            % {"date": f"{bilan.date:%d/%m/%Y}"},
            code="bilan_non_valide",
        )


def valider_competences(bilan: BilanIntermediaire, competence_ids, *, par) -> list[str]:
    """Set "Compétence validée" on the bilan's positionnements: checked for `competence_ids`,
    unchecked for the others. Allowed on a validated bilan too (it does not change the
    positioning). An application convention (`Competence.convention`, MCV C1.0) cannot be
    validated: it is not a competence of the référentiel. Returns the codes of the validated
    competences.

    Writes: Positionnement.competence_validee (bilan's rows). Audit: "attestation.competences".
    """
    ids = {int(i) for i in competence_ids}
    with transaction.atomic():
        lignes = list(
            Positionnement.objects.select_for_update()
            # A transversal competence (référentiel of the establishment) is never attested.
            .filter(bilan=bilan, competence__diplome_id=bilan.diplome_id)
            .select_related("competence")
        )
        connues = {p.competence_id for p in lignes}
        inconnues = ids - connues
        if inconnues:
            raise ValidationError(
                _("Une compétence cochée ne fait pas partie de ce bilan : rechargez la page."),
                code="competence_inconnue",
            )
        conventions = sorted(
            p.competence.code for p in lignes if p.competence.convention and p.competence_id in ids
        )
        if conventions:
            raise ValidationError(
                _(
                    "%(codes)s est une convention de l'application, pas une compétence du "
                    "référentiel : elle ne peut pas être validée pour une attestation."
                )
                % {"codes": ", ".join(conventions)},
                code="convention",
            )
        avant = sorted(p.competence.code for p in lignes if p.competence_validee)
        a_changer = []
        for p in lignes:
            voulu = p.competence_id in ids
            if p.competence_validee != voulu:
                p.competence_validee = voulu
                a_changer.append(p)
        Positionnement.objects.bulk_update(a_changer, ["competence_validee"])
        apres = sorted(p.competence.code for p in lignes if p.competence_validee)
        if a_changer:
            journaliser(
                "attestation.competences",
                par=par,
                etablissement=bilan.etablissement,
                objet=bilan,
                avant={"competences_validees": avant},
                apres={"competences_validees": apres},
            )
    return apres


def generer_attestation(bilan: BilanIntermediaire, *, par) -> Attestation:
    """Create an attestation for the bilan's learner with the competences validated on the
    bilan (earlier attestations are kept: history).

    Refused (nothing written: no row, no audit entry, no PDF job) when the bilan is not
    validated (`BilanNonValide`, re-read under lock: a DDFPT may have just unlocked it) or
    without any validated competence. Application conventions (`Competence.convention`) are
    never attested, even if a row was checked before the rule existed.

    Writes: one Attestation row + its competences. Audit: "attestation.creation".
    """
    with transaction.atomic():
        statut = (
            BilanIntermediaire.objects.select_for_update()
            .filter(pk=bilan.pk)
            .values_list("statut", flat=True)
            .first()
        )
        if statut != BilanIntermediaire.Statut.VALIDE:
            raise BilanNonValide(bilan)
        competences = list(
            Positionnement.objects.filter(
                bilan=bilan,
                competence_validee=True,
                competence__convention=False,
                competence__diplome_id=bilan.diplome_id,
            )
            .order_by("competence__code")
            .values_list("competence_id", "competence__code")
        )
        if not competences:
            raise ValidationError(
                _(
                    "Aucune compétence n'est validée pour cet apprenant : cochez « Compétence "
                    "validée » sur au moins une compétence avant de générer l'attestation."
                ),
                code="aucune_competence",
            )
        attestation = Attestation.objects.create(
            etablissement=bilan.etablissement,
            apprenant=bilan.apprenant,
            bilan=bilan,
            diplome=bilan.diplome,
            date=timezone.localdate(),
            creee_par=par,
        )
        attestation.competences.set([pk for pk, _ in competences])
        journaliser(
            "attestation.creation",
            par=par,
            etablissement=bilan.etablissement,
            objet=attestation,
            apres={"bilan": bilan.pk, "competences": [code for _, code in competences]},
        )
    return attestation


def signer_attestation(attestation: Attestation, *, par) -> Attestation:
    """The chef d'établissement records that they signed the attestation.

    Writes: signee_le, signee_par. Audit: "attestation.signature". Refused when already signed.
    """
    with transaction.atomic():
        attestation = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if attestation.signee_le is not None:
            raise ValidationError("Cette attestation est déjà signée.")
        attestation.signee_le = timezone.now()
        attestation.signee_par = par
        attestation.save(update_fields=["signee_le", "signee_par"])
        journaliser(
            "attestation.signature",
            par=par,
            etablissement=attestation.etablissement,
            objet=attestation,
            avant={"signee": False},
            apres={"signee": True},
        )
    return attestation


# ---------------------------------------------------------------------------------------------
# PRONOTE tokens


def hacher_jeton(jeton: str) -> str:
    return hashlib.sha256(jeton.encode("utf-8")).hexdigest()


def creer_jeton_pronote(etablissement, *, nom: str, par) -> tuple[JetonPronote, str]:
    """Create a pull token. Returns the row and the token in clear: it is shown once and never
    stored (only its sha256 and its first 8 characters).

    Writes: one JetonPronote row. Audit: "pronote.jeton_creation".
    """
    nom = " ".join((nom or "").split())
    if not nom:
        raise ValidationError("Donnez un nom au jeton (par exemple « PRONOTE 2025-2026 »).")
    if len(nom) > JetonPronote._meta.get_field("nom").max_length:
        raise ValidationError("Ce nom est trop long (120 caractères au plus).")
    clair = secrets.token_urlsafe(32)
    with transaction.atomic():
        jeton = JetonPronote.objects.create(
            etablissement=etablissement,
            nom=nom,
            jeton_hash=hacher_jeton(clair),
            prefixe=clair[:PREFIXE_LONGUEUR],
            cree_par=par,
        )
        journaliser(
            "pronote.jeton_creation",
            par=par,
            etablissement=etablissement,
            objet=jeton,
            apres={"nom": nom, "prefixe": jeton.prefixe},
        )
    return jeton, clair


def revoquer_jeton_pronote(jeton: JetonPronote, *, par) -> JetonPronote:
    """Revoke a token: PRONOTE's next call with it answers 401.

    Writes: revoque_le. Audit: "pronote.jeton_revocation". Refused when already revoked.
    """
    with transaction.atomic():
        jeton = JetonPronote.objects.select_for_update().get(pk=jeton.pk)
        if jeton.revoque_le is not None:
            raise ValidationError("Ce jeton est déjà révoqué.")
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
        journaliser(
            "pronote.jeton_revocation",
            par=par,
            etablissement=jeton.etablissement,
            objet=jeton,
            avant={"actif": True},
            apres={"actif": False},
        )
    return jeton


def authentifier_pronote(etablissement, jeton_clair: str) -> JetonPronote | None:
    """The active token of this establishment matching `jeton_clair`, or None. Records its use.

    Writes: utilise_le (one UPDATE).
    """
    from bilans.queries_documents import jeton_actif

    if not jeton_clair:
        return None
    jeton = jeton_actif(etablissement, hacher_jeton(jeton_clair))
    if jeton is None:
        return None
    jeton.utilise_le = timezone.now()
    JetonPronote.objects.filter(pk=jeton.pk).update(utilise_le=jeton.utilise_le)
    return jeton
