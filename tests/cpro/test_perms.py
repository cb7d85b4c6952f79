"""Truth table of permissions per role (on objects: test_perms_objets.py)."""

import pytest

from cpro import perms
from cpro.models import Membership, Role

P = perms
TABLE = {
    #                          ENS    DDFPT  CHEF   TUTEUR APPR
    P.VOIR_REFERENTIEL: (True, True, True, False, False),
    P.IMPRIMER_REFERENTIEL: (True, True, True, False, False),
    P.CHOISIR_DIPLOME: (True, True, True, False, False),
    P.VOIR_PROVENANCE: (False, True, False, False, False),
    P.IMPORTER_REFERENTIEL: (False, True, False, False, False),
    P.ADMINISTRER: (False, True, False, False, False),
    P.GERER_PERSONNES: (False, True, False, False, False),
    P.IMPORTER_PERSONNES: (False, True, False, False, False),
    P.VOIR_JOURNAL: (False, True, True, False, False),
    P.VOIR_SCENARIOS: (True, True, True, False, False),
    P.CREER_SCENARIOS: (True, True, False, False, False),
    P.VOIR_EVALUATIONS: (True, True, True, False, False),
    P.SAISIR_EVALUATIONS: (True, True, False, False, False),
    P.SUPPRIMER_EVALUATIONS: (True, True, False, False, False),
    P.VOIR_MES_EVALUATIONS: (False, False, False, False, True),
    P.VOIR_PFMP: (True, True, True, False, False),
    P.GERER_PFMP: (True, True, False, False, False),
    P.SUIVRE_PORTFOLIOS: (True, True, False, False, False),
    P.MON_PORTFOLIO: (False, False, False, False, True),
    P.PORTFOLIOS_TUTEUR: (False, False, False, True, False),
    P.VOIR_BOOK: (True, True, True, False, False),
    P.MON_BOOK: (False, False, False, False, True),
    P.VOIR_TABLEAUX: (True, True, True, False, False),
    P.MON_TABLEAU: (False, False, False, False, True),
    P.REDIGER_BILANS: (True, True, False, False, False),
    P.SUPPRIMER_BILANS: (True, True, False, False, False),
    P.DEVERROUILLER_BILANS: (False, True, False, False, False),
    P.SIGNER_ATTESTATIONS: (False, False, True, False, False),
    P.GERER_PRONOTE: (False, True, False, False, False),
    P.VOIR_CERTIFICATION: (True, True, True, False, False),
    P.SAISIR_CERTIFICATION: (True, True, False, False, False),
    P.DEVERROUILLER_CERTIFICATION: (False, True, False, False, False),
    P.SAISIR_LSL: (True, True, False, False, False),
    P.PARAMETRER_LSL: (False, True, True, False, False),
    P.EXPORTER_LSL: (False, True, True, False, False),
    P.VOIR_PROJETS: (True, True, True, False, False),
    P.GERER_PROJETS: (True, True, False, False, False),
    P.MON_PROJET: (False, False, False, False, True),
    P.PROJETS_TUTEUR: (False, False, False, True, False),
    P.VOIR_LIVRETS: (True, True, True, False, False),
    P.SUIVRE_LIVRETS: (True, True, False, False, False),
    P.LIVRETS_TUTEUR: (False, False, False, True, False),
    P.MON_LIVRET: (False, False, False, False, True),
    P.UTILISER_STOCKAGE: (True, True, True, False, False),
}
ROLES = (Role.ENSEIGNANT, Role.DDFPT, Role.CHEF, Role.TUTEUR, Role.APPRENANT)


@pytest.mark.parametrize("perm", list(TABLE))
@pytest.mark.parametrize("index_role", list(enumerate(ROLES)), ids=lambda x: x[1])
def test_truth_table(perm, index_role):
    index, role = index_role
    assert perms.a_permission(Membership(role=role, active=True), perm) is TABLE[perm][index]


def test_every_permission_is_in_the_table():
    granted = set().union(*perms.ROLE_PERMISSIONS.values())
    assert granted <= set(TABLE)


def test_inactive_or_missing_membership_has_nothing():
    assert perms.permissions(None) == frozenset()
    assert perms.permissions(Membership(role=Role.DDFPT, active=False)) == frozenset()
