"""Django admin, for platform staff only (teachers work from the LSL Pro pages).

Livrets are read-only here: they change through lslpro.services (rules and audit log);
exports are a log, never edited."""

from django.contrib import admin

from lslpro.models import EnseignantLivret, ExportLSL, Livret, NiveauLivret, NoteLivret, Periodicite


class LectureSeuleInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NiveauLivretInline(LectureSeuleInline):
    model = NiveauLivret
    fields = ("competence", "niveau")


class NoteLivretInline(LectureSeuleInline):
    model = NoteLivret
    fields = ("bilan", "periode")


class EnseignantLivretInline(LectureSeuleInline):
    model = EnseignantLivret
    fields = ("role", "user", "nom", "prenom")


@admin.register(Periodicite)
class PeriodiciteAdmin(admin.ModelAdmin):
    list_display = ("etablissement", "annee", "diplome", "niveau", "type")
    list_filter = ("etablissement", "annee", "type")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Livret)
class LivretAdmin(admin.ModelAdmin):
    list_display = ("apprenant", "etablissement", "annee", "diplome", "modifie_le", "modifie_par")
    list_filter = ("etablissement", "annee", "diplome", "pfmp_active", "chef_oeuvre_actif")
    search_fields = (
        "apprenant__membership__user__last_name",
        "apprenant__membership__user__first_name",
    )
    raw_id_fields = ("apprenant", "modifie_par")
    inlines = [NiveauLivretInline, NoteLivretInline, EnseignantLivretInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportLSL)
class ExportLSLAdmin(admin.ModelAdmin):
    list_display = ("etablissement", "annee", "profil", "nb_apprenants", "par", "cree_le")
    list_filter = ("etablissement", "annee", "profil")
    readonly_fields = [f.name for f in ExportLSL._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
