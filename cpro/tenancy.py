"""Tenancy, resolved once per request.

Every establishment page lives under `/<slug>/`. For those views the middleware sets
`request.etablissement`, `request.membership`, `request.cpro_perms` and `request.diplome`
(the chosen diplôme, which scopes every module), and removes the `etab` URL kwarg so views
never see it.

- unknown slug → 404; user without an active membership there → 404;
- anonymous on a non-public view → that establishment's login page;
- a staff member who manages several diplômes and has not chosen one → the choice page.

Views opt out with `@public` (login pages) or `@sans_diplome` (diplôme choice, personal space).
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from cpro.models import Etablissement, Membership, Role
from cpro.perms import permissions

SESSION_DIPLOME = "cpro_diplome_{}"


def public(view):
    view.cpro_public = True
    return view


def sans_diplome(view):
    view.cpro_sans_diplome = True
    return view


def diplomes_accessibles(membership: Membership):
    """The diplômes a membership may work on, as a queryset (ordered by short title)."""
    etab = membership.etablissement
    if membership.role == Role.ENSEIGNANT:
        qs = etab.diplomes.filter(pk__in=membership.diplomes.values("pk"))
    elif membership.role in (Role.DDFPT, Role.CHEF):
        qs = etab.diplomes.all()
    elif membership.role == Role.APPRENANT:
        # cpro never imports a module: the Diplome model is reached through the relation.
        qs = etab.diplomes.model.objects.filter(divisions__apprenants__membership=membership)
    else:
        qs = etab.diplomes.none()
    return qs.order_by("intitule_court", "-version")


def choisir_diplome(request, diplome) -> None:
    request.session[SESSION_DIPLOME.format(request.etablissement.pk)] = diplome.pk
    request.diplome = diplome


def _login_url(etab: Etablissement, next_path: str) -> str:
    return (
        reverse("etab:connexion", kwargs={"etab": etab.slug}) + "?" + urlencode({"next": next_path})
    )


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.etablissement = None
        request.membership = None
        request.cpro_perms = frozenset()
        request.diplome = None
        request.diplomes = []
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("etab", None)
        if slug is None:
            return None
        etab = Etablissement.objects.filter(slug=slug).first()
        if etab is None:
            raise Http404("Établissement inconnu")
        request.etablissement = etab
        user = request.user
        if user.is_authenticated:
            membership = (
                Membership.objects.filter(user=user, etablissement=etab, active=True)
                .select_related("etablissement")
                .first()
            )
            request.membership = membership
            request.cpro_perms = permissions(membership)
            # Services asked to act `par=request.user` find it there (cpro.perms.membership_de).
            user.cpro_membership = membership
        if getattr(view_func, "cpro_public", False):
            return None
        if not user.is_authenticated:
            return redirect(_login_url(etab, request.get_full_path()))
        if request.membership is None:
            raise Http404("Aucun compte dans cet établissement")
        return self._resolve_diplome(request, view_func)

    def _resolve_diplome(self, request, view_func):
        membership = request.membership
        if membership.role == Role.TUTEUR:
            return None
        diplomes = list(diplomes_accessibles(membership))
        request.diplomes = diplomes
        key = SESSION_DIPLOME.format(request.etablissement.pk)
        chosen = request.session.get(key)
        by_pk = {d.pk: d for d in diplomes}
        if chosen in by_pk:
            request.diplome = by_pk[chosen]
        elif len(diplomes) == 1:
            choisir_diplome(request, diplomes[0])
        elif len(diplomes) > 1 and not getattr(view_func, "cpro_sans_diplome", False):
            url = reverse("etab:choix_diplome", kwargs={"etab": request.etablissement.slug})
            return redirect(url + "?" + urlencode({"next": request.get_full_path()}))
        return None
