"""Commission documents: a grid's PDF, the ZIP of locked grids, the recapitulative view and
its CSV (certification/views_documents)."""

from django.urls import path

from certification import views_documents as views

urlpatterns = [
    path("grilles/<int:pk>/pdf/", views.grille_pdf, name="grille_pdf"),
    path("grilles/zip/", views.grilles_zip, name="grilles_zip"),
    path("recapitulatif/", views.recapitulatif, name="recapitulatif"),
    path("recapitulatif/notes.csv", views.recapitulatif_csv, name="recapitulatif_csv"),
]
