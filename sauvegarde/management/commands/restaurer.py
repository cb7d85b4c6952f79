"""Restore an archive written by `manage.py sauvegarder` into an empty database and media root."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sauvegarde import services
from sauvegarde.affichage import date_heure, liste, taille
from sauvegarde.erreurs import SauvegardeErreur


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans une base de données et un dossier de fichiers vides "
        "(par défaut ceux de cette instance), après vérification complète de l'archive."
    )
    # The target database may not exist yet: no system check may touch it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Archive .tar.gz de `sauvegarder`.")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Base cible (par défaut : DATABASE_URL de cette instance).",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="Dossier des fichiers cible (par défaut : MEDIA_ROOT).",
        )
        parser.add_argument(
            "--verifier",
            action="store_true",
            help="Vérifie seulement l'archive (manifeste, sommes de contrôle) sans rien écrire.",
        )

    def handle(self, *args, archive, database_url=None, media_root=None, verifier=False, **o):
        try:
            if verifier:
                manifeste = services.verifier(archive)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Archive intacte : {archive.name} (sauvegarde du "
                        f"{date_heure(manifeste['cree_le'])}, {len(manifeste['fichiers'])} "
                        "fichiers vérifiés). Rien n'a été écrit."
                    )
                )
                return
            resultat = services.restaurer(archive, database_url=database_url, media_root=media_root)
        except SauvegardeErreur as exc:
            raise CommandError(str(exc)) from exc
        m = resultat.manifeste
        self.stdout.write(self.style.SUCCESS(f"Restauration terminée depuis {archive.name}."))
        self.stdout.write(f"Sauvegarde du {date_heure(m['cree_le'])} (base {m['moteur']}).")
        self.stdout.write(
            f"Base {resultat.base} : {len(m['tables'])} tables, {resultat.lignes} lignes."
        )
        self.stdout.write(
            f"Fichiers : {len(resultat.medias)} ({taille(resultat.octets_medias)}) dans "
            f"{resultat.media_root}."
        )
        if resultat.migrations_appliquees:
            self.stdout.write(
                f"Migrations appliquées après restauration : "
                f"{len(resultat.migrations_appliquees)} ({liste(resultat.migrations_appliquees)})."
            )
        else:
            self.stdout.write("Aucune migration en attente.")
        if m["medias"]["manquants"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Fichiers déjà absents lors de la sauvegarde : "
                    f"{liste(m['medias']['manquants'])}."
                )
            )
