"""Who may do what, asked in one place.

Permissions are data on the membership: a role gives a fixed set of permission names. Views
declare what they need with `@permission_requise("...")`; templates read the set computed once
per request (`cpro_perms`).

On one object, `peut(membership, permission, objet)` first asks the role, then the object rule
of that permission: each module registers its rules in `<app>/regles.py` with `@regle(...)`
(discovered at start-up by cpro.apps, so cpro imports no module). A permission without a rule
needs only the object to belong to the membership's establishment.

Services get the acting membership through `membership_de(user, etablissement_id)`: inside a
request it is the one the tenancy middleware resolved (no query).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

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
# Suivi de projet (chef-d'œuvre): the team reads, teachers lead, the learner keeps his carnet
# de bord, the tutor reads the projects of the learners he follows.
VOIR_PROJETS = "projets.voir"
GERER_PROJETS = "projets.gerer"
MON_PROJET = "projets.mon_projet"
PROJETS_TUTEUR = "projets.tuteur"
# Livrets des apprentis: the team reads, teachers observe, the maître d'apprentissage fills
# his part, the apprentice reads and acknowledges his own.
VOIR_LIVRETS = "livrets.voir"
SUIVRE_LIVRETS = "livrets.suivre"
LIVRETS_TUTEUR = "livrets.tuteur"
MON_LIVRET = "livrets.mon_livret"
# Espace de stockage: each staff member's file space and the shared spaces.
UTILISER_STOCKAGE = "stockage.utiliser"
# Narrowed by an object rule: the author or the DDFPT.
SUPPRIMER_EVALUATIONS = "evaluations.supprimer"
SUPPRIMER_BILANS = "bilans.supprimer"

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
    VOIR_PROJETS,
    VOIR_LIVRETS,
    UTILISER_STOCKAGE,
}
# Teachers and the DDFPT build scénarios; the chef reads them.
_PEDAGOGIE = {
    CREER_SCENARIOS,
    SAISIR_EVALUATIONS,
    SUPPRIMER_EVALUATIONS,
    GERER_PFMP,
    SUIVRE_PORTFOLIOS,
    REDIGER_BILANS,
    SUPPRIMER_BILANS,
    SAISIR_CERTIFICATION,
    SAISIR_LSL,
    GERER_PROJETS,
    SUIVRE_LIVRETS,
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
    Role.TUTEUR: frozenset({PORTFOLIOS_TUTEUR, PROJETS_TUTEUR, LIVRETS_TUTEUR}),
    Role.APPRENANT: frozenset(
        {VOIR_MES_EVALUATIONS, MON_PORTFOLIO, MON_BOOK, MON_TABLEAU, MON_PROJET, MON_LIVRET}
    ),
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


# --- on one object ----------------------------------------------------------------------------

RegleObjet = Callable[[Membership, Any], bool]
_REGLES: dict[str, RegleObjet] = {}


def regle(*noms: str):
    """Register the object rule of the permissions `noms` (in `<app>/regles.py`). The rule
    receives an active membership that holds the permission and the object; it answers whether
    this membership may act on this object, establishment included."""

    def enregistrer(fonction: RegleObjet) -> RegleObjet:
        for nom in noms:
            if _REGLES.get(nom, fonction) is not fonction:
                raise ImproperlyConfigured(f"Deux règles d'objet pour la permission {nom}.")
            _REGLES[nom] = fonction
        return fonction

    return enregistrer


def regles() -> dict[str, RegleObjet]:
    """The registered object rules, by permission name (for tests and checks)."""
    return dict(_REGLES)


def meme_etablissement(membership: Membership, objet) -> bool:
    """The default object rule: the object belongs to the membership's establishment."""
    return membership.etablissement_id == objet.etablissement_id


def peut(membership: Membership | None, permission: str, objet=None) -> bool:
    """May `membership` use `permission` (on `objet`, when given)? The role decides first (an
    inactive or missing membership may nothing); then the permission's object rule, or
    `meme_etablissement` when the permission has none. No query unless the rule needs one."""
    if permission not in permissions(membership):
        return False
    if objet is None:
        return True
    return _REGLES.get(permission, meme_etablissement)(membership, objet)


def membership_de(user, etablissement_id) -> Membership | None:
    """The active membership through which `user` acts in the establishment `etablissement_id`.

    Inside a request it is the membership the tenancy middleware resolved (kept on the user
    object for the request, as Django's ModelBackend keeps its permission cache): no query.
    Elsewhere (worker, shell, tests calling a service) it is read: 1 query."""
    if not getattr(user, "pk", None):
        return None
    resolue = getattr(user, "cpro_membership", None)
    if (
        resolue is not None
        and resolue.user_id == user.pk
        and resolue.etablissement_id == etablissement_id
        and resolue.active
    ):
        return resolue
    return (
        Membership.objects.filter(user=user, etablissement_id=etablissement_id, active=True)
        .select_related("etablissement")
        .first()
    )


# --- in views -----------------------------------------------------------------------------------


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
