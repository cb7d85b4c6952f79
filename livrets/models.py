"""Livrets d'apprentissage: the link between the lycée (UFA) and the company for each
apprentice, one livret per apprentice and school year.

No double entry: the périodes, fiches activités, journal de bord weeks and bilans entreprise
are read from pfmp by query. A livret stores only what is its own: the observations of the
maître d'apprentissage and of the teacher for each période, the visits (date, kind, compte
rendu, who), and both sides' « pris connaissance » for each période.

Sources checked (README « Livrets des apprentis »): Code du travail art. L. 6231-2, 3° (since the
2018 « Avenir professionnel » law, n° 2018-771: the CFA organises the cooperation between its
trainers and the maîtres d'apprentissage), art. L. 6233-1 (UFA: a lycée teaching apprentices
under a convention with a CFA), Qualiopi national quality framework (apprenticeship-specific
indicators 14, 15, 20, 29; tripartite follow-up checked by auditors). The pre-2018 regulatory
article describing the livret (R. 6233-…) could not be verified: no official form is claimed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import AnneeScolaire, Apprenant, Etablissement
from pfmp.models import Affectation, LienTuteur


class Livret(models.Model):
    """The livret of one apprentice for one school year (created on its first write)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="livrets_apprentissage"
    )
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="livrets_apprentissage"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("livret d'apprentissage")
        verbose_name_plural = _("livrets d'apprentissage")
        constraints = [
            models.UniqueConstraint(
                fields=["apprenant", "annee"], name="livret_apprentissage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Livret {self.apprenant} {self.annee}"


class Auteur(models.TextChoices):
    MAITRE = "MAITRE", _("Maître d'apprentissage")
    ENSEIGNANT = "ENSEIGNANT", _("Professeur")


class Observation(models.Model):
    """One side's observation on one période (one per side and période, rewritten in place,
    every change audited)."""

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="observations")
    affectation = models.ForeignKey(Affectation, on_delete=models.CASCADE, related_name="+")
    auteur = models.CharField(_("auteur"), max_length=10, choices=Auteur.choices)
    texte = models.TextField(_("observation"))
    redigee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The maître d'apprentissage without an account writes through his signed link.
    lien = models.ForeignKey(
        LienTuteur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifiee_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("observation du livret")
        ordering = ["affectation_id", "auteur"]
        constraints = [
            models.UniqueConstraint(
                fields=["livret", "affectation", "auteur"], name="livret_observation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_auteur_display()} – {self.affectation_id}"


class Visite(models.Model):
    """A follow-up contact of the teacher with the apprentice and the company."""

    class Nature(models.TextChoices):
        VISITE = "VISITE", _("Visite en entreprise")
        ENTRETIEN = "ENTRETIEN", _("Entretien")
        APPEL = "APPEL", _("Appel téléphonique")

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="visites")
    affectation = models.ForeignKey(
        Affectation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(_("date"))
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices)
    compte_rendu = models.TextField(_("compte rendu"))
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visite")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"


class PriseConnaissance(models.Model):
    """« Pris connaissance » of one side (maître d'apprentissage or apprentice) for one
    période, with its date."""

    class Qui(models.TextChoices):
        MAITRE = "MAITRE", _("Maître d'apprentissage")
        APPRENTI = "APPRENTI", _("Apprenti")

    livret = models.ForeignKey(Livret, on_delete=models.CASCADE, related_name="prises_connaissance")
    affectation = models.ForeignKey(Affectation, on_delete=models.CASCADE, related_name="+")
    qui = models.CharField(max_length=10, choices=Qui.choices)
    le = models.DateTimeField(_("le"))
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lien = models.ForeignKey(
        LienTuteur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("prise de connaissance")
        verbose_name_plural = _("prises de connaissance")
        constraints = [
            models.UniqueConstraint(
                fields=["livret", "affectation", "qui"], name="livret_prise_connaissance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_qui_display()} – {self.le:%d/%m/%Y}"
