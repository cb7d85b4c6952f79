"""Demo Suivi de projet (demo/projets.py): a collective projet in 1MCVA, an individual one in
TMCVA, carnets, comments, assessments; the LSL demo takes the validated ones; idempotent."""

from cpro.models import AuditLog
from demo import bilans as demo_bilans
from demo import evaluations as demo_evaluations
from demo import lslpro as demo_lslpro
from demo import projets as demo
from demo.socle import construire_socle
from lslpro.models import Livret
from projets.models import CommentaireProjet, EntreeCarnet, EvaluationAnnuelle, Projet


def test_demo_projets(referentiels_charges):
    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    demo_bilans.construire(ctx)
    demo.construire(ctx)

    collectif = Projet.objects.get(titre="Boutique éphémère de Noël")
    individuel = Projet.objects.get(titre="Vitrine connectée")
    assert collectif.apprenants.count() == 3 and individuel.apprenants.count() == 1
    assert list(collectif.divisions.values_list("nom", flat=True)) == ["1MCVA"]
    assert list(individuel.divisions.values_list("nom", flat=True)) == ["TMCVA"]
    assert collectif.etapes.count() == individuel.etapes.count() == 4
    assert EntreeCarnet.objects.count() == 4 * 3
    assert CommentaireProjet.objects.count() == 4
    assert EvaluationAnnuelle.objects.count() == 4
    assert EvaluationAnnuelle.objects.filter(validee=True).count() == 3

    avant = (
        Projet.objects.count(),
        EntreeCarnet.objects.count(),
        CommentaireProjet.objects.count(),
        AuditLog.objects.count(),
    )
    demo.construire(ctx)
    assert (
        Projet.objects.count(),
        EntreeCarnet.objects.count(),
        CommentaireProjet.objects.count(),
        AuditLog.objects.count(),
    ) == avant

    # The LSL demo, run next, takes the validated assessments into the livrets.
    demo_lslpro.construire(ctx)
    repris = 0
    for ev in EvaluationAnnuelle.objects.filter(validee=True):
        livret = Livret.objects.filter(apprenant=ev.apprenant, annee=ev.annee).first()
        if livret is not None:
            assert livret.chef_oeuvre_actif
            assert livret.chef_oeuvre_appreciation == ev.appreciation
            assert livret.chef_oeuvre_note == ev.note
            repris += 1
    assert repris >= 1
