"""Access matrix of the RGPD pages (export, erasure): the DDFPT only.

The erasure page is declared with GET only: its POST is covered by tests/gestion/test_rgpd.py
(the persona learners are active, so an erasure would be refused anyway)."""

from tests.access import Access

DDFPT = frozenset({"ddfpt"})


def _apprenant(p):
    return {"pk": p.a.apprenant.apprenant.pk}


ACCESS = [
    # Queues the export and redirects to its progress page.
    Access("gestion:rgpd_exporter", kwargs=_apprenant, method="POST", allowed=DDFPT, ok=302),
    Access("gestion:rgpd_effacer", kwargs=_apprenant, allowed=DDFPT),
]
