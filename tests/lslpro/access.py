"""Access matrix of the LSL Pro entry pages (lslpro/urls_saisie.py).

Entry is for teachers and the DDFPT (SAISIR_LSL): the chef reads only the completeness
overview (VOIR_CERTIFICATION) and sets the périodicité with the DDFPT (PARAMETRER_LSL). The
livret is A's scolaire learner's, with a périodicité and a validated bilan of the year so that
the full page renders; a persona of B gets 404 for it."""

from tests.access import STAFF, Access

SAISIE = frozenset({"ddfpt", "enseignant", "enseignant2"})
PARAMETRAGE = frozenset({"ddfpt", "chef"})


def _livret(p):
    from tests.lslpro import lsl_factories as lf

    lf.competences_lsl(p.a)
    lf.periodicite(p.a)
    lf.bilan(p.a, 30)
    return {"pk": p.a.apprenant.apprenant.pk}


ACCESS = [
    Access("lslpro:saisie", allowed=SAISIE),
    Access("lslpro:livret", kwargs=_livret, allowed=SAISIE),
    Access("lslpro:periodicite", allowed=PARAMETRAGE),
    Access("lslpro:completude", allowed=STAFF),
]
