"""Test data of the commission's documents, built with the ORM only (independent of the grid
entry services written elsewhere): a Terminale division, candidates, CCF grids of candidates
with their levels and commission members, locked or not."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
from cpro.models import AnneeScolaire, Role, Statut
from referentiels.models import Competence, Critere, GrilleCCF, GroupeCompetences, Niveau
from tests.factories import (
    ApprenantFactory,
    DivisionFactory,
    MembershipFactory,
    UserFactory,
)

_seq = itertools.count(1)

MEMBRES = (("Martin", "Sophie", "Professeure d'économie-gestion"), ("Bernard", "Luc", "Tuteur"))


def session_courante() -> int:
    return AnneeScolaire.courante().debut + 1


def grille_ccf(diplome, epreuve: str = "E31") -> GrilleCCF:
    """The diplôme's GrilleCCF for `epreuve` (the loaded référentiel's when present), else a
    small official one: 2 competences × 2 attested criteria with descriptors, all lines of the
    grid, attested level labels."""
    existante = GrilleCCF.objects.filter(diplome=diplome, epreuve=epreuve).first()
    if existante:
        return existante
    n = next(_seq)
    grille = GrilleCCF.objects.create(
        diplome=diplome,
        epreuve=epreuve,
        titre=f"{epreuve} – Épreuve de test",
        niveaux=["Novice", "Débrouillé", "Averti", "Expert"],
        niveaux_attestes=True,
    )
    groupe = GroupeCompetences.objects.create(
        diplome=diplome, code=f"BT{n}", intitule=f"Bloc de test {n}", ordre=50 + n
    )
    for i in (1, 2):
        competence = Competence.objects.create(
            groupe=groupe,
            diplome=diplome,
            code=f"CT{n}.{i}",
            intitule=f"Compétence de test {n}.{i}",
            ordre=i,
        )
        for j in (1, 2):
            critere = Critere.objects.create(
                competence=competence,
                code=f"CT{n}.{i}-{j}",
                intitule=f"Critère {n}.{i}-{j} : qualité de la prestation",
                descripteurs=[f"Descripteur niveau {k}" for k in range(1, 5)],
                ordre=j,
            )
            grille.lignes.add(critere)
        grille.competences.add(competence)
    return grille


def criteres(grille: GrilleCCF) -> list[Critere]:
    return list(
        Critere.objects.filter(grilles_ccf=grille).order_by(
            "competence__groupe__ordre", "competence__ordre", "ordre", "code"
        )
    )


def division_terminale(side, nom: str = "TMCVA", diplome=None):
    return DivisionFactory(
        etablissement=side.etablissement,
        nom=nom,
        diplome=diplome or side.diplome,
        niveau=Niveau.TERMINALE,
    )


def candidat(side, division, *, nom=None, prenom="Élève", numero=""):
    k = next(_seq)
    user = UserFactory(username=f"cand{k}", last_name=nom or f"Candidat{k:04d}", first_name=prenom)
    membership = MembershipFactory(user=user, etablissement=side.etablissement, role=Role.APPRENANT)
    return ApprenantFactory(
        etablissement=side.etablissement,
        membership=membership,
        division=division,
        statut=Statut.SCOLAIRE,
        numero_candidat=numero,
    )


def candidats(side, division, n: int) -> list:
    return [candidat(side, division, numero=f"02{next(_seq):08d}") for _ in range(n)]


def grille_candidat(
    side,
    apprenant,
    grille: GrilleCCF,
    *,
    session: int | None = None,
    niveaux: dict | None = None,
    niveau_par_defaut: int | None = 3,
    note="14.5",
    commentaire="Candidat à l'aise avec la clientèle ; argumentation à approfondir.",
    dates="12/03/2027 et 04/05/2027",
    membres=MEMBRES,
    verrouillee: bool = True,
    verrouillee_le: datetime.datetime | None = None,
) -> GrilleCandidat:
    """A candidate's grid with a level for every criterion (`niveaux` {Critere: 1..4} wins over
    `niveau_par_defaut`; None = no level), its members and, when `verrouillee`, locked by the
    side's teacher."""
    gc = GrilleCandidat.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        grille=grille,
        session=session or session_courante(),
        dates_situations=dates,
        note_proposee=Decimal(note) if note is not None else None,
        commentaire=commentaire,
        statut=GrilleCandidat.Statut.VERROUILLEE if verrouillee else GrilleCandidat.Statut.EN_COURS,
        verrouillee_le=(verrouillee_le or timezone.now()) if verrouillee else None,
        verrouillee_par=side.enseignant.user if verrouillee else None,
    )
    niveaux = niveaux or {}
    rows = []
    for critere in criteres(grille):
        niveau = niveaux.get(critere, niveau_par_defaut)
        if niveau is not None:
            rows.append(NiveauCritere(grille_candidat=gc, critere=critere, niveau=niveau))
    NiveauCritere.objects.bulk_create(rows)
    MembreCommission.objects.bulk_create(
        [
            MembreCommission(grille_candidat=gc, nom=nom, prenom=prenom, qualite=qualite, ordre=i)
            for i, (nom, prenom, qualite) in enumerate(membres)
        ]
    )
    return gc
