"""Demo LSL Pro (lslpro/demo.py): trimestres for 1MCVA/TMCVA, livrets complete, partial and
empty; idempotent."""

from bilans import demo as demo_bilans
from cpro.demo import construire_socle
from cpro.models import AuditLog, Statut
from evaluations import demo as demo_evaluations
from lslpro import completude, demo, queries
from lslpro.models import Livret, Periodicite


def test_demo_lslpro(referentiels_charges):
    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    demo_bilans.construire(ctx)
    demo.construire(ctx)

    for nom in demo.DIVISIONS:
        division = ctx.divisions[nom]
        per = Periodicite.objects.get(
            etablissement=ctx.etablissement, diplome=division.diplome, niveau=division.niveau
        )
        assert per.type == Periodicite.Type.TRIMESTRE
        scolaires = division.apprenants.filter(statut=Statut.SCOLAIRE).count()
        livrets = list(queries.livrets_annee(ctx.etablissement, ctx.annee, [division]))
        etats = [completude.manques(lv) for lv in livrets]
        complets = [m for m in etats if not m]
        partiels = [m for m in etats if m]
        assert complets and partiels
        assert len(livrets) < scolaires  # some learners have no livret yet
    assert not Livret.objects.filter(apprenant__statut=Statut.APPRENTI).exists()
    assert Livret.objects.filter(pfmp_active=True).exists()
    assert (
        Livret.objects.filter(chef_oeuvre_actif=True).exclude(chef_oeuvre_appreciation="").exists()
    )

    avant = (Livret.objects.count(), AuditLog.objects.count())
    demo.construire(ctx)
    assert (Livret.objects.count(), AuditLog.objects.count()) == avant
