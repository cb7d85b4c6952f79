"""Annexes pédagogiques, périodes, assignments, entreprises and suivi (namespace `pfmp`)."""

from django.urls import path

from pfmp import views_periodes as views

urlpatterns = [
    path("annexes/", views.annexes, name="annexes"),
    path("annexes/creer/", views.annexe_creer, name="annexe_creer"),
    path("annexes/<int:pk>/", views.annexe, name="annexe"),
    path("annexes/<int:pk>/modifier/", views.annexe_modifier, name="annexe_modifier"),
    path("annexes/<int:pk>/supprimer/", views.annexe_supprimer, name="annexe_supprimer"),
    path("periodes/", views.periodes, name="periodes"),
    path("periodes/creer/<int:annexe>/", views.periode_creer, name="periode_creer"),
    path("periodes/<int:pk>/", views.periode, name="periode"),
    path("periodes/<int:pk>/modifier/", views.periode_modifier, name="periode_modifier"),
    path("periodes/<int:pk>/apprenants/", views.periode_apprenants, name="periode_apprenants"),
    path("periodes/<int:pk>/suivi/", views.periode_suivi, name="periode_suivi"),
    path(
        "affectations/<int:pk>/modifier/",
        views.affectation_modifier,
        name="affectation_modifier",
    ),
    path("affectations/<int:pk>/retirer/", views.affectation_retirer, name="affectation_retirer"),
    path("suivi/", views.suivi, name="suivi"),
    path("entreprises/", views.entreprises, name="entreprises"),
    path("entreprises/creer/", views.entreprise_creer, name="entreprise_creer"),
    path("entreprises/<int:pk>/modifier/", views.entreprise_modifier, name="entreprise_modifier"),
]
