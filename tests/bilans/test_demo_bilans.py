"""Demo bilans (bilans/demo.py): a validated December bilan for every 1MCVA/TMCVA learner,
a draft today for half of them, built through the services; idempotent."""

import datetime

from django.utils import timezone

from bilans.models import BilanIntermediaire
from demo import bilans as demo
from demo import evaluations as demo_evaluations
from demo.socle import construire_socle
from evaluations.models import Evaluation


def test_demo_bilans(referentiels_charges):
    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    aujourd_hui = timezone.localdate()
    demo.construire(ctx)

    for nom in ("1MCVA", "TMCVA"):
        division = ctx.divisions[nom]
        apprenants = list(division.apprenants.order_by("pk"))
        valides = BilanIntermediaire.objects.filter(
            apprenant__division=division, statut=BilanIntermediaire.Statut.VALIDE
        )
        assert valides.count() == len(apprenants)
        brouillons = BilanIntermediaire.objects.filter(
            apprenant__division=division, statut=BilanIntermediaire.Statut.BROUILLON
        )
        assert brouillons.count() == (len(apprenants) + 1) // 2
        assert set(brouillons.values_list("date", flat=True)) == {aujourd_hui}
        for bilan in valides:
            assert bilan.date < aujourd_hui and bilan.date >= ctx.annee.date_debut
            assert bilan.valide_le.date() == bilan.date
            assert bilan.constats and bilan.conseils and bilan.note is not None
            assert 0 <= bilan.note <= 20
            assert bilan.positionnements.count() == division.diplome.competences.count()
            for p in bilan.positionnements.all():
                assert p.niveau == p.suggestion
    # Levels from the suggestion on the demo résultats: not all NE.
    niveaux = set(
        BilanIntermediaire.objects.values_list("positionnements__niveau", flat=True).distinct()
    )
    assert niveaux - {"NE"}
    # Varied texts.
    assert BilanIntermediaire.objects.values("constats").distinct().count() >= 3
    # Validation locked the évaluations the December bilans took into account.
    prises = Evaluation.objects.filter(bilans__statut=BilanIntermediaire.Statut.VALIDE).distinct()
    assert prises.exists() and not prises.filter(verrouillee=False).exists()

    avant = BilanIntermediaire.objects.count()
    demo.construire(ctx)
    assert BilanIntermediaire.objects.count() == avant
    # A later run (another day) adds no draft either.
    demo.construire(ctx, aujourd_hui=aujourd_hui + datetime.timedelta(days=3))
    assert BilanIntermediaire.objects.count() == avant
