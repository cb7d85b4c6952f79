"""Certification URLs: grids (urls_grilles) and documents/recap (urls_documents)."""

from certification import urls_documents, urls_grilles

app_name = "certification"

urlpatterns = [*urls_grilles.urlpatterns, *urls_documents.urlpatterns]
