from django.contrib import admin

from scenarios.models import Dossier, Ressource, Scenario


class RessourceInline(admin.TabularInline):
    model = Ressource
    extra = 0
    # Files are private (no MEDIA_URL): never rendered as a link; served by the checked view.
    fields = ("type", "titre", "nom_fichier", "taille", "url", "ordre")
    readonly_fields = ("type", "nom_fichier", "taille")


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("titre", "etablissement", "diplome", "niveau", "auteur", "prive", "modifie_le")
    list_filter = ("prive", "niveau", "diplome", "etablissement")
    search_fields = ("titre", "contexte", "auteur__username", "auteur__last_name")
    list_select_related = ("etablissement", "diplome", "auteur")
    raw_id_fields = ("auteur", "dossier", "duplique_de", "taches", "criteres")
    readonly_fields = ("cree_le", "modifie_le")
    inlines = [RessourceInline]


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("nom", "etablissement", "diplome", "niveau", "ordre")
    list_filter = ("niveau", "diplome", "etablissement")
    search_fields = ("nom",)
    list_select_related = ("etablissement", "diplome")
    raw_id_fields = ("cree_par",)


@admin.register(Ressource)
class RessourceAdmin(admin.ModelAdmin):
    list_display = ("titre", "type", "scenario", "taille", "cree_le")
    list_filter = ("type",)
    search_fields = ("titre", "nom_fichier", "url", "scenario__titre")
    list_select_related = ("scenario",)
    raw_id_fields = ("scenario",)
    exclude = ("fichier",)
    readonly_fields = ("type", "nom_fichier", "content_type", "taille")
