"""Reverse establishment URLs without repeating the slug everywhere."""

from django.urls import reverse

RESERVED_SLUGS = {"admin", "comptes", "static", "media", "api", "sante"}


def etab_reverse(request_or_etab, name: str, **kwargs) -> str:
    """`reverse` for a page under /<slug>/: the establishment comes from the request."""
    etab = getattr(request_or_etab, "etablissement", request_or_etab)
    return reverse(name, kwargs={"etab": etab.slug, **kwargs})
