"""Test data of the bilan documents, built with the ORM only (independent of the bilans
services written elsewhere): a small référentiel, bilans with their positionnements,
attestations and PRONOTE tokens."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from bilans.models import Attestation, BilanIntermediaire, Positionnement
from cpro.models import AnneeScolaire, Role, Statut
from referentiels.models import Competence, Critere, GroupeCompetences
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory

_seq = itertools.count(1)


def referentiel(diplome, *, competences=3, criteres=2) -> list[Competence]:
    """`competences` competences (with `criteres` criteria each) in a new group."""
    n = next(_seq)
    groupe = GroupeCompetences.objects.create(
        # Codes of their own (D…): other modules' factories may build on the same diplôme.
        diplome=diplome,
        code=f"D{n}",
        intitule=f"Bloc {n}",
        ordre=n,
    )
    result = []
    for i in range(1, competences + 1):
        competence = Competence.objects.create(
            groupe=groupe,
            diplome=diplome,
            code=f"CD{n}.{i}",
            intitule=f"Compétence {n}.{i} : conseiller le client",
            ordre=i,
        )
        for j in range(1, criteres + 1):
            Critere.objects.create(
                competence=competence,
                code=f"CD{n}.{i}-{j}",
                intitule=f"Critère {n}.{i}-{j} : pertinence de la proposition",
                ordre=j,
            )
        result.append(competence)
    return result


def apprenants(side, n: int, *, division=None) -> list:
    """n extra learners (named NomXXXX Élève) in the side's division."""
    result = []
    for _ in range(n):
        k = next(_seq)
        user = UserFactory(username=f"doc{k}", last_name=f"Nom{k:04d}", first_name="Élève")
        membership = MembershipFactory(
            user=user, etablissement=side.etablissement, role=Role.APPRENANT
        )
        result.append(
            ApprenantFactory(
                etablissement=side.etablissement,
                membership=membership,
                division=division or side.division,
                statut=Statut.SCOLAIRE,
            )
        )
    return result


def bilan(
    side,
    apprenant=None,
    *,
    niveaux: dict | None = None,
    date: datetime.date | None = None,
    valide: bool = True,
    valide_le: datetime.datetime | None = None,
    note="12.5",
    constats="Un bilan très satisfaisant, beaucoup de sérieux.",
    conseils="Continuez ainsi.",
    auteur=None,
    diplome=None,
    validees=(),
) -> BilanIntermediaire:
    """A bilan of `apprenant` (default: the side's scolaire learner) with one Positionnement
    per entry of `niveaux` ({Competence: "NE"/"1".."4"}); `validees` = competences checked
    « Compétence validée »."""
    apprenant = apprenant or side.apprenant.apprenant
    date = date or timezone.localdate()
    b = BilanIntermediaire.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        diplome=diplome or side.diplome,
        annee=AnneeScolaire.courante(date),
        date=date,
        auteur=auteur or side.enseignant.user,
        constats=constats,
        conseils=conseils,
        note=Decimal(note) if note is not None else None,
        statut=BilanIntermediaire.Statut.VALIDE if valide else BilanIntermediaire.Statut.BROUILLON,
        valide_le=(valide_le or timezone.now()) if valide else None,
        valide_par=side.enseignant.user if valide else None,
    )
    Positionnement.objects.bulk_create(
        [
            Positionnement(bilan=b, competence=c, niveau=n, competence_validee=c in validees)
            for c, n in (niveaux or {}).items()
        ]
    )
    return b


def attestation(side, b: BilanIntermediaire, competences, *, signee=False) -> Attestation:
    a = Attestation.objects.create(
        etablissement=side.etablissement,
        apprenant=b.apprenant,
        bilan=b,
        diplome=b.diplome,
        date=timezone.localdate(),
        creee_par=side.enseignant.user,
        signee_le=timezone.now() if signee else None,
        signee_par=side.chef.user if signee else None,
    )
    a.competences.set(competences)
    return a
