"""The évaluation pages (names under the `evaluations` namespace of evaluations/urls.py)."""

from django.urls import path

from evaluations import views
from scenarios import views_fiche

urlpatterns = [
    path("", views.liste, name="liste"),
    path("creer/<int:scenario>/", views.creer, name="creer"),
    path("<int:pk>/informations/", views.modifier, name="modifier"),
    path("<int:pk>/apprenants/", views.apprenants, name="apprenants"),
    *views_fiche.chemins(views.onglets),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
]
