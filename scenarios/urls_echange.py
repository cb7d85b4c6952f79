"""Exports of a scénario (ODT, DOCX, .scpro) and the .scpro import (merged into scenarios.urls)."""

from django.urls import path

from scenarios import views_echange

urlpatterns = [
    path("<int:pk>/exporter/", views_echange.exporter, name="exporter"),
    path("importer/", views_echange.importer, name="importer"),
    path("importer/confirmer/", views_echange.importer_confirmer, name="importer_confirmer"),
]
