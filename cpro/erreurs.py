"""Typed refusals raised by the services: views branch on the type, never on message text.

Both carry a French message for the user and subclass Django's own exceptions, so an uncaught
`Interdit` still answers 403 and a `Verrouille` is still a ValidationError (code "verrouillee").
"""

from django.core.exceptions import PermissionDenied, ValidationError


class Interdit(PermissionDenied):
    """The actor may not do this here (403): not a writer of the object, not the DDFPT…"""


class Verrouille(ValidationError):
    """The object is locked (validated bilan, locked CCF grid or évaluation): nothing is
    written; the message says who can unlock it."""

    def __init__(self, message):
        super().__init__(message, code="verrouillee")
