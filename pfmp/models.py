"""PFMP: annexes pédagogiques, périodes de formation en entreprise, entreprises, portfolios
(journal de bord, fiches activités, bilan entreprise), tutor links, and the book apprenant.

A période keeps a copy of its annexe's content. Adding a learner to a période generates their
Portfolio (services, never signals); removing them archives it. The bilan entreprise's résultats
live in an évaluation of nature E (evaluations.Evaluation) so that they feed dashboards exactly
like school évaluations.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.models import AnneeScolaire, Apprenant, Etablissement, Membership
from evaluations.models import Evaluation
from referentiels.models import Competence, Critere, Diplome, Niveau, Tache

siret_validator = RegexValidator(r"^[0-9]{14}$", _("Le SIRET comporte 14 chiffres."))


class Entreprise(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="entreprises"
    )
    nom = models.CharField(_("raison sociale"), max_length=255)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    adresse = models.CharField(_("adresse"), max_length=255, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=10, blank=True)
    ville = models.CharField(_("ville"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    secteur = models.CharField(_("secteur d'activité"), max_length=255, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("entreprise")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class AnnexePedagogique(models.Model):
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="annexes_pedagogiques"
    )
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    titre = models.CharField(_("titre"), max_length=255)
    objectifs = models.TextField(_("objectifs de formation"), blank=True)
    taches = models.ManyToManyField(
        Tache, related_name="+", blank=True, verbose_name=_("activités professionnelles prévues")
    )
    competences = models.ManyToManyField(
        Competence, related_name="+", blank=True, verbose_name=_("compétences visées")
    )
    criteres = models.ManyToManyField(
        Critere, related_name="+", blank=True, verbose_name=_("critères évalués en entreprise")
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annexe pédagogique")
        verbose_name_plural = _("annexes pédagogiques")
        ordering = ["niveau", "titre"]

    def __str__(self) -> str:
        return self.titre


class Periode(models.Model):
    """A période de formation en entreprise, created from an annexe (a copy of its content)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="periodes_pfmp"
    )
    annexe = models.ForeignKey(
        AnnexePedagogique,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="periodes",
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    diplome = models.ForeignKey(Diplome, on_delete=models.PROTECT, related_name="+")
    niveau = models.CharField(_("niveau"), max_length=10, choices=Niveau.choices)
    titre = models.CharField(_("titre"), max_length=255)
    date_debut = models.DateField(_("date de début"))
    date_fin = models.DateField(_("date de fin"))
    objectifs = models.TextField(_("objectifs de formation"), blank=True)
    taches = models.ManyToManyField(Tache, related_name="+", blank=True)
    competences = models.ManyToManyField(Competence, related_name="+", blank=True)
    criteres = models.ManyToManyField(Critere, related_name="+", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("période de formation en entreprise")
        verbose_name_plural = _("périodes de formation en entreprise")
        ordering = ["-date_debut", "titre"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__gte=models.F("date_debut")),
                name="periode_dates_ordonnees",
            )
        ]
        indexes = [models.Index(fields=["etablissement", "annee", "diplome"])]

    def __str__(self) -> str:
        return self.titre


