"""Demo évaluations: for each demo division, a school year of positioning grids so far.

About 9 évaluations per division, dated from mid-September to today, mostly Intermédiaire with
some Complexe; each on 4–8 criteria of the division's diplôme (certifying blocs first), every
learner of the division taking part, written by the teacher of that diplôme, with realistic
results: each learner has an ability that drifts upwards over the year, a few NE, a few empty
cells. One évaluation per division hides its results from the dashboard.

Idempotent: an évaluation is identified by its title (which names the division); an existing
one is left untouched.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from evaluations import agregats
from evaluations.models import Evaluation, Nature, Participant, Resultat
from referentiels.models import Critere

AUTEURS = {"MCV-A": "prof_mcva", "MCV-B": "prof_mcvb", "MA": "prof_accueil", "2MRC": "prof_seconde"}

TITRES = {
    "MCV": [
        "Accueil et découverte des besoins en magasin de sport",
        "Vente conseil d'un smartphone",
        "Mise en rayon et balisage d'une promotion",
        "Traitement d'une réclamation client",
        "Vente additionnelle à la caisse",
        "Suivi des ventes hebdomadaires du rayon",
        "Prospection téléphonique pour un salon",
        "Fidélisation : présentation de la carte client",
        "Animation d'une opération commerciale",
        "Vente omnicanale : retrait d'une commande en ligne",
    ],
    "MA": [
        "Accueil physique à la réception d'un hôtel",
        "Gestion d'un appel entrant et prise de message",
        "Orientation d'un visiteur dans une mairie",
        "Traitement d'une demande d'information par courriel",
        "Gestion d'une file d'attente en agence",
        "Réservation d'une salle de réunion",
        "Accueil d'un public en situation de handicap",
        "Traitement d'un mécontentement à l'accueil",
        "Vente d'une prestation complémentaire",
        "Mise à jour d'un fichier de contacts",
    ],
    "2MRC": [
        "Découverte du point de vente",
        "Accueillir un client au téléphone",
        "Présenter un produit à un client",
        "Renseigner un client sur un itinéraire",
        "Ranger et réassortir un linéaire",
        "Conseiller un client en boutique",
        "Suivre une commande client",
        "Répondre à un courriel client",
        "Encaisser et fidéliser",
        "Jeu de rôle : vente d'un accessoire",
    ],
}


def _famille(code: str) -> str:
    return "MCV" if code.startswith("MCV") else code


def _dates(debut: datetime.date, fin: datetime.date, n: int) -> list[datetime.date]:
    if fin <= debut:
        fin = debut + datetime.timedelta(days=7 * n)
    pas = (fin - debut) / max(n - 1, 1)
    return [debut + pas * i for i in range(n)]


def _niveau(rng: random.Random, capacite: float, progres: float, nature: str) -> str:
    if rng.random() < 0.05:
        return "NE"
    valeur = (
        capacite + 1.2 * progres - (0.4 if nature == Nature.COMPLEXE else 0) + rng.gauss(0, 0.6)
    )
    return str(min(4, max(1, round(valeur))))


def construire(ctx) -> None:
    """Add the demo évaluations of every demo division (nothing if they already exist)."""
    aujourd_hui = timezone.localdate()
    debut = datetime.date(ctx.annee.debut, 9, 15)
    with transaction.atomic():
        for nom_division, division in ctx.divisions.items():
            _construire_division(ctx, nom_division, division, debut, aujourd_hui)


def _construire_division(ctx, nom_division, division, debut, aujourd_hui) -> None:
    diplome = division.diplome
    auteur = ctx.personnes[AUTEURS.get(diplome.code, "prof_mcva")].user
    rng = random.Random(f"cpro-evaluations-{nom_division}")
    titres = [f"{t} – {nom_division}" for t in TITRES[_famille(diplome.code)]]
    nb = 8 + rng.randint(0, 2)
    titres = titres[:nb]
    existants = set(
        Evaluation.objects.filter(etablissement=ctx.etablissement, titre__in=titres).values_list(
            "titre", flat=True
        )
    )
    if len(existants) == len(titres):
        return
    apprenants = list(division.apprenants.order_by("pk"))
    capacites = {a.pk: random.Random(f"capacite-{a.pk}").gauss(1.9, 0.55) for a in apprenants}
    criteres = list(
        Critere.objects.filter(competence__diplome=diplome)
        .select_related("competence__groupe__unite")
        .order_by("competence__groupe__ordre", "competence__ordre", "ordre", "code")
    )
    certifiants = [
        c for c in criteres if c.competence.groupe.unite and c.competence.groupe.unite.ccf
    ]
    vivier = certifiants if len(certifiants) >= 8 else criteres
    dates = _dates(debut, aujourd_hui, len(titres))
    cache = rng.randrange(2, len(titres))  # one évaluation hidden from the dashboard
    resultats, participants = [], []
    for i, (titre, date) in enumerate(zip(titres, dates, strict=True)):
        nature = (
            Nature.COMPLEXE
            if i in (4, 7) or (i > 5 and rng.random() < 0.3)
            else Nature.INTERMEDIAIRE
        )
        choisis = rng.sample(vivier, min(len(vivier), rng.randint(4, 8)))
        if titre in existants:
            continue
        evaluation = Evaluation.objects.create(
            etablissement=ctx.etablissement,
            diplome=diplome,
            niveau=division.niveau,
            annee=ctx.annee,
            titre=titre,
            date=date,
            nature=nature,
            contexte=f"Situation professionnelle proposée à la classe de {nom_division}.",
            auteur=auteur,
            afficher_tableau_de_bord=i != cache,
        )
        evaluation.enseignants.set([auteur])
        evaluation.criteres.set(choisis)
        progres = i / max(len(titres) - 1, 1)
        for apprenant in apprenants:
            participants.append(Participant(evaluation=evaluation, apprenant=apprenant))
            for critere in choisis:
                if rng.random() < 0.03:
                    continue  # not entered yet
                resultats.append(
                    Resultat(
                        evaluation=evaluation,
                        apprenant=apprenant,
                        critere=critere,
                        niveau=_niveau(rng, capacites[apprenant.pk], progres, nature),
                        modifie_par=auteur,
                    )
                )
    Participant.objects.bulk_create(participants, batch_size=1000)
    Resultat.objects.bulk_create(resultats, batch_size=1000)
    # Written in bulk, not through the services: the stored suggestion aggregates follow.
    agregats.recalculer(apprenants)
