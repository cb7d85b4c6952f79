"""Django admin, for platform staff only (teachers work from the évaluation pages).

Résultats and the lock are read-only here: they change through the services (audit log)."""

from django.contrib import admin

from evaluations import agregats
from evaluations.models import Evaluation, Participant, RessourceEvaluation, Resultat


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ("apprenant",)


class RessourceInline(admin.TabularInline):
    model = RessourceEvaluation
    extra = 0
    fields = ("type", "titre", "fichier", "url", "ordre")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = (
        "titre",
        "etablissement",
        "diplome",
        "niveau",
        "annee",
        "date",
        "nature",
        "verrouillee",
    )
    list_filter = ("etablissement", "diplome", "niveau", "annee", "nature", "verrouillee")
    search_fields = ("titre", "etablissement__nom")
    date_hierarchy = "date"
    raw_id_fields = ("scenario", "auteur")
    filter_horizontal = ("enseignants",)
    readonly_fields = ("verrouillee", "cree_le", "modifie_le")
    exclude = ("taches", "criteres")
    inlines = [ParticipantInline, RessourceInline]

    # Date, nature, display flag, learners or deletion change the suggestion's observations:
    # the stored aggregates of the learners concerned are recomputed (evaluations.agregats).
    def save_related(self, request, form, formsets, change):
        avant = agregats.apprenants_de(form.instance) if change else []
        super().save_related(request, form, formsets, change)
        agregats.recalculer({*avant, *agregats.apprenants_de(form.instance)})

    def delete_model(self, request, obj):
        apprenants = agregats.apprenants_de(obj)
        super().delete_model(request, obj)
        agregats.recalculer(apprenants)

    def delete_queryset(self, request, queryset):
        apprenants = {a for ev in queryset for a in agregats.apprenants_de(ev)}
        super().delete_queryset(request, queryset)
        agregats.recalculer(apprenants)


@admin.register(Resultat)
class ResultatAdmin(admin.ModelAdmin):
    list_display = ("evaluation", "apprenant", "critere", "niveau", "modifie_par", "modifie_le")
    list_filter = ("niveau",)
    search_fields = ("evaluation__titre",)
    raw_id_fields = ("evaluation", "apprenant", "critere", "modifie_par")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        agregats.recalculer([obj.apprenant_id])

    def delete_queryset(self, request, queryset):
        apprenants = set(queryset.values_list("apprenant_id", flat=True))
        super().delete_queryset(request, queryset)
        agregats.recalculer(apprenants)
