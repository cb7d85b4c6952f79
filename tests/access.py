"""Declarations for the access-matrix test (tests/security/test_access_matrix.py).

Each module lists its URLs in `tests/<module>/access*.py` as `ACCESS = [Access(...), ...]`.
For every persona the expected answer is derived:
- anonymous → 302 to the establishment's login (200 for public pages);
- a persona of the other establishment (its DDFPT `autre_etab`, its teacher
  `enseignant_autre_etab`) → 404 (200 for public pages); an override given for `autre_etab`
  applies to `enseignant_autre_etab` too unless it has its own;
- a persona of the establishment whose name is in `allowed` → `ok` (200 by default);
- `autre_apprenant` / `autre_tuteur` (a learner / a tutor of the establishment with no link to
  the objects the kwargs functions create): where `apprenant` / `tuteur` is allowed, 404 when
  the URL names an object (non-empty kwargs: the owner check hides it) and `ok` otherwise
  (their own, empty, list); elsewhere 403 like any role without the permission;
- any other persona of the establishment → 403, unless `overrides` says otherwise.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

MEMBERS = ("ddfpt", "chef", "enseignant", "enseignant2", "tuteur", "apprenant", "apprenti")
# Establishment A's members without any link to the test objects (tests/personas.py).
SANS_LIEN = {"autre_apprenant": "apprenant", "autre_tuteur": "tuteur"}
# Members of establishment B: persona → its membership name on side B.
AUTRES_ETABS = {"autre_etab": "ddfpt", "enseignant_autre_etab": "enseignant"}
PERSONAS = ("anonyme", *MEMBERS, *SANS_LIEN, *AUTRES_ETABS)
STAFF = frozenset({"ddfpt", "chef", "enseignant", "enseignant2"})
EVERYONE = frozenset(MEMBERS) | frozenset(SANS_LIEN)
STAFF_ROLES = ("ENSEIGNANT", "DDFPT", "CHEF")


def persona_membership(personas, persona: str):
    """(membership, its side) of a persona name other than `anonyme`."""
    if persona in AUTRES_ETABS:
        side = personas.b
        return side.membership(AUTRES_ETABS[persona]), side
    side = personas.a
    return side.membership(persona), side


def connecter(client, personas, persona: str):
    """Log `persona` in on `client` (staff with their side's first diplôme chosen)."""
    from tests.personas import login

    if persona == "anonyme":
        return client
    m, side = persona_membership(personas, persona)
    return login(client, m, side.diplome if m.role in STAFF_ROLES else None)


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
    # The ids in the URL / data name objects shared by every establishment (a référentiel's
    # diplôme), not A's: the cross-tenant test (tests/security/test_cross_tenant.py) does not
    # expect a refusal from B's own URL; B's URL with A's slug is still checked.
    ids_partages: bool = False

    def expected(self, persona: str, kwargs: dict | None = None) -> int:
        """The expected status for `persona`; `kwargs` are the URL's (an object is named)."""
        if persona in self.overrides:
            return self.overrides[persona]
        if persona == "anonyme":
            return 200 if self.public else 302
        if persona in AUTRES_ETABS:
            if "autre_etab" in self.overrides:
                return self.overrides["autre_etab"]
            return 200 if self.public else 404
        if persona in self.allowed:
            return self.ok
        if persona in SANS_LIEN and SANS_LIEN[persona] in self.allowed:
            return 404 if kwargs else self.ok
        return 403
