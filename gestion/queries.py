"""Access-checked accessors and list queries of the DDFPT administration.

Every accessor filters on `request.etablissement`: another establishment's object answers 404.
List functions own the `select_related`/`prefetch_related` of the page that uses them, so the
number of queries does not grow with the data.
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from cpro.comptes import ROLES_PERSONNELS
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role


def _recherche(qs, q: str, prefix: str = "user__"):
    for mot in (q or "").split():
        qs = qs.filter(
            Q(**{f"{prefix}last_name__icontains": mot})
            | Q(**{f"{prefix}first_name__icontains": mot})
            | Q(**{f"{prefix}username__icontains": mot})
        )
    return qs


# --- accessors -------------------------------------------------------------------------------


def compte_pour(request, pk) -> Membership:
    """Any account (membership) of this establishment."""
    return get_object_or_404(
        Membership.objects.select_related("user", "etablissement"),
        pk=pk,
        etablissement=request.etablissement,
    )


def personnel_pour(request, pk) -> Membership:
    """A teacher, DDFPT or chef of this establishment."""
    return get_object_or_404(
        Membership.objects.select_related("user").prefetch_related("diplomes"),
        pk=pk,
        etablissement=request.etablissement,
        role__in=ROLES_PERSONNELS,
    )


def tuteur_pour(request, pk) -> Membership:
    """A tutor / maître d'apprentissage of this establishment."""
    return get_object_or_404(
        Membership.objects.select_related("user"),
        pk=pk,
        etablissement=request.etablissement,
        role=Role.TUTEUR,
    )


def apprenant_pour(request, pk) -> Apprenant:
    """A learner profile of this establishment."""
    return get_object_or_404(
        Apprenant.objects.select_related("membership__user", "division__annee"),
        pk=pk,
        etablissement=request.etablissement,
    )


def division_pour(request, pk) -> Division:
    """A division (class) of this establishment, any school year."""
    return get_object_or_404(
        Division.objects.select_related("annee", "diplome"),
        pk=pk,
        etablissement=request.etablissement,
    )


# --- lists -----------------------------------------------------------------------------------


def personnels(etablissement, q: str = ""):
    """Teachers, DDFPT and chefs, with the diplômes they manage (one extra query)."""
    qs = (
        Membership.objects.filter(etablissement=etablissement, role__in=ROLES_PERSONNELS)
        .select_related("user")
        .prefetch_related("diplomes")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return _recherche(qs, q)


def tuteurs(etablissement, q: str = ""):
    qs = (
        Membership.objects.filter(etablissement=etablissement, role=Role.TUTEUR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return _recherche(qs, q)


def apprenants(etablissement, *, division=None, sans_division=False, q: str = ""):
    """Learners with their account and division (single query per page)."""
    qs = (
        Apprenant.objects.filter(etablissement=etablissement)
        .select_related("membership__user", "division__diplome", "division__annee")
        .order_by("membership__user__last_name", "membership__user__first_name", "pk")
    )
    if division is not None:
        qs = qs.filter(division=division)
    elif sans_division:
        qs = qs.filter(division__isnull=True)
    return _recherche(qs, q, prefix="membership__user__")


def divisions(etablissement, annee):
    """The divisions of a school year, with their diplôme and learner count."""
    if annee.pk is None:
        return Division.objects.none()
    return (
        Division.objects.filter(etablissement=etablissement, annee=annee)
        .select_related("diplome")
        .annotate(nb_apprenants=Count("apprenants"))
        .order_by("nom")
    )


def divisions_a_partir_de(etablissement, annee, *, inclure=None):
    """Divisions of this school year and later ones (the choices offered for a learner), plus
    `inclure` (the pk of a past division a learner is still attached to)."""
    condition = Q(annee__debut__gte=annee.debut)
    if inclure:
        condition |= Q(pk=inclure)
    return (
        Division.objects.filter(condition, etablissement=etablissement)
        .select_related("annee")
        .order_by("-annee__debut", "nom")
    )


def annees_proposees(courante: AnneeScolaire) -> list[AnneeScolaire]:
    """Every known school year, plus the next one (unsaved when unknown, to prepare
    September: it is created with its first division)."""
    annees = list(AnneeScolaire.objects.order_by("-debut"))
    if not any(a.debut == courante.debut + 1 for a in annees):
        annees.insert(0, AnneeScolaire(debut=courante.debut + 1))
    return annees
