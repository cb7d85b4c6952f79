"""URLs of the bilans intermédiaires (names under the `bilans` namespace of bilans/urls.py)."""

from django.urls import path

from bilans import views_bilans

urlpatterns = [
    path("intermediaires/", views_bilans.bilans, name="bilans"),
    path("intermediaires/creer/", views_bilans.bilan_creer, name="bilan_creer"),
    path("intermediaires/<int:pk>/", views_bilans.bilan_modifier, name="bilan_modifier"),
    path(
        "intermediaires/<int:pk>/pourquoi/<int:competence>/",
        views_bilans.bilan_pourquoi,
        name="bilan_pourquoi",
    ),
    path("intermediaires/<int:pk>/valider/", views_bilans.bilan_valider, name="bilan_valider"),
    path(
        "intermediaires/<int:pk>/deverrouiller/",
        views_bilans.bilan_deverrouiller,
        name="bilan_deverrouiller",
    ),
    path(
        "intermediaires/<int:pk>/supprimer/", views_bilans.bilan_supprimer, name="bilan_supprimer"
    ),
]
