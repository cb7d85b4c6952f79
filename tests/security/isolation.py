"""Several requests in one test, each one isolated from the others: a savepoint rolled back
after it, a fresh client, and personas reloaded from the database (the kwargs functions cache
objects on the personas, e.g. `p._documents`; those rows vanish with the rollback)."""

import contextlib
import copy

from django.db import transaction
from django.db.models import Model
from django.test import Client

from tests.personas import Personas


def _recharger(side):
    """A copy of an EtabPersonas whose model instances are fetched again, without caches."""
    fresh = copy.copy(side)
    for name, value in list(vars(fresh).items()):
        if isinstance(value, Model):
            setattr(fresh, name, type(value)._default_manager.get(pk=value.pk))
        elif name.startswith("_"):
            delattr(fresh, name)
    return fresh


@contextlib.contextmanager
def isole(personas: Personas):
    """with isole(personas) as (p, client): … — everything written inside is rolled back."""
    with transaction.atomic():
        try:
            yield Personas(a=_recharger(personas.a), b=_recharger(personas.b)), Client()
        finally:
            transaction.set_rollback(True)
