"""factory_boy factories of the évaluations module (with a tiny référentiel and scénario to
create them from). Kept simple: other test modules import them."""

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from cpro.models import AnneeScolaire
from evaluations import agregats
from evaluations.models import Evaluation, Nature, Participant, RessourceEvaluation, Resultat
from referentiels.models import (
    Activite,
    Competence,
    Critere,
    GroupeCompetences,
    Indicateur,
    LienTacheCompetence,
    Tache,
)
from scenarios.models import Ressource, Scenario
from tests.factories import DiplomeFactory, EtablissementFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- a tiny référentiel ----------------------------------------------------------------------


class ActiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activite

    diplome = factory.SubFactory(DiplomeFactory)
    code = factory.Sequence(lambda n: f"EA{n}")
    intitule = "Conseil et vente"


class TacheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tache

    activite = factory.SubFactory(ActiviteFactory)
    diplome = factory.SelfAttribute("activite.diplome")
    code = factory.Sequence(lambda n: f"EA1-T{n}")
    intitule = factory.Sequence(lambda n: f"Prise de contact {n}")


class GroupeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupeCompetences

    diplome = factory.SubFactory(DiplomeFactory)
    code = factory.Sequence(lambda n: f"EB{n}")
    intitule = "Conseiller et vendre"


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    groupe = factory.SubFactory(GroupeFactory)
    diplome = factory.SelfAttribute("groupe.diplome")
    code = factory.Sequence(lambda n: f"EC1.{n}")
    intitule = "Réaliser la vente"


class CritereFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Critere

    competence = factory.SubFactory(CompetenceFactory)
    code = factory.Sequence(lambda n: f"ECR{n}")
    intitule = factory.Sequence(lambda n: f"Qualité de l'argumentation {n}")


def mini_referentiel(diplome) -> dict:
    """One activité with two tasks, one group of two competences with two criteria each; the
    first task mobilises the first competence (matrix); one indicator on the first criterion."""
    activite = ActiviteFactory(diplome=diplome)
    taches = [TacheFactory(activite=activite) for _ in range(2)]
    groupe = GroupeFactory(diplome=diplome)
    competences = [CompetenceFactory(groupe=groupe) for _ in range(2)]
    criteres = [CritereFactory(competence=c) for c in competences for _ in range(2)]
    LienTacheCompetence.objects.create(tache=taches[0], competence=competences[0])
    Indicateur.objects.create(critere=criteres[0], code="I1", intitule="Reformulation exacte")
    return {
        "activite": activite,
        "taches": taches,
        "groupe": groupe,
        "competences": competences,
        "criteres": criteres,
    }


# --- scénario (the source of an évaluation) --------------------------------------------------


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    etablissement = factory.SubFactory(EtablissementFactory)
    auteur = factory.SubFactory(UserFactory)
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = "PREMIERE"
    titre = factory.Sequence(lambda n: f"Scénario {n}")
    contexte = "Une situation professionnelle en magasin."


def scenario_de(side, membership=None, **kwargs) -> Scenario:
    """A scénario of one personas side, authored by its teacher, niveau Première."""
    membership = membership or side.enseignant
    kwargs.setdefault("niveau", "PREMIERE")
    kwargs.setdefault("diplome", side.diplome)
    return ScenarioFactory(etablissement=side.etablissement, auteur=membership.user, **kwargs)


def ressource_fichier_scenario(scenario, contenu=PDF, nom="fiche.pdf") -> Ressource:
    return Ressource.objects.create(
        scenario=scenario,
        type=Ressource.Type.FICHIER,
        titre="Fiche produit",
        nom_fichier=nom,
        content_type="application/pdf",
        taille=len(contenu),
        fichier=ContentFile(contenu, name=nom),
    )


def ressource_lien_scenario(scenario, url="https://www.exemple.fr/magasin") -> Ressource:
    return Ressource.objects.create(
        scenario=scenario, type=Ressource.Type.LIEN, titre="Site de l'enseigne", url=url, ordre=2
    )


# --- évaluations -----------------------------------------------------------------------------


class EvaluationFactory(factory.django.DjangoModelFactory):
    """EvaluationFactory(etablissement=…, diplome=…, auteur=user, enseignants=[user, …])."""

    class Meta:
        model = Evaluation
        skip_postgeneration_save = True

    etablissement = factory.SubFactory(EtablissementFactory)
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = "PREMIERE"
    date = factory.LazyFunction(timezone.localdate)
    annee = factory.LazyAttribute(lambda o: AnneeScolaire.courante(o.date))
    titre = factory.Sequence(lambda n: f"Évaluation {n}")
    nature = Nature.INTERMEDIAIRE
    contexte = "Une situation professionnelle en magasin."
    auteur = factory.SubFactory(UserFactory)

    @factory.post_generation
    def enseignants(self, create, extracted, **kwargs):
        if create:
            self.enseignants.set(extracted if extracted is not None else [self.auteur])

    @factory.post_generation
    def criteres(self, create, extracted, **kwargs):
        if create and extracted:
            self.criteres.set(extracted)

    @factory.post_generation
    def taches(self, create, extracted, **kwargs):
        if create and extracted:
            self.taches.set(extracted)


def evaluation_de(side, membership=None, **kwargs) -> Evaluation:
    """An évaluation of one personas side, authored by (and evaluated by) its teacher."""
    membership = membership or side.enseignant
    kwargs.setdefault("diplome", side.diplome)
    kwargs.setdefault("enseignants", [membership.user])
    return EvaluationFactory(etablissement=side.etablissement, auteur=membership.user, **kwargs)


class _AvecAgregats(factory.django.DjangoModelFactory):
    """Rows written outside the services: the learner's stored suggestion aggregates are
    recomputed, as the services keep them (evaluations.agregats)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        agregats.recalculer([obj.apprenant_id])
        return obj


class ParticipantFactory(_AvecAgregats):
    class Meta:
        model = Participant

    evaluation = factory.SubFactory(EvaluationFactory)
    apprenant = None


class ResultatFactory(_AvecAgregats):
    class Meta:
        model = Resultat

    evaluation = factory.SubFactory(EvaluationFactory)
    apprenant = None
    critere = factory.SubFactory(CritereFactory)
    niveau = "3"


class RessourceEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RessourceEvaluation

    evaluation = factory.SubFactory(EvaluationFactory)
    type = RessourceEvaluation.Type.FICHIER
    titre = "Fiche produit"
    nom_fichier = "fiche.pdf"
    content_type = "application/pdf"
    taille = len(PDF)
    fichier = factory.LazyFunction(lambda: ContentFile(PDF, name="fiche.pdf"))


def date_annee(debut: int) -> datetime.date:
    """A date inside the school year starting in September of `debut`."""
    return datetime.date(debut, 10, 15)
