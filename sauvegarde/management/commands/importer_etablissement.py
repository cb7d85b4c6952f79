"""Import an establishment archive written by `exporter_etablissement` into this instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sauvegarde import etablissement
from sauvegarde.affichage import date_heure, liste
from sauvegarde.erreurs import SauvegardeErreur


class Command(BaseCommand):
    help = (
        "Importe un établissement exporté d'une autre instance (nouvelles clés, fichiers "
        "vérifiés) ; refuse une adresse, un UAI ou un compte déjà présents."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Archive de `exporter_etablissement`.")

    def handle(self, *args, archive, **options):
        try:
            resultat = etablissement.importer(archive)
        except SauvegardeErreur as exc:
            raise CommandError(str(exc)) from exc
        etab = resultat.etablissement
        m = resultat.manifeste
        self.stdout.write(self.style.SUCCESS(f"Établissement importé : {etab.nom} ({etab.slug})."))
        self.stdout.write(f"Export du {date_heure(m['cree_le'])}.")
        self.stdout.write(
            f"{resultat.lignes} lignes dans {len(resultat.comptes)} modèles ; "
            f"{resultat.fichiers} fichiers."
        )
        if resultat.annees_creees:
            self.stdout.write(
                f"Années scolaires créées : {liste([str(a) for a in resultat.annees_creees])}."
            )
        if resultat.renommes:
            self.stdout.write(
                f"Fichiers renommés (nom déjà pris) : "
                f"{liste([f'{a} → {b}' for a, b in resultat.renommes.items()])}."
            )
