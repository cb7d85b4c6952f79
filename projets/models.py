"""Suivi de projet: the chef-d'œuvre of the Bac Pro (see projets/__init__.py for the official
texts this module follows and what could not be verified).

A `Projet` belongs to one establishment and starts in one school year; it names its divisions,
its team of learners (one learner: individual, several: collective) and its teachers. Its
`Etape`s are dated and list the expected deliverables. Per learner: the carnet de bord
(`EntreeCarnet`, dated entries with an optional file or link, read by the whole team), the
teachers' `CommentaireProjet`s and one `EvaluationAnnuelle` per school year (appréciation
≤ 300 characters, note /20) — the validated one feeds the LSL livret's chef-d'œuvre section.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import AnneeScolaire, Apprenant, Division, Etablissement

# The LSL chef-d'œuvre section takes at most 300 characters (lslpro.models.CHEF_OEUVRE_MAX, the
# same limit, repeated here because projets sits below lslpro in the import layers).
APPRECIATION_MAX = 300
NOTE_MIN = 0
NOTE_MAX = 20


class Projet(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="projets"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    divisions = models.ManyToManyField(
        Division, related_name="projets", verbose_name=_("divisions")
    )
    apprenants = models.ManyToManyField(
        Apprenant, related_name="projets", verbose_name=_("équipe d'apprenants")
    )
    enseignants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="projets_encadres", verbose_name=_("enseignants")
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    # An archived projet leaves the « Suivi de projet » page and becomes read only: its records
    # stay readable (dossier scolaire, livret) — what replaces deleting a projet with data.
    archive = models.BooleanField(_("archivé"), default=False)
    archive_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("projet (chef-d'œuvre)")
        verbose_name_plural = _("projets (chef-d'œuvre)")
        ordering = ["titre", "pk"]
        indexes = [models.Index(fields=["etablissement", "annee"])]

    def __str__(self) -> str:
        return self.titre


class Etape(models.Model):
    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="etapes")
    ordre = models.PositiveSmallIntegerField(default=0)
    titre = models.CharField(_("étape"), max_length=120)
    date_debut = models.DateField(_("date de début"))
    date_fin = models.DateField(_("date de fin"))
    livrables = models.TextField(_("livrables attendus"), blank=True)

    class Meta:
        verbose_name = _("étape")
        ordering = ["ordre", "date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__gte=models.F("date_debut")),
                name="etape_projet_dates_ordonnees",
            )
        ]

    def __str__(self) -> str:
        return self.titre


def carnet_upload_to(entree: "EntreeCarnet", filename: str) -> str:
    """`projets/<establishment>/<projet>/<random name>`: private, served by a checked view."""
    return f"projets/{entree.projet.etablissement_id}/{entree.projet_id}/{filename}"


class EntreeCarnet(models.Model):
    """A dated entry of a learner's carnet de bord, with an optional file or link."""

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="entrees")
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="entrees_carnet"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    date = models.DateField(_("date"))
    texte = models.TextField(_("texte"))
    fichier = models.FileField(upload_to=carnet_upload_to, blank=True, max_length=300)
    nom_fichier = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    taille = models.PositiveIntegerField(default=0)
    url = models.URLField(_("lien"), max_length=1000, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entrée du carnet de bord")
        verbose_name_plural = _("entrées du carnet de bord")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.apprenant}"


class CommentaireProjet(models.Model):
    """A teacher's comment on a learner's work in the projet."""

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="commentaires")
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="commentaires_projet"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    texte = models.TextField(_("commentaire"))
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commentaire d'enseignant")
        ordering = ["-cree_le", "-pk"]

    def __str__(self) -> str:
        return f"{self.auteur} – {self.apprenant}"


class EvaluationAnnuelle(models.Model):
    """The year's assessment of a learner's chef-d'œuvre (Première or Terminale): what goes to
    the LSL livret once validated."""

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="evaluations")
    apprenant = models.ForeignKey(
        Apprenant, on_delete=models.CASCADE, related_name="evaluations_projet"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    appreciation = models.TextField(_("appréciation"), blank=True)
    note = models.DecimalField(
        _("note"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(NOTE_MIN), MaxValueValidator(NOTE_MAX)],
    )
    validee = models.BooleanField(_("validée"), default=False)
    validee_le = models.DateTimeField(null=True, blank=True)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    modifiee_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("évaluation annuelle du chef-d'œuvre")
        verbose_name_plural = _("évaluations annuelles du chef-d'œuvre")
        constraints = [
            models.UniqueConstraint(
                fields=["projet", "apprenant", "annee"], name="evaluation_projet_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(note__isnull=True)
                | (models.Q(note__gte=NOTE_MIN) & models.Q(note__lte=NOTE_MAX)),
                name="evaluation_projet_note_bornee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.projet} – {self.apprenant} – {self.annee}"
