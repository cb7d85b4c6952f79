import pytest

from tests.lslpro import lsl_factories as lf


@pytest.fixture
def lsl(personas):
    """A's diplôme with 3 LSL competences (the first groups two référentiel competences),
    trimestres for A's division, and the scolaire learner's validated bilans of the year on
    days 30 (note 12,5), 60 (note 14) and 90 (no note)."""
    a = personas.a
    competences = lf.competences_lsl(a)
    per = lf.periodicite(a)
    refs = [code for c in competences for code in lf.codes(c)]
    b1 = lf.bilan(a, 30, note="12.5", niveaux={r: "3" for r in refs}, constats="Constat 1")
    b2 = lf.bilan(
        a,
        60,
        note="14",
        niveaux={refs[0]: "4", refs[1]: "2", refs[2]: "NE", refs[3]: "4"},
        constats="x" * 400,
    )
    b3 = lf.bilan(a, 90, note=None, niveaux={r: "3" for r in refs})

    class Lsl:
        pass

    d = Lsl()
    d.side, d.competences, d.periodicite, d.bilans = a, competences, per, [b1, b2, b3]
    d.apprenant = a.apprenant.apprenant
    d.annee = lf.annee()
    return d
