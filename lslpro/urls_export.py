"""LSL export pages and PRONOTE's pull of LSL data (merged into lslpro.urls)."""

from django.urls import path

from lslpro import views_export as views

urlpatterns = [
    path("export/", views.export, name="export"),
    path("export/lancer/", views.export_lancer, name="export_lancer"),
    path("api/pronote/lsl/", views.api_pronote_lsl, name="api_pronote_lsl"),
]
