"""Demo évaluations (evaluations/demo.py)."""

from demo import evaluations as demo
from demo.socle import construire_socle
from evaluations.models import Evaluation, Nature, Participant, Resultat


def _counts():
    return Evaluation.objects.count(), Participant.objects.count(), Resultat.objects.count()


def test_demo_builds_a_year_of_evaluations_per_division(referentiels_charges):
    ctx = construire_socle()
    demo.construire(ctx)
    for nom, division in ctx.divisions.items():
        evaluations = Evaluation.objects.filter(
            etablissement=ctx.etablissement, titre__endswith=f" – {nom}"
        )
        assert 8 <= evaluations.count() <= 10, nom
        assert evaluations.filter(nature=Nature.COMPLEXE).exists()
        assert evaluations.filter(nature=Nature.INTERMEDIAIRE).count() > evaluations.count() / 2
        assert evaluations.filter(afficher_tableau_de_bord=False).count() == 1
        for ev in evaluations:
            assert ev.diplome == division.diplome and ev.niveau == division.niveau
            assert 4 <= ev.criteres.count() <= 8
            assert ev.participants.count() == division.apprenants.count()
            assert ev.date >= ctx.annee.date_debut
        auteur = evaluations.first().auteur.username
        expected = {
            "2MRC1": "demo.prof.seconde",
            "TACC": "demo.prof.accueil",
            "1MCVB": "demo.prof.mcvb",
        }.get(nom, "demo.prof.mcva")
        assert auteur == expected
    niveaux = set(Resultat.objects.values_list("niveau", flat=True))
    assert niveaux == {"NE", "1", "2", "3", "4"}
    before = _counts()
    demo.construire(ctx)
    assert _counts() == before
