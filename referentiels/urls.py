from django.urls import path

from referentiels import views, views_transversal

app_name = "referentiels"

urlpatterns = [
    path("", views.navigateur, name="navigateur"),
    path("imprimer/", views.imprimer, name="imprimer"),
    path("administration/", views.administration, name="administration"),
    path("administration/confirmer/", views.confirmer_import, name="confirmer_import"),
    path(
        "administration/<int:diplome_id>/tableur/",
        views.exporter_tableur,
        name="exporter_tableur",
    ),
    path("transversal/", views_transversal.transversal, name="transversal"),
    path(
        "transversal/competence/<int:pk>/",
        views_transversal.competence,
        name="transversal_competence",
    ),
    path("transversal/critere/<int:pk>/", views_transversal.critere, name="transversal_critere"),
    path(
        "transversal/jeu-de-depart/",
        views_transversal.jeu_de_depart,
        name="transversal_jeu_de_depart",
    ),
    path("transversal/importer/", views_transversal.importer, name="transversal_importer"),
    path("transversal/exporter/", views_transversal.exporter, name="transversal_exporter"),
]
