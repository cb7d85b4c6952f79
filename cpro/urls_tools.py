"""Reverse establishment URLs without repeating the slug everywhere."""

from django.urls import reverse

RESERVED_SLUGS = {"admin", "comptes", "static", "media", "api", "sante"}


def etab_reverse(request_or_etab, name: str, **kwargs) -> str:
    """`reverse` for a page under /<slug>/: the establishment comes from the request."""
    etab = getattr(request_or_etab, "etablissement", request_or_etab)
    return reverse(name, kwargs={"etab": etab.slug, **kwargs})


_REPERE = 987654321900  # integers no object has: replaced in the reversed URL


def gabarit_url(request_or_etab, name: str, arguments: list[str]) -> str:
    """The URL of `name` under the establishment as a `str.format` template whose fields are
    the (integer) `arguments`: reversed once, formatted for each row."""
    reperes = {arg: _REPERE + i for i, arg in enumerate(arguments)}
    url = etab_reverse(request_or_etab, name, **reperes).replace("{", "{{").replace("}", "}}")
    for arg, repere in reperes.items():
        url = url.replace(str(repere), "{" + arg + "}")
    return url
