from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CproConfig(AppConfig):
    name = "cpro"
    verbose_name = "Cpro"

    def ready(self):
        # Each module registers its exporters in <app>/exporters.py.
        autodiscover_modules("exporters")
        from cpro.gestion import rgpd_exporters  # noqa: F401  (cpro/gestion is not an app)
