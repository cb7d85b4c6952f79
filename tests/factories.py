import factory
from django.utils import timezone

from cpro.models import (
    AnneeScolaire,
    Apprenant,
    Division,
    Etablissement,
    Membership,
    Role,
    Statut,
    User,
    lettre_cle_uai,
)
from referentiels.models import Diplome, Niveau


class DiplomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diplome
        django_get_or_create = ("code", "version")

    code = factory.Sequence(lambda n: f"DIP{n}")
    version = "2019"
    intitule = factory.LazyAttribute(lambda o: f"Baccalauréat professionnel {o.code}")
    intitule_court = factory.LazyAttribute(lambda o: f"Bac Pro {o.code}")
    niveaux = ["SECONDE", "PREMIERE", "TERMINALE"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.fr")
    password = factory.django.Password("motdepasse-cpro")


class EtablissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Etablissement

    uai = factory.Sequence(lambda n: f"{690000 + n:07d}" + lettre_cle_uai(f"{690000 + n:07d}"))
    nom = factory.Sequence(lambda n: f"Lycée professionnel {n}")
    slug = factory.Sequence(lambda n: f"lycee-{n}")
    ville = "Lyon"
    academie = "Lyon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    etablissement = factory.SubFactory(EtablissementFactory)
    role = Role.ENSEIGNANT

    @factory.post_generation
    def diplomes(self, create, extracted, **kwargs):
        if create and extracted:
            self.diplomes.set(extracted)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    etablissement = factory.SubFactory(EtablissementFactory)
    annee = factory.LazyFunction(lambda: AnneeScolaire.courante(timezone.localdate()))
    nom = factory.Sequence(lambda n: f"1DIV{n}")
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = Niveau.PREMIERE


class ApprenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apprenant

    membership = factory.SubFactory(
        MembershipFactory,
        role=Role.APPRENANT,
        etablissement=factory.SelfAttribute("..etablissement"),
    )
    etablissement = factory.SubFactory(EtablissementFactory)
    ine = factory.Sequence(lambda n: f"{n:09d}AB")
    eleve_id = factory.Sequence(lambda n: f"{100000 + n}")
    statut = Statut.SCOLAIRE
    division = None
