"""LSL Pro: the livret scolaire of a learner under statut scolaire for one school year.

The model is complete (spécialité competence levels, period notes, appreciation, PFMP synthesis,
chef-d'œuvre); the XML export goes through a versioned profile (lslpro.profils), so the official
LSL Pro schema can be plugged in later without touching it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bilans.models import BilanIntermediaire
from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant, Etablissement
from referentiels.models import CompetenceLSL, Diplome, Niveau

APPRECIATION_MAX = 300
PFMP_SYNTHESE_MAX = 1000
CHEF_OEUVRE_MAX = 300


class Periodicite(models.Model):
    """Trimestre or semestre, per diplôme and niveau, set by the chef / DDFPT for a year."""

    class Type(models.TextChoices):
        TRIMESTRE = "T", _("Trimestre")
        SEMESTRE = "S", _("Semestre")

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="periodicites"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    type = models.CharField(_("périodicité"), max_length=1, choices=Type.choices)

    class Meta:
        verbose_name = _("périodicité")
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "annee", "diplome", "niveau"],
                name="periodicite_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.diplome} {self.get_niveau_display()} : {self.get_type_display()}"

    @property
    def periodes(self) -> list[str]:
        return ["T1", "T2", "T3"] if self.type == self.Type.TRIMESTRE else ["S1", "S2"]


class Livret(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="livrets"
    )
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="livrets")
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    appreciation = models.TextField(_("appréciation générale"), blank=True)
    pfmp_active = models.BooleanField(_("PFMP"), default=False)
    pfmp_synthese = models.TextField(_("synthèse des PFMP"), blank=True)
    pfmp_enseignant = models.CharField(_("enseignant"), max_length=255, blank=True)
    pfmp_semaines = models.PositiveSmallIntegerField(_("nombre de semaines"), null=True, blank=True)
    pfmp_etranger = models.BooleanField(_("PFMP réalisée en partie à l'étranger"), default=False)
    chef_oeuvre_actif = models.BooleanField(_("réalisation d'un chef-d'œuvre"), default=False)
    chef_oeuvre_appreciation = models.TextField(_("appréciation du chef-d'œuvre"), blank=True)
    chef_oeuvre_note = models.DecimalField(
        _("note annuelle du chef-d'œuvre"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    modifie_le = models.DateTimeField(auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("livret scolaire")
        constraints = [models.UniqueConstraint(fields=["apprenant", "annee"], name="livret_unique")]

    def __str__(self) -> str:
        return f"Livret {self.annee} – {self.apprenant}"


class NiveauLivret(models.Model):
    """The year's level of one LSL competence (the highlighted last column) — the only one
    that goes to the livret."""

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="niveaux")
    competence = models.ForeignKey(CompetenceLSL, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=2, choices=Maitrise.choices)

    class Meta:
        verbose_name = _("niveau du livret")
        constraints = [
            models.UniqueConstraint(fields=["livret", "competence"], name="niveau_livret_unique")
        ]

    def __str__(self) -> str:
        return f"{self.competence.code} = {self.niveau}"


class NoteLivret(models.Model):
    """The note of a bilan of the year associated with a period (T1/T2/T3 or S1/S2): one
    period per bilan, periods in the chronology of the bilans."""

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="notes")
    bilan = models.ForeignKey(BilanIntermediaire, on_delete=models.CASCADE, related_name="+")
    periode = models.CharField(_("période"), max_length=2)

    class Meta:
        verbose_name = _("note du livret")
        constraints = [
            models.UniqueConstraint(fields=["livret", "periode"], name="note_periode_unique"),
            models.UniqueConstraint(fields=["livret", "bilan"], name="note_bilan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.periode} ← bilan {self.bilan_id}"


class EnseignantLivret(models.Model):
    """Teachers attached to the appreciation (at least one) or to the chef-d'œuvre."""

    class Role(models.TextChoices):
        APPRECIATION = "APPRECIATION", _("Appréciation générale")
        CHEF_OEUVRE = "CHEF_OEUVRE", _("Chef-d'œuvre")

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="enseignants")
    role = models.CharField(max_length=12, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nom = models.CharField(_("nom"), max_length=150)
    prenom = models.CharField(_("prénom"), max_length=150)

    class Meta:
        verbose_name = _("enseignant du livret")

    def __str__(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"


class ExportLSL(models.Model):
    """One LSL export (logged with its hash); `empreintes` = per learner hash of their data,
    to show what changed since the last export."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="exports_lsl"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    profil = models.CharField(_("profil"), max_length=20, default="lsl-1.0")
    divisions = models.JSONField(default=list)
    empreintes = models.JSONField(default=dict)
    hash = models.CharField(max_length=64)
    nb_apprenants = models.PositiveIntegerField(default=0)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export LSL")
        verbose_name_plural = _("exports LSL")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"Export LSL {self.annee} du {self.cree_le:%d/%m/%Y}"


class CodeMatiereLSL(models.Model):
    """The code matière (BCN nomenclature, 6 digits) of the spécialité of a diplôme, for one
    establishment: what the LSL file writes in ``evaluation@code-matiere``. Set by the DDFPT in
    LSL Pro › Paramètres LSL with its provenance (source text, who, when); never a placeholder
    (lslpro.nomenclature)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="codes_matiere_lsl"
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code matière de la spécialité"), max_length=6)
    source = models.CharField(_("source"), max_length=255)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("code matière LSL")
        verbose_name_plural = _("codes matière LSL")
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "diplome"], name="code_matiere_lsl_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.diplome} : {self.code}"
