"""Demo grilles CCF (certification/demo.py): TMCVA's numbers and E31/E32/E33 grids in every
state, built through the services; idempotent."""

from certification.models import MEMBRES_MIN, GrilleCandidat
from certification.services import manquants
from cpro.models import AuditLog
from demo import certification as demo
from demo.socle import construire_socle


def test_demo_grilles(referentiels_charges):
    ctx = construire_socle()
    demo.construire(ctx)
    division = ctx.divisions["TMCVA"]
    apprenants = list(division.apprenants.all())
    numeros = [a.numero_candidat for a in apprenants]
    assert all(numeros) and len(set(numeros)) == len(numeros)

    session = ctx.annee.debut + 1
    grilles = GrilleCandidat.objects.filter(apprenant__division=division, session=session)
    for epreuve in ("E31", "E32"):
        qs = grilles.filter(grille__epreuve=epreuve)
        assert qs.filter(statut=GrilleCandidat.Statut.VERROUILLEE).count() >= 2
        assert qs.filter(statut=GrilleCandidat.Statut.EN_COURS).exists()
        assert qs.count() < len(apprenants)  # some not started
    assert grilles.filter(grille__epreuve="E33").exists()
    for gc in grilles.filter(statut=GrilleCandidat.Statut.VERROUILLEE):
        assert manquants(gc) == []
        assert gc.membres.count() >= MEMBRES_MIN and gc.note_proposee is not None
    for gc in grilles.filter(statut=GrilleCandidat.Statut.EN_COURS):
        assert manquants(gc)
    assert AuditLog.objects.filter(action="certification.verrouillage").count() == (
        grilles.filter(statut=GrilleCandidat.Statut.VERROUILLEE).count()
    )

    avant = (GrilleCandidat.objects.count(), AuditLog.objects.count())
    demo.construire(ctx)
    assert (GrilleCandidat.objects.count(), AuditLog.objects.count()) == avant
