"""Espace de stockage: each staff member's personal file space and one shared space per diplôme
of the establishment (its teaching team), with folders and privately stored files.

One `Espace` model for both kinds (personal: `membership` set; shared: `diplome` set) so that
folders and files hang from one foreign key, and names are unique among siblings of a space.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpro.models import Etablissement, Membership
from referentiels.models import Diplome

NOM_MAX = 120


class Espace(models.Model):
    """A file space: a staff member's own (`membership`) or a diplôme team's (`diplome`)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="espaces_stockage"
    )
    # A deactivated membership keeps its space (not reachable while inactive, back on
    # reactivation); memberships are never deleted by the application.
    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="espace_stockage",
    )
    diplome = models.ForeignKey(
        Diplome, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("espace de stockage")
        verbose_name_plural = _("espaces de stockage")
        constraints = [
            models.CheckConstraint(
                condition=(Q(membership__isnull=False) & Q(diplome__isnull=True))
                | (Q(membership__isnull=True) & Q(diplome__isnull=False)),
                name="stockage_espace_personnel_ou_partage",
            ),
            models.UniqueConstraint(
                fields=["etablissement", "diplome"],
                condition=Q(diplome__isnull=False),
                name="stockage_espace_partage_unique",
            ),
        ]

    def __str__(self) -> str:
        if self.est_partage:
            return f"Espace partagé – {self.diplome}"
        return "Mon espace"

    @property
    def est_partage(self) -> bool:
        return self.diplome_id is not None


class Dossier(models.Model):
    """A folder of a space, at its root (`parent` NULL) or inside another folder."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="dossiers_stockage"
    )
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="dossiers")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sous_dossiers"
    )
    nom = models.CharField(_("nom"), max_length=NOM_MAX)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier de stockage")
        ordering = ["nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "parent", "nom"],
                condition=Q(parent__isnull=False),
                name="stockage_dossier_nom_unique",
            ),
            models.UniqueConstraint(
                fields=["espace", "nom"],
                condition=Q(parent__isnull=True),
                name="stockage_dossier_racine_nom_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.nom


def fichier_upload_to(fichier: "Fichier", filename: str) -> str:
    """`stockage/<establishment>/<space>/<random name>` (never served as is)."""
    return f"stockage/{fichier.etablissement_id}/{fichier.espace_id}/{filename}"


class Fichier(models.Model):
    """A stored file of a space (in a folder or at the root). Its bytes live in private storage
    under a random name; `nom` is the name shown (its extension is the checked one)."""

    # Read by cpro.ressources.telecharger_ressource, shared with the fiches' resources.
    type = "FICHIER"

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="fichiers_stockage"
    )
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="fichiers")
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, null=True, blank=True, related_name="fichiers"
    )
    nom = models.CharField(_("nom"), max_length=NOM_MAX)
    fichier = models.FileField(upload_to=fichier_upload_to, max_length=300)
    taille = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    depose_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fichier de stockage")
        verbose_name_plural = _("fichiers de stockage")
        ordering = ["nom", "pk"]
        indexes = [models.Index(fields=["etablissement", "depose_par"])]
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "dossier", "nom"],
                condition=Q(dossier__isnull=False),
                name="stockage_fichier_nom_unique",
            ),
            models.UniqueConstraint(
                fields=["espace", "nom"],
                condition=Q(dossier__isnull=True),
                name="stockage_fichier_racine_nom_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def nom_fichier(self) -> str:
        """The download name (cpro.ressources.telecharger_ressource)."""
        return self.nom

    @property
    def extension(self) -> str:
        return self.nom.rsplit(".", 1)[-1].lower() if "." in self.nom else ""
