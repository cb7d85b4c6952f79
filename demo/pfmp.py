"""Demo PFMP of the demonstration lycée (called by `manage.py creer_demo`).

For each demo division: one annexe pédagogique and one période of the current school year for
its diplôme and niveau, dated in the past when the calendar allows (so that journals and fiches
have content), with every learner of the division; realistic entreprises of the Lyon area with
their coordinates; the two demo tutors at two of them; the division's teacher as référent.
Journals and fiches are filled for the weeks already over: most weeks written, fiches in every
state (brouillon, soumise, à revoir with a comment, validée). When the portfolio module offers
`services_portfolio.demo_bilan`, a few bilans entreprise are entered and validated.

Idempotent: annexes, périodes and entreprises are keyed by their names; an existing période is
left as it is (only missing bilans are added).
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from demo.pfmp_book import construire_book
from pfmp import services_periodes as services
from pfmp.models import Affectation, AnnexePedagogique, Entreprise, FicheActivite, Periode
from referentiels.models import Competence, Critere, LienTacheCompetence, Tache

REFERENTS = {
    "MCV-A": "prof_mcva",
    "MCV-B": "prof_mcvb",
    "MA": "prof_accueil",
    "2MRC": "prof_seconde",
}


@dataclass(frozen=True)
class PeriodeDemo:
    division: str
    titre: str
    objectifs: str
    semaine: int  # preferred start: weeks after the first Monday of September
    nb_semaines: int
    famille: str  # which entreprises and texts


PERIODES = [
    PeriodeDemo(
        "2MRC1",
        "PFMP 1 – Découverte de la relation client",
        "Découvrir une organisation et son environnement commercial ; observer et participer à "
        "l'accueil de la clientèle ; repérer les règles de communication professionnelle.",
        8,
        3,
        "2MRC",
    ),
    PeriodeDemo(
        "1MCVA",
        "PFMP Première MCV A – Vente et conseil en magasin",
        "Accueillir et conseiller le client en magasin ; participer à l'approvisionnement et à "
        "la mise en valeur de l'offre ; contribuer à la fidélisation.",
        9,
        4,
        "MCV-A",
    ),
    PeriodeDemo(
        "1MCVB",
        "PFMP Première MCV B – Prospection et suivi de clientèle",
        "Participer à la prospection et à la négociation ; assurer le suivi de la clientèle et "
        "des commandes ; utiliser les outils numériques de la relation client.",
        10,
        4,
        "MCV-B",
    ),
    PeriodeDemo(
        "TMCVA",
        "PFMP Terminale MCV A – Animation et gestion de l'espace commercial",
        "Animer l'espace commercial et une opération promotionnelle ; gérer les flux de "
        "marchandises ; analyser les performances du rayon.",
        5,
        4,
        "MCV-A",
    ),
    PeriodeDemo(
        "TACC",
        "PFMP Terminale Accueil – Accueil multicanal",
        "Gérer l'accueil physique et téléphonique ; traiter les demandes et réclamations ; "
        "participer à la gestion de l'information et des rendez-vous.",
        6,
        3,
        "MA",
    ),
]

# (nom, adresse, code postal, ville, latitude, longitude, secteur, téléphone, familles)
ENTREPRISES = [
    (
        "Supermarché Les Halles des Gratte-Ciel",
        "18 avenue Henri Barbusse",
        "69100",
        "Villeurbanne",
        "45.769400",
        "4.879700",
        "Commerce alimentaire (supermarché)",
        "04 78 00 10 01",
        ("MCV-A", "2MRC"),
    ),
    (
        "Hypermarché Porte des Alpes",
        "Rue du 35e Régiment d'Aviation",
        "69800",
        "Saint-Priest",
        "45.709000",
        "4.918000",
        "Grande distribution",
        "04 78 00 10 02",
        ("MCV-A", "2MRC"),
    ),
    (
        "Sport Passion Part-Dieu",
        "17 rue du Docteur Bouchut",
        "69003",
        "Lyon",
        "45.760600",
        "4.859300",
        "Articles de sport",
        "04 78 00 10 03",
        ("MCV-A", "2MRC"),
    ),
    (
        "Boutique Les Canuts",
        "6 rue d'Austerlitz",
        "69004",
        "Lyon",
        "45.774500",
        "4.831600",
        "Prêt-à-porter et textile lyonnais",
        "04 78 00 10 04",
        ("MCV-A", "2MRC"),
    ),
    (
        "Librairie du Tonkin",
        "45 rue Louis Guérin",
        "69100",
        "Villeurbanne",
        "45.772800",
        "4.865500",
        "Librairie – papeterie",
        "04 78 00 10 05",
        ("MCV-A",),
    ),
    (
        "Optique des Brotteaux",
        "30 boulevard des Brotteaux",
        "69006",
        "Lyon",
        "45.767600",
        "4.859000",
        "Optique",
        "04 78 00 10 06",
        ("MCV-A", "MCV-B"),
    ),
    (
        "Rhône Habitat Conseil",
        "12 avenue Berthelot",
        "69007",
        "Lyon",
        "45.747500",
        "4.840000",
        "Agence immobilière",
        "04 78 00 10 07",
        ("MCV-B",),
    ),
    (
        "Bureaux Services Lyon Est",
        "85 avenue Franklin Roosevelt",
        "69500",
        "Bron",
        "45.738600",
        "4.913200",
        "Fournitures et mobilier de bureau (vente aux entreprises)",
        "04 78 00 10 08",
        ("MCV-B",),
    ),
    (
        "Assurances Monplaisir",
        "96 avenue des Frères Lumière",
        "69008",
        "Lyon",
        "45.744900",
        "4.870700",
        "Agence d'assurances",
        "04 78 00 10 09",
        ("MCV-B", "MA"),
    ),
    (
        "Hôtel des Célestins",
        "4 rue des Archers",
        "69002",
        "Lyon",
        "45.759700",
        "4.832000",
        "Hôtellerie",
        "04 78 00 10 10",
        ("MA", "2MRC"),
    ),
    (
        "Bureau d'information touristique de Bellecour",
        "Place Bellecour",
        "69002",
        "Lyon",
        "45.757800",
        "4.832000",
        "Office de tourisme",
        "04 78 00 10 11",
        ("MA",),
    ),
    (
        "Mairie annexe de Vaulx-en-Velin – accueil",
        "Place de la Nation",
        "69120",
        "Vaulx-en-Velin",
        "45.778400",
        "4.921400",
        "Service public – accueil des usagers",
        "04 78 00 10 12",
        ("MA",),
    ),
    (
        "Clinique du Parc – accueil",
        "155 boulevard de Stalingrad",
        "69006",
        "Lyon",
        "45.781000",
        "4.854000",
        "Santé – accueil des patients",
        "04 78 00 10 13",
        ("MA",),
    ),
]
# Where the two demo tutors work: every learner placed there has them as tutor.
TUTEURS = {
    "Supermarché Les Halles des Gratte-Ciel": "tuteur1",
    "Hôtel des Célestins": "tuteur2",
    "Rhône Habitat Conseil": "tuteur2",
}

ACTIVITES = {
    "MCV-A": [
        "Accueil des clients à l'entrée du magasin et orientation vers les rayons. Mise en rayon "
        "des produits frais et contrôle des dates.",
        "Conseil de clients sur le choix de produits ; participation à l'inventaire du rayon et "
        "au balisage des promotions.",
        "Tenue de la caisse deux après-midi ; présentation de la carte de fidélité ; "
        "réassort du rayon en fin de journée.",
        "Préparation et animation d'une dégustation ; suivi des ventes de la semaine avec mon "
        "tuteur ; traitement d'un retour client.",
    ],
    "MCV-B": [
        "Découverte du fichier clients et mise à jour des coordonnées ; écoute d'appels de "
        "prospection réalisés par les conseillers.",
        "Prise de rendez-vous par téléphone ; préparation des dossiers clients pour les "
        "visites de la semaine.",
        "Accompagnement d'un commercial en rendez-vous ; rédaction du compte rendu de visite "
        "dans le logiciel de gestion de la relation client.",
        "Relance de devis en attente ; participation à la réunion commerciale hebdomadaire.",
    ],
    "MA": [
        "Accueil physique des visiteurs et remise des badges ; prise en charge du standard "
        "téléphonique avec ma tutrice.",
        "Gestion des réservations et de l'agenda des salles ; réponse aux demandes "
        "d'information par courriel.",
        "Accueil de groupes ; traitement d'une réclamation au comptoir ; mise à jour de la "
        "documentation disponible.",
    ],
    "2MRC": [
        "Observation de l'organisation de l'entreprise et des différents postes ; accueil des "
        "clients avec mon tuteur.",
        "Participation au rangement et à la mise en valeur des produits ; premiers échanges "
        "avec les clients.",
        "Réponse au téléphone et prise de messages ; aide à l'encaissement.",
    ],
}
FICHES = {
    "MCV-A": [
        "Vente conseil d'un produit à un client hésitant",
        "Mise en place d'une promotion en tête de gondole",
        "Traitement d'un retour produit à l'accueil",
        "Animation d'une dégustation en magasin",
    ],
    "MCV-B": [
        "Prise de rendez-vous par téléphone",
        "Préparation d'une visite client",
        "Relance d'un devis",
        "Mise à jour du fichier prospects",
    ],
    "MA": [
        "Accueil d'un visiteur et remise d'un badge",
        "Gestion d'un appel entrant et prise de message",
        "Traitement d'une réclamation au comptoir",
    ],
    "2MRC": [
        "Accueillir un client en magasin",
        "Répondre à un appel et prendre un message",
        "Ranger et mettre en valeur un rayon",
    ],
}
COMMENTAIRES_A_REVOIR = [
    "Précise le contexte : quel client, quelle demande, à quel moment de la journée ?",
    "Décris davantage ce que tu as fait toi-même, étape par étape.",
    "Indique le résultat obtenu et ce que tu ferais différemment la prochaine fois.",
]


def _premier_lundi(annee) -> datetime.date:
    debut = annee.date_debut
    return debut + datetime.timedelta(days=(7 - debut.weekday()) % 7)


def _dates(ctx, spec: PeriodeDemo, aujourd_hui: datetime.date):
    """Preferred dates, moved back week by week so that the période is over by today (but not
    before the second week of the school year)."""
    premier = _premier_lundi(ctx.annee)
    debut = premier + datetime.timedelta(weeks=spec.semaine)
    duree = datetime.timedelta(weeks=spec.nb_semaines) - datetime.timedelta(days=3)  # to Friday
    while debut + duree >= aujourd_hui and debut - datetime.timedelta(weeks=1) > premier:
        debut -= datetime.timedelta(weeks=1)
    return debut, debut + duree


def _contenu_referentiel(diplome):
    """A plausible selection: 5 tasks of the first activities, the competences the matrix links
    to them (at most 4) and the first two criteria of each."""
    taches = list(
        Tache.objects.filter(diplome=diplome).order_by("activite__ordre", "ordre", "code")[:5]
    )
    ids = list(
        LienTacheCompetence.objects.filter(tache__in=taches)
        .order_by("competence__ordre", "competence__code")
        .values_list("competence_id", flat=True)
    )
    competences = list(dict.fromkeys(ids))[:4]
    criteres = []
    for competence_id in competences:
        criteres += list(
            Critere.objects.filter(competence_id=competence_id).order_by("ordre", "code")[:2]
        )
    return taches, list(Competence.objects.filter(pk__in=competences)), criteres


def _entreprises(ctx) -> dict[str, Entreprise]:
    resultat = {}
    for nom, adresse, cp, ville, lat, lon, secteur, tel, _ in ENTREPRISES:
        resultat[nom], _ = Entreprise.objects.get_or_create(
            etablissement=ctx.etablissement,
            nom=nom,
            defaults={
                "adresse": adresse,
                "code_postal": cp,
                "ville": ville,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "secteur": secteur,
                "telephone": tel,
            },
        )
    return resultat


def _presentation(entreprise: Entreprise, tuteur_nom: str) -> str:
    return (
        f"{entreprise.nom} ({entreprise.secteur.lower()}) se trouve {entreprise.adresse} à "
        f"{entreprise.ville}. L'équipe compte une quinzaine de personnes. "
        f"Mon tuteur{' est ' + tuteur_nom if tuteur_nom else ''} m'a présenté les différents "
        "postes, les horaires et les règles de l'entreprise."
    )


def _remplir(affectation, spec, taches, referent, aujourd_hui, rng, index):
    """Journal and fiches of the weeks already over, with a realistic variety of states."""
    portfolio = affectation.portfolio
    textes = ACTIVITES[spec.famille]
    titres = FICHES[spec.famille]
    tuteur = str(affectation.tuteur.user) if affectation.tuteur_id else ""
    if affectation.entreprise_id and rng.random() < 0.9:
        portfolio.presentation_entreprise = _presentation(affectation.entreprise, tuteur)
    periode = affectation.periode
    if periode.date_fin < aujourd_hui and rng.random() < 0.6:
        portfolio.bilan_personnel = (
            "Cette période m'a permis de mieux comprendre le métier et de gagner en assurance "
            "avec les clients. Je dois encore progresser sur l'argumentation."
        )
    portfolio.save()
    passees = [s for s in portfolio.semaines.all() if s.date_fin < aujourd_hui]
    for s in passees:
        if rng.random() < 0.85:
            s.activites = textes[(s.numero - 1) % len(textes)]
            s.save(update_fields=["activites"])
            s.taches.set(rng.sample(taches, k=min(2, len(taches))))
    maintenant = timezone.now()
    fiches = [f for f in portfolio.fiches.all() if f.date_fin < aujourd_hui]
    for n, fiche in enumerate(fiches):
        # Cycle of states over learners and weeks: validated first, then submitted, sent back,
        # drafts; a few learners have not started their fiches at all.
        profil = (index + n) % 6
        if index % 7 == 6:
            continue
        fiche.titre = titres[(fiche.numero - 1) % len(titres)]
        fiche.contexte = "Un client se présente en fin de matinée avec une demande précise."
        fiche.realisation = (
            "J'ai accueilli le client, je l'ai questionné pour comprendre son besoin puis je lui "
            "ai proposé une solution adaptée en m'appuyant sur les conseils de mon tuteur."
        )
        fiche.resultat = "Le client est reparti satisfait."
        fiche.difficultes = "Gérer plusieurs demandes à la fois." if profil % 2 else ""
        if profil in (0, 1, 2):
            fiche.statut = FicheActivite.Statut.VALIDEE
            fiche.commentaire = "Fiche claire et complète, bravo."
        elif profil == 3:
            fiche.statut = FicheActivite.Statut.SOUMISE
        elif profil == 4:
            fiche.statut = FicheActivite.Statut.A_REVOIR
            fiche.commentaire = COMMENTAIRES_A_REVOIR[index % len(COMMENTAIRES_A_REVOIR)]
        else:
            fiche.statut = FicheActivite.Statut.BROUILLON
            fiche.resultat = ""
        if fiche.statut != FicheActivite.Statut.BROUILLON:
            fiche.soumise_le = maintenant
        if fiche.commentaire:
            fiche.commentee_par = referent
            fiche.commentee_le = maintenant
        fiche.save()
        fiche.taches.set(rng.sample(taches, k=min(1, len(taches))))


def _bilans(periode, referent, rng) -> None:
    """Validated bilans entreprise for the first learners of a finished période — only if the
    portfolio module exposes `demo_bilan` (it owns the bilan entreprise)."""
    try:
        from pfmp.services_portfolio import demo_bilan
    except ImportError:
        return
    codes = list(periode.criteres.values_list("code", flat=True))
    if not codes:
        return
    affectations = (
        Affectation.objects.filter(periode=periode, archivee=False, bilan_entreprise__isnull=True)
        .exclude(entreprise=None)
        .select_related("periode", "apprenant", "tuteur__user", "entreprise")
        .order_by("pk")
    )
    deja = Affectation.objects.filter(periode=periode, bilan_entreprise__isnull=False).count()
    for i, affectation in enumerate(affectations[: max(0, 8 - deja)]):
        niveaux = {code: rng.choice(["2", "3", "3", "4", "4"]) for code in codes}
        demo_bilan(
            affectation,
            niveaux,
            par=referent,
            valider=i % 4 != 3,  # one in four stays « en cours »
            appreciation="Apprenant motivé et ponctuel, à l'écoute des conseils de l'équipe.",
            tuteur_nom=str(affectation.tuteur.user) if affectation.tuteur_id else "",
        )


@transaction.atomic
def construire(ctx, aujourd_hui: datetime.date | None = None) -> None:
    aujourd_hui = aujourd_hui or timezone.localdate()
    rng = random.Random(2026)
    ddfpt = ctx.personnes["ddfpt"].user
    entreprises = _entreprises(ctx)
    for spec in PERIODES:
        division = ctx.divisions.get(spec.division)
        if division is None:
            continue
        diplome = division.diplome
        referent = ctx.personnes[REFERENTS[diplome.code]].user
        taches, competences, criteres = _contenu_referentiel(diplome)
        annexe = AnnexePedagogique.objects.filter(
            etablissement=ctx.etablissement,
            diplome=diplome,
            niveau=division.niveau,
            titre=spec.titre,
        ).first()
        if annexe is None:
            annexe = services.creer_annexe(
                ctx.etablissement,
                diplome,
                par=referent,
                titre=spec.titre,
                niveau=division.niveau,
                objectifs=spec.objectifs,
                taches=taches,
                competences=competences,
                criteres=criteres,
            )
        periode = Periode.objects.filter(
            etablissement=ctx.etablissement, annee=ctx.annee, diplome=diplome, titre=spec.titre
        ).first()
        if periode is None:
            debut, fin = _dates(ctx, spec, aujourd_hui)
            apprenants = list(
                division.apprenants.select_related("division", "membership__user").order_by(
                    "statut", "pk"
                )
            )
            periode = services.creer_periode(
                annexe,
                par=ddfpt,
                titre=spec.titre,
                date_debut=debut,
                date_fin=fin,
                apprenants=apprenants,
            )
            lieux = [entreprises[e[0]] for e in ENTREPRISES if spec.famille in e[8]]
            avec_tuteur = [e for e in lieux if e.nom in TUTEURS] or lieux
            affectations = list(
                periode.affectations.select_related(
                    "portfolio", "apprenant__membership__user", "periode"
                ).order_by("apprenant__statut", "apprenant__pk")
            )
            # The first apprentice and the first scolaire are the ready-made demo logins:
            # they go where a demo tutor works.
            vitrines = {
                next((a.pk for a in affectations if a.apprenant.statut == s), None)
                for s in ("APPRENTI", "SCOLAIRE")
            }
            for index, affectation in enumerate(affectations):
                entreprise = lieux[index % len(lieux)]
                if affectation.pk in vitrines:
                    entreprise = avec_tuteur[0]
                cle = TUTEURS.get(entreprise.nom)
                affectation.entreprise = entreprise
                affectation.tuteur = ctx.personnes[cle] if cle else None
                affectation.referent = referent
                affectation.save(update_fields=["entreprise", "tuteur", "referent"])
                if debut < aujourd_hui:
                    _remplir(affectation, spec, taches, referent, aujourd_hui, rng, index)
        if periode.date_fin < aujourd_hui:
            _bilans(periode, referent, rng)
    # The book apprenant (activated in the demo establishment).
    construire_book(ctx)
