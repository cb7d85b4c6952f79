"""After a move, the receiving instance works like the source did: the whole access matrix
passes there for the moved establishments' personas, the ids written in the audit log's JSON
name the same rows there (not the target's rows that happen to carry the old numbers), and the
import itself is in the moved establishment's journal."""

import copy

import pytest
from django.core.cache import cache
from django.urls import reverse

from cpro import audit
from cpro.models import AuditLog, Division, Etablissement, Membership, User
from referentiels.models import Competence, Critere, Diplome, GroupeCompetences
from sauvegarde import etablissement
from scenarios.models import Scenario
from scenarios.services import creer_scenario
from tests.access import PERSONAS, connecter
from tests.personas import EtabPersonas, Personas
from tests.sauvegarde.outils import base_par_defaut
from tests.security.isolation import isole
from tests.security.test_access_matrix import DECLARED

pytestmark = pytest.mark.django_db(transaction=True)


def _copier(modele, objet, **remplace):
    """A copy of the shared row `objet` on the current default database, with a new pk."""
    valeurs = {
        f.attname: getattr(objet, f.attname)
        for f in modele._meta.concrete_fields
        if not f.primary_key
    }
    valeurs.update(remplace)
    return modele.objects.create(**valeurs)


def _referentiels_sur_la_cible(diplomes: list[Diplome], critere: Critere) -> None:
    """The target has the same référentiels, numbered differently (as two instances are)."""
    autre = Diplome.objects.create(
        code="AUTRE", version="1", intitule="Autre", intitule_court="Autre"
    )
    groupe = GroupeCompetences.objects.create(diplome=autre, code="GSAUV", intitule="Autre")
    comp = Competence.objects.create(groupe=groupe, diplome=autre, code="C1.1", intitule="Autre")
    Critere.objects.create(competence=comp, code="1", intitule="Autre")
    copies = {d.pk: _copier(Diplome, d) for d in diplomes}
    competence = critere.competence
    diplome = copies[competence.diplome_id]
    groupe = _copier(GroupeCompetences, competence.groupe, diplome_id=diplome.pk, unite_id=None)
    comp = _copier(Competence, competence, diplome_id=diplome.pk, groupe_id=groupe.pk)
    _copier(Critere, critere, competence_id=comp.pk)


def _personas_de_la_cible(source: Personas) -> Personas:
    """The personas of the source, found again on the target by their natural keys."""

    def side(s: EtabPersonas) -> EtabPersonas:
        etab = Etablissement.objects.get(slug=s.etablissement.slug)
        nouvelle = copy.copy(s)
        vars(nouvelle).clear()
        for nom, valeur in vars(s).items():
            if isinstance(valeur, Membership):
                valeur = Membership.objects.get(
                    etablissement=etab, user__username=valeur.user.username
                )
            elif isinstance(valeur, Diplome):
                valeur = Diplome.objects.get(code=valeur.code, version=valeur.version)
            elif isinstance(valeur, Division):
                valeur = Division.objects.get(
                    etablissement=etab, nom=valeur.nom, annee__debut=valeur.annee.debut
                )
            elif isinstance(valeur, Etablissement):
                valeur = etab
            elif nom.startswith("_"):
                continue
            vars(nouvelle)[nom] = valeur
        return nouvelle

    return Personas(a=side(source.a), b=side(source.b))


