"""Read side of the establishment's transversal référentiel (referentiels.services_transversal).

Accessors answer 404 for anything that is not the request's establishment's own transversal
référentiel: another establishment's competence, or an official diploma's."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from referentiels.models import Competence, Critere, NatureReferentiel


def _competences(etablissement):
    return Competence.objects.filter(
        diplome__etablissement=etablissement, diplome__nature=NatureReferentiel.TRANSVERSAL
    )


def competence_de(etablissement, pk) -> Competence:
    """A competence of the establishment's transversal référentiel (else 404)."""
    return get_object_or_404(_competences(etablissement).select_related("diplome"), pk=pk)


def critere_de(etablissement, pk) -> Critere:
    """A criterion of the establishment's transversal référentiel (else 404)."""
    return get_object_or_404(
        Critere.objects.select_related("competence__diplome__etablissement"),
        pk=pk,
        competence__diplome__etablissement=etablissement,
        competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
    )


def competences_transversales(etablissement, *, actives_seulement: bool = False) -> list:
    """The competences with their criteria (each with `nb_resultats`), in order: 2 queries
    whatever the size. `actives_seulement`: only what the liaison offers."""
    from django.db.models import Count

    criteres = Critere.objects.annotate(nb_resultats=Count("resultats")).order_by("ordre", "code")
    qs = _competences(etablissement)
    if actives_seulement:
        qs = qs.filter(active=True)
        criteres = criteres.filter(actif=True)
    return list(
        qs.order_by("ordre", "code").prefetch_related(Prefetch("criteres", queryset=criteres))
    )
