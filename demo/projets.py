"""Demo data of the projets module (Suivi de projet — chef-d'œuvre).

Two projets of the demo lycée for the year, built through the services (rules, audit):
- « Boutique éphémère de Noël », collective, in 1MCVA: the demo scolaire learner and two
  classmates, led by Sophie Lambert and Julien Fontaine;
- « Vitrine connectée », individual, in TMCVA.
Each has four dated stages (démarrage, réalisation, finalisation, présentation) with their
deliverables; every team member has carnet de bord entries (dated up to today), a teacher's
comment and the year's assessment — validated for all but the last member of the collective
projet, so that the Suivi shows both statuses and the LSL demo (run next) takes the validated
ones into the livrets (« repris du suivi de projet »). Idempotent: a projet that exists (same
title, establishment and year) is completed, never duplicated; entries and comments are added
only to an empty carnet.
"""

import datetime

from django.utils import timezone

from cpro.models import Apprenant, Statut
from demo.socle import DemoContext
from projets import services
from projets.models import CommentaireProjet, EntreeCarnet, Projet

ETAPES = (
    ("Démarrage", 30, 60, "Choix du sujet, cahier des charges, répartition des rôles."),
    ("Réalisation", 61, 180, "Prototype, budget, carnet de bord tenu à chaque séance."),
    ("Finalisation", 181, 240, "Produit fini, support de présentation."),
    ("Présentation", 241, 280, "Présentation orale devant l'équipe pédagogique."),
)
PROJETS = (
    {
        "titre": "Boutique éphémère de Noël",
        "division": "1MCVA",
        "membres": 3,
        "enseignants": ("prof_mcva", "prof_seconde"),
        "description": (
            "Concevoir, aménager et animer une boutique éphémère au lycée pendant la semaine "
            "précédant les vacances de Noël : choix des produits avec des artisans locaux, "
            "marchandisage, communication et vente."
        ),
    },
    {
        "titre": "Vitrine connectée",
        "division": "TMCVA",
        "membres": 1,
        "enseignants": ("prof_mcva",),
        "description": (
            "Réaliser la vitrine d'un commerce partenaire avec un affichage dynamique des "
            "promotions et mesurer son effet sur la fréquentation."
        ),
    },
)
ENTREES = (
    (0, "Choix du thème et premières idées de produits ; répartition des rôles dans l'équipe."),
    (20, "Contact avec deux artisans ; tableau comparatif des prix et des marges."),
    (45, "Plan d'implantation de la boutique réalisé ; reste à chiffrer le mobilier."),
)
COMMENTAIRES = (
    "Bon démarrage : le cahier des charges est clair. Pensez à dater chaque séance du carnet.",
    "Travail sérieux sur les fournisseurs ; précisez le budget avant la prochaine étape.",
)
APPRECIATIONS = (
    "Investissement constant dans le projet collectif ; a pris en charge les relations avec "
    "les artisans avec sérieux et aisance.",
    "Participation régulière, travail soigné sur le marchandisage ; doit gagner en autonomie "
    "dans la prise de décision.",
    "Projet individuel bien mené : démarche rigoureuse, carnet de bord complet, présentation "
    "claire des résultats obtenus.",
)


def _date(ctx: DemoContext, jours: int, aujourd_hui: datetime.date) -> datetime.date:
    return min(ctx.annee.date_debut + datetime.timedelta(days=jours), aujourd_hui)


def construire(ctx: DemoContext, aujourd_hui: datetime.date | None = None) -> None:
    """Add (or complete) the two demo projets (see the module docstring)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    etab = ctx.etablissement
    n_appreciation = 0
    for definition in PROJETS:
        division = ctx.divisions.get(definition["division"])
        if division is None:
            continue
        membres = list(
            Apprenant.objects.filter(division=division, statut=Statut.SCOLAIRE)
            .select_related("membership__user")
            .order_by("pk")[: definition["membres"]]
        )
        if not membres:
            continue
        enseignants = [ctx.personnes[k].user for k in definition["enseignants"]]
        redacteur = enseignants[0]
        projet = Projet.objects.filter(
            etablissement=etab, annee=ctx.annee, titre=definition["titre"]
        ).first()
        if projet is None:
            projet = services.creer_projet(
                etab,
                par=redacteur,
                titre=definition["titre"],
                description=definition["description"],
                divisions=[division],
                apprenants=membres,
                enseignants=enseignants,
                etapes=[
                    {
                        "titre": titre,
                        "date_debut": ctx.annee.date_debut + datetime.timedelta(days=debut),
                        "date_fin": ctx.annee.date_debut + datetime.timedelta(days=fin),
                        "livrables": livrables,
                    }
                    for titre, debut, fin, livrables in ETAPES
                ],
                annee=ctx.annee,
            )
        for i, eleve in enumerate(
            projet.apprenants.select_related("membership__user").order_by("pk")
        ):
            if not EntreeCarnet.objects.filter(projet=projet, apprenant=eleve).exists():
                for jours, texte in ENTREES:
                    services.ajouter_entree(
                        projet,
                        eleve,
                        par=eleve.membership.user,
                        date=_date(ctx, 30 + jours, aujourd_hui),
                        texte=texte,
                    )
            if not CommentaireProjet.objects.filter(projet=projet, apprenant=eleve).exists():
                services.commenter(
                    projet, eleve, par=redacteur, texte=COMMENTAIRES[i % len(COMMENTAIRES)]
                )
            dernier_du_collectif = definition["membres"] > 1 and i == definition["membres"] - 1
            services.enregistrer_evaluation(
                projet,
                eleve,
                par=redacteur,
                appreciation=APPRECIATIONS[n_appreciation % len(APPRECIATIONS)],
                note=str(14 + (n_appreciation % 3)),
                valider=not dernier_du_collectif,
                annee=ctx.annee,
            )
            n_appreciation += 1
