"""LSL Pro URLs: entry (urls_saisie) and export (urls_export)."""

from lslpro import urls_export, urls_saisie

app_name = "lslpro"

urlpatterns = [*urls_saisie.urlpatterns, *urls_export.urlpatterns]
