"""Access matrix of the évaluation pages (the grid has access_grille.py).

The évaluation is authored by A's teacher, who is its only evaluating teacher: the DDFPT may
modify it too; the second teacher and the chef only read (403 on the form's tabs)."""

from tests.access import Access

SAISIE = frozenset({"ddfpt", "enseignant", "enseignant2"})
MODIFIER = frozenset({"ddfpt", "enseignant"})


def _scenario(p):
    from tests.evaluations.factories import scenario_de

    return {"scenario": scenario_de(p.a).pk}


def _evaluation(p):
    from tests.evaluations.factories import evaluation_de

    return {"pk": evaluation_de(p.a).pk}


def _ressource(p):
    from tests.evaluations.factories import RessourceEvaluationFactory, evaluation_de

    evaluation = evaluation_de(p.a)
    return {"pk": evaluation.pk, "rpk": RessourceEvaluationFactory(evaluation=evaluation).pk}


ACCESS = [
    Access("evaluations:liste"),
    Access("evaluations:creer", kwargs=_scenario, allowed=SAISIE),
    Access("evaluations:modifier", kwargs=_evaluation, allowed=MODIFIER),
    Access("evaluations:apprenants", kwargs=_evaluation, allowed=MODIFIER),
    Access("evaluations:contexte", kwargs=_evaluation, allowed=MODIFIER),
    Access("evaluations:liaison", kwargs=_evaluation, allowed=MODIFIER),
    Access("evaluations:ressources", kwargs=_evaluation, allowed=MODIFIER),
    Access("evaluations:ressource", kwargs=_ressource),
    Access(
        "evaluations:ressource_supprimer",
        kwargs=_ressource,
        method="POST",
        allowed=MODIFIER,
        ok=302,
    ),
    Access("evaluations:supprimer", kwargs=_evaluation, allowed=MODIFIER),
]
