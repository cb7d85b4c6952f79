"""Bilans intermédiaires de compétences, attestations, and the PRONOTE pull tokens.

A bilan positions a learner per competence on the one scale (cpro.maitrise), pre-filled from
the explainable suggestion (bilans.suggestion). Validating it locks the évaluations it took into
account (evaluations.services.verrouiller_evaluations); the DDFPT can unlock it (logged).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant, Etablissement
from evaluations.models import Evaluation
from referentiels.models import Competence, Diplome

TEXTE_MAX = 3000


class BilanIntermediaire(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "BROUILLON", _("Brouillon")
        VALIDE = "VALIDE", _("Validé")

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="bilans"
    )
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="bilans")
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    constats = models.TextField(_("constats"), blank=True)
    conseils = models.TextField(_("conseils"), blank=True)
    note = models.DecimalField(
        _("note /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.BROUILLON)
    valide_le = models.DateTimeField(null=True, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluations = models.ManyToManyField(
        Evaluation,
        related_name="bilans",
        blank=True,
        verbose_name=_("évaluations prises en compte"),
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bilan intermédiaire")
        verbose_name_plural = _("bilans intermédiaires")
        ordering = ["apprenant", "date", "pk"]
        indexes = [
            models.Index(fields=["etablissement", "statut", "valide_le"]),
            models.Index(fields=["apprenant", "date"]),
        ]
        constraints = [
            # One bilan per learner and date (services_bilans says which one exists).
            models.UniqueConstraint(
                fields=["apprenant", "date"], name="bilan_unique_apprenant_date"
            )
        ]

    def __str__(self) -> str:
        return f"Bilan du {self.date:%d/%m/%Y} – {self.apprenant}"

    @property
    def est_valide(self) -> bool:
        return self.statut == self.Statut.VALIDE


class Positionnement(models.Model):
    """The bilan's level for one competence (and whether it is validated for an attestation)."""

    bilan = models.ForeignKey(
        BilanIntermediaire, on_delete=models.CASCADE, related_name="positionnements"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=2, choices=Maitrise.choices)
    suggestion = models.CharField(
        _("niveau suggéré"), max_length=2, choices=Maitrise.choices, blank=True
    )
    competence_validee = models.BooleanField(_("compétence validée"), default=False)

    class Meta:
        verbose_name = _("positionnement")
        constraints = [
            models.UniqueConstraint(fields=["bilan", "competence"], name="positionnement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.competence.code} = {self.niveau}"


class Attestation(models.Model):
    """Attestation de compétences acquises — « un passeport pour l'emploi ». History is kept."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="attestations"
    )
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="attestations")
    bilan = models.ForeignKey(
        BilanIntermediaire,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attestations",
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    competences = models.ManyToManyField(Competence, related_name="+")
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    creee_le = models.DateTimeField(auto_now_add=True)
    signee_le = models.DateTimeField(null=True, blank=True)
    signee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attestation de compétences")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"Attestation du {self.date:%d/%m/%Y} – {self.apprenant}"


class JetonPronote(models.Model):
    """A per-establishment, revocable token for PRONOTE's pull API. Only its hash is stored."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="jetons_pronote"
    )
    nom = models.CharField(_("nom"), max_length=120)
    jeton_hash = models.CharField(max_length=64, unique=True)
    prefixe = models.CharField(max_length=8)  # shown to the DDFPT to recognise a token
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    revoque_le = models.DateTimeField(null=True, blank=True)
    utilise_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton PRONOTE")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"
