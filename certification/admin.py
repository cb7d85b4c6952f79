"""Django admin, for platform staff only (teachers work from the grid pages).

Lock and unlock are read-only here: they change through the services (audit log)."""

from django.contrib import admin

from certification.models import GrilleCandidat, MembreCommission, NiveauCritere


class NiveauCritereInline(admin.TabularInline):
    model = NiveauCritere
    extra = 0
    raw_id_fields = ("critere",)


class MembreCommissionInline(admin.TabularInline):
    model = MembreCommission
    extra = 0
    raw_id_fields = ("user",)


@admin.register(GrilleCandidat)
class GrilleCandidatAdmin(admin.ModelAdmin):
    list_display = ("apprenant", "grille", "session", "etablissement", "statut", "note_proposee")
    list_filter = ("etablissement", "session", "grille", "statut")
    search_fields = (
        "apprenant__membership__user__last_name",
        "apprenant__membership__user__first_name",
        "apprenant__numero_candidat",
        "etablissement__nom",
    )
    raw_id_fields = ("apprenant",)
    readonly_fields = ("statut", "verrouillee_le", "verrouillee_par", "cree_le", "modifie_le")
    inlines = [NiveauCritereInline, MembreCommissionInline]
