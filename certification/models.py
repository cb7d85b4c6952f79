"""Commission de certification: the national CCF grid of one épreuve (referentiels.GrilleCCF)
filled for one candidate and one session: a level 1..4 per criterion, the proposed note /20,
the commission's comment (≤ 300 characters), its members (≥ 2), then locked."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import Apprenant, Etablissement
from referentiels.models import Critere, GrilleCCF

COMMENTAIRE_MAX = 300
MEMBRES_MIN = 2


def pdf_fige_upload_to(gc: "GrilleCandidat", filename: str) -> str:
    """Private storage (no MEDIA_URL: served only by the export pipeline, tenant re-checked)."""
    return f"certification/{gc.etablissement_id}/{gc.pk}/{filename}"


class GrilleCandidat(models.Model):
    class Statut(models.TextChoices):
        EN_COURS = "EN_COURS", _("En cours")
        VERROUILLEE = "VERROUILLEE", _("Verrouillée")

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="grilles_ccf"
    )
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="grilles_ccf")
    grille = models.ForeignKey(GrilleCCF, on_delete=models.PROTECT, related_name="candidats")
    session = models.PositiveSmallIntegerField(_("session"))
    dates_situations = models.CharField(
        _("date(s) des situations d'évaluation"), max_length=255, blank=True
    )
    note_proposee = models.DecimalField(
        _("note proposée au jury"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    commentaire = models.TextField(_("commentaires de la commission"), blank=True)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_COURS)
    verrouillee_le = models.DateTimeField(null=True, blank=True)
    verrouillee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The PDF as printed when the grid was locked (certification.services.verrouiller_grille):
    # every later download serves these bytes, so a référentiel import never changes a signed
    # document. Emptied when the grid is unlocked.
    pdf_fige = models.FileField(
        _("PDF de la grille verrouillée"), upload_to=pdf_fige_upload_to, blank=True, max_length=300
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grille CCF d'un candidat")
        verbose_name_plural = _("grilles CCF des candidats")
        constraints = [
            models.UniqueConstraint(
                fields=["apprenant", "grille", "session"], name="grille_candidat_unique"
            )
        ]
        indexes = [models.Index(fields=["etablissement", "session", "grille"])]

    def __str__(self) -> str:
        return f"{self.grille.epreuve} {self.session} – {self.apprenant}"

    @property
    def est_verrouillee(self) -> bool:
        return self.statut == self.Statut.VERROUILLEE


class NiveauCritere(models.Model):
    """The level (1..4, the grid's four columns) chosen for one criterion."""

    grille_candidat = models.ForeignKey(
        GrilleCandidat, on_delete=models.CASCADE, related_name="niveaux"
    )
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="+")
    niveau = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        verbose_name = _("niveau d'un critère")
        constraints = [
            models.UniqueConstraint(
                fields=["grille_candidat", "critere"], name="niveau_critere_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.critere.code} = {self.niveau}"


class MembreCommission(models.Model):
    """A commission member: a teacher of the establishment, or typed in (nom, prénom)."""

    grille_candidat = models.ForeignKey(
        GrilleCandidat, on_delete=models.CASCADE, related_name="membres"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nom = models.CharField(_("nom"), max_length=150)
    prenom = models.CharField(_("prénom"), max_length=150)
    qualite = models.CharField(_("qualité"), max_length=120, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("membre de la commission")
        ordering = ["ordre", "pk"]

    def __str__(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"
