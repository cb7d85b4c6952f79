"""Reverse establishment URLs without repeating the slug everywhere."""

from django.urls import reverse

RESERVED_SLUGS = {"admin", "comptes", "static", "media", "api", "sante"}


def etab_reverse(request_or_etab, name: str, **kwargs) -> str:
    """`reverse` for a page under /<slug>/: the establishment comes from the request."""
    etab = getattr(request_or_etab, "etablissement", request_or_etab)
    return reverse(name, kwargs={"etab": etab.slug, **kwargs})


_REPERE = 987654321987  # an integer no object has: replaced in the reversed URL


def etab_reverse_par_pk(request_or_etab, name: str):
    """A function pk → URL of `name` (one `pk` argument) under the establishment, reversing
    only once: a list of hundreds of rows would otherwise spend most of its time in
    `reverse`."""
    modele = etab_reverse(request_or_etab, name, pk=_REPERE)
    avant, apres = modele.split(str(_REPERE))
    return lambda pk: f"{avant}{int(pk)}{apres}"
