"""factory_boy factories of the scénarios module (and a tiny référentiel to link to)."""

import factory
from django.core.files.base import ContentFile

from referentiels.models import Activite, Competence, Critere, GroupeCompetences, Tache
from scenarios.models import Dossier, Ressource, Scenario
from tests.factories import DiplomeFactory, EtablissementFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    etablissement = factory.SubFactory(EtablissementFactory)
    auteur = factory.SubFactory(UserFactory)
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = "PREMIERE"
    titre = factory.Sequence(lambda n: f"Scénario {n}")
    contexte = "Une situation professionnelle en magasin."


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    etablissement = factory.SubFactory(EtablissementFactory)
    diplome = factory.SubFactory(DiplomeFactory)
    niveau = "PREMIERE"
    nom = factory.Sequence(lambda n: f"Dossier {n}")


class RessourceFichierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ressource

    scenario = factory.SubFactory(ScenarioFactory)
    type = Ressource.Type.FICHIER
    titre = "Fiche produit"
    nom_fichier = "fiche.pdf"
    content_type = "application/pdf"
    taille = len(PDF)
    fichier = factory.LazyFunction(lambda: ContentFile(PDF, name="fiche.pdf"))


class RessourceLienFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ressource

    scenario = factory.SubFactory(ScenarioFactory)
    type = Ressource.Type.LIEN
    titre = "Site de l'enseigne"
    url = "https://www.exemple.fr/magasin"


class ActiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activite

    diplome = factory.SubFactory(DiplomeFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    intitule = "Conseil et vente"


class TacheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tache

    activite = factory.SubFactory(ActiviteFactory)
    diplome = factory.SelfAttribute("activite.diplome")
    code = factory.Sequence(lambda n: f"A1-T{n}")
    intitule = "Prise de contact"


class GroupeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupeCompetences

    diplome = factory.SubFactory(DiplomeFactory)
    code = factory.Sequence(lambda n: f"B{n}")
    intitule = "Conseiller et vendre"


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    groupe = factory.SubFactory(GroupeFactory)
    diplome = factory.SelfAttribute("groupe.diplome")
    code = factory.Sequence(lambda n: f"C1.{n}")
    intitule = "Réaliser la vente"


class CritereFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Critere

    competence = factory.SubFactory(CompetenceFactory)
    code = factory.Sequence(lambda n: f"CR{n}")
    intitule = factory.Sequence(lambda n: f"Qualité de l'argumentation {n}")


def scenario_de(side, membership=None, **kwargs) -> Scenario:
    """A scénario of one personas side (establishment A or B), authored by its teacher."""
    membership = membership or side.enseignant
    kwargs.setdefault("niveau", "PREMIERE")
    kwargs.setdefault("diplome", side.diplome)
    return ScenarioFactory(etablissement=side.etablissement, auteur=membership.user, **kwargs)
