"""URLs of the LSL Pro entry pages (names under the `lslpro` namespace of lslpro/urls.py)."""

from django.urls import path

from lslpro import views_parametres, views_saisie

urlpatterns = [
    path("saisie/", views_saisie.saisie, name="saisie"),
    path("saisie/<int:pk>/", views_saisie.livret, name="livret"),
    path("periodicite/", views_saisie.periodicite, name="periodicite"),
    path("completude/", views_saisie.completude, name="completude"),
    path("parametres/", views_parametres.parametres, name="parametres"),
    path("parametres/code-matiere/", views_parametres.code_matiere, name="parametres_code_matiere"),
    path("parametres/code-mef/", views_parametres.code_mef, name="parametres_code_mef"),
]
