from django.apps import AppConfig


class StockageConfig(AppConfig):
    name = "stockage"
    verbose_name = "Espace de stockage"
