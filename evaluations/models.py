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
from referentiels.models import Critere
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

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="participants"
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

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="resultats")
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="resultats")
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
        indexes = [
            models.Index(fields=["apprenant", "critere"]),
            # Covering index of the learner-side reads (dashboards, vue classes): an index-only
            # scan of one learner's résultats, whatever the size of the establishment.
            models.Index(
                fields=["apprenant", "evaluation", "critere", "niveau"],
                name="resultat_apprenant_couvrant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.apprenant_id}/{self.critere_id} = {self.niveau}"


class RessourceEvaluation(RessourceBase):
    """A resource of the évaluation (copied from its scénario, then its own)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ressources")

    CHAMP_FICHE = "evaluation"
    DOSSIER = "evaluations"

    class Meta(RessourceBase.Meta):
        verbose_name = _("ressource d'évaluation")
