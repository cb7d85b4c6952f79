"""Test data of LSL Pro, built with the ORM (independent of the services under test): LSL
competences of the personas' diplôme, a périodicité, validated bilans of the current year."""

import datetime
import itertools
from decimal import Decimal

from bilans.models import BilanIntermediaire
from cpro.models import AnneeScolaire, Role, Statut
from lslpro.models import Periodicite
from referentiels.models import Competence, CompetenceLSL
from tests.bilans import bilans_factories as bf
from tests.evaluations import grille_factories as gf
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory

_seq = itertools.count(1)


def annee():
    return AnneeScolaire.courante()


def jour(n: int) -> datetime.date:
    """The n-th day of the current school year (1 September = day 0)."""
    return annee().date_debut + datetime.timedelta(days=n)


def competences_lsl(side, n=3) -> list[CompetenceLSL]:
    """n LSL competences of the side's diplôme; the first groups two référentiel competences,
    the others one each (codes C<g>.<i> of a new group)."""
    criteres = gf.referentiel(side.diplome, competences=n + 1, criteres=1, indicateurs=0)
    refs = [c.competence for c in criteres]
    result = []
    for i in range(n):
        k = next(_seq)
        lsl = CompetenceLSL.objects.create(
            diplome=side.diplome,
            code=f"{k:02d}{i + 1:02d}"[-4:],
            intitule=f"Compétence LSL {i}",
            ordre=k,
        )
        lsl.competences.set(refs[0:2] if i == 0 else [refs[i + 1]])
        result.append(lsl)
    return result


def periodicite(side, type_=Periodicite.Type.TRIMESTRE, niveau=None) -> Periodicite:
    return Periodicite.objects.create(
        etablissement=side.etablissement,
        annee=annee(),
        diplome=side.diplome,
        niveau=niveau or side.division.niveau,
        type=type_,
    )


def bilan(side, n_jour=40, *, note="12.5", apprenant=None, niveaux=None, valide=True, **kwargs):
    """A bilan of the current year (day n_jour) of the side's scolaire learner, validated by
    default, with `niveaux` {référentiel competence code: level}."""
    statut = BilanIntermediaire.Statut.VALIDE if valide else BilanIntermediaire.Statut.BROUILLON
    return bf.bilan(
        side,
        apprenant=apprenant,
        date=jour(n_jour),
        statut=statut,
        niveaux=niveaux,
        note=Decimal(note) if note is not None else None,
        **kwargs,
    )


def codes(lsl: CompetenceLSL) -> list[str]:
    return list(lsl.competences.values_list("code", flat=True))


def tout_positionner(side, niveau="3") -> dict[str, str]:
    return {c.code: niveau for c in Competence.objects.filter(diplome=side.diplome)}


def eleves(side, n: int) -> list:
    """n extra scolaire learners of the side's division."""
    result = []
    for _ in range(n):
        k = next(_seq)
        user = UserFactory(username=f"lsl{k}", last_name=f"Lsl{k:04d}", first_name="Élève")
        membership = MembershipFactory(
            user=user, etablissement=side.etablissement, role=Role.APPRENANT
        )
        result.append(
            ApprenantFactory(
                etablissement=side.etablissement,
                membership=membership,
                division=side.division,
                statut=Statut.SCOLAIRE,
            )
        )
    return result
