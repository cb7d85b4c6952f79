"""Scénarios URLs: the module's pages (urls_scenarios) and the exports/exchange (urls_echange)."""

from scenarios import urls_echange, urls_scenarios

app_name = "scenarios"

urlpatterns = [*urls_scenarios.urlpatterns, *urls_echange.urlpatterns]
