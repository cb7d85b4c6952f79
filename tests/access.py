"""Declarations for the access-matrix test (tests/security/test_access_matrix.py).

Each module lists its URLs in `tests/<module>/access.py` as `ACCESS = [Access(...), ...]`.
For every persona the expected answer is derived:
- anonymous → 302 to the establishment's login (200 for public pages);
- a persona of the other establishment → 404;
- a persona of the establishment whose name is in `allowed` → `ok` (200 by default);
- any other persona of the establishment → 403, unless `overrides` says otherwise.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

MEMBERS = ("ddfpt", "chef", "enseignant", "enseignant2", "tuteur", "apprenant", "apprenti")
PERSONAS = ("anonyme", *MEMBERS, "autre_etab")
STAFF = frozenset({"ddfpt", "chef", "enseignant", "enseignant2"})
EVERYONE = frozenset(MEMBERS)


@dataclass(frozen=True)
class Access:
    name: str
    kwargs: Callable = lambda p: {}  # p: tests.personas.Personas → URL kwargs (without etab)
    method: str = "GET"
    data: Callable = lambda p: {}
    allowed: frozenset = STAFF
    ok: int = 200
    public: bool = False
    overrides: dict = field(default_factory=dict)

    def expected(self, persona: str) -> int:
        if persona in self.overrides:
            return self.overrides[persona]
        if persona == "anonyme":
            return 200 if self.public else 302
        if persona == "autre_etab":
            return 200 if self.public else 404
        return self.ok if persona in self.allowed else 403
