"""Demo grilles CCF: for the TMCVA division (Bac Pro MCV option A), the numéro de candidat of
every learner and the E31, E32 and E33 grids of the current session in every state: locked
(complete, two members, proposed note), in progress (partly filled), not started.

Built through the services, as a teacher of the division would (the locks are audited).
Idempotent: a number already set is kept, an existing grid is left as it is.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from certification import exporters, services
from certification.queries import candidats, criteres_de_grille
from referentiels.models import GrilleCCF

DIVISION = "TMCVA"
AUTEUR = "prof_mcva"
SECOND_MEMBRE = "prof_seconde"

# Per épreuve, by the learner's rank modulo 6: "V" locked, "C" in progress, "" not started.
ETATS = {
    "E31": ("V", "V", "V", "V", "C", ""),
    "E32": ("V", "V", "C", "C", "", ""),
    "E33": ("C", "", "", "", "", ""),
}
DATES = {
    "E31": ((11, 14), (3, 12)),
    "E32": ((1, 20), (4, 2)),
    "E33": ((5, 6),),
}
# The level around which the learner of each rank (modulo 6) is positioned.
PROFILS = (3, 2, 4, 3, 1, 3)
COMMENTAIRES = {
    1: "Le candidat peine à conduire l'entretien de vente : découverte des besoins "
    "incomplète et argumentation peu adaptée. Des progrès en fin de formation.",
    2: "Une vente conduite avec sérieux mais des approximations dans l'argumentation et le "
    "traitement des objections ; la conclusion reste hésitante.",
    3: "Prestation solide : accueil et découverte des besoins maîtrisés, argumentation "
    "pertinente. La vente additionnelle pourrait être davantage proposée.",
    4: "Excellente maîtrise de la relation client, vocabulaire professionnel, conclusion "
    "efficace et prise de congé soignée. Candidat autonome et convaincant.",
}
PROFESSIONNELS = (
    ("Dumas", "Claire", "Professionnelle, responsable de rayon"),
    ("Olivier", "Marc", "Professionnel, manager de magasin"),
)


def _dates(epreuve: str, session: int) -> str:
    annee_debut = session - 1
    dates = []
    for mois, jour in DATES[epreuve]:
        annee = annee_debut if mois >= 9 else session
        dates.append(datetime.date(annee, mois, jour).strftime("%d/%m/%Y"))
    return " et ".join(dates)


def _remplir(gc, rang: int, *, complet: bool, par, second, rng, rendu=None) -> None:
    """Fill `gc` as `par` (a teacher's membership): levels (all, or half when in progress),
    dates, the note and comment when complete, members (two when complete), then lock."""
    criteres = criteres_de_grille(gc.grille)
    profil = PROFILS[rang % len(PROFILS)]
    niveaux = {}
    for i, c in enumerate(criteres):
        if not complet and i >= len(criteres) // 2:
            break
        niveaux[c.pk] = max(1, min(4, profil + rng.choice((-1, 0, 0, 1))))
    note = ""
    if complet:
        suggestion = services.suggestion_note(niveaux.values()) or Decimal(10)
        ecart = Decimal(rng.choice(("-1", "-0.5", "0", "0.5", "1")))
        note = str(max(Decimal(0), min(Decimal(20), suggestion + ecart)))
    services.enregistrer_grille(
        gc,
        par=par.user,
        dates_situations=_dates(gc.grille.epreuve, gc.session),
        note_proposee=note,
        commentaire=COMMENTAIRES[profil] if complet else "",
        niveaux=niveaux,
    )
    services.ajouter_membre(gc, par=par.user, membre=par)
    if complet:
        if rang % 2 and second is not None:
            services.ajouter_membre(gc, par=par.user, membre=second)
        else:
            nom, prenom, qualite = PROFESSIONNELS[rang % len(PROFESSIONNELS)]
            services.ajouter_membre(gc, par=par.user, nom=nom, prenom=prenom, qualite=qualite)
        services.verrouiller_grille(gc, par=par.user, rendu=rendu)


@transaction.atomic
def construire(ctx) -> None:
    division = ctx.divisions.get(DIVISION)
    auteur = ctx.personnes.get(AUTEUR)
    if division is None or auteur is None:
        return
    second = ctx.personnes.get(SECOND_MEMBRE)
    session = ctx.annee.debut + 1
    grilles = {g.epreuve: g for g in GrilleCCF.objects.filter(diplome=division.diplome)}
    eleves = candidats(division)
    rendu = exporters.RenduGrilles()  # one font set and stylesheet for every locked grid
    for rang, apprenant in enumerate(eleves):
        if not apprenant.numero_candidat:
            numero = f"{session % 100:02d}{division.etablissement.uai[:7]}{rang + 1:02d}"
            services.definir_numero_candidat(apprenant, numero, par=auteur.user)
    for epreuve, etats in ETATS.items():
        grille = grilles.get(epreuve)
        if grille is None:
            continue
        for rang, apprenant in enumerate(eleves):
            etat = etats[rang % len(etats)]
            if not etat or apprenant.grilles_ccf.filter(grille=grille, session=session).exists():
                continue
            rng = random.Random(f"{epreuve}-{apprenant.pk}")
            gc = services.grille_pour(apprenant, grille, session, par=auteur.user)
            _remplir(gc, rang, complet=etat == "V", par=auteur, second=second, rng=rng, rendu=rendu)
