"""URLs of the projets module (Suivi de projet — chef-d'œuvre)."""

from django.urls import path

from projets import views

app_name = "projets"

urlpatterns = [
    path("", views.suivi, name="suivi"),
    path("nouveau/", views.projet_creer, name="projet_creer"),
    path("<int:pk>/", views.projet, name="projet"),
    path("<int:pk>/modifier/", views.projet_modifier, name="projet_modifier"),
    path("<int:pk>/archiver/", views.projet_archiver, name="projet_archiver"),
    path("<int:pk>/supprimer/", views.projet_supprimer, name="projet_supprimer"),
    path("<int:pk>/apprenants/<int:apprenant>/", views.dossier, name="dossier"),
    path(
        "<int:pk>/apprenants/<int:apprenant>/carnet/", views.entree_ajouter, name="entree_ajouter"
    ),
    path("<int:pk>/apprenants/<int:apprenant>/commenter/", views.commenter, name="commenter"),
    path("<int:pk>/apprenants/<int:apprenant>/evaluation/", views.evaluer, name="evaluer"),
    path("<int:pk>/apprenants/<int:apprenant>/pdf/", views.dossier_pdf, name="dossier_pdf"),
    path("carnet/<int:pk>/fichier/", views.entree_fichier, name="entree_fichier"),
    path("mon-projet/", views.mon_projet, name="mon_projet"),
    path("tuteur/", views.tuteur, name="tuteur"),
]
