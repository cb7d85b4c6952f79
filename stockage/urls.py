"""URLs of the stockage module."""

from django.urls import path

from stockage import views

app_name = "stockage"

urlpatterns = [
    path("", views.espace, name="espace"),
    path("partages/", views.partages, name="partages"),
    path("partages/<int:pk>/", views.partage, name="partage"),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("espaces/<int:pk>/dossiers/creer/", views.dossier_creer, name="dossier_creer"),
    path("espaces/<int:pk>/deposer/", views.deposer, name="deposer"),
    path("dossiers/<int:pk>/renommer/", views.dossier_renommer, name="dossier_renommer"),
    path("dossiers/<int:pk>/deplacer/", views.dossier_deplacer, name="dossier_deplacer"),
    path("dossiers/<int:pk>/supprimer/", views.dossier_supprimer, name="dossier_supprimer"),
    path("fichiers/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
    path("fichiers/<int:pk>/renommer/", views.fichier_renommer, name="fichier_renommer"),
    path("fichiers/<int:pk>/deplacer/", views.fichier_deplacer, name="fichier_deplacer"),
    path("fichiers/<int:pk>/supprimer/", views.fichier_supprimer, name="fichier_supprimer"),
    path("fichiers/<int:pk>/joindre/", views.joindre, name="joindre"),
    path(
        "choisir/<str:cible>/<int:pk>/",
        views.choisir,
        name="choisir",
    ),
]