class Affectation(models.Model):
    """A learner on a période: where (entreprise), with whom (tutor), followed by whom."""

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="affectations")
    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="affectations")
    entreprise = models.ForeignKey(
        Entreprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="affectations"
    )
    tuteur = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affectations_tuteur",
        verbose_name=_("tuteur / maître d'apprentissage"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affectations_referent",
        verbose_name=_("professeur référent"),
    )
    # Removing a learner from a période archives (never deletes) what they wrote.
    archivee = models.BooleanField(_("archivée"), default=False)
    archivee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("affectation")
        constraints = [
            models.UniqueConstraint(fields=["periode", "apprenant"], name="affectation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.apprenant} – {self.periode}"


class Portfolio(models.Model):
    """The learner's folder for one période: journal de bord + fiches activités."""

    affectation = models.OneToOneField(
        Affectation, on_delete=models.CASCADE, related_name="portfolio"
    )
    presentation_entreprise = models.TextField(_("présentation de l'entreprise"), blank=True)
    bilan_personnel = models.TextField(_("bilan personnel de la période"), blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portfolio")

    def __str__(self) -> str:
        return f"Portfolio {self.affectation}"


class SemaineJournal(models.Model):
    """One week of the journal de bord (statut scolaire and apprentice alike)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="semaines")
    numero = models.PositiveSmallIntegerField(_("semaine"))
    date_debut = models.DateField()
    date_fin = models.DateField()
    activites = models.TextField(_("activités de la semaine"), blank=True)
    taches = models.ManyToManyField(Tache, related_name="+", blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("semaine du journal de bord")
        ordering = ["numero"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "numero"], name="semaine_unique")
        ]

    def __str__(self) -> str:
        return f"Semaine {self.numero}"


class FicheActivite(models.Model):
    """One significant activity: one per week (scolaire) or one per période (apprentice)."""

    class Statut(models.TextChoices):
        BROUILLON = "BROUILLON", _("Brouillon")
        SOUMISE = "SOUMISE", _("Soumise")
        A_REVOIR = "A_REVOIR", _("À revoir")
        VALIDEE = "VALIDEE", _("Validée")

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="fiches")
    numero = models.PositiveSmallIntegerField(_("numéro"))
    date_debut = models.DateField()
    date_fin = models.DateField()
    titre = models.CharField(_("activité"), max_length=255, blank=True)
    contexte = models.TextField(_("contexte"), blank=True)
    realisation = models.TextField(_("ce que j'ai fait"), blank=True)
    resultat = models.TextField(_("résultat obtenu"), blank=True)
    difficultes = models.TextField(_("difficultés rencontrées"), blank=True)
    taches = models.ManyToManyField(Tache, related_name="+", blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.BROUILLON)
    soumise_le = models.DateTimeField(null=True, blank=True)
    commentaire = models.TextField(_("commentaire du professeur référent"), blank=True)
    commentee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commentee_le = models.DateTimeField(null=True, blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fiche activité entreprise")
        verbose_name_plural = _("fiches activités entreprise")
        ordering = ["numero"]
        constraints = [models.UniqueConstraint(fields=["portfolio", "numero"], name="fiche_unique")]

    def __str__(self) -> str:
        return self.titre or f"Fiche {self.numero}"


class BilanEntreprise(models.Model):
    """Teacher and tutor evaluate together the criteria aimed at by the période; its résultats
    are those of `evaluation` (nature E, one participant)."""

    class Statut(models.TextChoices):
        EN_COURS = "EN_COURS", _("En cours")
        VALIDE = "VALIDE", _("Validé")

    affectation = models.OneToOneField(
        Affectation, on_delete=models.CASCADE, related_name="bilan_entreprise"
    )
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.PROTECT, related_name="bilan_entreprise"
    )
    appreciation = models.TextField(_("appréciation"), blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.EN_COURS)
    valide_le = models.DateTimeField(null=True, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tuteur_nom = models.CharField(_("tuteur ayant participé"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("bilan entreprise")
        verbose_name_plural = _("bilans entreprise")

    def __str__(self) -> str:
        return f"Bilan entreprise {self.affectation}"


class LienTuteur(models.Model):
    """A signed, expiring, revocable link giving a tutor access to one learner's portfolio and
    bilan entreprise for one période — nothing else. Only a hash of the secret is stored."""

    affectation = models.ForeignKey(
        Affectation, on_delete=models.CASCADE, related_name="liens_tuteur"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("adresse du tuteur"), blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    expire_le = models.DateTimeField()
    revoque_le = models.DateTimeField(null=True, blank=True)
    utilise_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lien tuteur")
        verbose_name_plural = _("liens tuteur")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"Lien tuteur {self.affectation}"


class Publication(models.Model):
    """Book apprenant: a trace of a learning situation, published by the learner."""

    class Situation(models.TextChoices):
        ETABLISSEMENT = "ETABLISSEMENT", _("En établissement")
        ENTREPRISE = "ENTREPRISE", _("En entreprise")
        EXTERIEUR = "EXTERIEUR", _("À l'extérieur (TP déporté, intervention…)")

    apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE, related_name="publications")
    titre = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    situation = models.CharField(
        _("situation"), max_length=14, choices=Situation.choices, default=Situation.ETABLISSEMENT
    )
    lieu = models.CharField(_("lieu"), max_length=255, blank=True)
    date = models.DateField(_("date"))
    taches = models.ManyToManyField(Tache, related_name="+", blank=True)
    competences = models.ManyToManyField(Competence, related_name="+", blank=True)
    mise_en_avant = models.BooleanField(_("mise en avant"), default=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("publication du book")
        ordering = ["-date", "-cree_le"]

    def __str__(self) -> str:
        return self.titre


def media_upload_to(media: "MediaPublication", filename: str) -> str:
    pub = media.publication
    return f"book/{pub.apprenant.etablissement_id}/{pub.apprenant_id}/{filename}"


class MediaPublication(models.Model):
    class Type(models.TextChoices):
        PHOTO = "PHOTO", _("Photo")
        VIDEO = "VIDEO", _("Vidéo")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="medias")
    type = models.CharField(max_length=5, choices=Type.choices)
    fichier = models.FileField(upload_to=media_upload_to, max_length=300)
    content_type = models.CharField(max_length=120)
    taille = models.PositiveIntegerField(default=0)
    legende = models.CharField(_("légende"), max_length=255, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("média")
        ordering = ["ordre", "pk"]

    def __str__(self) -> str:
        return self.legende or self.fichier.name


class CommentairePublication(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="commentaires"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    texte = models.TextField(_("commentaire"))
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commentaire")
        ordering = ["cree_le"]

    def __str__(self) -> str:
        return self.texte[:50]
