"""Évaluations: made from a scénario (a copy of what it takes), for chosen learners, evaluated
per criterion on the one scale of mastery (cpro.maitrise: NE, 1..4).

An évaluation taken into account in a validated bilan intermédiaire is locked (`verrouillee`):
services refuse every write; the DDFPT unlocks it by unlocking that bilan.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant
from referentiels.models import Competence, Critere
from scenarios.models import TITRE_MAX as TITRE_MAX
from scenarios.models import FicheBase, RessourceBase, Scenario
from scenarios.models import ressource_upload_to as ressource_upload_to  # 0001_initial


class Nature(models.TextChoices):
    """Complexity code shown in every dashboard cell."""

    INTERMEDIAIRE = "INT", _("Intermédiaire")
    COMPLEXE = "C", _("Complexe")
    ENTREPRISE = "E", _("Entreprise")

    @property
    def code(self) -> str:
        return {"INT": "Int", "C": "C", "E": "E"}[self.value]


class Evaluation(FicheBase):
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="evaluations")
    # The scénario it was made from; deleting or editing the scénario never changes it.
    scenario = models.ForeignKey(
        Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations"
    )
    date = models.DateField(_("date"))
    nature = models.CharField(
        _("niveau de complexité"),
        max_length=3,
        choices=Nature.choices,
        default=Nature.INTERMEDIAIRE,
    )
    secteurs = models.TextField(_("secteur(s) d'activité"), blank=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    enseignants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="evaluations_enseignees",
        blank=True,
        verbose_name=_("enseignants évaluateurs"),
    )
    apprenants = models.ManyToManyField(
        Apprenant, through="Participant", related_name="evaluations", blank=True
    )
    afficher_tableau_de_bord = models.BooleanField(
        _("affichage des résultats dans le tableau de bord"), default=True
    )
    verrouillee = models.BooleanField(_("verrouillée (bilan validé)"), default=False)

    UN = "Une évaluation"
    DU = "de l'évaluation"

    class Meta:
        verbose_name = _("évaluation")
        ordering = ["-date", "titre"]
        indexes = [
            models.Index(fields=["etablissement", "diplome", "annee", "niveau"]),
            models.Index(fields=["etablissement", "date"]),
        ]

    @property
    def code_nature(self) -> str:
        return Nature(self.nature).code


class Participant(models.Model):
    """A learner assessed by an évaluation, with the teacher's comment for them."""

    # No index of its own: the unique (evaluation, apprenant) index starts with it.
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="participations"
    )
    commentaire = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("apprenant évalué")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "apprenant"], name="participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.apprenant} – {self.evaluation}"


class Resultat(models.Model):
    """One cell of the positioning grid. No row = not entered yet; NE = entered "non évalué"."""

    # Neither key has an index of its own: each one starts a composite index below (the
    # unique one for `evaluation`, both learner-side ones for `apprenant`). `critere` keeps its
    # index (the PROTECT check when a criterion is deleted looks résultats up by criterion).
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="resultats", db_index=False
    )
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="resultats", db_index=False
    )
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="resultats")
    niveau = models.CharField(_("niveau"), max_length=2, choices=Maitrise.choices)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("résultat")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "apprenant", "critere"], name="resultat_unique"
            )
        ]
        # (apprenant, critere) was dropped (migration 0006): never scanned under `make charge`
        # (pg_stat_user_indexes, 02/12/2026), the covering index below serves learner-side reads.
        indexes = [
            # Covering index of the learner-side reads (dashboards, vue classes): an index-only
            # scan of one learner's résultats, whatever the size of the establishment.
            models.Index(
                fields=["apprenant", "evaluation", "critere", "niveau"],
                name="resultat_apprenant_couvrant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.apprenant_id}/{self.critere_id} = {self.niveau}"


class AgregatSuggestion(models.Model):
    """Stored, exact sums behind the suggested level (bilans.suggestion) of one learner on one
    competence, per level "1".."4" (evaluations.agregats keeps them up to date on every write).

    The weight of an observation at the reference date `ref` is
    n × 0.5^((ref − date)/120) = 0.5^((ref − EPOQUE)/120) × n × 2^((date − EPOQUE)/120):
    the second factor does not depend on `ref`, so `somme` = Σ n × 2^((date − EPOQUE)/120) over
    the observations of that level is stored and only ever added to or subtracted from.
    `nombre` counts them (0 → no observation, whatever float residue `somme` keeps);
    `date_max` is an upper bound of their latest date (exact after a recompute): the stored sums
    give the suggestion only at a reference date ≥ every `date_max` of the competence.
    """

    # No index of its own: `agregat_suggestion_unique` starts with it (migration 0006).
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=1)
    somme = models.FloatField(_("somme des poids bruts"), default=0.0)
    nombre = models.IntegerField(_("nombre d'observations"), default=0)
    date_max = models.DateField(_("date de la dernière observation (borne)"))

    class Meta:
        verbose_name = _("agrégat de suggestion")
        constraints = [
            models.UniqueConstraint(
                fields=["apprenant", "competence", "niveau"], name="agregat_suggestion_unique"
            )
        ]

    def __str__(self) -> str:
        cle = f"{self.apprenant_id}/{self.competence_id}/{self.niveau}"
        return f"{cle} = {self.somme} ({self.nombre})"


class RessourceEvaluation(RessourceBase):
    """A resource of the évaluation (copied from its scénario, then its own)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ressources")

    CHAMP_FICHE = "evaluation"
    DOSSIER = "evaluations"

    class Meta(RessourceBase.Meta):
        verbose_name = _("ressource d'évaluation")
