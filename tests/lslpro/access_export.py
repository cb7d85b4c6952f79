"""Access matrix of the LSL export (tests/security/test_access_matrix.py).

The export is the chef's and the DDFPT's (EXPORTER_LSL); teachers, tutors and learners get 403,
another establishment 404. « Lancer l'export » without data re-renders the page with the form
errors (200). The PRONOTE pull is token-authenticated: without a bearer token everyone gets 401.
"""

from tests.access import PERSONAS, Access

EXPORTEURS = frozenset({"ddfpt", "chef"})

ACCESS = [
    Access("lslpro:export", allowed=EXPORTEURS),
    Access("lslpro:export_lancer", method="POST", allowed=EXPORTEURS),
    Access(
        "lslpro:api_pronote_lsl",
        public=True,
        overrides={persona: 401 for persona in PERSONAS},
    ),
]
