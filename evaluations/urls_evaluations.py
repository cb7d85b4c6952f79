"""The évaluation pages (names under the `evaluations` namespace of evaluations/urls.py)."""

from django.urls import path

from evaluations import views

urlpatterns = [
    path("", views.liste, name="liste"),
    path("creer/<int:scenario>/", views.creer, name="creer"),
    path("<int:pk>/informations/", views.modifier, name="modifier"),
    path("<int:pk>/apprenants/", views.apprenants, name="apprenants"),
    path("<int:pk>/contexte/", views.contexte, name="contexte"),
    path("<int:pk>/liaison/", views.liaison, name="liaison"),
    path("<int:pk>/ressources/", views.ressources, name="ressources"),
    path("<int:pk>/ressources/<int:rpk>/", views.ressource, name="ressource"),
    path(
        "<int:pk>/ressources/<int:rpk>/supprimer/",
        views.ressource_supprimer,
        name="ressource_supprimer",
    ),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
]
