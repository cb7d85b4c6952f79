"""Apply the retention periods (gestion.rgpd.appliquer_retention): expired export files,
book media of learners who left more than RGPD_RETENTION_JOURS days ago."""

from django.core.management.base import BaseCommand, CommandError

from gestion.rgpd import appliquer_retention


def _taille(octets: int) -> str:
    return f"{octets / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


class Command(BaseCommand):
    help = (
        "Supprime les fichiers d'export expirés et les médias du book des apprenants sortis "
        "depuis plus de RGPD_RETENTION_JOURS jours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait supprimé, sans rien supprimer.",
        )
        parser.add_argument(
            "--jours",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut : RGPD_RETENTION_JOURS).",
        )

    def handle(self, *args, dry_run=False, jours=None, **options):
        if jours is not None and jours < 0:
            raise CommandError("--jours doit être un nombre de jours positif ou nul.")
        bilan = appliquer_retention(jours=jours, simulation=dry_run)
        verbe = "à supprimer" if dry_run else "supprimés"
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'est supprimé.")
        self.stdout.write(
            f"Durée de conservation : {bilan.jours} jours (apprenants sortis avant le "
            f"{bilan.limite:%d/%m/%Y})."
        )
        self.stdout.write(f"Exports expirés {verbe} : {bilan.exports}.")
        self.stdout.write(
            f"Médias du book {verbe} : {bilan.medias} ({_taille(bilan.octets)}), "
            f"pour {bilan.apprenants} apprenant{'s' if bilan.apprenants > 1 else ''} "
            f"sorti{'s' if bilan.apprenants > 1 else ''}."
        )
