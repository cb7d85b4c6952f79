"""PFMP demo: built on the socle, realistic and idempotent."""

import datetime

import pytest

from demo import pfmp as demo
from demo import socle as cpro_demo
from pfmp.models import (
    Affectation,
    AnnexePedagogique,
    BilanEntreprise,
    Entreprise,
    FicheActivite,
    Periode,
    Portfolio,
    SemaineJournal,
)

pytestmark = pytest.mark.django_db


def _compter():
    return tuple(
        m.objects.count()
        for m in (
            AnnexePedagogique,
            Periode,
            Affectation,
            Portfolio,
            SemaineJournal,
            FicheActivite,
            Entreprise,
            BilanEntreprise,
        )
    )


@pytest.mark.parametrize("aujourd_hui", [datetime.date(2026, 11, 28), datetime.date(2027, 3, 2)])
def test_demo_pfmp_realiste_et_idempotente(referentiels_charges, aujourd_hui):
    ctx = cpro_demo.construire_socle(aujourd_hui)
    demo.construire(ctx, aujourd_hui)
    etab = ctx.etablissement
    periodes = Periode.objects.filter(etablissement=etab)
    assert periodes.count() == len(demo.PERIODES)
    for p in periodes:
        assert p.annee == ctx.annee
        assert p.date_fin < aujourd_hui
        assert p.taches.exists() and p.criteres.exists()
        assert p.affectations.count() == 24
    mcva = periodes.get(titre__startswith="PFMP Première MCV A")
    assert mcva.date_debut.month == 11 and mcva.date_debut.weekday() == 0
    assert (mcva.date_fin - mcva.date_debut).days == 25  # 4 weeks, Monday to Friday

    affectations = Affectation.objects.filter(periode__etablissement=etab)
    assert not affectations.filter(entreprise=None).exists()
    assert not affectations.filter(referent=None).exists()
    tuteurs = set(affectations.exclude(tuteur=None).values_list("tuteur", flat=True))
    assert tuteurs == {ctx.personnes["tuteur1"].pk, ctx.personnes["tuteur2"].pk}
    assert Entreprise.objects.filter(etablissement=etab, latitude__isnull=False).count() >= 10

    fiches = FicheActivite.objects.filter(portfolio__affectation__periode__etablissement=etab)
    for statut in FicheActivite.Statut.values:
        assert fiches.filter(statut=statut).exclude(titre="").exists(), statut
    assert not fiches.filter(statut=FicheActivite.Statut.A_REVOIR, commentaire="").exists()
    assert SemaineJournal.objects.exclude(activites="").count() > 100
    # The apprentices have a single fiche per période.
    apprenti = affectations.filter(apprenant__statut="APPRENTI").first()
    assert apprenti.portfolio.fiches.count() == 1

    avant = _compter()
    demo.construire(ctx, aujourd_hui)
    assert _compter() == avant


def test_demo_bilans_si_le_module_portfolio_les_propose(referentiels_charges):
    aujourd_hui = datetime.date(2026, 11, 28)
    ctx = cpro_demo.construire_socle(aujourd_hui)
    demo.construire(ctx, aujourd_hui)
    try:
        from pfmp.services_portfolio import demo_bilan  # noqa: F401
    except ImportError:
        assert not BilanEntreprise.objects.exists()
        return
    assert BilanEntreprise.objects.filter(statut=BilanEntreprise.Statut.VALIDE).exists()
    assert BilanEntreprise.objects.filter(statut=BilanEntreprise.Statut.EN_COURS).exists()
