"""Demo bilans intermédiaires: for every learner of 1MCVA and TMCVA, a validated bilan in
December (before today) and, for every other learner, a second bilan today left as a draft.

Built through the services, so the levels come from the suggestion on the demo résultats and
validation locks the évaluations the December bilan took into account (as in real use; the DDFPT
can unlock them). Constats, conseils and notes follow the learner's levels, with some variety.

Idempotent: a learner who already has a bilan gets no new December bilan, and one who already
has two gets no draft.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bilans import services_bilans
from bilans.models import BilanIntermediaire
from cpro.models import Apprenant

DIVISIONS = ("1MCVA", "TMCVA")
AUTEUR = "prof_mcva"

CONSTATS = {
    "fragile": [
        "La prise de contact avec le client reste hésitante et la découverte des besoins est "
        "souvent incomplète. Plusieurs mises en situation n'ont pas été menées à terme.",
        "Travail irrégulier ce trimestre : les absences lors des jeux de rôle pèsent sur les "
        "acquis, qui restent fragiles, en particulier sur la conclusion de la vente.",
        "Des difficultés à structurer un argumentaire et à utiliser le vocabulaire "
        "professionnel ; l'élève manque encore d'assurance face au client.",
    ],
    "en_cours": [
        "Des progrès réels dans l'accueil et l'écoute du client. L'argumentation manque "
        "encore de précision et la vente additionnelle est rarement proposée.",
        "Élève volontaire, à l'aise à l'oral, mais dont le suivi des ventes et l'analyse des "
        "indicateurs du rayon restent superficiels.",
        "Un bilan correct : les techniques de vente sont connues mais pas toujours mobilisées "
        "en situation complexe. La tenue du poste de travail est satisfaisante.",
    ],
    "solide": [
        "Un bilan très satisfaisant : beaucoup de sérieux et de motivation. La relation "
        "client est maîtrisée, y compris dans le traitement des objections.",
        "Excellente implication en classe comme en entreprise ; l'élève conduit une vente "
        "conseil de façon autonome et sait rebondir sur les besoins exprimés.",
        "Des compétences bien installées, transférées avec aisance d'une situation à l'autre. "
        "Le tuteur souligne la fiabilité et l'esprit d'initiative de l'élève.",
    ],
}
CONSEILS = {
    "fragile": [
        "Préparer chaque mise en situation avec la fiche produit et s'entraîner à la "
        "reformulation des besoins. Être présent et ponctuel à toutes les séances.",
        "Reprendre les étapes de la vente avec le professeur lors de l'accompagnement "
        "personnalisé ; oser prendre la parole lors des jeux de rôle.",
    ],
    "en_cours": [
        "Enrichir l'argumentaire (caractéristiques, avantages, preuves) et proposer "
        "systématiquement une vente additionnelle.",
        "Approfondir le suivi des indicateurs commerciaux et s'appuyer davantage sur la PFMP "
        "pour consolider les acquis.",
    ],
    "solide": [
        "Continuez ainsi. Viser l'autonomie complète sur les situations complexes et aider "
        "les camarades lors des travaux de groupe.",
        "Maintenir cet investissement et préparer dès maintenant les épreuves certificatives "
        "en constituant un dossier de situations professionnelles variées.",
    ],
}


def _bande(bilan) -> tuple[str, float]:
    valeurs = [int(p.niveau) for p in bilan.positionnements.all() if p.niveau in "1234"]
    moyenne = sum(valeurs) / len(valeurs) if valeurs else 2.0
    bande = "fragile" if moyenne < 2 else ("en_cours" if moyenne < 3 else "solide")
    return bande, moyenne


def _note(rng: random.Random, moyenne: float) -> Decimal:
    brute = 4 + (moyenne - 1) * 4.5 + rng.uniform(-1.0, 1.5)
    return Decimal(round(min(20, max(0, brute)) * 2) / 2).quantize(Decimal("0.01"))


def _completer(bilan, *, par, rng: random.Random) -> None:
    bande, moyenne = _bande(bilan)
    services_bilans.modifier_bilan(
        bilan,
        par=par,
        date=bilan.date,
        constats=rng.choice(CONSTATS[bande]),
        conseils=rng.choice(CONSEILS[bande]),
        note=_note(rng, moyenne),
        niveaux={},
    )


def construire(ctx, aujourd_hui: datetime.date | None = None) -> None:
    """Add the demo bilans of 1MCVA and TMCVA (see the module docstring)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    decembre = min(datetime.date(ctx.annee.debut, 12, 12), aujourd_hui - datetime.timedelta(1))
    decembre = max(decembre, ctx.annee.date_debut)
    auteur = ctx.personnes[AUTEUR].user
    with transaction.atomic():
        for nom in DIVISIONS:
            division = ctx.divisions.get(nom)
            if division is None:
                continue
            apprenants = list(
                Apprenant.objects.filter(division=division)
                .annotate(
                    nb_bilans=Count(
                        "bilans", filter=Q(bilans__diplome=division.diplome), distinct=True
                    )
                )
                .order_by("pk")
            )
            for i, apprenant in enumerate(apprenants):
                rng = random.Random(f"cpro-bilans-{apprenant.pk}")
                nb = apprenant.nb_bilans
                if nb == 0:
                    bilan = services_bilans.creer_bilan(apprenant, par=auteur, date=decembre)
                    _completer(bilan, par=auteur, rng=rng)
                    services_bilans.valider_bilan(bilan, par=auteur)
                    # Validated on the day it was written, as a teacher would have done.
                    valide_le = timezone.make_aware(
                        datetime.datetime.combine(decembre, datetime.time(17, 30))
                    )
                    BilanIntermediaire.objects.filter(pk=bilan.pk).update(valide_le=valide_le)
                    nb = 1
                if i % 2 == 0 and nb == 1 and decembre < aujourd_hui:
                    brouillon = services_bilans.creer_bilan(apprenant, par=auteur, date=aujourd_hui)
                    _completer(brouillon, par=auteur, rng=rng)
