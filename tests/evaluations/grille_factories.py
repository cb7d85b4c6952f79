"""Test data of the positioning grid, built with the ORM (independent of the évaluation
forms' factories): a small référentiel, an évaluation with learners and criteria."""

import datetime
import itertools

from cpro.models import AnneeScolaire, Role, Statut
from evaluations.models import Evaluation, Nature, Participant, Resultat
from referentiels.models import Competence, Critere, GroupeCompetences, Indicateur
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory

_seq = itertools.count(1)


def referentiel(diplome, *, competences=2, criteres=2, indicateurs=1) -> list[Critere]:
    """`competences` competences of `criteres` criteria each (with indicators) in a new group
    of the diplôme; returns the criteria in grid order."""
    n = next(_seq)
    groupe = GroupeCompetences.objects.create(
        diplome=diplome, code=f"G{n}", intitule=f"Groupe {n}", ordre=n
    )
    result = []
    for i in range(1, competences + 1):
        competence = Competence.objects.create(
            groupe=groupe,
            diplome=diplome,
            code=f"C{n}.{i}",
            intitule=f"Compétence {n}.{i} : accueillir le client",
            ordre=i,
        )
        for j in range(1, criteres + 1):
            critere = Critere.objects.create(
                competence=competence,
                code=f"C{n}.{i}-{j}",
                intitule=f"Critère {n}.{i}-{j} : qualité de l'écoute active",
                ordre=j,
            )
            for k in range(1, indicateurs + 1):
                Indicateur.objects.create(
                    critere=critere, code=f"I{k}", intitule=f"Indicateur {k} du critère", ordre=k
                )
            result.append(critere)
    return result


def apprenants(side, n: int, *, prefix="el") -> list:
    """n extra learners of the personas' establishment `side` (personas.a / personas.b)."""
    etab = side.etablissement
    result = []
    for i in range(n):
        k = next(_seq)
        user = UserFactory(username=f"{prefix}{k}", last_name=f"Nom{k:04d}", first_name="Élève")
        membership = MembershipFactory(user=user, etablissement=etab, role=Role.APPRENANT)
        result.append(
            ApprenantFactory(
                etablissement=etab,
                membership=membership,
                division=side.division,
                statut=Statut.APPRENTI if i % 5 == 0 else Statut.SCOLAIRE,
            )
        )
    return result


def evaluation(
    side,
    *,
    auteur=None,
    participants=None,
    criteres=None,
    titre="Accueil d'un client en magasin",
    **kwargs,
) -> Evaluation:
    """An évaluation of establishment `side` by `auteur` (default: the `enseignant` persona),
    with the scolaire learner and the apprentice as participants unless told otherwise."""
    auteur = auteur or side.enseignant.user
    if participants is None:
        participants = [side.apprenant.apprenant, side.apprenti.apprenant]
    if criteres is None:
        criteres = referentiel(side.diplome)
    ev = Evaluation.objects.create(
        etablissement=side.etablissement,
        diplome=side.diplome,
        niveau="PREMIERE",
        annee=AnneeScolaire.courante(),
        titre=titre,
        date=kwargs.pop("date", datetime.date(2026, 10, 5)),
        nature=kwargs.pop("nature", Nature.INTERMEDIAIRE),
        auteur=auteur,
        **kwargs,
    )
    ev.criteres.set(criteres)
    Participant.objects.bulk_create(Participant(evaluation=ev, apprenant=a) for a in participants)
    return ev


def niveau(ev, apprenant, critere) -> str | None:
    r = Resultat.objects.filter(evaluation=ev, apprenant=apprenant, critere=critere).first()
    return r.niveau if r else None
