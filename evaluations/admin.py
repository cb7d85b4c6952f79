"""Django admin, for platform staff only (teachers work from the évaluation pages).

Résultats and the lock are read-only here: they change through the services (audit log)."""

from django.contrib import admin

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
