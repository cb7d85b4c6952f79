"""The personas of CONVENTIONS.md: two establishments, each with a DDFPT, a chef, two teachers,
a tutor, a scolaire learner and an apprentice.

Two more personas per establishment are created on first use only (so that the other tests
see the same establishment as before): `autre_apprenant`, a scolaire learner of the same
division with no link to any object the tests create for `apprenant`, and `autre_tuteur`, a
tutor with no affectation."""

from dataclasses import dataclass
from functools import cached_property

from cpro.models import Etablissement, Membership, Role, Statut
from referentiels.models import Diplome
from tests.factories import (
    ApprenantFactory,
    DiplomeFactory,
    DivisionFactory,
    EtablissementFactory,
    MembershipFactory,
    UserFactory,
)

PERSONA_ROLES = ("ddfpt", "chef", "enseignant", "enseignant2", "tuteur", "apprenant", "apprenti")


@dataclass
class EtabPersonas:
    etablissement: Etablissement
    diplome: Diplome
    diplome2: Diplome
    division: object
    ddfpt: Membership
    chef: Membership
    enseignant: Membership
    enseignant2: Membership
    tuteur: Membership
    apprenant: Membership
    apprenti: Membership

    def membership(self, name: str) -> Membership:
        return getattr(self, name)

    def _prefix(self) -> str:
        return self.etablissement.slug.removeprefix("lp-")

    @cached_property
    def autre_apprenant(self) -> Membership:
        user = UserFactory(username=f"{self._prefix()}-autre-apprenant")
        membership = MembershipFactory(
            user=user, etablissement=self.etablissement, role=Role.APPRENANT
        )
        ApprenantFactory(
            etablissement=self.etablissement,
            membership=membership,
            division=self.division,
            statut=Statut.SCOLAIRE,
        )
        return membership

    @cached_property
    def autre_tuteur(self) -> Membership:
        user = UserFactory(username=f"{self._prefix()}-autre-tuteur")
        return MembershipFactory(user=user, etablissement=self.etablissement, role=Role.TUTEUR)


def build_etab(prefix: str, uai: str, diplome: Diplome, diplome2: Diplome) -> EtabPersonas:
    etab = EtablissementFactory(uai=uai, slug=f"lp-{prefix}", nom=f"Lycée professionnel {prefix}")
    etab.diplomes.set([diplome, diplome2])
    division = DivisionFactory(etablissement=etab, nom=f"1{prefix.upper()}", diplome=diplome)

    def member(name, role, diplomes=()):
        user = UserFactory(username=f"{prefix}-{name}")
        return MembershipFactory(user=user, etablissement=etab, role=role, diplomes=list(diplomes))

    apprenant = ApprenantFactory(
        etablissement=etab,
        membership=member("apprenant", Role.APPRENANT),
        division=division,
        statut=Statut.SCOLAIRE,
    )
    apprenti = ApprenantFactory(
        etablissement=etab,
        membership=member("apprenti", Role.APPRENANT),
        division=division,
        statut=Statut.APPRENTI,
    )
    return EtabPersonas(
        etablissement=etab,
        diplome=diplome,
        diplome2=diplome2,
        division=division,
        ddfpt=member("ddfpt", Role.DDFPT),
        chef=member("chef", Role.CHEF),
        # enseignant manages one diplôme (no choice page); enseignant2 manages two.
        enseignant=member("enseignant", Role.ENSEIGNANT, [diplome]),
        enseignant2=member("enseignant2", Role.ENSEIGNANT, [diplome, diplome2]),
        tuteur=member("tuteur", Role.TUTEUR),
        apprenant=apprenant.membership,
        apprenti=apprenti.membership,
    )


@dataclass
class Personas:
    a: EtabPersonas
    b: EtabPersonas


def build_personas() -> Personas:
    d1 = DiplomeFactory(code="MCV-A", intitule_court="Bac Pro MCV A")
    d2 = DiplomeFactory(code="MCV-B", intitule_court="Bac Pro MCV B")
    return Personas(a=build_etab("a", "0690001B", d1, d2), b=build_etab("b", "0690002C", d1, d2))


def login(client, membership: Membership, diplome: Diplome | None = None):
    """Log in and, for staff, pre-select a diplôme as the choice page would."""
    from cpro.tenancy import SESSION_DIPLOME

    client.force_login(membership.user)
    if diplome is not None:
        session = client.session
        session[SESSION_DIPLOME.format(membership.etablissement_id)] = diplome.pk
        session.save()
    return client
