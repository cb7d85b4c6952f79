from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from cpro.demo import MOT_DE_PASSE_DEMO, DemoError, construire_socle


class Command(BaseCommand):
    help = "Crée (ou complète) le lycée de démonstration et affiche les identifiants."

    def handle(self, *args, **options):
        try:
            ctx = construire_socle()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        for config in apps.get_app_configs():
            if config.name == "cpro":
                continue
            try:
                builder = import_string(f"{config.name}.demo.construire")
            except ImportError:
                continue
            builder(ctx)
        etab = ctx.etablissement
        self.stdout.write(self.style.SUCCESS(f"\n{etab.nom} prêt."))
        self.stdout.write(f"Adresse : http://127.0.0.1:8000/{etab.slug}/")
        self.stdout.write(
            f"Mot de passe de tous les comptes de démonstration : {MOT_DE_PASSE_DEMO}\n"
        )
        width = max(len(r) for r, _, _ in ctx.identifiants)
        for role, login, detail in ctx.identifiants:
            suffix = f"  ({detail})" if detail else ""
            self.stdout.write(f"  {role:<{width}}  {login}{suffix}")
        self.stdout.write("")
