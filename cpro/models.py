"""Core of Cpro: établissements, people, roles, school years, divisions, exports, audit."""

import datetime
import re
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpro.niveaux import Niveau

UAI_LETTRES = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q


def lettre_cle_uai(chiffres: str) -> str:
    """The check letter of a UAI (ex-RNE): the 7-digit number modulo 23, read in the
    23-letter alphabet without I, O, Q (0750654 → D, lycée Louis-le-Grand: 0750654D)."""
    return UAI_LETTRES[int(chiffres) % 23]


def uai_validator(value: str) -> None:
    """7 digits and the check letter computed from them (model and forms)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{7}[A-Z]", value):
        raise ValidationError(
            _("Le code UAI comporte 7 chiffres suivis d'une lettre majuscule (ex. 0750654D)."),
            code="uai_format",
        )
    attendue = lettre_cle_uai(value[:7])
    if value[7] != attendue:
        raise ValidationError(
            _("Code UAI invalide : pour %(chiffres)s la lettre clé est %(lettre)s, pas %(donnee)s.")
            % {"chiffres": value[:7], "lettre": attendue, "donnee": value[7]},
            code="uai_cle",
        )


ine_validator = RegexValidator(
    r"^[0-9A-Z]{11}$",
    _("L'INE comporte 11 caractères (chiffres et lettres majuscules)."),
)


class User(AbstractUser):
    """One person, one login. Roles live on memberships (one per établissement)."""

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.nom_complet or self.username

    @property
    def nom_complet(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()


class Etablissement(models.Model):
    uai = models.CharField(_("UAI"), max_length=8, unique=True, validators=[uai_validator])
    nom = models.CharField(_("nom"), max_length=255)
    slug = models.SlugField(_("adresse (URL)"), max_length=60, unique=True)
    ville = models.CharField(_("ville"), max_length=120, blank=True)
    academie = models.CharField(_("académie"), max_length=120, blank=True)
    book_active = models.BooleanField(_("book apprenant activé"), default=False)
    diplomes = models.ManyToManyField(
        "referentiels.Diplome",
        verbose_name=_("diplômes préparés"),
        related_name="etablissements",
        blank=True,
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("établissement")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Role(models.TextChoices):
    ENSEIGNANT = "ENSEIGNANT", _("Enseignant")
    DDFPT = "DDFPT", _("DDFPT")
    CHEF = "CHEF", _("Chef d'établissement")
    TUTEUR = "TUTEUR", _("Tuteur / maître d'apprentissage")
    APPRENANT = "APPRENANT", _("Apprenant")


class Membership(models.Model):
    """A user's role in one établissement; teachers also list the diplômes they manage."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices)
    active = models.BooleanField(_("actif"), default=True)
    diplomes = models.ManyToManyField(
        "referentiels.Diplome", verbose_name=_("diplômes gérés"), related_name="+", blank=True
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compte d'établissement")
        constraints = [
            models.UniqueConstraint(fields=["user", "etablissement"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["etablissement", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.etablissement}"


class AnneeScolaire(models.Model):
    """A school year, from 1 September to 31 August; `debut` is the first calendar year."""

    debut = models.PositiveSmallIntegerField(_("année de début"), unique=True)

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["-debut"]

    def __str__(self) -> str:
        return self.libelle

    @property
    def libelle(self) -> str:
        return f"{self.debut}-{self.debut + 1}"

    @property
    def date_debut(self) -> datetime.date:
        return datetime.date(self.debut, 9, 1)

    @property
    def date_fin(self) -> datetime.date:
        return datetime.date(self.debut + 1, 8, 31)

    @staticmethod
    def debut_pour(date: datetime.date) -> int:
        return date.year if date.month >= 9 else date.year - 1

    @classmethod
    def courante(cls, date: datetime.date | None = None) -> "AnneeScolaire":
        date = date or timezone.localdate()
        annee, _created = cls.objects.get_or_create(debut=cls.debut_pour(date))
        return annee


class Division(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="divisions"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="divisions")
    nom = models.CharField(_("nom"), max_length=40)
    diplome = models.ForeignKey(
        "referentiels.Diplome", on_delete=models.PROTECT, related_name="divisions"
    )
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    # Code MEF (module élémentaire de formation, 11 characters) of the division, read from
    # SIECLE (CODE_MEF of its learners) or set by the DDFPT; `code_mef_source` says which.
    code_mef = models.CharField(_("code MEF"), max_length=11, blank=True)
    code_mef_source = models.CharField(_("provenance du code MEF"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("division")
        ordering = ["annee", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "annee", "nom"], name="division_nom_unique"
            )
        ]
        indexes = [models.Index(fields=["etablissement", "annee", "diplome"])]

    def __str__(self) -> str:
        return self.nom


def accorder_genre(sexe: str, masculin: str, feminin: str) -> str:
    """`masculin` for M, `feminin` for F; unknown sex gives the inclusive short form
    "apprenti(e)" when the feminine only adds letters, else "masculin / feminin"."""
    if sexe == "M":
        return masculin
    if sexe == "F":
        return feminin
    if feminin.startswith(masculin) and feminin != masculin:
        return f"{masculin}({feminin[len(masculin) :]})"
    if feminin == masculin:
        return masculin
    return f"{masculin} / {feminin}"


class Statut(models.TextChoices):
    SCOLAIRE = "SCOLAIRE", _("Scolaire")
    APPRENTI = "APPRENTI", _("Apprenti")


class Sexe(models.TextChoices):
    """The learner's sex as SIECLE gives it (CODE_SEXE 1 / 2); blank when unknown. Used only for
    French agreement ("apprentie", "inscrite")."""

    MASCULIN = "M", _("Masculin")
    FEMININ = "F", _("Féminin")


class Apprenant(models.Model):
    """Learner profile, attached to the learner's membership in their établissement."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="apprenant"
    )
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="apprenants"
    )
    ine = models.CharField(_("INE"), max_length=11, blank=True, validators=[ine_validator])
    eleve_id = models.CharField(_("identifiant SIECLE (ELEVE_ID)"), max_length=20, blank=True)
    date_naissance = models.DateField(_("date de naissance"), null=True, blank=True)
    sexe = models.CharField(_("sexe"), max_length=1, choices=Sexe.choices, blank=True)
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut.choices, default=Statut.SCOLAIRE
    )
    division = models.ForeignKey(
        Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="apprenants"
    )
    numero_candidat = models.CharField(_("numéro de candidat"), max_length=20, blank=True)
    nom_usage = models.CharField(_("nom d'usage"), max_length=150, blank=True)
    code_mef = models.CharField(_("code MEF"), max_length=11, blank=True)
    # SIECLE OPTIONS of the learner: [{"code_matiere": "030201", "modalite": "S", "rang": 1}…];
    # the LSL export reads the modalité d'élection of the spécialité from it.
    options = models.JSONField(_("options (SIECLE)"), default=list, blank=True)
    # Set when the DDFPT deactivates the learner's account (gestion.rgpd.marquer_sortie):
    # the retention period of gestion.rgpd.appliquer_retention runs from this date.
    date_sortie = models.DateField(_("date de sortie"), null=True, blank=True)

    class Meta:
        verbose_name = _("apprenant")
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "ine"],
                condition=~models.Q(ine=""),
                name="apprenant_ine_unique",
            ),
            models.UniqueConstraint(
                fields=["etablissement", "eleve_id"],
                condition=~models.Q(eleve_id=""),
                name="apprenant_eleve_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.membership.user)

    @property
    def user(self):
        return self.membership.user

    @property
    def est_apprenti(self) -> bool:
        return self.statut == Statut.APPRENTI

    def accorder(self, masculin: str, feminin: str) -> str:
        """The word agreed with the learner's sex; both forms "apprenti(e)" when unknown."""
        return accorder_genre(self.sexe, masculin, feminin)

    @property
    def libelle_statut(self) -> str:
        """The status in words, agreed: apprenti, apprentie, apprenti(e) or scolaire."""
        if self.est_apprenti:
            return self.accorder(str(_("apprenti")), str(_("apprentie")))
        return str(_("scolaire"))


def export_upload_to(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.etablissement_id}/{job.pk}/{filename}"


class ExportJob(models.Model):
    """A generated file (PDF, ODT, DOCX, XML, ZIP…), produced by a Celery task."""

    class Status(models.TextChoices):
        EN_ATTENTE = "PENDING", _("En attente")
        EN_COURS = "RUNNING", _("En cours")
        TERMINE = "DONE", _("Terminé")
        ECHEC = "FAILED", _("Échec")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="exports"
    )
    demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.CharField(_("type"), max_length=60)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.EN_ATTENTE)
    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    file = models.FileField(upload_to=export_upload_to, blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    termine_le = models.DateTimeField(null=True, blank=True)
    expire_le = models.DateTimeField(db_index=True)
    # Last sign of life (creation, start, each progress step): a job pending or running with
    # no sign of life for EXPORT_TIMEOUT_MINUTES is failed by cpro.services.marquer_exports_bloques.
    maj_le = models.DateTimeField(_("dernière activité"), default=timezone.now)
    # How many times a worker started this job: a second start is a redelivery after a dead
    # attempt (worker killed), which fails the job instead of running it again.
    tentatives = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("export")
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["etablissement", "demandeur", "-cree_le"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def est_fini(self) -> bool:
        return self.status in (self.Status.TERMINE, self.Status.ECHEC)


class AuditLog(models.Model):
    """Who did what, when, with the state before and after."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="audit", null=True, blank=True
    )
    acteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    objet_type = models.CharField(max_length=80, blank=True)
    objet_id = models.CharField(max_length=64, blank=True)
    objet_repr = models.CharField(max_length=255, blank=True)
    avant = models.JSONField(default=dict, blank=True)
    apres = models.JSONField(default=dict, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des actions")
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["etablissement", "-cree_le"])]

    def __str__(self) -> str:
        return f"{self.cree_le:%d/%m/%Y %H:%M} {self.action} {self.objet_repr}"
