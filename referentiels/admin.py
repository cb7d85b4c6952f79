"""Django admin for référentiel data (platform staff only: the admin site requires is_staff).

Référentiels are normally loaded with `manage.py charger_referentiels` or imported by a DDFPT;
the admin is for inspection and exceptional corrections.
"""

from django.contrib import admin

from referentiels import models


class ProvenanceAdmin(admin.ModelAdmin):
    list_filter = ("confiance",)


@admin.register(models.Diplome)
class DiplomeAdmin(ProvenanceAdmin):
    list_display = ("intitule_court", "code", "version", "code_diplome", "actif", "confiance")
    list_filter = ("actif", "confiance", "version")
    search_fields = ("code", "intitule", "intitule_court", "code_diplome")


@admin.register(models.Unite)
class UniteAdmin(ProvenanceAdmin):
    list_display = ("code", "epreuve", "intitule", "diplome", "ccf", "coefficient", "confiance")
    list_filter = ("diplome", "ccf", "confiance")
    search_fields = ("code", "epreuve", "intitule")
    list_select_related = ("diplome",)


class TacheInline(admin.TabularInline):
    model = models.Tache
    fields = ("code", "intitule", "ordre", "confiance")
    extra = 0


@admin.register(models.Activite)
class ActiviteAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "diplome", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("diplome",)
    inlines = [TacheInline]


@admin.register(models.Tache)
class TacheAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "activite", "diplome", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("diplome", "activite")
    raw_id_fields = ("activite",)


@admin.register(models.GroupeCompetences)
class GroupeCompetencesAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "diplome", "unite", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("diplome", "unite")


class CritereInline(admin.TabularInline):
    model = models.Critere
    fields = ("code", "intitule", "ordre", "confiance")
    extra = 0


@admin.register(models.Competence)
class CompetenceAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "groupe", "diplome", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("diplome", "groupe")
    raw_id_fields = ("groupe",)
    inlines = [CritereInline]


class IndicateurInline(admin.TabularInline):
    model = models.Indicateur
    fields = ("code", "intitule", "ordre", "confiance")
    extra = 0


@admin.register(models.Critere)
class CritereAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "competence", "confiance")
    list_filter = ("competence__diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("competence",)
    raw_id_fields = ("competence",)
    inlines = [IndicateurInline]


@admin.register(models.Indicateur)
class IndicateurAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "critere", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("critere",)
    raw_id_fields = ("critere",)


@admin.register(models.LienTacheCompetence)
class LienTacheCompetenceAdmin(ProvenanceAdmin):
    list_display = ("tache", "competence", "confiance")
    list_filter = ("tache__diplome", "confiance")
    list_select_related = ("tache", "competence")
    raw_id_fields = ("tache", "competence")


@admin.register(models.GrilleCCF)
class GrilleCCFAdmin(ProvenanceAdmin):
    list_display = ("epreuve", "titre", "diplome", "unite", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("epreuve", "titre")
    list_select_related = ("diplome", "unite")
    filter_horizontal = ("competences",)


@admin.register(models.CompetenceLSL)
class CompetenceLSLAdmin(ProvenanceAdmin):
    list_display = ("code", "intitule", "diplome", "confiance")
    list_filter = ("diplome", "confiance")
    search_fields = ("code", "intitule")
    list_select_related = ("diplome",)
    filter_horizontal = ("competences",)
