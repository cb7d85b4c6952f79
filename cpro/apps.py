from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CproConfig(AppConfig):
    name = "cpro"
    verbose_name = "Cpro"

    def ready(self):
        # Each module registers its exporters in <app>/exporters.py.
        autodiscover_modules("exporters")
        # …and the object rules of its permissions in <app>/regles.py (cpro.perms.peut).
        autodiscover_modules("regles")
