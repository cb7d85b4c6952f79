"""Admin of the PFMP module (support and debugging; the application's pages are the UI)."""

from django.contrib import admin

from pfmp.models import (
    Affectation,
    AnnexePedagogique,
    BilanEntreprise,
    CommentairePublication,
    Entreprise,
    FicheActivite,
    LienTuteur,
    MediaPublication,
    Periode,
    Portfolio,
    Publication,
    SemaineJournal,
)


@admin.register(Entreprise)
class EntrepriseAdmin(admin.ModelAdmin):
    list_display = ("nom", "ville", "secteur", "etablissement")
    list_filter = ("etablissement",)
    search_fields = ("nom", "ville", "siret")


@admin.register(AnnexePedagogique)
class AnnexeAdmin(admin.ModelAdmin):
    list_display = ("titre", "diplome", "niveau", "etablissement", "modifie_le")
    list_filter = ("etablissement", "diplome", "niveau")
    search_fields = ("titre",)
    raw_id_fields = ("auteur",)
    filter_horizontal = ("taches", "competences", "criteres")


class AffectationInline(admin.TabularInline):
    model = Affectation
    extra = 0
    raw_id_fields = ("apprenant", "entreprise", "tuteur", "referent")


@admin.register(Periode)
class PeriodeAdmin(admin.ModelAdmin):
    list_display = ("titre", "diplome", "niveau", "date_debut", "date_fin", "etablissement")
    list_filter = ("etablissement", "annee", "diplome", "niveau")
    search_fields = ("titre",)
    date_hierarchy = "date_debut"
    raw_id_fields = ("annexe", "cree_par")
    filter_horizontal = ("taches", "competences", "criteres")
    inlines = [AffectationInline]


@admin.register(Affectation)
class AffectationAdmin(admin.ModelAdmin):
    list_display = ("apprenant", "periode", "entreprise", "tuteur", "referent", "archivee")
    list_filter = ("archivee", "periode__etablissement")
    search_fields = ("apprenant__membership__user__last_name", "periode__titre")
    raw_id_fields = ("periode", "apprenant", "entreprise", "tuteur", "referent")


class SemaineInline(admin.TabularInline):
    model = SemaineJournal
    extra = 0
    fields = ("numero", "date_debut", "date_fin", "activites")


class FicheInline(admin.TabularInline):
    model = FicheActivite
    extra = 0
    fields = ("numero", "date_debut", "date_fin", "titre", "statut")


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("affectation", "modifie_le")
    raw_id_fields = ("affectation",)
    inlines = [SemaineInline, FicheInline]


@admin.register(SemaineJournal)
class SemaineJournalAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "numero", "date_debut", "date_fin")
    raw_id_fields = ("portfolio",)
    filter_horizontal = ("taches",)


@admin.register(FicheActivite)
class FicheActiviteAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "numero", "titre", "statut", "date_debut", "date_fin")
    list_filter = ("statut",)
    raw_id_fields = ("portfolio", "commentee_par")
    filter_horizontal = ("taches",)


@admin.register(BilanEntreprise)
class BilanEntrepriseAdmin(admin.ModelAdmin):
    list_display = ("affectation", "statut", "valide_le", "valide_par")
    list_filter = ("statut",)
    raw_id_fields = ("affectation", "evaluation", "valide_par")


@admin.register(LienTuteur)
class LienTuteurAdmin(admin.ModelAdmin):
    list_display = ("affectation", "email", "cree_le", "expire_le", "revoque_le", "utilise_le")
    raw_id_fields = ("affectation", "cree_par")
    # The secret's hash is useless to a human and must not be edited.
    readonly_fields = ("secret_hash",)


class MediaInline(admin.TabularInline):
    model = MediaPublication
    extra = 0


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("titre", "apprenant", "situation", "date", "mise_en_avant")
    list_filter = ("situation", "mise_en_avant")
    search_fields = ("titre",)
    raw_id_fields = ("apprenant",)
    filter_horizontal = ("taches", "competences")
    inlines = [MediaInline]


@admin.register(MediaPublication)
class MediaPublicationAdmin(admin.ModelAdmin):
    list_display = ("publication", "type", "content_type", "taille", "ordre")
    raw_id_fields = ("publication",)


@admin.register(CommentairePublication)
class CommentairePublicationAdmin(admin.ModelAdmin):
    list_display = ("publication", "auteur", "cree_le")
    raw_id_fields = ("publication", "auteur")
