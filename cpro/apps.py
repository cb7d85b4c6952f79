from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CproConfig(AppConfig):
    name = "cpro"
    verbose_name = "Cpro"

    def ready(self):
        # Each module registers its exporters in <app>/exporters.py.
        autodiscover_modules("exporters")
        # Celery tasks registered in every process (the web one queues them by name:
        # cpro.services._publier), not only in the worker.
        autodiscover_modules("tasks")
        # …and the object rules of its permissions in <app>/regles.py (cpro.perms.peut).
        autodiscover_modules("regles")
        # …and what it holds about a learner (export, erasure) in <app>/rgpd.py (cpro.rgpd).
        autodiscover_modules("rgpd")
