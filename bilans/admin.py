"""Django admin, for platform staff only (teachers work from the bilan pages).

Validation, unlocking and the évaluation locks are read-only here: they change through the
services (audit log); the PRONOTE token hash is never editable."""

from django.contrib import admin

from bilans.models import Attestation, BilanIntermediaire, JetonPronote, Positionnement


class PositionnementInline(admin.TabularInline):
    model = Positionnement
    extra = 0
    fields = ("competence", "niveau", "suggestion", "competence_validee")
    readonly_fields = ("competence", "suggestion")
    can_delete = False


@admin.register(BilanIntermediaire)
class BilanIntermediaireAdmin(admin.ModelAdmin):
    list_display = ("apprenant", "etablissement", "diplome", "date", "statut", "note")
    list_filter = ("etablissement", "diplome", "statut", "annee")
    search_fields = (
        "apprenant__membership__user__last_name",
        "apprenant__membership__user__first_name",
        "etablissement__nom",
    )
    date_hierarchy = "date"
    raw_id_fields = ("apprenant", "auteur")
    readonly_fields = ("statut", "valide_le", "valide_par", "cree_le", "modifie_le")
    exclude = ("evaluations",)
    inlines = [PositionnementInline]


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    list_display = ("apprenant", "etablissement", "diplome", "date", "signee_le")
    list_filter = ("etablissement", "diplome")
    raw_id_fields = ("apprenant", "bilan", "creee_par", "signee_par")
    readonly_fields = ("creee_le", "signee_le", "signee_par")
    exclude = ("competences",)


@admin.register(JetonPronote)
class JetonPronoteAdmin(admin.ModelAdmin):
    list_display = ("nom", "prefixe", "etablissement", "cree_le", "revoque_le", "utilise_le")
    list_filter = ("etablissement",)
    readonly_fields = ("jeton_hash", "prefixe", "cree_par", "cree_le", "utilise_le")
