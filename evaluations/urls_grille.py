"""URLs of the positioning grid and of the learners' own grids (merged in evaluations.urls)."""

from django.urls import path

from evaluations import views_grille

urlpatterns = [
    path("<int:pk>/grille/", views_grille.grille, name="grille"),
    path("<int:pk>/grille/saisir/", views_grille.saisir, name="saisir"),
    path("<int:pk>/grille/remplir/", views_grille.remplir, name="remplir"),
    path("<int:pk>/grille/enregistrer/", views_grille.enregistrer, name="enregistrer"),
    path("<int:pk>/grille/commenter/", views_grille.commenter, name="commenter"),
    path("mes-grilles/", views_grille.mes_grilles, name="mes_grilles"),
    path("mes-grilles/<int:pk>/", views_grille.ma_grille, name="ma_grille"),
    path(
        "mes-grilles/exporter-pour-l-apprenti/",
        views_grille.exporter_apprenti,
        name="exporter_apprenti",
    ),
]
