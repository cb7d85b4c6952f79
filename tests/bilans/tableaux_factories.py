"""Test data of the dashboards: a référentiel with units, évaluations with résultats for a
learner, and a large set (3 school years) built with bulk inserts."""

import datetime
import itertools

from django.utils import timezone

from bilans.models import BilanIntermediaire, Positionnement
from cpro.models import AnneeScolaire
from evaluations import agregats
from evaluations.models import Evaluation, Nature, Participant, Resultat
from referentiels.models import Competence, Critere, GroupeCompetences, Unite

_seq = itertools.count(1)


def referentiel(diplome, *, unites=("U2", "U31"), competences=2, criteres=2) -> dict:
    """One group per unit (`competences` competences of `criteres` criteria each).
    Returns {"unites": {code: Unite}, "competences": [...], "criteres": [...],
    "par_unite": {code: [criteres]}}."""
    n = next(_seq)
    result = {"unites": {}, "competences": [], "criteres": [], "par_unite": {}}
    for i, code in enumerate(unites, start=1):
        unite = Unite.objects.create(diplome=diplome, code=code, intitule=f"Unité {code}", ordre=i)
        groupe = GroupeCompetences.objects.create(
            diplome=diplome, code=f"B{n}{i}", intitule=f"Bloc {code}", unite=unite, ordre=i
        )
        result["unites"][code] = unite
        result["par_unite"][code] = []
        for j in range(1, competences + 1):
            comp = Competence.objects.create(
                groupe=groupe,
                diplome=diplome,
                code=f"C{n}.{i}.{j}",
                intitule=f"Compétence {i}.{j}",
                ordre=j,
            )
            result["competences"].append(comp)
            for k in range(1, criteres + 1):
                critere = Critere.objects.create(
                    competence=comp,
                    code=f"C{n}.{i}.{j}-{k}",
                    intitule=f"Critère {i}.{j}-{k}",
                    ordre=k,
                )
                result["criteres"].append(critere)
                result["par_unite"][code].append(critere)
    return result


def evaluation(
    side,
    *,
    date: datetime.date,
    resultats: dict,
    nature=Nature.INTERMEDIAIRE,
    niveau="PREMIERE",
    titre=None,
    afficher=True,
    participants=None,
    criteres=None,
    enseignants=None,
    diplome=None,
) -> Evaluation:
    """An évaluation of `side` with résultats {(apprenant, critere): "1".."4" | "NE"}; the
    participants default to the learners of `resultats`, the targeted criteria to theirs."""
    auteur = side.enseignant.user
    ev = Evaluation.objects.create(
        etablissement=side.etablissement,
        diplome=diplome or side.diplome,
        niveau=niveau,
        annee=AnneeScolaire.courante(date),
        titre=titre or f"Évaluation du {date:%d/%m/%Y}",
        date=date,
        nature=nature,
        auteur=auteur,
        afficher_tableau_de_bord=afficher,
    )
    ev.enseignants.set(enseignants if enseignants is not None else [auteur])
    if participants is None:
        participants = {a for a, _c in resultats}
    if criteres is None:
        criteres = {c for _a, c in resultats}
    ev.criteres.set(criteres)
    Participant.objects.bulk_create(Participant(evaluation=ev, apprenant=a) for a in participants)
    Resultat.objects.bulk_create(
        Resultat(evaluation=ev, apprenant=a, critere=c, niveau=n) for (a, c), n in resultats.items()
    )
    agregats.recalculer({*participants, *(a for a, _c in resultats)})
    return ev


def gros_volume(side, apprenants, criteres, *, nb_evaluations=150, par_evaluation=40):
    """`nb_evaluations` évaluations over 3 school years (Seconde, Première, Terminale), each on
    `par_evaluation` criteria, every learner of `apprenants` taking part with résultats."""
    aujourd_hui = timezone.localdate()
    debut = AnneeScolaire.debut_pour(aujourd_hui) - 2
    niveaux = ["SECONDE", "PREMIERE", "TERMINALE"]
    annees = {d: AnneeScolaire.objects.get_or_create(debut=d)[0] for d in range(debut, debut + 3)}
    evaluations = []
    for i in range(nb_evaluations):
        an = i * 3 // nb_evaluations
        date = datetime.date(debut + an, 9, 10) + datetime.timedelta(days=(i % 50) * 5)
        evaluations.append(
            Evaluation(
                etablissement=side.etablissement,
                diplome=side.diplome,
                niveau=niveaux[an],
                annee=annees[debut + an],
                titre=f"Situation {i + 1}",
                date=min(date, aujourd_hui),
                nature=[Nature.INTERMEDIAIRE, Nature.COMPLEXE, Nature.ENTREPRISE][i % 3],
                auteur=side.enseignant.user,
                afficher_tableau_de_bord=i % 25 != 7,
            )
        )
    evaluations = Evaluation.objects.bulk_create(evaluations)
    through_c = Evaluation.criteres.through
    through_e = Evaluation.enseignants.through
    cibles, profs, participants, resultats = [], [], [], []
    for i, ev in enumerate(evaluations):
        choisis = [
            criteres[(i + k) % len(criteres)] for k in range(min(par_evaluation, len(criteres)))
        ]
        cibles += [through_c(evaluation=ev, critere=c) for c in choisis]
        profs.append(through_e(evaluation=ev, user=side.enseignant.user))
        for a in apprenants:
            participants.append(Participant(evaluation=ev, apprenant=a))
            resultats += [
                Resultat(evaluation=ev, apprenant=a, critere=c, niveau=str(1 + (i + k + a.pk) % 4))
                for k, c in enumerate(choisis)
            ]
    through_c.objects.bulk_create(cibles, batch_size=2000)
    through_e.objects.bulk_create(profs)
    Participant.objects.bulk_create(participants, batch_size=2000)
    Resultat.objects.bulk_create(resultats, batch_size=2000)
    agregats.recalculer(apprenants)
    return evaluations


def bilan_valide(side, apprenant, positions: dict, *, date=None) -> BilanIntermediaire:
    """A validated bilan of `apprenant` with {competence: niveau}."""
    date = date or timezone.localdate()
    bilan = BilanIntermediaire.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        diplome=side.diplome,
        annee=AnneeScolaire.courante(date),
        date=date,
        auteur=side.enseignant.user,
        statut=BilanIntermediaire.Statut.VALIDE,
        valide_le=timezone.now(),
        valide_par=side.enseignant.user,
    )
    Positionnement.objects.bulk_create(
        Positionnement(bilan=bilan, competence=c, niveau=n) for c, n in positions.items()
    )
    return bilan
