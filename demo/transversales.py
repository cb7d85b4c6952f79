"""Demo transversal competences: the demo lycée's transversal référentiel (the ready-made
starting set, an establishment's choice), linked in a few demo évaluations of every division
with résultats for their learners, so that « Suivi des compétences transversales » and the
learners' « Mon tableau de bord » are not empty.

Runs after the évaluations and before the bilans (whose creation then positions the
transversal competences); on a second run only évaluations not locked by a validated bilan
are touched. Idempotent: the starting set adds only missing codes, a linked criterion is not
linked again, an existing résultat is never changed.
"""

import random

from django.db import transaction

from evaluations import agregats
from evaluations.models import Evaluation, Participant, Resultat
from referentiels.models import Critere
from referentiels.services_transversal import installer_jeu_de_depart

# Per division, the number of évaluations that evaluate transversal criteria, and the
# criteria codes each one links (in turn).
PAR_DIVISION = 4
CODES = (("AUT.1", "EQU.1"), ("COM.1", "PON.1"), ("AUT.2", "INI.1"), ("EQU.2", "HYS.1"))


def _niveau(rng: random.Random, base: float, rang: int) -> str:
    valeur = base + 0.35 * rang + rng.gauss(0, 0.7)
    return str(min(4, max(1, round(valeur))))


def construire(ctx) -> None:
    """Install the starting set, link transversal criteria in the first unlocked évaluations
    of every demo division and enter the learners' résultats (nothing twice)."""
    etab = ctx.etablissement
    with transaction.atomic():
        installer_jeu_de_depart(etab, par=ctx.personnes["ddfpt"].user)
        criteres = {
            c.code: c
            for c in Critere.objects.filter(
                competence__diplome__etablissement=etab,
                competence__diplome__nature="transversal",
                actif=True,
            )
        }
        a_recalculer = set()
        for nom, division in sorted(ctx.divisions.items()):
            rng = random.Random(f"cpro-transversales-{nom}")
            evaluations = list(
                Evaluation.objects.filter(
                    etablissement=etab,
                    afficher_tableau_de_bord=True,
                    verrouillee=False,
                    participants__apprenant__division=division,
                )
                .distinct()
                .order_by("date", "pk")[:PAR_DIVISION]
            )
            for rang, evaluation in enumerate(evaluations):
                choisis = [criteres[c] for c in CODES[rang % len(CODES)] if c in criteres]
                evaluation.criteres.add(*choisis)
                apprenants = list(
                    Participant.objects.filter(evaluation=evaluation).values_list(
                        "apprenant_id", flat=True
                    )
                )
                existants = set(
                    Resultat.objects.filter(evaluation=evaluation, critere__in=choisis).values_list(
                        "apprenant_id", "critere_id"
                    )
                )
                nouveaux = []
                for a in apprenants:
                    base = random.Random(f"transversal-{a}").gauss(2.1, 0.5)
                    for c in choisis:
                        if (a, c.pk) not in existants:
                            nouveaux.append(
                                Resultat(
                                    evaluation=evaluation,
                                    apprenant_id=a,
                                    critere=c,
                                    niveau=_niveau(rng, base, rang),
                                    modifie_par=evaluation.auteur,
                                )
                            )
                Resultat.objects.bulk_create(nouveaux, batch_size=1000)
                if nouveaux:
                    a_recalculer.update(apprenants)
        # Written in bulk, not through the services: the stored suggestion aggregates follow.
        if a_recalculer:
            agregats.recalculer(sorted(a_recalculer))
