"""Back up the whole instance: database snapshot + private media files + manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sauvegarde import services
from sauvegarde.affichage import date_heure, liste, taille
from sauvegarde.erreurs import SauvegardeErreur


class Command(BaseCommand):
    help = (
        "Sauvegarde l'instance (base de données et fichiers privés) dans une archive vérifiable, "
        "puis ne garde que les SAUVEGARDE_CONSERVER plus récentes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dest",
            type=Path,
            default=None,
            help="Dossier des sauvegardes (par défaut : SAUVEGARDE_DOSSIER).",
        )
        parser.add_argument(
            "--conserver",
            type=int,
            default=None,
            help="Nombre de sauvegardes à garder (par défaut : SAUVEGARDE_CONSERVER).",
        )

    def handle(self, *args, dest=None, conserver=None, **options):
        try:
            resultat = services.sauvegarder(dest=dest, conserver=conserver)
        except SauvegardeErreur as exc:
            raise CommandError(str(exc)) from exc
        m = resultat.manifeste
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {resultat.archive}"))
        self.stdout.write(f"Date : {date_heure(m['cree_le'])} — base {m['moteur']}")
        self.stdout.write(
            f"Base : {len(m['tables'])} tables, {resultat.lignes} lignes ; fichiers : "
            f"{resultat.medias} ; archive : {taille(resultat.archive.stat().st_size)}."
        )
        medias = m["medias"]
        if medias["manquants"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Fichiers référencés mais absents du dossier des fichiers : "
                    f"{len(medias['manquants'])} ({liste(medias['manquants'])})."
                )
            )
        if medias["orphelins"]:
            self.stdout.write(
                f"Fichiers sans référence en base (sauvegardés quand même) : "
                f"{len(medias['orphelins'])} ({liste(medias['orphelins'])})."
            )
        if medias["ignores"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Éléments ignorés (liens, fichiers spéciaux) : {liste(medias['ignores'])}."
                )
            )
        for chemin in resultat.supprimees:
            self.stdout.write(f"Ancienne sauvegarde supprimée : {chemin.name}")
