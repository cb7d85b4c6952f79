"""python manage.py charger_referentiels [fichiers…]

Loads référentiel documents (format `cpro-referentiel`), by default every
fixtures/referentiels/*.json. Every file is validated before anything is written: one invalid
file → the errors are printed, the command exits non-zero and nothing is loaded.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referentiels.services import (
    ReferentielInvalide,
    charger_referentiel,
    lire_json,
    valider_referentiel,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "referentiels"


class Command(BaseCommand):
    help = "Charge (ou met à jour) les référentiels à partir de fichiers JSON au format Cpro."

    def add_arguments(self, parser):
        parser.add_argument(
            "fichiers", nargs="*", help="Fichiers JSON (défaut : fixtures/referentiels/*.json)"
        )

    def handle(self, *args, **options):
        fichiers = [Path(f) for f in options["fichiers"]] or sorted(FIXTURES.glob("*.json"))
        if not fichiers:
            raise CommandError(f"Aucun fichier de référentiel trouvé dans {FIXTURES}.")
        documents, erreurs = [], []
        for fichier in fichiers:
            try:
                data = lire_json(fichier.read_bytes())
            except OSError as exc:
                erreurs.append(f"{fichier} : lecture impossible ({exc.strerror}).")
                continue
            except ReferentielInvalide as exc:
                erreurs.extend(f"{fichier} : {e}" for e in exc.erreurs)
                continue
            problemes = valider_referentiel(data)
            erreurs.extend(f"{fichier} : {e}" for e in problemes)
            documents.append((fichier, data))
        if erreurs:
            for e in erreurs:
                self.stderr.write(e)
            raise CommandError(f"{len(erreurs)} erreur(s) : aucun référentiel n'a été chargé.")
        bavard = options["verbosity"] >= 1
        for fichier, data in documents:
            rapport = charger_referentiel(data)
            if not bavard:
                continue
            self.stdout.write(f"{fichier.name} — {rapport.resume()}")
            for label, compteur in rapport.lignes:
                if compteur.total or compteur.absents:
                    ligne = (
                        f"  {label} : {compteur.crees} créé(s), {compteur.modifies} modifié(s), "
                        f"{compteur.inchanges} inchangé(s)"
                    )
                    if compteur.absents:
                        ligne += f", absents du fichier (conservés) : {', '.join(compteur.absents)}"
                    self.stdout.write(ligne)
        if bavard:
            self.stdout.write(self.style.SUCCESS(f"{len(documents)} référentiel(s) chargé(s)."))
