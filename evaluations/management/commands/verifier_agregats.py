"""Compare the stored suggestion aggregates with a recompute from the résultats
(evaluations.agregats.derive); with --corriger, rebuild the learners that drifted."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evaluations import agregats

MONTRES = 50


class Command(BaseCommand):
    help = (
        "Vérifie que les agrégats stockés de la suggestion de positionnement correspondent aux "
        "résultats (0 écart attendu) ; --corriger recalcule les apprenants concernés."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--corriger",
            action="store_true",
            help="Recalcule les agrégats des apprenants qui présentent un écart.",
        )

    def handle(self, *args, corriger=False, **options):
        ecarts = agregats.derive()
        if not ecarts:
            self.stdout.write("0 écart : les agrégats de la suggestion sont exacts.")
            return
        apprenants = sorted({e.apprenant_id for e in ecarts})
        self.stdout.write(
            f"{len(ecarts)} écart{'s' if len(ecarts) > 1 else ''} "
            f"({len(apprenants)} apprenant{'s' if len(apprenants) > 1 else ''}) :"
        )
        for e in ecarts[:MONTRES]:
            self.stdout.write(f"  {e}")
        if len(ecarts) > MONTRES:
            self.stdout.write(f"  … et {len(ecarts) - MONTRES} autres.")
        if not corriger:
            raise CommandError("Agrégats incohérents : relancez avec --corriger.")
        with transaction.atomic():
            agregats.recalculer(apprenants)
        reste = agregats.derive(apprenants)
        if reste:
            raise CommandError(f"{len(reste)} écart(s) après correction.")
        self.stdout.write(
            f"Corrigé : agrégats recalculés pour {len(apprenants)} apprenant"
            f"{'s' if len(apprenants) > 1 else ''} ; 0 écart."
        )
