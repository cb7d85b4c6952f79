"""URLs of the grilles CCF des candidats (names under the `certification` namespace of
certification/urls.py)."""

from django.urls import path

from certification import views_grilles

urlpatterns = [
    path("grilles/", views_grilles.grilles, name="grilles"),
    path(
        "grilles/epreuve/<int:grille>/session/<int:session>/apprenant/<int:apprenant>/",
        views_grilles.grille_ouvrir,
        name="grille_ouvrir",
    ),
    path("grilles/<int:pk>/", views_grilles.grille, name="grille"),
    path(
        "grilles/<int:pk>/enregistrer/",
        views_grilles.grille_enregistrer,
        name="grille_enregistrer",
    ),
    path(
        "grilles/<int:pk>/membres/ajouter/",
        views_grilles.grille_membre_ajouter,
        name="grille_membre_ajouter",
    ),
    path(
        "grilles/<int:pk>/membres/<int:membre>/retirer/",
        views_grilles.grille_membre_retirer,
        name="grille_membre_retirer",
    ),
    path(
        "grilles/<int:pk>/verrouiller/", views_grilles.grille_verrouiller, name="grille_verrouiller"
    ),
    path(
        "grilles/<int:pk>/deverrouiller/",
        views_grilles.grille_deverrouiller,
        name="grille_deverrouiller",
    ),
]
