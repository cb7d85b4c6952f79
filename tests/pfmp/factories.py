"""Shared factories of the PFMP tests (périodes, portfolios, book helpers import them).

Kept simple: plain rows, no generated weeks. `affecter(...)` goes through the service and
gives a learner a real portfolio (weeks and fiches) on a période.
"""

import datetime

import factory
from django.utils import timezone

from cpro.models import AnneeScolaire
from pfmp.models import Affectation, AnnexePedagogique, Entreprise, Periode, Portfolio
from referentiels.models import Niveau
from tests.factories import DiplomeFactory, EtablissementFactory


class EntrepriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entreprise

    etablissement = factory.SubFactory(EtablissementFactory)
    nom = factory.Sequence(lambda n: f"Entreprise {n}")
    adresse = "12 rue de la République"
    code_postal = "69002"
    ville = "Lyon"
    secteur = "Commerce de détail"


class AnnexeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnexePedagogique

    etablissement = factory.SubFactory(EtablissementFactory)
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = Niveau.PREMIERE
    titre = factory.Sequence(lambda n: f"Annexe pédagogique {n}")
    objectifs = "Découvrir l'entreprise et ses clients."


class PeriodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Periode

    etablissement = factory.SubFactory(EtablissementFactory)
    annexe = None
    annee = factory.LazyFunction(lambda: AnneeScolaire.courante(timezone.localdate()))
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = Niveau.PREMIERE
    titre = factory.Sequence(lambda n: f"PFMP {n}")
    # A Monday to a Friday three weeks later: exactly 3 calendar weeks.
    date_debut = datetime.date(2025, 11, 3)
    date_fin = datetime.date(2025, 11, 21)


class AffectationFactory(factory.django.DjangoModelFactory):
    """A learner on a période, without portfolio (use `affecter` for the real thing)."""

    class Meta:
        model = Affectation

    periode = factory.SubFactory(PeriodeFactory)
    apprenant = None  # required: pass a cpro.models.Apprenant


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    affectation = factory.SubFactory(AffectationFactory)


def periode_de(side, **kwargs) -> Periode:
    """A période of a personas side (tests.personas.EtabPersonas) on its diplôme, niveau of
    its division."""
    kwargs.setdefault("etablissement", side.etablissement)
    kwargs.setdefault("diplome", side.diplome)
    kwargs.setdefault("niveau", side.division.niveau)
    kwargs.setdefault("annee", side.division.annee)
    return PeriodeFactory(**kwargs)


def affecter(periode: Periode, *apprenants, par=None) -> list[Affectation]:
    """Put learners (cpro Apprenant) on a période through the service: each gets an
    Affectation and a Portfolio with its weeks and fiches."""
    from pfmp.services_periodes import ajouter_apprenants

    ajouter_apprenants(periode, list(apprenants), par=par)
    return list(
        Affectation.objects.filter(periode=periode, apprenant__in=apprenants).order_by("pk")
    )
