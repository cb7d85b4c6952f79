"""The suggestion rule on handmade observation sets."""

import datetime

from bilans.suggestion import Observation, poids, suggerer

REF = datetime.date(2026, 6, 1)


def obs(niveau, jours_avant=0, nature="INT", critere="C1.1-1"):
    return Observation(niveau, REF - datetime.timedelta(days=jours_avant), nature, critere=critere)


def test_no_observation_is_ne():
    assert suggerer([], REF).niveau == "NE"
    assert suggerer([obs("NE"), obs("NE", 3)], REF).niveau == "NE"


def test_ne_is_not_an_observation():
    s = suggerer([obs("NE"), obs("3")], REF)
    assert s.niveau == "3"
    assert [c.observation.niveau for c in s.contributions] == ["3"]


def test_weighted_median_not_mean():
    # 1 and 4 with equal weights: a mean would say 2.5; the median picks an observed level.
    s = suggerer([obs("1", 10), obs("4", 10)], REF)
    assert s.niveau == "1"
    assert s.niveau in {"1", "4"}


def test_complex_and_entreprise_weigh_double():
    assert poids(obs("3", 0, "C"), REF) == 2 * poids(obs("3", 0, "INT"), REF)
    assert poids(obs("3", 0, "E"), REF) == 2 * poids(obs("3", 0, "INT"), REF)
    # Two intermediate 2s against one complex 4 of the same day: 2 vs 2 → tie, median at 2;
    # a third complex observation tips it.
    assert suggerer([obs("2"), obs("2"), obs("4", nature="C")], REF).niveau == "2"
    assert (
        suggerer([obs("2"), obs("2"), obs("4", nature="C"), obs("4", nature="E")], REF).niveau
        == "4"
    )


def test_recent_observations_weigh_more():
    assert abs(poids(obs("3", 120), REF) - 0.5) < 1e-9
    # Early failures, recent successes: the recent level wins.
    s = suggerer([obs("1", 300), obs("1", 280), obs("1", 260), obs("3", 5), obs("3", 1)], REF)
    assert s.niveau == "3"


def test_future_observations_are_ignored():
    s = suggerer([obs("4", -10), obs("2", 1)], REF)
    assert s.niveau == "2"


def test_pourquoi_lists_contributions_in_chronological_order_with_formula():
    s = suggerer([obs("3", 1, critere="B"), obs("2", 40, critere="A")], REF)
    assert [c.observation.critere for c in s.contributions] == ["A", "B"]
    assert s.poids_total == sum(c.poids for c in s.contributions)
    assert "médiane pondérée" in s.formule


def test_cumul_gives_the_same_level_as_suggerer():
    """The class view's accumulator (no observation kept) applies the same rule."""
    import random

    from bilans.suggestion import Cumul

    rng = random.Random(2026)
    reference = datetime.date(2026, 6, 1)
    cumul = Cumul(reference)
    attendus = {}
    for cle in range(300):
        observations = [
            Observation(
                rng.choice(["NE", "1", "2", "3", "4"]),
                reference - datetime.timedelta(days=rng.randint(-30, 900)),
                rng.choice(["INT", "C", "E"]),
            )
            for _ in range(rng.randint(0, 25))
        ]
        # One participation (évaluation) per observation; criterion `cle` → competence `cle`.
        resultats = [(cle, (cle, i), cle, o.niveau) for i, o in enumerate(observations)]
        poids = {(cle, (cle, i)): cumul.poids(o.date, o.nature) for i, o in enumerate(observations)}
        cumul.cumuler(resultats, poids, {cle: cle})
        attendus[cle] = suggerer(observations, reference).niveau
    assert {cle: cumul.niveau((cle, cle)) for cle in attendus} == attendus
    assert set(attendus.values()) == {"NE", "1", "2", "3", "4"}  # every branch exercised
    assert cumul.niveau("inconnue") == "NE"
    # No participation weight, or a criterion of another diplôme: not counted.
    cumul.cumuler([(-1, "e", "c", "4"), (-2, "e", "autre", "4")], {(-2, "e"): 1.0}, {"c": 0})
    assert cumul.niveau((-1, 0)) == "NE" and cumul.niveau((-2, 0)) == "NE"


def test_principales_keeps_the_heaviest_in_chronological_order():
    observations = [obs("3", jours_avant=j, nature="C" if j == 200 else "INT") for j in range(40)]
    observations.append(obs("2", jours_avant=200, nature="C"))
    s = suggerer(observations, REF)
    montrees = s.principales(15)
    assert len(montrees) == 15
    # The 15 most recent INT (heaviest by age), chronological; the old C is left out.
    assert [c.observation.date for c in montrees] == sorted(c.observation.date for c in montrees)
    assert min(c.poids for c in montrees) >= max(
        c.poids for c in s.contributions if c not in montrees
    )
    n, reste = s.autres(15)
    assert n == len(s.contributions) - 15
    assert abs(reste + sum(c.poids for c in montrees) - s.poids_total) < 1e-9
    assert (
        suggerer(observations[:3], REF).principales(15)
        == suggerer(observations[:3], REF).contributions
    )
