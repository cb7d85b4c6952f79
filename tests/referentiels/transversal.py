"""Test data of the transversal competences: an establishment's transversal référentiel, built
through the services (idempotent: the access matrix builds it once per side)."""

from referentiels.models import Competence, Critere
from referentiels.services_transversal import ajouter_competence, referentiel_de

COMPETENCES = (
    ("AUT", "Autonomie", ("Organise son travail", "Sollicite de l'aide à bon escient")),
    ("EQU", "Travail en équipe", ("Coopère avec l'équipe",)),
)


def referentiel(side, competences=COMPETENCES):
    """The transversal référentiel of `side` (tests.personas.EtabPersonas) with `competences`
    (created when absent)."""
    diplome = referentiel_de(side.etablissement)
    for code, intitule, criteres in competences:
        if diplome is None or not Competence.objects.filter(diplome=diplome, code=code).exists():
            ajouter_competence(
                side.etablissement,
                code=code,
                intitule=intitule,
                criteres=criteres,
                par=side.ddfpt.user,
            )
            diplome = referentiel_de(side.etablissement)
    return diplome


def competence(side, code="AUT") -> Competence:
    return Competence.objects.get(diplome=referentiel(side), code=code)


def critere(side, code="AUT.1") -> Critere:
    return Critere.objects.get(competence__diplome=referentiel(side), code=code)
