"""Bilans URLs: dashboards (urls_tableaux), bilans (urls_bilans), PDFs/attestations/PRONOTE."""

from bilans import urls_bilans, urls_documents, urls_tableaux

app_name = "bilans"

urlpatterns = [*urls_tableaux.urlpatterns, *urls_bilans.urlpatterns, *urls_documents.urlpatterns]
