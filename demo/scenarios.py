"""Demo scénarios of the demonstration lycée (called by `manage.py creer_demo`).

Idempotent: a scénario is keyed on its title in the establishment; existing ones are left
alone. Tasks and criteria are linked by their official codes in the loaded référentiels
(a code missing from a référentiel is skipped).
"""

from dataclasses import dataclass

from django.db import transaction

from referentiels.models import Critere, Tache
from scenarios import services
from scenarios.models import Dossier, Scenario


@dataclass(frozen=True)
class ScenarioDemo:
    titre: str
    diplome: str
    niveau: str
    auteur: str
    contexte: str
    taches: tuple
    competences: tuple  # the first two criteria of each competence are selected
    dossier: str = ""
    prive: bool = False
    lien: tuple = ()  # (titre, url)


SCENARIOS = [
    ScenarioDemo(
        "Vente-conseil d'un smartphone en boutique",
        "MCV-A",
        "PREMIERE",
        "prof_mcva",
        "Vous êtes vendeur(se) dans une boutique de téléphonie d'un centre commercial. Un client "
        "d'une cinquantaine d'années souhaite remplacer son téléphone : il veut de bonnes photos "
        "de ses petits-enfants et un budget maîtrisé. Vous l'accueillez, découvrez ses besoins, "
        "lui présentez deux modèles adaptés et traitez ses objections sur le prix.",
        ("A1-T2", "A1-T4", "A1-T5", "A1-T6"),
        ("C1.0", "C1.2"),
        dossier="Vente-conseil",
        lien=(
            "Fiches comparatives des smartphones (UFC-Que Choisir)",
            "https://www.quechoisir.org/comparatif-smartphone-n6423/",
        ),
    ),
    ScenarioDemo(
        "Vente additionnelle en caisse : carte de fidélité et garanties",
        "MCV-A",
        "PREMIERE",
        "prof_mcva",
        "En fin de vente au rayon électroménager, vous proposez la carte de fidélité de "
        "l'enseigne et l'extension de garantie, puis vous finalisez l'encaissement.",
        ("A1-T7", "A1-T8", "A3-T4"),
        ("C1.2", "C1.3", "C3.2"),
        dossier="Vente-conseil",
    ),
    ScenarioDemo(
        "Réception et mise en rayon d'une livraison de produits frais",
        "MCV-A",
        "PREMIERE",
        "prof_mcva",
        "Le camion du fournisseur arrive à 6 h 30 au supermarché de proximité. Vous contrôlez "
        "la livraison (quantités, dates, chaîne du froid), rédigez les réserves éventuelles puis "
        "mettez en rayon en respectant la rotation des produits.",
        ("A4A-T3", "A4A-T6"),
        ("C4A.1", "C4A.2"),
    ),
    ScenarioDemo(
        "Inventaire tournant du rayon épicerie",
        "MCV-A",
        "PREMIERE",
        "prof_seconde",
        "Brouillon : inventaire tournant d'une famille de produits, analyse des écarts et "
        "propositions pour limiter la démarque inconnue.",
        ("A4A-T5", "A4A-T2"),
        ("C4A.1",),
        prive=True,
    ),
    ScenarioDemo(
        "Animation d'une opération promotionnelle fête des mères",
        "MCV-A",
        "TERMINALE",
        "prof_mcva",
        "La parfumerie où vous êtes en PFMP prépare la fête des mères. Vous proposez une "
        "animation commerciale (vitrine, offre, atelier d'emballage cadeau), la planifiez, "
        "communiquez auprès des clientes fidèles puis mesurez les résultats de l'opération.",
        ("A4A-T8", "A4A-T9", "A4A-T10", "A4A-T11"),
        ("C4A.2", "C4A.3"),
        dossier="Animation commerciale",
    ),
    ScenarioDemo(
        "Traitement d'une réclamation client après un achat en ligne",
        "MCV-A",
        "TERMINALE",
        "prof_mcva",
        "Une cliente se présente en magasin avec un colis commandé sur le site de l'enseigne : "
        "l'article est abîmé. Vous traitez sa réclamation, proposez une solution et enregistrez "
        "le retour, puis mesurez sa satisfaction.",
        ("A2-T3", "A2-T4"),
        ("C2.3", "C2.4"),
    ),
    ScenarioDemo(
        "Salon de l'habitat : accueil et prise de rendez-vous",
        "MCV-B",
        "PREMIERE",
        "prof_mcvb",
        "Vous tenez le stand d'un cuisiniste au salon de l'habitat. Vous accueillez les "
        "visiteurs, qualifiez leur projet et proposez un rendez-vous avec un concepteur.",
        ("A4B-T2", "A4B-T5", "A1-T2"),
        ("C4B.2", "C4B.5", "C1.0"),
        dossier="Prospection",
    ),
    ScenarioDemo(
        "Relance des clients inactifs par e-mail et réseaux sociaux",
        "MCV-B",
        "PREMIERE",
        "prof_mcva",
        "L'agence de voyages souhaite réactiver les clients sans achat depuis deux ans. Vous "
        "extrayez le fichier, rédigez un message personnalisé et le diffusez.",
        ("A3-T1", "A3-T6"),
        ("C3.1", "C3.2"),
    ),
    ScenarioDemo(
        "Prospection téléphonique pour une agence immobilière",
        "MCV-B",
        "TERMINALE",
        "prof_mcvb",
        "L'agence ouvre un nouveau secteur. Vous constituez un fichier de prospects, "
        "préparez un guide d'entretien téléphonique et réalisez une session d'appels.",
        ("A4B-T1", "A4B-T3", "A4B-T4"),
        ("C4B.1", "C4B.3", "C4B.4"),
        dossier="Prospection",
    ),
    ScenarioDemo(
        "Accueil physique et téléphonique à l'office de tourisme",
        "MA",
        "PREMIERE",
        "prof_accueil",
        "En pleine saison estivale, vous êtes seul(e) au comptoir de l'office de tourisme : "
        "des visiteurs attendent, le téléphone sonne et un courriel urgent arrive. Vous "
        "hiérarchisez les demandes, renseignez et orientez chaque public.",
        ("A1-T1", "A1-T2", "A1-T3", "A1-T4"),
        ("C1.1", "C1.2", "C1.3"),
        dossier="Accueil multicanal",
        lien=("Site de l'office de tourisme de Lyon", "https://www.visiterlyon.com/"),
    ),
    ScenarioDemo(
        "Gestion d'un client mécontent à l'accueil d'une mutuelle",
        "MA",
        "TERMINALE",
        "prof_accueil",
        "Un adhérent se présente, énervé : son remboursement n'est pas arrivé. Vous désamorcez "
        "le conflit, analysez la réclamation et proposez une suite.",
        ("A1-T6", "A3-T3"),
        ("C1.6", "C3.3"),
    ),
    ScenarioDemo(
        "Organisation d'une journée portes ouvertes au lycée",
        "MA",
        "TERMINALE",
        "prof_accueil",
        "Le lycée organise ses portes ouvertes un samedi de mars. Vous préparez l'accueil des "
        "familles : planning des hôtes, signalétique, prestataire traiteur.",
        ("A2-T2", "A2-T3"),
        ("C2.2", "C2.3"),
        dossier="Projets d'accueil",
    ),
    ScenarioDemo(
        "Accueillir un client en magasin de sport",
        "2MRC",
        "SECONDE",
        "prof_seconde",
        "Premier jour en magasin de sport : vous accueillez un client qui cherche des "
        "chaussures de course, l'orientez vers le bon rayon et le présentez au vendeur.",
        ("A1-T1",),
        ("S0.1", "S1.1"),
    ),
]


