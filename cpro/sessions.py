"""Session lifetime: idle timeout, absolute lifetime, ending a user's sessions.

`SessionTimeoutMiddleware` keeps two timestamps in the session of an authenticated user:
`_cpro_debut` (login, or the first request seen for an older session) and `_cpro_derniere`
(last request, refreshed at most once a minute to spare a session write per request). When
the session has been idle longer than `SESSION_IDLE_TIMEOUT` or is older than
`SESSION_ABSOLUTE_TIMEOUT`, the user is logged out and sent back to the establishment's login
page with a French message (HTMX requests get an `HX-Redirect`).

`terminer_sessions(user)` deletes every stored session of a user (used when an account is
deactivated). It needs a database-backed session engine (`db`, the default, or `cached_db`).
"""

import time
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

DEBUT = "_cpro_debut"
DERNIERE = "_cpro_derniere"
# `_cpro_derniere` is rewritten only when it is older than this (seconds).
_RAFRAICHISSEMENT = 60
MESSAGE_EXPIRATION = "Votre session a expiré. Veuillez vous reconnecter."


def _maintenant() -> float:
    return time.time()


def marquer_debut(session) -> None:
    now = _maintenant()
    session[DEBUT] = now
    session[DERNIERE] = now


@receiver(user_logged_in, dispatch_uid="cpro_sessions_debut")
def _debut_a_la_connexion(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        marquer_debut(request.session)


def session_expiree(session, now: float | None = None) -> bool:
    """True when the session is idle too long or too old (missing stamps: not expired)."""
    now = _maintenant() if now is None else now
    debut, derniere = session.get(DEBUT), session.get(DERNIERE)
    if debut is None or derniere is None:
        return False
    return (
        now - derniere > settings.SESSION_IDLE_TIMEOUT
        or now - debut > settings.SESSION_ABSOLUTE_TIMEOUT
    )


class SessionTimeoutMiddleware:
    """Ends idle (30 min) and old (12 h) sessions. Placed before the tenancy middleware, so
    that the `etab` URL kwarg still names the establishment whose login page to show."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = _maintenant()
        if session.get(DEBUT) is None or session.get(DERNIERE) is None:
            marquer_debut(session)
            return None
        if session_expiree(session, now):
            return self._expirer(request, view_func, view_kwargs.get("etab"))
        if now - session[DERNIERE] >= _RAFRAICHISSEMENT:
            session[DERNIERE] = now
        return None

    def _expirer(self, request, view_func, slug):
        logout(request)
        messages.warning(request, MESSAGE_EXPIRATION)
        htmx = getattr(request, "htmx", None)
        if slug:
            url = reverse("etab:connexion", kwargs={"etab": slug})
            suite = None
            if htmx:
                suite = htmx.current_url_abs_path
            elif request.method == "GET":
                suite = request.get_full_path()
            if suite and suite != url:
                url += "?" + urlencode({"next": suite})
        else:
            url = resolve_url(settings.LOGIN_URL)
        if htmx:
            return HttpResponseClientRedirect(url)
        if getattr(view_func, "cpro_public", False) and request.method == "GET" and not slug:
            return None
        return redirect(url)


def terminer_sessions(user) -> int:
    """Delete every stored session of `user`; returns how many were deleted.

    Sessions are signed blobs, so each live one is decoded to read its user. Deactivation is
    rare and sessions live at most SESSION_ABSOLUTE_TIMEOUT, which keeps this scan small.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        raise ImproperlyConfigured(
            f"Le moteur de sessions {settings.SESSION_ENGINE} ne permet pas de retrouver "
            "les sessions d'un utilisateur."
        )
    model = store_class.get_model_class()
    decodeur = store_class()
    user_pk = str(user.pk)
    cles = [
        cle
        for cle, donnees in model.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=2000)
        if str(decodeur.decode(donnees).get("_auth_user_id")) == user_pk
    ]
    for cle in cles:
        # Through the store, so that a cached_db engine also drops its cached copy.
        store_class(session_key=cle).delete(cle)
    return len(cles)
