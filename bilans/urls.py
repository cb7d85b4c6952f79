"""Bilans URLs: dashboards (urls_tableaux), bilans (urls_bilans), PDFs/attestations/PRONOTE."""

from bilans import urls_bilans, urls_documents, urls_tableaux, urls_transversales

app_name = "bilans"

urlpatterns = [*urls_tableaux.urlpatterns, *urls_bilans.urlpatterns, *urls_documents.urlpatterns]
urlpatterns += urls_transversales.urlpatterns
