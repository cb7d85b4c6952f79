"""Scénarios pédagogiques: shared by default with the establishment's teaching team, attached
to a diplôme and a niveau, linked to the référentiel (tasks and evaluation criteria)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import Etablissement
from referentiels.models import Critere, Diplome, Niveau, Tache

TITRE_MAX = 255


class FicheBase(models.Model):
    """What a scénario and an évaluation made from it both are: a fiche of an establishment's
    diplôme and niveau, with a contexte, linked to tasks and criteria of the référentiel, and
    holding resources (`ressources`, a RessourceBase subclass). The shared tabs (scenarios/fiche.py,
    scenarios/views_fiche.py) work on this."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="%(class)ss")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    titre = models.CharField(_("titre"), max_length=TITRE_MAX)
    contexte = models.TextField(_("contexte"), blank=True)
    taches = models.ManyToManyField(Tache, related_name="%(class)ss", blank=True)
    criteres = models.ManyToManyField(Critere, related_name="%(class)ss", blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    # Words of the messages the shared services write (« … au référentiel du scénario »).
    UN = "Un scénario"
    DU = "du scénario"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.titre


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


class Scenario(FicheBase):
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="scenarios"
    )
    prive = models.BooleanField(_("privé"), default=False)
    dossier = models.ForeignKey(
        Dossier, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenarios"
    )
    # Manual order inside its folder (or outside any folder); NULL = alphanumeric after the
    # ordered ones. Shared by the team, saved server-side.
    ordre = models.PositiveIntegerField(null=True, blank=True)
    duplique_de = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    origine = models.CharField(
        _("origine"),
        max_length=255,
        blank=True,
        help_text=_("Établissement d'origine d'un scénario importé (.scpro)."),
    )

    class Meta:
        verbose_name = _("scénario pédagogique")
        verbose_name_plural = _("scénarios pédagogiques")
        ordering = [models.F("ordre").asc(nulls_last=True), "titre"]
        indexes = [models.Index(fields=["etablissement", "diplome", "niveau"])]


def ressource_upload_to(ressource: "RessourceBase", filename: str) -> str:
    """`<scenarios|evaluations>/<establishment>/<fiche>/<random name>` (never served as is)."""
    fiche = ressource.fiche
    return f"{ressource.DOSSIER}/{fiche.etablissement_id}/{fiche.pk}/{filename}"


class RessourceBase(models.Model):
    """A file or a link of a fiche. A file resource has a stored file, a link resource an
    address (`%(class)s_fichier_ou_lien`); the creation date is kept."""

    class Type(models.TextChoices):
        FICHIER = "FICHIER", _("Fichier")
        LIEN = "LIEN", _("Lien")

    type = models.CharField(max_length=8, choices=Type.choices)
    titre = models.CharField(_("titre"), max_length=255)
    fichier = models.FileField(upload_to=ressource_upload_to, blank=True, max_length=300)
    nom_fichier = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    taille = models.PositiveIntegerField(default=0)
    url = models.URLField(_("adresse"), max_length=1000, blank=True)
    ordre = models.PositiveIntegerField(default=0)
    cree_le = models.DateTimeField(auto_now_add=True)

    # The foreign key to the fiche and the storage folder, per subclass.
    CHAMP_FICHE = ""
    DOSSIER = ""

    class Meta:
        abstract = True
        ordering = ["ordre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(type="FICHIER") & ~models.Q(fichier=""))
                | (models.Q(type="LIEN") & ~models.Q(url="")),
                name="%(class)s_fichier_ou_lien",
            )
        ]

    def __str__(self) -> str:
        return self.titre

    @property
    def fiche(self) -> FicheBase:
        return getattr(self, self.CHAMP_FICHE)

    @fiche.setter
    def fiche(self, valeur: FicheBase) -> None:
        setattr(self, self.CHAMP_FICHE, valeur)


class Ressource(RessourceBase):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="ressources")

    CHAMP_FICHE = "scenario"
    DOSSIER = "scenarios"

    class Meta(RessourceBase.Meta):
        verbose_name = _("ressource")
