"""The module's pages (names under the `scenarios` namespace of scenarios/urls.py)."""

from django.urls import path

from scenarios import views, views_fiche

urlpatterns = [
    path("", views.liste, name="liste"),
    path("ordonner/", views.ordonner, name="ordonner"),
    path("creer/<str:niveau>/", views.creer, name="creer"),
    path("dossiers/creer/", views.dossier_creer, name="dossier_creer"),
    path("dossiers/<int:pk>/renommer/", views.dossier_renommer, name="dossier_renommer"),
    path("dossiers/<int:pk>/supprimer/", views.dossier_supprimer, name="dossier_supprimer"),
    path("<int:pk>/", views.voir, name="voir"),
    path("<int:pk>/modifier/", views.titre, name="modifier"),
    *views_fiche.chemins(views.onglets),
    path("<int:pk>/dupliquer/", views.dupliquer, name="dupliquer"),
    path("<int:pk>/confidentialite/", views.confidentialite, name="confidentialite"),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("<int:pk>/deplacer/", views.deplacer, name="deplacer"),
    path("<int:pk>/classer/", views.classer, name="classer"),
]
