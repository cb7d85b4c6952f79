"""What a user may see of the scénarios (visibility lives here, with the page's prefetches)."""

from django.db.models import Q
from django.http import Http404

from scenarios.models import Scenario


def scenarios_visibles(etablissement, user, diplome=None):
    """Scénarios of the establishment that `user` may see: shared ones and their own private
    ones. Learners and tutors never reach this (their role has no VOIR_SCENARIOS)."""
    qs = Scenario.objects.filter(etablissement=etablissement).filter(
        Q(prive=False) | Q(auteur=user)
    )
    if diplome is not None:
        qs = qs.filter(diplome=diplome)
    return qs


def scenario_pour(request, pk, queryset=None) -> Scenario:
    """The scénario `pk` if the request's user may see it in this establishment and the chosen
    diplôme; otherwise 404 (another establishment's, or someone else's private scénario)."""
    qs = queryset if queryset is not None else Scenario.objects.all()
    scenario = (
        qs.filter(pk=pk, etablissement=request.etablissement)
        .filter(Q(prive=False) | Q(auteur=request.user))
        .select_related("diplome", "auteur", "dossier")
        .first()
    )
    if scenario is None:
        raise Http404("Scénario introuvable")
    return scenario
