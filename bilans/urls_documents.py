"""Bilan documents: PDFs, attestations, PRONOTE tokens and pull API (bilans/views_documents)."""

from django.urls import path

from bilans import views_documents as views

urlpatterns = [
    path("bilan/<int:pk>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("impression/", views.impression_division, name="impression_division"),
    path(
        "bilan/<int:pk>/attestation/",
        views.attestation_competences,
        name="attestation_competences",
    ),
    path(
        "bilan/<int:pk>/attestation/generer/",
        views.attestation_generer,
        name="attestation_generer",
    ),
    path("attestations/", views.attestations, name="attestations"),
    path("attestations/<int:pk>/pdf/", views.attestation_pdf, name="attestation_pdf"),
    path("attestations/<int:pk>/signer/", views.attestation_signer, name="attestation_signer"),
    path("pronote/jetons/", views.pronote_jetons, name="pronote_jetons"),
    path("pronote/jetons/<int:pk>/revoquer/", views.pronote_revoquer, name="pronote_revoquer"),
    path("api/pronote/bilans/", views.api_pronote_bilans, name="api_pronote_bilans"),
]
