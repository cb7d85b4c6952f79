"""URLs of « Suivi des compétences transversales » (merged in bilans.urls)."""

from django.urls import path

from bilans import views_transversales

urlpatterns = [
    path("transversales/", views_transversales.transversales, name="transversales"),
    path(
        "transversales/classe/",
        views_transversales.transversales_classe,
        name="transversales_classe",
    ),
    path(
        "mon-tableau-de-bord/transversales/",
        views_transversales.mes_transversales,
        name="mes_transversales",
    ),
]
