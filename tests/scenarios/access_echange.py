"""Access matrix entries of the exports and the .scpro import (tests/access.py)."""

from tests.access import STAFF, Access
from tests.scenarios.echange_factories import creer_scenario

CREATEURS = frozenset({"ddfpt", "enseignant", "enseignant2"})


def _scenario(p):
    return {"pk": creer_scenario(p.a).pk}


ACCESS = [
    # Staff (the chef included: VOIR_SCENARIOS) queue the job and go to its progress page.
    Access(
        "scenarios:exporter",
        kwargs=_scenario,
        method="POST",
        data=lambda p: {"format": "odt"},
        allowed=STAFF,
        ok=302,
    ),
    Access("scenarios:importer", allowed=CREATEURS),
    # Without a previewed file in the session: back to the upload page.
    Access("scenarios:importer_confirmer", method="POST", allowed=CREATEURS, ok=302),
]
