"""Demo transversal competences (demo/transversales.py): the starting set, links in unlocked
demo évaluations, résultats for the learners; idempotent."""

from bilans.queries_transversales import donnees_transversales, vue_classe_transversale
from demo import evaluations as demo_evaluations
from demo import transversales as demo
from demo.socle import construire_socle
from evaluations.models import Resultat
from referentiels.services_transversal import JEU_DE_DEPART, referentiel_de


def test_demo_transversales(referentiels_charges):
    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    demo.construire(ctx)
    ref = referentiel_de(ctx.etablissement)
    assert ref is not None and ref.competences.count() == len(JEU_DE_DEPART)
    assert referentiel_de(ctx.autre_etablissement) is None
    resultats = Resultat.objects.filter(critere__competence__diplome=ref)
    assert resultats.exists()
    division = ctx.divisions["1MCVA"]
    apprenant = division.apprenants.order_by("pk").first()
    tableau = donnees_transversales(apprenant, ref)
    assert tableau.colonnes and any(b.suggestion.niveau != "NE" for b in tableau.blocs_competences)
    vue = vue_classe_transversale(division, ref)
    assert any(p.niveau != "NE" for ligne in vue.lignes for p in ligne.positions)

    avant = resultats.count()
    demo.construire(ctx)
    assert resultats.count() == avant
    assert ref.competences.count() == len(JEU_DE_DEPART)
