"""Access matrix of the LSL Pro entry pages (lslpro/urls_saisie.py).

Entry is for teachers and the DDFPT (SAISIR_LSL): the chef reads only the completeness
overview (VOIR_CERTIFICATION) and sets the périodicité with the DDFPT (PARAMETRER_LSL). The
livret is A's scolaire learner's, with a périodicité and a validated bilan of the year so that
the full page renders; a persona of B gets 404 for it. « Paramètres LSL » is read by the chef
and the DDFPT; its two POST views (code matière, code MEF) are the DDFPT's."""

from tests.access import STAFF, Access

SAISIE = frozenset({"ddfpt", "enseignant", "enseignant2"})
PARAMETRAGE = frozenset({"ddfpt", "chef"})


def _livret(p):
    from tests.lslpro import lsl_factories as lf

    lf.competences_lsl(p.a)
    lf.periodicite(p.a)
    lf.bilan(p.a, 30)
    return {"pk": p.a.apprenant.apprenant.pk}


def _code_matiere(p):
    return {"diplome": p.a.diplome.pk, "code": "046500", "source": "BCN (tests)"}


def _code_mef(p):
    return {"division": p.a.division.pk, "code_mef": "24723402210"}


ACCESS = [
    Access("lslpro:saisie", allowed=SAISIE),
    Access("lslpro:livret", kwargs=_livret, allowed=SAISIE),
    Access("lslpro:periodicite", allowed=PARAMETRAGE),
    Access("lslpro:completude", allowed=STAFF),
    # « Paramètres LSL »: the chef and the DDFPT read; only the DDFPT writes (chef → 403).
    Access("lslpro:parametres", allowed=PARAMETRAGE),
    Access(
        "lslpro:parametres_code_matiere",
        method="POST",
        data=_code_matiere,
        allowed=frozenset({"ddfpt"}),
        ok=302,
        ids_partages=True,  # a diplôme of the référentiels, prepared by both establishments
    ),
    Access(
        "lslpro:parametres_code_mef",
        method="POST",
        data=_code_mef,
        allowed=frozenset({"ddfpt"}),
        ok=302,
    ),
]
