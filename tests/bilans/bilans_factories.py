"""Test data of the bilans intermédiaires, built with the ORM (independent of the services
under test): a référentiel, évaluations with handmade résultats, bilans."""

import datetime

from bilans.models import BilanIntermediaire, Positionnement
from cpro.models import AnneeScolaire
from evaluations import agregats
from evaluations.models import Nature, Resultat
from referentiels.models import Competence
from tests.evaluations import grille_factories as gf

DATE = datetime.date(2026, 1, 15)


def referentiel(side, *, competences=2, criteres=2) -> list:
    """Criteria of `competences` new competences of the side's diplôme (grid order)."""
    return gf.referentiel(side.diplome, competences=competences, criteres=criteres, indicateurs=0)


def evaluation(side, resultats: dict, *, date=DATE, nature=Nature.INTERMEDIAIRE, **kwargs):
    """An évaluation of `side` on the criteria of `resultats` ({critere: niveau} for the
    scolaire learner; {(apprenant, critere): niveau} also accepted), both learners taking
    part."""
    criteres = []
    lignes = []
    for cle, niveau in resultats.items():
        apprenant, critere = cle if isinstance(cle, tuple) else (side.apprenant.apprenant, cle)
        if critere not in criteres:
            criteres.append(critere)
        lignes.append((apprenant, critere, niveau))
    ev = gf.evaluation(side, criteres=criteres, date=date, nature=nature, **kwargs)
    Resultat.objects.bulk_create(
        Resultat(evaluation=ev, apprenant=a, critere=c, niveau=n) for a, c, n in lignes
    )
    agregats.recalculer({a for a, _c, _n in lignes})
    return ev


def bilan(
    side,
    *,
    apprenant=None,
    date=DATE,
    statut=BilanIntermediaire.Statut.BROUILLON,
    auteur=None,
    niveaux=None,
    evaluations=(),
    **kwargs,
) -> BilanIntermediaire:
    """A bilan of the side's scolaire learner (by its teacher), one positionnement per
    competence of the diplôme (`niveaux` {code: niveau}, NE otherwise)."""
    apprenant = apprenant or side.apprenant.apprenant
    auteur = auteur or side.enseignant.user
    b = BilanIntermediaire.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        diplome=side.diplome,
        annee=AnneeScolaire.courante(date),
        date=date,
        auteur=auteur,
        statut=statut,
        valide_par=auteur if statut == BilanIntermediaire.Statut.VALIDE else None,
        **kwargs,
    )
    niveaux = niveaux or {}
    Positionnement.objects.bulk_create(
        Positionnement(bilan=b, competence=c, niveau=niveaux.get(c.code, "NE"), suggestion="NE")
        for c in Competence.objects.filter(diplome=side.diplome)
    )
    b.evaluations.set(evaluations)
    return b


def bilan_valide(side, **kwargs) -> BilanIntermediaire:
    return bilan(side, statut=BilanIntermediaire.Statut.VALIDE, **kwargs)