def _journal_de_la_source(personas) -> tuple[Scenario, Critere]:
    """Audit entries carrying ids, as the services write them: a scénario created by its
    service, and entries naming a critère (shared), teachers, learners and a deleted row."""
    a = personas.a
    ddfpt = a.ddfpt.user
    scenario = creer_scenario(
        etablissement=a.etablissement,
        diplome=a.diplome,
        niveau="TERMINALE",
        titre="Vitrine",
        par=ddfpt,
    )
    groupe = GroupeCompetences.objects.create(diplome=a.diplome, code="GSAUV", intitule="Groupe")
    competence = Competence.objects.create(
        groupe=groupe, diplome=a.diplome, code="CSAUV.1", intitule="Accueillir"
    )
    critere = Critere.objects.create(competence=competence, code="1", intitule="Accueil soigné")
    apprenant = a.apprenant.apprenant
    audit.journaliser(
        "evaluation.critere.retirer",
        par=ddfpt,
        etablissement=a.etablissement,
        objet=critere,
        avant={"critere": critere.pk, "code": critere.code, "resultats": 2},
        apres={
            "scenario": scenario.pk,
            "enseignants": [a.enseignant.user.pk, a.enseignant2.user.pk],
            "apprenants": {str(apprenant.pk): {"nom": str(apprenant), "resultats": 2}},
            "bilan": 987654,
        },
    )
    return scenario, critere


def test_moved_establishments_work_on_the_receiving_instance(
    seconde_instance, media, dossier_sauvegardes, personas
):
    # (seconde_instance first: it copies the test database while it is still empty.)
    for side in (personas.a, personas.b):  # created on first use: moved with the others
        side.autre_apprenant, side.autre_tuteur  # noqa: B018
    scenario, critere = _journal_de_la_source(personas)
    archives = {
        s.etablissement.slug: etablissement.exporter(s.etablissement.slug).archive
        for s in (personas.a, personas.b)
    }
    cible = seconde_instance
    with base_par_defaut(cible.conn):
        _referentiels_sur_la_cible([personas.a.diplome, personas.a.diplome2], critere)
    # B first: on the target, A's rows get other numbers than on the source.
    for slug in (personas.b.etablissement.slug, personas.a.etablissement.slug):
        etablissement.importer(archives[slug], using=cible.alias, media_root=cible.media_root)

    cache.clear()
    with base_par_defaut(cible.conn):
        a = Etablissement.objects.get(slug=personas.a.etablissement.slug)
        assert a.pk != personas.a.etablissement.pk

        # The import is in the moved establishment's journal (no acting user: the operator).
        entree = AuditLog.objects.get(etablissement=a, action="etablissement.import")
        assert entree.acteur is None and entree.apres["archive"] == archives[a.slug].name
        assert entree.apres["lignes"] > 0

        # The ids of the audit JSON name the same rows on the target.
        (log,) = AuditLog.objects.filter(etablissement=a, action="evaluation.critere.retirer")
        cible_scenario = Scenario.objects.get(pk=log.apres["scenario"])
        assert cible_scenario.titre == scenario.titre and cible_scenario.etablissement_id == a.pk
        assert [User.objects.get(pk=pk).username for pk in log.apres["enseignants"]] == [
            "a-enseignant",
            "a-enseignant2",
        ]
        ((cle, detail),) = log.apres["apprenants"].items()
        assert Membership.objects.get(apprenant__pk=int(cle)).user.username == "a-apprenant"
        assert detail["resultats"] == 2
        critere_cible = Critere.objects.get(pk=log.avant["critere"])
        assert critere_cible.pk != critere.pk and critere_cible.competence.code == "CSAUV.1"
        assert log.objet_id == str(critere_cible.pk)
        assert log.apres["bilan"] is None  # a row that did not exist any more

        # The whole access matrix, for the moved personas, on the receiving instance.
        deplaces = _personas_de_la_cible(personas)
        echecs = []
        for access in DECLARED:
            for persona in PERSONAS:
                with isole(deplaces) as (p, client):
                    connecter(client, p, persona)
                    kwargs = access.kwargs(p)
                    url = reverse(access.name, kwargs={"etab": p.a.etablissement.slug, **kwargs})
                    reponse = getattr(client, access.method.lower())(url, access.data(p))
                    attendu = access.expected(persona, kwargs)
                    if reponse.status_code != attendu:
                        echecs.append(
                            f"{access.method} {url} {persona} : {reponse.status_code} ≠ {attendu}"
                        )
        assert not echecs, "\n".join(echecs[:40])
