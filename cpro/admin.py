"""Django admin, for platform staff only (establishments are run from the DDFPT pages).

Exports and the audit log are read-only: they are written by services, never by hand.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from cpro.models import (
    AnneeScolaire,
    Apprenant,
    AuditLog,
    Division,
    Etablissement,
    ExportJob,
    Membership,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("etablissement", "role", "active", "diplomes")
    autocomplete_fields = ("etablissement",)
    filter_horizontal = ("diplomes",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "last_name", "first_name", "email", "is_active", "is_staff")


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ("nom", "uai", "slug", "ville", "academie", "book_active")
    search_fields = ("nom", "uai", "slug", "ville")
    prepopulated_fields = {"slug": ("nom",)}
    filter_horizontal = ("diplomes",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "etablissement", "role", "active")
    list_filter = ("role", "active", "etablissement")
    search_fields = ("user__username", "user__last_name", "user__first_name", "user__email")
    list_select_related = ("user", "etablissement")
    autocomplete_fields = ("user", "etablissement")
    filter_horizontal = ("diplomes",)


@admin.register(AnneeScolaire)
class AnneeScolaireAdmin(admin.ModelAdmin):
    list_display = ("libelle", "debut")


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("nom", "etablissement", "annee", "diplome", "niveau")
    list_filter = ("annee", "niveau", "etablissement")
    search_fields = ("nom", "etablissement__nom")
    list_select_related = ("etablissement", "annee", "diplome")


@admin.register(Apprenant)
class ApprenantAdmin(admin.ModelAdmin):
    list_display = ("__str__", "etablissement", "ine", "eleve_id", "division", "statut")
    list_filter = ("statut", "etablissement")
    search_fields = (
        "ine",
        "eleve_id",
        "membership__user__last_name",
        "membership__user__first_name",
    )
    list_select_related = ("membership__user", "etablissement", "division")
    raw_id_fields = ("membership", "division")


class LectureSeuleAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(LectureSeuleAdmin):
    list_display = ("kind", "etablissement", "demandeur", "status", "progress", "cree_le")
    list_filter = ("status", "kind")
    list_select_related = ("etablissement", "demandeur")
    date_hierarchy = "cree_le"


@admin.register(AuditLog)
class AuditLogAdmin(LectureSeuleAdmin):
    list_display = ("cree_le", "etablissement", "acteur", "action", "objet_repr")
    list_filter = ("action", "etablissement")
    search_fields = ("action", "objet_repr", "acteur__username")
    list_select_related = ("etablissement", "acteur")
    date_hierarchy = "cree_le"