@transaction.atomic
def construire(ctx) -> None:
    etab = ctx.etablissement
    existants = set(Scenario.objects.filter(etablissement=etab).values_list("titre", flat=True))
    for demo in SCENARIOS:
        diplome = ctx.diplomes.get(demo.diplome)
        auteur = ctx.personnes.get(demo.auteur)
        if demo.titre in existants or diplome is None or auteur is None:
            continue
        if demo.niveau not in diplome.niveaux:
            continue
        par = auteur.user
        scenario = services.creer_scenario(
            etablissement=etab, diplome=diplome, niveau=demo.niveau, titre=demo.titre, par=par
        )
        services.modifier_contexte(scenario, demo.contexte, par=par)
        taches = Tache.objects.filter(diplome=diplome, code__in=demo.taches)
        criteres = []
        for code in demo.competences:
            criteres += list(
                Critere.objects.filter(competence__diplome=diplome, competence__code=code).order_by(
                    "ordre", "code"
                )[:2]
            )
        services.lier_referentiel(scenario, taches=taches, criteres=criteres, par=par)
        if demo.dossier:
            dossier, _ = Dossier.objects.get_or_create(
                etablissement=etab,
                diplome=diplome,
                niveau=demo.niveau,
                nom=demo.dossier,
                defaults={"cree_par": par},
            )
            services.classer_scenario(scenario, dossier, par=par)
        if demo.lien:
            services.ajouter_lien(scenario, titre=demo.lien[0], url=demo.lien[1], par=par)
        if demo.prive:
            services.changer_confidentialite(scenario, prive=True, par=par)
