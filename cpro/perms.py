"""Permissions are data on the membership: a role gives a fixed set of permission names.

Views declare what they need with `@permission_requise("...")`; templates read the set computed
once per request (`cpro_perms`). Per-object grants (a tutor on a portfolio, a private scénario)
are checked by the module's accessors, not here.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from cpro.models import Membership, Role

VOIR_REFERENTIEL = "referentiel.voir"
VOIR_PROVENANCE = "referentiel.provenance"
IMPORTER_REFERENTIEL = "referentiel.importer"
IMPRIMER_REFERENTIEL = "referentiel.imprimer"
ADMINISTRER = "etablissement.administrer"
GERER_PERSONNES = "personnes.gerer"
IMPORTER_PERSONNES = "personnes.importer"
VOIR_JOURNAL = "journal.voir"
CHOISIR_DIPLOME = "diplome.choisir"
VOIR_SCENARIOS = "scenarios.voir"
CREER_SCENARIOS = "scenarios.creer"
VOIR_EVALUATIONS = "evaluations.voir"
SAISIR_EVALUATIONS = "evaluations.saisir"
VOIR_MES_EVALUATIONS = "evaluations.miennes"
VOIR_PFMP = "pfmp.voir"
GERER_PFMP = "pfmp.gerer"
SUIVRE_PORTFOLIOS = "pfmp.suivre"
MON_PORTFOLIO = "pfmp.mon_portfolio"
PORTFOLIOS_TUTEUR = "pfmp.tuteur"
VOIR_BOOK = "book.voir"
MON_BOOK = "book.mon_book"
VOIR_TABLEAUX = "tableaux.voir"
MON_TABLEAU = "tableaux.mon_tableau"
REDIGER_BILANS = "bilans.rediger"
DEVERROUILLER_BILANS = "bilans.deverrouiller"
SIGNER_ATTESTATIONS = "attestations.signer"
GERER_PRONOTE = "pronote.gerer"
VOIR_CERTIFICATION = "certification.voir"
SAISIR_CERTIFICATION = "certification.saisir"
DEVERROUILLER_CERTIFICATION = "certification.deverrouiller"
SAISIR_LSL = "lsl.saisir"
PARAMETRER_LSL = "lsl.parametrer"
EXPORTER_LSL = "lsl.exporter"

_EQUIPE = {
    VOIR_REFERENTIEL,
    IMPRIMER_REFERENTIEL,
    CHOISIR_DIPLOME,
    VOIR_SCENARIOS,
    VOIR_EVALUATIONS,
    VOIR_PFMP,
    VOIR_BOOK,
    VOIR_TABLEAUX,
    VOIR_CERTIFICATION,
}
# Teachers and the DDFPT build scénarios; the chef reads them.
_PEDAGOGIE = {
    CREER_SCENARIOS,
    SAISIR_EVALUATIONS,
    GERER_PFMP,
    SUIVRE_PORTFOLIOS,
    REDIGER_BILANS,
    SAISIR_CERTIFICATION,
    SAISIR_LSL,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ENSEIGNANT: frozenset(_EQUIPE | _PEDAGOGIE),
    Role.DDFPT: frozenset(
        _EQUIPE
        | _PEDAGOGIE
        | {
            VOIR_PROVENANCE,
            IMPORTER_REFERENTIEL,
            ADMINISTRER,
            GERER_PERSONNES,
            IMPORTER_PERSONNES,
            VOIR_JOURNAL,
            DEVERROUILLER_BILANS,
            GERER_PRONOTE,
            DEVERROUILLER_CERTIFICATION,
            PARAMETRER_LSL,
            EXPORTER_LSL,
        }
    ),
    Role.CHEF: frozenset(
        _EQUIPE | {VOIR_JOURNAL, SIGNER_ATTESTATIONS, PARAMETRER_LSL, EXPORTER_LSL}
    ),
    Role.TUTEUR: frozenset({PORTFOLIOS_TUTEUR}),
    Role.APPRENANT: frozenset({VOIR_MES_EVALUATIONS, MON_PORTFOLIO, MON_BOOK, MON_TABLEAU}),
}


def permissions(membership: Membership | None) -> frozenset[str]:
    if membership is None or not membership.active:
        return frozenset()
    return ROLE_PERMISSIONS.get(membership.role, frozenset())


def a_permission(membership: Membership | None, perm: str) -> bool:
    return perm in permissions(membership)


def est_equipe(membership: Membership | None) -> bool:
    """Teaching staff: enseignant, DDFPT, chef."""
    return membership is not None and membership.role in (Role.ENSEIGNANT, Role.DDFPT, Role.CHEF)


def exiger(request, perm: str) -> None:
    if perm not in getattr(request, "cpro_perms", frozenset()):
        raise PermissionDenied


def permission_requise(*perms: str):
    """View decorator: 403 unless the request's membership has every permission listed."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            for perm in perms:
                exiger(request, perm)
            return view(request, *args, **kwargs)

        wrapped.cpro_permissions = perms
        return wrapped

    return decorator
