"""A fingerprint of the whole database: for each model (many-to-many tables included), a hash
of the sorted list of its rows. Two equal fingerprints → no row was created, changed or
deleted. Sessions are left out: a request may refresh its own session (expiry date)."""

import hashlib

from django.apps import apps

EXCLUS = {"sessions.session"}


def empreinte() -> dict[str, str]:
    result = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in EXCLUS:
            continue
        rows = sorted(repr(row) for row in model._default_manager.values_list())
        result[model._meta.label] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return result


def differences(avant: dict[str, str], apres: dict[str, str]) -> list[str]:
    """The models whose rows differ."""
    return sorted(
        label for label in avant.keys() | apres.keys() if avant.get(label) != apres.get(label)
    )
