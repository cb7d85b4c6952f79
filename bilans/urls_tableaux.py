"""URLs of the learners' dashboards and of the class view (merged in bilans.urls)."""

from django.urls import path

from bilans import views_tableaux

urlpatterns = [
    path("tableaux-de-bord/", views_tableaux.tableau, name="tableau"),
    path(
        "tableaux-de-bord/<int:apprenant>/pourquoi/<int:competence>/",
        views_tableaux.tableau_pourquoi,
        name="tableau_pourquoi",
    ),
    path("vue-classes/", views_tableaux.vue_classes, name="vue_classes"),
    path("mon-tableau-de-bord/", views_tableaux.mon_tableau, name="mon_tableau"),
]
