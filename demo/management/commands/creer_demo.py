from django.core.management.base import BaseCommand, CommandError

from demo import (
    bilans,
    certification,
    evaluations,
    livrets,
    lslpro,
    pfmp,
    projets,
    scenarios,
    stockage,
    transversales,
)
from demo.socle import MOT_DE_PASSE_DEMO, DemoError, construire_socle

# Each module's builder, in the order of their dependencies (a scénario before its
# évaluations, PFMP before bilans, the transversal référentiel and its résultats before bilans
# so that the demo's bilans position the transversal competences too, bilans before
# certification and LSL).
CONSTRUCTEURS = (
    scenarios,
    evaluations,
    pfmp,
    transversales,
    bilans,
    projets,
    livrets,
    stockage,
    certification,
    lslpro,
)


class Command(BaseCommand):
    help = "Crée (ou complète) le lycée de démonstration et affiche les identifiants."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help="port du serveur de démonstration (8000)"
        )

    def handle(self, *args, **options):
        try:
            ctx = construire_socle()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        for module in CONSTRUCTEURS:
            module.construire(ctx)
        etab = ctx.etablissement
        self.stdout.write(self.style.SUCCESS(f"\n{etab.nom} prêt."))
        self.stdout.write(f"Adresse : http://127.0.0.1:{options['port']}/{etab.slug}/")
        self.stdout.write(
            f"Mot de passe de tous les comptes de démonstration : {MOT_DE_PASSE_DEMO}\n"
        )
        width = max(len(r) for r, _, _ in ctx.identifiants)
        for role, login, detail in ctx.identifiants:
            suffix = f"  ({detail})" if detail else ""
            self.stdout.write(f"  {role:<{width}}  {login}{suffix}")
        self.stdout.write("")
