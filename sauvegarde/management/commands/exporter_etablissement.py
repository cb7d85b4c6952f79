"""Export one establishment (every row of its scope and its files) to move it to another
instance with `importer_etablissement`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sauvegarde import etablissement
from sauvegarde.affichage import liste, taille
from sauvegarde.erreurs import SauvegardeErreur


class Command(BaseCommand):
    help = (
        "Exporte un établissement (personnes, divisions, apprenants, évaluations, bilans, "
        "grilles CCF, LSL, journal… et leurs fichiers) dans une archive vérifiable."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Adresse (slug) de l'établissement, par ex. lp-demo.")
        parser.add_argument(
            "--dest",
            type=Path,
            default=None,
            help="Dossier de l'archive (par défaut : SAUVEGARDE_DOSSIER).",
        )

    def handle(self, *args, slug, dest=None, **options):
        try:
            resultat = etablissement.exporter(slug, dest=dest)
        except SauvegardeErreur as exc:
            raise CommandError(str(exc)) from exc
        m = resultat.manifeste
        medias = [n for n in m["fichiers"] if n.startswith("media/")]
        self.stdout.write(self.style.SUCCESS(f"Export écrit : {resultat.archive}"))
        self.stdout.write(
            f"{m['etablissement']['nom']} : {resultat.lignes} lignes ("
            f"{sum(1 for n in m['modeles'].values() if n)} modèles), {len(medias)} fichiers ; "
            f"archive : {taille(resultat.archive.stat().st_size)}."
        )
        self.stdout.write(
            "Référentiels nécessaires sur l'instance cible : "
            + (liste([f"{r['code']} v{r['version']}" for r in m["referentiels"]]) or "aucun")
            + "."
        )
        if m["hors_perimetre"]:
            detail = [f"{k} ({n})" for k, n in sorted(m["hors_perimetre"].items())]
            self.stdout.write(
                self.style.WARNING(
                    "Références vers un autre établissement ou un non-membre, non exportées : "
                    + liste(detail)
                    + "."
                )
            )
        if m["medias"]["manquants"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Fichiers référencés mais absents : {liste(m['medias']['manquants'])}."
                )
            )
