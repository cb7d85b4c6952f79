"""Explainable suggested positioning of a competence (beyond CPRO). The teacher always decides;
the suggestion only pre-fills the bilan.

Rule (documented, unit-tested):

1. The observations of a competence are the résultats on its criteria, in évaluations shown in
   dashboards, up to the reference date. "NE" (non évalué) and empty cells are not observations.
2. Each observation gets a weight  w = n × r  where
   - n depends on the évaluation's nature: Intermédiaire 1, Complexe 2, Entreprise 2
     (complex and workplace situations say more about mastery);
   - r = 0.5 ** (age_in_days / 120): an observation loses half its weight every 120 days, so
     recent observations weigh more.
3. The suggested level is the WEIGHTED MEDIAN of the levels (1..4): the smallest level whose
   cumulative weight reaches half of the total. Levels are ordinal, so we never average them
   (a mean would turn "1 and 4" into a meaningless 2.5).
4. With no observation the suggestion is NE.

`pourquoi` lists every contributing observation with its weight, and the formula.

Pages that show only the LEVEL of many learners × competences (vue classes) read it from the
stored exact aggregates of evaluations.agregats (`niveau_agrege`): same rule, same result.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# One source for the weights: the stored aggregates (evaluations.agregats) use the same ones.
from evaluations.agregats import DEMI_VIE_JOURS, NIVEAUX, POIDS_NATURE, facteur

# "Pourquoi ce niveau ?" lists at most this many observations (the heaviest).
MAX_POURQUOI = 15
FORMULE = (
    "poids = nature (Int 1, C 2, E 2) × 0,5^(ancienneté en jours / 120) ; niveau suggéré = "
    "médiane pondérée des niveaux observés (NE exclus)."
)


@dataclass(frozen=True)
class Observation:
    niveau: str  # "NE" or "1".."4"
    date: datetime.date
    nature: str  # INT, C, E
    titre: str = ""
    critere: str = ""  # criterion code
    enseignant: str = ""


@dataclass(frozen=True)
class Contribution:
    observation: Observation
    poids: float


@dataclass
class Suggestion:
    niveau: str  # "NE" or "1".."4"
    contributions: list[Contribution] = field(default_factory=list)
    formule: str = FORMULE

    @property
    def poids_total(self) -> float:
        return sum(c.poids for c in self.contributions)

    def principales(self, n: int = MAX_POURQUOI) -> list[Contribution]:
        """The `n` heaviest contributions, in chronological order: what "Pourquoi ?" lists
        (three years of observations would make an unreadable list; the others are summed
        up by `autres`)."""
        if len(self.contributions) <= n:
            return self.contributions
        gardees = set(map(id, sorted(self.contributions, key=lambda c: c.poids, reverse=True)[:n]))
        return [c for c in self.contributions if id(c) in gardees]

    def autres(self, n: int = MAX_POURQUOI) -> tuple[int, float]:
        """(number, total weight) of the contributions `principales(n)` leaves out."""
        montrees = self.principales(n)
        reste = self.poids_total - sum(c.poids for c in montrees)
        return len(self.contributions) - len(montrees), max(reste, 0.0)


def poids(observation: Observation, reference: datetime.date) -> float:
    age = max(0, (reference - observation.date).days)
    return POIDS_NATURE.get(observation.nature, 1.0) * 0.5 ** (age / DEMI_VIE_JOURS)


def mediane_ponderee(sommes: dict[str, float]) -> str:
    """The weighted median of rule 3: the smallest level whose cumulative weight reaches half
    of the total; `sommes` = total weight per level "1".."4". "NE" when there is no weight."""
    total = sum(sommes.values())
    if total <= 0:
        return "NE"
    cumul = 0.0
    for niveau in ("1", "2", "3", "4"):
        cumul += sommes.get(niveau, 0.0)
        if cumul >= total / 2 - 1e-9:
            return niveau
    return "4"  # unreachable: cumul reaches total at level 4


def suggerer(observations: Iterable[Observation], reference: datetime.date) -> Suggestion:
    """The suggested level of one competence from its observations (see the module docstring)."""
    contributions = [
        Contribution(o, poids(o, reference))
        for o in observations
        if o.niveau in NIVEAUX and o.date <= reference
    ]
    contributions.sort(key=lambda c: (c.observation.date, c.observation.critere))
    if not contributions:
        return Suggestion("NE", [])
    sommes = dict.fromkeys(NIVEAUX, 0.0)
    for c in contributions:
        sommes[c.observation.niveau] += c.poids
    return Suggestion(mediane_ponderee(sommes), contributions)


def niveau_agrege(lignes, reference: datetime.date) -> str | None:
    """The suggested level from the stored aggregates of one learner × competence
    (`evaluations.agregats.lire`: [(niveau, raw sum, date_max)]), or None when an observation
    may be dated after `reference` (the caller then uses the observations themselves).

    The raw sums times the common factor 0.5^((reference − EPOQUE)/120) are the rule's weights;
    the factor does not change the median, it only keeps the tolerance of `mediane_ponderee`
    on the same scale as the exact path."""
    if any(d > reference for _n, _s, d in lignes):
        return None
    f = facteur(reference)
    return mediane_ponderee({n: s * f for n, s, _d in lignes}) if lignes else "NE"


class Cumul:
    """The same rule without keeping the observations, for views that show only the level of
    many competences × learners (vue classes: 35 learners × 3 years ≈ 40,000 résultats). The
    weight of an observation depends only on its évaluation's date and nature: `poids` computes
    it once per (date, nature); `sommes[cle][niveau]` accumulates weights."""

    def __init__(self, reference: datetime.date):
        self.reference = reference
        self._poids: dict[tuple[datetime.date, str], float] = {}
        self.sommes: defaultdict[object, dict[str, float]] = defaultdict(
            lambda: dict.fromkeys(NIVEAUX, 0.0)
        )

    def poids(self, date: datetime.date, nature: str) -> float:
        """Weight of an observation of that date and nature; 0 after the reference date."""
        w = self._poids.get((date, nature))
        if w is None:
            w = self._poids[(date, nature)] = (
                0.0
                if date > self.reference
                else poids(Observation("1", date, nature), self.reference)
            )
        return w

    def cumuler(self, resultats, poids: dict, competence_du_critere: dict) -> None:
        """Accumulate résultats `(apprenant, évaluation, critère, niveau)` by (apprenant,
        compétence): `poids[(apprenant, évaluation)]` is the weight of the learner's
        participation (`self.poids` of the évaluation's date and nature; absent or 0 → not
        counted), `competence_du_critere[critère]` its competence (absent → not counted).
        The hot loop of the vue classes: ~40,000 rows for 3 years."""
        sommes = self.sommes
        for a, e, c, niveau in resultats:
            w = poids.get((a, e))
            if w and niveau in NIVEAUX:
                comp = competence_du_critere.get(c)
                if comp is not None:
                    sommes[(a, comp)][niveau] += w

    def niveau(self, cle) -> str:
        """The suggested level for `cle` ("NE" without observation)."""
        sommes = self.sommes.get(cle)
        return mediane_ponderee(sommes) if sommes else "NE"
