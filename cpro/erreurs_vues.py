"""How a service's ValidationError reaches the user in a view: on the form that was submitted
(`appliquer_service`) or as flash messages (`messages_erreur`). Shared by every module's views."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def appliquer_service(form, action):
    """Run a service call; its ValidationError becomes errors of `form` (field errors on their
    field when the form has it, others on the form). Returns the result, or None on error."""
    try:
        return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for champ, erreurs in exc.error_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            form.add_error(None, exc)
        return None


def messages_erreur(request, exc: ValidationError) -> None:
    """Show every message of a service's ValidationError as a flash message."""
    for message in exc.messages:
        messages.error(request, message)
