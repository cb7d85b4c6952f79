"""Test data of the portfolios, built with the ORM (independent of the périodes services): a
période with planned tasks and aimed criteria, an entreprise, an affectation with its portfolio,
weeks and fiches."""

import datetime
import itertools

from cpro.models import AnneeScolaire
from pfmp.models import (
    Affectation,
    Entreprise,
    FicheActivite,
    Periode,
    Portfolio,
    SemaineJournal,
)
from referentiels.models import Activite, Tache
from tests.evaluations.grille_factories import referentiel

_seq = itertools.count(1)

DEBUT = datetime.date(2025, 11, 3)


def taches(diplome, n: int = 3) -> list[Tache]:
    k = next(_seq)
    activite = Activite.objects.create(
        diplome=diplome, code=f"PA{k}", intitule=f"Activité {k}", ordre=k
    )
    return [
        Tache.objects.create(
            activite=activite,
            diplome=diplome,
            code=f"PA{k}-T{i}",
            intitule=f"Accueillir le client {i}",
            ordre=i,
        )
        for i in range(1, n + 1)
    ]


def periode(side, *, criteres=None, competences=None, taches_prevues=None, **kwargs) -> Periode:
    """A période of establishment `side` on its diplôme (niveau Première), with planned tasks
    and aimed criteria (a new small référentiel unless given)."""
    k = next(_seq)
    p = Periode.objects.create(
        etablissement=side.etablissement,
        annee=kwargs.pop("annee", AnneeScolaire.courante()),
        diplome=kwargs.pop("diplome", side.diplome),
        niveau=kwargs.pop("niveau", "PREMIERE"),
        titre=kwargs.pop("titre", f"PFMP {k} – vente conseil"),
        date_debut=kwargs.pop("date_debut", DEBUT),
        date_fin=kwargs.pop("date_fin", DEBUT + datetime.timedelta(days=18)),
        objectifs=kwargs.pop("objectifs", "Accueillir et conseiller la clientèle."),
        **kwargs,
    )
    p.taches.set(taches_prevues if taches_prevues is not None else taches(p.diplome))
    if competences is not None:
        p.competences.set(competences)
    if criteres is None and competences is None:
        criteres = referentiel(p.diplome, competences=2, criteres=2)
    if criteres:
        p.criteres.set(criteres)
    return p


def entreprise(side, **kwargs) -> Entreprise:
    k = next(_seq)
    defaults = {
        "nom": f"Boutique {k}",
        "adresse": "12 rue de la République",
        "code_postal": "69002",
        "ville": "Lyon",
        "secteur": "Commerce de détail",
        "telephone": "04 78 00 00 00",
        "latitude": "45.764043",
        "longitude": "4.835659",
    }
    defaults.update(kwargs)
    return Entreprise.objects.create(etablissement=side.etablissement, **defaults)


def affectation(
    periode,
    apprenant,
    *,
    tuteur=None,
    referent=None,
    entreprise=None,
    semaines: int = 2,
    fiches: int = 2,
    archivee: bool = False,
) -> Affectation:
    """A learner (cpro Apprenant) on a période, with portfolio, `semaines` weeks and `fiches`
    fiches (draft)."""
    a = Affectation.objects.create(
        periode=periode,
        apprenant=apprenant,
        tuteur=tuteur,
        referent=referent,
        entreprise=entreprise,
        archivee=archivee,
    )
    portfolio = Portfolio.objects.create(affectation=a)
    for i in range(1, semaines + 1):
        debut = periode.date_debut + datetime.timedelta(weeks=i - 1)
        SemaineJournal.objects.create(
            portfolio=portfolio,
            numero=i,
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=4),
        )
    for i in range(1, fiches + 1):
        debut = periode.date_debut + datetime.timedelta(weeks=i - 1)
        FicheActivite.objects.create(
            portfolio=portfolio,
            numero=i,
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=4),
        )
    return a


def de_persona(p) -> Affectation:
    """The scolaire learner of establishment A on a période of A, with A's tutor and A's first
    teacher as référent (cached on the personas object: one per test)."""
    if not hasattr(p, "_portfolio_affectation"):
        side = p.a
        p._portfolio_affectation = affectation(
            periode(side),
            side.apprenant.apprenant,
            tuteur=side.tuteur,
            referent=side.enseignant.user,
            entreprise=entreprise(side),
        )
    return p._portfolio_affectation


def fiche(a: Affectation, numero: int = 1) -> FicheActivite:
    return FicheActivite.objects.get(portfolio__affectation=a, numero=numero)


def remplir_fiche(f: FicheActivite, **kwargs) -> FicheActivite:
    f.titre = kwargs.get("titre", "Mise en rayon et conseil")
    f.realisation = kwargs.get("realisation", "J'ai conseillé trois clients.")
    f.statut = kwargs.get("statut", f.statut)
    f.save()
    return f
