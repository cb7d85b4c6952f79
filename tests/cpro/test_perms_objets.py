"""`cpro.perms.peut` on objects: one truth table per role for every permission asked on an
object, the rule registry, the membership accessor and the typed refusals."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpro import perms
from cpro.erreurs import Interdit, Verrouille
from tests.bilans import bilans_factories as bf
from tests.certification import grilles_factories as cf
from tests.evaluations.factories import evaluation_de
from tests.personas import login
from tests.pfmp.factories import AffectationFactory, periode_de

P = perms
PERSONAS = ("ddfpt", "chef", "enseignant", "enseignant2", "tuteur", "apprenant", "apprenti")


def _evaluation(a):
    # Authored and evaluated by `enseignant`; enseignant2 teaches the diplôme but does not
    # evaluate it.
    return evaluation_de(a)


def _bilan(a):
    return bf.bilan(a)


def _affectation(a):
    return AffectationFactory(
        periode=periode_de(a), apprenant=a.apprenant.apprenant, tuteur=a.tuteur
    )


OBJETS = {
    "evaluation": _evaluation,
    "bilan": _bilan,
    "apprenant": lambda a: a.apprenant.apprenant,
    "grille_ccf": lambda a: cf.grille_candidat(a),
    "affectation": _affectation,
}

# permission, object: allowed personas of establishment A (every other persona of A, and every
# persona of B, is refused).
TABLE = [
    (P.SAISIR_EVALUATIONS, "evaluation", {"ddfpt", "enseignant"}),
    (P.SUPPRIMER_EVALUATIONS, "evaluation", {"ddfpt", "enseignant"}),
    (P.REDIGER_BILANS, "bilan", {"ddfpt", "enseignant", "enseignant2"}),
    (P.REDIGER_BILANS, "apprenant", {"ddfpt", "enseignant", "enseignant2"}),
    (P.SUPPRIMER_BILANS, "bilan", {"ddfpt", "enseignant"}),
    (P.DEVERROUILLER_BILANS, "bilan", {"ddfpt"}),
    (P.SAISIR_CERTIFICATION, "grille_ccf", {"ddfpt", "enseignant", "enseignant2"}),
    (P.SAISIR_CERTIFICATION, "apprenant", {"ddfpt", "enseignant", "enseignant2"}),
    (P.DEVERROUILLER_CERTIFICATION, "grille_ccf", {"ddfpt"}),
    (P.SUIVRE_PORTFOLIOS, "affectation", {"ddfpt", "enseignant", "enseignant2"}),
    (P.PORTFOLIOS_TUTEUR, "affectation", {"tuteur"}),
]


@pytest.mark.parametrize(("perm", "objet", "autorises"), TABLE, ids=lambda v: str(v))
def test_truth_table_on_objects(personas, perm, objet, autorises):
    obj = OBJETS[objet](personas.a)
    for nom in PERSONAS:
        assert perms.peut(personas.a.membership(nom), perm, obj) is (nom in autorises), nom
        # Another establishment's member never acts on it, whatever its role.
        assert perms.peut(personas.b.membership(nom), perm, obj) is False, f"b-{nom}"
    assert perms.peut(None, perm, obj) is False
    for nom in autorises:
        m = personas.a.membership(nom)
        m.active = False
        assert perms.peut(m, perm, obj) is False, f"{nom} inactif"


def test_the_object_rules_follow_the_object(personas):
    a = personas.a
    ev = _evaluation(a)
    ev.enseignants.add(a.enseignant2.user)
    ev.refresh_from_db()
    # An evaluating teacher modifies but does not delete; the author does both.
    assert perms.peut(a.enseignant2, P.SAISIR_EVALUATIONS, ev)
    assert not perms.peut(a.enseignant2, P.SUPPRIMER_EVALUATIONS, ev)
    # The author of a draft bilan deletes it; another teacher writes it but does not delete it.
    bilan = bf.bilan(a, auteur=a.enseignant2.user)
    assert perms.peut(a.enseignant2, P.SUPPRIMER_BILANS, bilan)
    assert not perms.peut(a.enseignant, P.SUPPRIMER_BILANS, bilan)
    assert perms.peut(a.enseignant, P.REDIGER_BILANS, bilan)
    # A tutor of the establishment who is not the one assigned.
    assert not perms.peut(a.autre_tuteur, P.PORTFOLIOS_TUTEUR, _affectation(a))


def test_without_object_the_role_decides(personas):
    a = personas.a
    assert perms.peut(a.enseignant, P.SAISIR_LSL)
    assert not perms.peut(a.chef, P.SAISIR_LSL)
    assert perms.peut(a.chef, P.EXPORTER_LSL)
    assert not perms.peut(None, P.EXPORTER_LSL)


def test_every_module_rule_is_registered():
    """cpro.apps discovers <app>/regles.py: a missing module would silently fall back to the
    establishment-only rule, so the registry is pinned."""
    assert set(perms.regles()) == {
        P.SAISIR_EVALUATIONS,
        P.SUPPRIMER_EVALUATIONS,
        P.SUPPRIMER_BILANS,
        P.SUIVRE_PORTFOLIOS,
        P.PORTFOLIOS_TUTEUR,
        P.SUIVRE_LIVRETS,
        P.LIVRETS_TUTEUR,
        P.MON_LIVRET,
        P.PROJETS_TUTEUR,
        P.MON_PROJET,
        P.UTILISER_STOCKAGE,
    }


def test_a_permission_has_one_rule():
    with pytest.raises(ImproperlyConfigured):
        perms.regle(P.SUPPRIMER_BILANS)(lambda membership, objet: True)
    assert perms.regles()[P.SUPPRIMER_BILANS].__module__ == "bilans.regles"


# --- the acting membership -------------------------------------------------------------------


def test_membership_de_reads_the_membership_outside_a_request(personas, django_assert_num_queries):
    a = personas.a
    with django_assert_num_queries(1):
        assert perms.membership_de(a.enseignant.user, a.etablissement.pk) == a.enseignant
    with django_assert_num_queries(1):
        assert perms.membership_de(a.enseignant.user, personas.b.etablissement.pk) is None
    a.enseignant.active = False
    a.enseignant.save()
    assert perms.membership_de(a.enseignant.user, a.etablissement.pk) is None
    with django_assert_num_queries(0):
        assert perms.membership_de(None, a.etablissement.pk) is None


def test_membership_de_takes_the_one_the_middleware_resolved(personas, django_assert_num_queries):
    a = personas.a
    user = a.enseignant.user
    user.cpro_membership = a.enseignant  # what TenantMiddleware does for request.user
    with django_assert_num_queries(0):
        assert perms.membership_de(user, a.etablissement.pk) is a.enseignant
    # Another establishment, or another user's membership: read, never borrowed.
    with django_assert_num_queries(1):
        assert perms.membership_de(user, personas.b.etablissement.pk) is None
    a.ddfpt.user.cpro_membership = a.enseignant
    assert perms.membership_de(a.ddfpt.user, a.etablissement.pk) == a.ddfpt


def test_the_middleware_hands_its_membership_to_the_services(client, personas):
    """A write request asks the membership once (the middleware), not again in the service."""
    a = personas.a
    login(client, a.ddfpt, a.diplome)
    bilan = bf.bilan_valide(a)
    url = reverse(
        "bilans:bilan_deverrouiller", kwargs={"etab": a.etablissement.slug, "pk": bilan.pk}
    )
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(url).status_code == 302
    bilan.refresh_from_db()
    assert not bilan.est_valide
    lectures = [q["sql"] for q in ctx.captured_queries if 'FROM "cpro_membership"' in q["sql"]]
    assert len([s for s in lectures if '"cpro_membership"."user_id" =' in s]) == 1, lectures


# --- typed refusals --------------------------------------------------------------------------


def test_typed_refusals_are_still_djangos():
    assert issubclass(Interdit, PermissionDenied)
    exc = Verrouille("Grille verrouillée.")
    assert isinstance(exc, ValidationError)
    assert exc.code == "verrouillee" and exc.messages == ["Grille verrouillée."]


def test_the_services_raise_the_typed_refusals(personas):
    """What certification/views_grilles.py branches on (it matched the message text before)."""
    from bilans import services_bilans
    from certification import services as certification
    from evaluations import services as evaluations

    a = personas.a
    with pytest.raises(Verrouille):
        certification.retirer_membre(cf.grille_verrouillee(a).membres.first(), par=a.ddfpt.user)
    with pytest.raises(Interdit):
        certification.grille_pour(a.apprenant.apprenant, None, 2026, par=a.chef.user)
    with pytest.raises(Verrouille):
        services_bilans.supprimer_bilan(bf.bilan_valide(a), par=a.ddfpt.user)
    ev = evaluation_de(a, verrouillee=True)
    with pytest.raises(Verrouille):
        evaluations.supprimer_evaluation(ev, par=a.ddfpt.user)
    with pytest.raises(Interdit):
        evaluations.supprimer_evaluation(ev, par=a.enseignant2.user)
