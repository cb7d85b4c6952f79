"""Login per establishment, on top of django-allauth (rate limits, password reset)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
from allauth.account.views import LoginView
from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from cpro.models import Membership
from cpro.tenancy import public


class CproAccountAdapter(DefaultAccountAdapter):
    """No self sign-up: accounts are created by the DDFPT."""

    def is_open_for_signup(self, request):
        return False


class EtablissementLoginForm(LoginForm):
    """allauth's login form, refusing users without an active account in this establishment."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        etab = getattr(self.request, "etablissement", None)
        if user is not None and etab is not None:
            if not Membership.objects.filter(user=user, etablissement=etab, active=True).exists():
                raise forms.ValidationError(
                    _("Identifiant ou mot de passe incorrect pour cet établissement.")
                )
        return cleaned


class EtablissementLoginView(LoginView):
    form_class = EtablissementLoginForm
    template_name = "cpro/connexion.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership is not None:
            return redirect(self._home())
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.form_class

    def _home(self) -> str:
        return reverse("etab:accueil", kwargs={"etab": self.request.etablissement.slug})

    def get_success_url(self):
        nxt = self.request.POST.get("next") or self.request.GET.get("next")
        if nxt and url_has_allowed_host_and_scheme(
            nxt, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return nxt
        return self._home()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["etablissement"] = self.request.etablissement
        ctx["next"] = self.request.GET.get("next", "")
        return ctx


connexion = public(EtablissementLoginView.as_view())
