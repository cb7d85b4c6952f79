"""Login per establishment, on top of django-allauth (rate limits, password reset), and the
optional TOTP second factor (allauth.mfa), reserved to DDFPT and chef memberships."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from cpro.models import Membership, Role
from cpro.tenancy import public

# One answer to every refused login, whatever the reason (wrong password, unknown account,
# account of another establishment, deactivated account or membership): telling them apart
# would tell a stranger which accounts exist and which passwords are right.
MESSAGE_CONNEXION_REFUSEE = _("Identifiant ou mot de passe incorrect pour cet établissement.")


class CproAccountAdapter(DefaultAccountAdapter):
    """No self sign-up: accounts are created by the DDFPT. On an establishment's login page,
    only an account with an active membership there authenticates."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": MESSAGE_CONNEXION_REFUSEE,
        "email_password_mismatch": MESSAGE_CONNEXION_REFUSEE,
        "phone_password_mismatch": MESSAGE_CONNEXION_REFUSEE,
    }

    def is_open_for_signup(self, request):
        return False

    def authenticate(self, request, **credentials):
        """allauth's authentication, then the account's state: active, and on an
        establishment's login page an active membership there. A right password for an
        account that may not log in fails the way a wrong one does: same message (not
        allauth's "account inactive" page), and it counts against the failed-login limits
        (allauth gave back the attempt on success; it is taken again here)."""
        user = super().authenticate(request, **credentials)
        if user is None:
            return None
        etab = getattr(request, "etablissement", None)
        if user.is_active and (
            etab is None
            or Membership.objects.filter(user=user, etablissement=etab, active=True).exists()
        ):
            return user
        self.pre_authenticate(request, **credentials)
        self.authentication_failed(request, **credentials)
        return None


class EtablissementLoginView(LoginView):
    # allauth's own form: the establishment check is in CproAccountAdapter.authenticate, so
    # that every refusal takes allauth's one path (message, rate limits).
    form_class = LoginForm
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


# --- Optional second factor (TOTP + recovery codes) ------------------------------------------

ROLES_MFA = (Role.DDFPT, Role.CHEF)
MESSAGE_MFA_REFUSEE = "La double authentification est réservée au DDFPT et au chef d'établissement."
# allauth.mfa pages that only DDFPT and chef may use. Deactivation stays open to anyone who
# has a second factor (a former DDFPT must be able to remove theirs).
_PAGES_ACTIVATION = {"mfa_activate_totp", "mfa_generate_recovery_codes"}
_PAGES_GESTION = {"mfa_index", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}


def peut_activer_mfa(user) -> bool:
    """A user may turn TOTP on when they hold an active DDFPT or chef membership somewhere
    (the second factor belongs to the account, which spans establishments)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, active=True, role__in=ROLES_MFA).exists()


def mfa_active(user) -> bool:
    return (
        user.is_authenticated
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


class ActivationTOTPForm(ActivateTOTPForm):
    """allauth's TOTP activation, refused to roles other than DDFPT and chef."""

    def clean_code(self):
        if not peut_activer_mfa(self.user):
            raise ValidationError(MESSAGE_MFA_REFUSEE)
        return super().clean_code()


class MfaRoleMiddleware:
    """Answers 403 with a French message on allauth.mfa's activation pages for users who may
    not use a second factor (management pages too, unless they already have one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        name = match.url_name if match else None
        if name not in _PAGES_ACTIVATION and name not in _PAGES_GESTION:
            return None
        user = request.user
        if not user.is_authenticated or peut_activer_mfa(user):
            return None
        if name in _PAGES_GESTION and mfa_active(user):
            return None
        return render(request, "mfa/refus.html", {"message": MESSAGE_MFA_REFUSEE}, status=403)
