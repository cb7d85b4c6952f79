"""The référentiel of a diploma: the shared spine every module points to.

Every item is addressed by its official code (stable across versions) inside one `Diplome`
version, and keeps its provenance (`source`, `confiance`): the DDFPT sees "à vérifier" where the
confidence is not high. Criteria are evaluated; indicators only explain criteria.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpro.niveaux import Niveau  # noqa: F401  (re-exported: référentiels speak of levels too)


class Confiance(models.TextChoices):
    HAUTE = "high", _("Vérifié")
    MOYENNE = "medium", _("À vérifier (confiance moyenne)")
    BASSE = "low", _("À vérifier (reconstruit)")


class Provenance(models.Model):
    source = models.TextField(_("source"), blank=True)
    confiance = models.CharField(
        _("confiance"), max_length=8, choices=Confiance.choices, default=Confiance.HAUTE
    )

    class Meta:
        abstract = True

    @property
    def a_verifier(self) -> bool:
        return self.confiance != Confiance.HAUTE


class NatureReferentiel(models.TextChoices):
    DIPLOME = "diplome", _("Référentiel de diplôme")
    # Savoir-être professionnels chosen by one establishment (autonomie, travail en équipe…):
    # not official content; evaluated on the same mastery scale across every diploma.
    TRANSVERSAL = "transversal", _("Compétences transversales de l'établissement")


class Diplome(Provenance):
    """One version of a diploma référentiel (e.g. Bac Pro MCV option A, version 2019), or the
    transversal competences of one establishment (`nature` TRANSVERSAL, `etablissement` set;
    see referentiels/services_transversal.py). Official code paths only ever read DIPLOME."""

    nature = models.CharField(
        _("nature"),
        max_length=12,
        choices=NatureReferentiel.choices,
        default=NatureReferentiel.DIPLOME,
    )
    # The owner of a transversal référentiel; NULL for the official (shared) ones.
    etablissement = models.ForeignKey(
        "cpro.Etablissement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referentiels_propres",
    )
    code = models.CharField(_("code"), max_length=20)
    version = models.CharField(_("version"), max_length=20)
    intitule = models.CharField(_("intitulé"), max_length=255)
    intitule_court = models.CharField(_("intitulé court"), max_length=60)
    code_diplome = models.CharField(_("code diplôme"), max_length=8, blank=True)
    famille = models.CharField(_("famille de métiers"), max_length=120, blank=True)
    niveaux = models.JSONField(_("niveaux"), default=list)
    texte = models.TextField(_("texte de référence"), blank=True)
    avertissements = models.JSONField(_("avertissements"), default=list, blank=True)
    actif = models.BooleanField(_("actif"), default=True)
    importe_le = models.DateTimeField(_("importé le"), auto_now=True)

    class Meta:
        verbose_name = _("diplôme")
        ordering = ["intitule_court", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="diplome_code_version_unique"),
            models.UniqueConstraint(
                fields=["etablissement"],
                condition=models.Q(nature="transversal"),
                name="diplome_un_transversal_par_etablissement",
            ),
        ]

    def __str__(self) -> str:
        return self.intitule_court

    @property
    def transversal(self) -> bool:
        return self.nature == NatureReferentiel.TRANSVERSAL

    @property
    def niveaux_choices(self):
        return [(n, Niveau(n).label) for n in self.niveaux if n in Niveau.values]


class Unite(Provenance):
    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="unites")
    code = models.CharField(_("unité"), max_length=10)
    epreuve = models.CharField(_("épreuve"), max_length=10, blank=True)
    intitule = models.CharField(_("intitulé"), max_length=500)
    mode = models.CharField(_("mode d'évaluation"), max_length=500, blank=True)
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    ccf = models.BooleanField(_("en CCF"), default=False)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("unité")
        ordering = ["diplome", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="unite_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"


class Activite(Provenance):
    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="activites")
    code = models.CharField(_("code"), max_length=10)
    intitule = models.CharField(_("intitulé"), max_length=500)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("activité")
        ordering = ["diplome", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="activite_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"


class GroupeCompetences(Provenance):
    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="groupes")
    code = models.CharField(_("code"), max_length=10)
    intitule = models.CharField(_("intitulé"), max_length=500)
    unite = models.ForeignKey(
        Unite, on_delete=models.SET_NULL, null=True, blank=True, related_name="groupes"
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("groupe de compétences")
        verbose_name_plural = _("groupes de compétences")
        ordering = ["diplome", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="groupe_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"


class Competence(Provenance):
    groupe = models.ForeignKey(
        GroupeCompetences, on_delete=models.CASCADE, related_name="competences"
    )
    # Denormalised so "competence C1.2 of this diplôme" is one indexed lookup.
    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=12)
    intitule = models.CharField(_("intitulé"), max_length=500)
    details = models.JSONField(_("compétences détaillées"), default=list, blank=True)
    correspondances = models.JSONField(
        _("correspondances"),
        default=list,
        blank=True,
        help_text=_("Compétences d'autres diplômes préparées (ex. « MCV:C1.2 »)."),
    )
    # An application convention, not a competence of the certification référentiel (MCV C1.0,
    # the communication criterion of the E31/E32 grids): never printed as a competence.
    convention = models.BooleanField(_("convention de l'application"), default=False)
    # A transversal competence the establishment no longer evaluates (its résultats are kept).
    active = models.BooleanField(_("active"), default=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("compétence")
        ordering = ["diplome", "groupe__ordre", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="competence_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"


class Tache(Provenance):
    activite = models.ForeignKey(Activite, on_delete=models.CASCADE, related_name="taches")
    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="taches")
    code = models.CharField(_("code"), max_length=12)
    intitule = models.CharField(_("intitulé"), max_length=500)
    ordre = models.PositiveSmallIntegerField(default=0)
    competences = models.ManyToManyField(
        Competence, through="LienTacheCompetence", related_name="taches", blank=True
    )

    class Meta:
        verbose_name = _("tâche professionnelle")
        verbose_name_plural = _("tâches professionnelles")
        ordering = ["diplome", "activite__ordre", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="tache_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"


class LienTacheCompetence(Provenance):
    """One cell of the task ↔ competence matrix (the green markers)."""

    tache = models.ForeignKey(Tache, on_delete=models.CASCADE, related_name="liens")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="liens")

    class Meta:
        verbose_name = _("lien tâche ↔ compétence")
        constraints = [models.UniqueConstraint(fields=["tache", "competence"], name="lien_unique")]

    def __str__(self) -> str:
        return f"{self.tache.code} ↔ {self.competence.code}"


class Critere(Provenance):
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="criteres")
    code = models.CharField(_("code"), max_length=40)
    intitule = models.CharField(_("intitulé"), max_length=1000)
    # Descriptors of the 4 levels, in order (CCF grids); empty where unknown.
    descripteurs = models.JSONField(_("descripteurs des niveaux"), default=list, blank=True)
    # A transversal criterion no longer offered in the liaison (its résultats are kept).
    actif = models.BooleanField(_("actif"), default=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ["competence", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["competence", "code"], name="critere_code_unique")
        ]

    def __str__(self) -> str:
        return self.intitule


class Indicateur(Provenance):
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="indicateurs")
    code = models.CharField(_("code"), max_length=50)
    intitule = models.CharField(_("intitulé"), max_length=1000)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicateur de réussite")
        ordering = ["critere", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["critere", "code"], name="indicateur_code_unique")
        ]

    def __str__(self) -> str:
        return self.intitule


class GrilleCCF(Provenance):
    """Template of the national CCF grid of one épreuve (E31, E32, E33…)."""

    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="grilles_ccf")
    epreuve = models.CharField(_("épreuve"), max_length=10)
    unite = models.ForeignKey(
        Unite, on_delete=models.SET_NULL, null=True, blank=True, related_name="grilles_ccf"
    )
    titre = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    niveaux = models.JSONField(_("libellés des 4 niveaux"), default=list)
    champs_entete = models.JSONField(_("champs d'en-tête"), default=list, blank=True)
    commentaires = models.JSONField(_("commentaires attendus"), default=list, blank=True)
    note = models.JSONField(_("note proposée"), default=dict, blank=True)
    competences = models.ManyToManyField(Competence, related_name="grilles_ccf", blank=True)
    # The lines of the grid: the attested criteria of its competences (fixtures/README.md);
    # a competence without attested criterion brings its reconstructed ones (à vérifier).
    lignes = models.ManyToManyField(Critere, related_name="grilles_ccf", blank=True)
    # False: the level labels are not attested for this grid; shown as "Niveau 1 … 4".
    niveaux_attestes = models.BooleanField(_("libellés des niveaux attestés"), default=False)

    class Meta:
        verbose_name = _("grille CCF")
        verbose_name_plural = _("grilles CCF")
        ordering = ["diplome", "epreuve"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "epreuve"], name="grille_epreuve_unique")
        ]

    def __str__(self) -> str:
        return self.titre


class CompetenceLSL(Provenance):
    """A competence as listed in the national livret (LSL) for the spécialité."""

    diplome = models.ForeignKey(Diplome, on_delete=models.CASCADE, related_name="competences_lsl")
    code = models.CharField(_("code"), max_length=10)
    intitule = models.CharField(_("intitulé"), max_length=500)
    competences = models.ManyToManyField(Competence, related_name="competences_lsl", blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("compétence du livret (LSL)")
        verbose_name_plural = _("compétences du livret (LSL)")
        ordering = ["diplome", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["diplome", "code"], name="competence_lsl_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.intitule}"
