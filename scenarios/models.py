"""Scénarios pédagogiques: shared by default with the establishment's teaching team, attached
to a diplôme and a niveau, linked to the référentiel (tasks and evaluation criteria)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import Etablissement
from referentiels.models import Critere, Diplome, Niveau, Tache

TITRE_MAX = 255


class Dossier(models.Model):
    """A folder of scénarios, per establishment, diplôme and niveau (shared by the team)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="dossiers_scenarios"
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    nom = models.CharField(_("nom"), max_length=120)
    ordre = models.PositiveIntegerField(null=True, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier de scénarios")
        ordering = [models.F("ordre").asc(nulls_last=True), "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "diplome", "niveau", "nom"], name="dossier_nom_unique"
            )
        ]

    def __str__(self) -> str:
        return self.nom


class Scenario(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="scenarios"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="scenarios"
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="scenarios")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    titre = models.CharField(_("titre"), max_length=TITRE_MAX)
    contexte = models.TextField(_("contexte"), blank=True)
    prive = models.BooleanField(_("privé"), default=False)
    dossier = models.ForeignKey(
        Dossier, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenarios"
    )
    # Manual order inside its folder (or outside any folder); NULL = alphanumeric after the
    # ordered ones. Shared by the team, saved server-side.
    ordre = models.PositiveIntegerField(null=True, blank=True)
    taches = models.ManyToManyField(Tache, related_name="scenarios", blank=True)
    criteres = models.ManyToManyField(Critere, related_name="scenarios", blank=True)
    duplique_de = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    origine = models.CharField(
        _("origine"),
        max_length=255,
        blank=True,
        help_text=_("Établissement d'origine d'un scénario importé (.scpro)."),
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scénario pédagogique")
        verbose_name_plural = _("scénarios pédagogiques")
        ordering = [models.F("ordre").asc(nulls_last=True), "titre"]
        indexes = [models.Index(fields=["etablissement", "diplome", "niveau"])]

    def __str__(self) -> str:
        return self.titre


def ressource_upload_to(ressource: "Ressource", filename: str) -> str:
    scenario = ressource.scenario
    return f"scenarios/{scenario.etablissement_id}/{scenario.pk}/{filename}"


class Ressource(models.Model):
    class Type(models.TextChoices):
        FICHIER = "FICHIER", _("Fichier")
        LIEN = "LIEN", _("Lien")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="ressources")
    type = models.CharField(max_length=8, choices=Type.choices)
    titre = models.CharField(_("titre"), max_length=255)
    fichier = models.FileField(upload_to=ressource_upload_to, blank=True, max_length=300)
    nom_fichier = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    taille = models.PositiveIntegerField(default=0)
    url = models.URLField(_("adresse"), max_length=1000, blank=True)
    ordre = models.PositiveIntegerField(default=0)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ressource")
        ordering = ["ordre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(type="FICHIER") & ~models.Q(fichier=""))
                | (models.Q(type="LIEN") & ~models.Q(url="")),
                name="ressource_fichier_ou_lien",
            )
        ]

    def __str__(self) -> str:
        return self.titre
