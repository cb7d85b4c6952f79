"""Test data of the LSL export, built with the ORM only (independent of the livret entry
services): LSL competences, périodicités, divisions, learners, complete livrets, PRONOTE tokens,
and `masse` for hundreds of learners with bulk_create."""

import datetime
import hashlib
import itertools
from decimal import Decimal

from bilans.models import BilanIntermediaire, JetonPronote
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role, Statut, User
from lslpro.models import (
    CodeMatiereLSL,
    EnseignantLivret,
    Livret,
    NiveauLivret,
    NoteLivret,
    Periodicite,
)
from referentiels.models import CompetenceLSL, Niveau

_seq = itertools.count(1)

CODES = ("0101", "0102", "0201", "0202")
CODE_MATIERE = "046500"  # a test value shaped like a BCN code (not a placeholder)
APPRECIATION = "Élève sérieux & impliqué ; des progrès réguliers en vente <omnicanale>."


def annee(debut: int | None = None) -> AnneeScolaire:
    if debut is None:
        return AnneeScolaire.courante()
    return AnneeScolaire.objects.get_or_create(debut=debut)[0]


def competences_lsl(diplome, codes=CODES) -> list[CompetenceLSL]:
    return [
        CompetenceLSL.objects.get_or_create(
            diplome=diplome,
            code=code,
            defaults={"intitule": f"Compétence du livret {code}", "ordre": i},
        )[0]
        for i, code in enumerate(codes, start=1)
    ]


def code_matiere(side, code=CODE_MATIERE, *, diplome=None) -> CodeMatiereLSL:
    """The code matière of the side's diplôme (ORM only: placeholders can be stored to test
    that the export refuses them)."""
    return CodeMatiereLSL.objects.update_or_create(
        etablissement=side.etablissement,
        diplome=diplome or side.diplome,
        defaults={"code": code, "source": "tests : valeur fictive de forme BCN"},
    )[0]


def periodicite(side, *, annee_obj=None, type_="T", niveau=Niveau.PREMIERE, diplome=None):
    return Periodicite.objects.update_or_create(
        etablissement=side.etablissement,
        annee=annee_obj or annee(),
        diplome=diplome or side.diplome,
        niveau=niveau,
        defaults={"type": type_},
    )[0]


def division(side, nom, *, annee_obj=None, niveau=Niveau.PREMIERE, diplome=None) -> Division:
    return Division.objects.create(
        etablissement=side.etablissement,
        annee=annee_obj or annee(),
        nom=nom,
        diplome=diplome or side.diplome,
        niveau=niveau,
    )


def apprenant(
    side, *, division_obj=None, eleve_id=None, nom=None, prenom="Élève", statut=Statut.SCOLAIRE
) -> Apprenant:
    k = next(_seq)
    user = User.objects.create(
        username=f"lsl-{side.etablissement.slug}-{k}",
        last_name=nom or f"Nom{k:04d}",
        first_name=prenom,
    )
    membership = Membership.objects.create(
        user=user, etablissement=side.etablissement, role=Role.APPRENANT
    )
    return Apprenant.objects.create(
        membership=membership,
        etablissement=side.etablissement,
        ine=f"{k:09d}LS",
        eleve_id=str(5_000_000 + k) if eleve_id is None else eleve_id,
        statut=statut,
        division=division_obj or side.division,
    )


def _bilan(side, apprenant_obj, annee_obj, jour: int, note) -> BilanIntermediaire:
    return BilanIntermediaire(
        etablissement=side.etablissement,
        apprenant=apprenant_obj,
        diplome=side.diplome,
        annee=annee_obj,
        date=datetime.date(annee_obj.debut, 10, 1) + datetime.timedelta(days=40 * jour),
        note=None if note is None else Decimal(str(note)),
        statut=BilanIntermediaire.Statut.VALIDE,
    )


def livret(
    side,
    apprenant_obj=None,
    *,
    annee_obj=None,
    competences=None,
    niveaux=None,
    notes=None,
    appreciation=APPRECIATION,
    enseignants=(("MARTIN", "Claire"),),
    diplome=None,
) -> Livret:
    """A livret complete by default: every LSL competence at 3, T1 = 12.5, an appreciation and
    one teacher. `niveaux` {code: niveau} overrides levels (None as a value: not positioned);
    `notes` {periode: note or None}."""
    apprenant_obj = apprenant_obj or side.apprenant.apprenant
    annee_obj = annee_obj or annee()
    diplome = diplome or side.diplome
    competences = competences if competences is not None else competences_lsl(diplome)
    lv = Livret.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant_obj,
        annee=annee_obj,
        diplome=diplome,
        appreciation=appreciation,
    )
    valeurs = {c.code: "3" for c in competences}
    valeurs.update(niveaux or {})
    NiveauLivret.objects.bulk_create(
        [
            NiveauLivret(livret=lv, competence=c, niveau=valeurs[c.code])
            for c in competences
            if valeurs.get(c.code)
        ]
    )
    notes = {"T1": "12.5"} if notes is None else notes
    for i, (periode, note) in enumerate(notes.items(), start=1):
        b = _bilan(side, apprenant_obj, annee_obj, i, note)
        b.save()
        NoteLivret.objects.create(livret=lv, bilan=b, periode=periode)
    EnseignantLivret.objects.bulk_create(
        [
            EnseignantLivret(
                livret=lv, role=EnseignantLivret.Role.APPRECIATION, nom=nom, prenom=prenom
            )
            for nom, prenom in enseignants
        ]
    )
    return lv


def masse(side, n: int, *, division_obj, annee_obj, competences) -> list[Livret]:
    """n scolaire learners of `division_obj`, each with a complete livret (4 levels, T1..T3
    notes, one teacher), in a few bulk_create calls."""
    k = next(_seq)
    users = User.objects.bulk_create(
        [
            User(username=f"masse-{k}-{i}", last_name=f"Masse{i:04d}", first_name="Élève")
            for i in range(n)
        ]
    )
    memberships = Membership.objects.bulk_create(
        [Membership(user=u, etablissement=side.etablissement, role=Role.APPRENANT) for u in users]
    )
    apprenants = Apprenant.objects.bulk_create(
        [
            Apprenant(
                membership=m,
                etablissement=side.etablissement,
                ine=f"{k:04d}{i:05d}MS",
                eleve_id=str(9_000_000_000 + k * 100_000 + i),
                statut=Statut.SCOLAIRE,
                division=division_obj,
            )
            for i, m in enumerate(memberships)
        ]
    )
    livrets = Livret.objects.bulk_create(
        [
            Livret(
                etablissement=side.etablissement,
                apprenant=a,
                annee=annee_obj,
                diplome=side.diplome,
                appreciation=f"Appréciation de l'élève {i}.",
            )
            for i, a in enumerate(apprenants)
        ]
    )
    NiveauLivret.objects.bulk_create(
        [
            NiveauLivret(livret=lv, competence=c, niveau=str(1 + (i + j) % 4))
            for i, lv in enumerate(livrets)
            for j, c in enumerate(competences)
        ]
    )
    bilans = BilanIntermediaire.objects.bulk_create(
        [
            _bilan(side, a, annee_obj, p, 6 + (i * 7 + p) % 14)
            for i, a in enumerate(apprenants)
            for p in (1, 2, 3)
        ]
    )
    NoteLivret.objects.bulk_create(
        [
            NoteLivret(livret=livrets[idx // 3], bilan=b, periode=f"T{idx % 3 + 1}")
            for idx, b in enumerate(bilans)
        ]
    )
    EnseignantLivret.objects.bulk_create(
        [
            EnseignantLivret(
                livret=lv, role=EnseignantLivret.Role.APPRECIATION, nom="DURAND", prenom="Paul"
            )
            for lv in livrets
        ]
    )
    return livrets


def jeton(side, clair: str | None = None, *, revoque=False) -> str:
    """A PRONOTE token of the side's establishment; returns it in clear."""
    clair = clair or f"jeton-lsl-{side.etablissement.slug}-{next(_seq)}"
    JetonPronote.objects.create(
        etablissement=side.etablissement,
        nom="PRONOTE LSL",
        jeton_hash=hashlib.sha256(clair.encode()).hexdigest(),
        prefixe=clair[:8],
        revoque_le=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if revoque else None,
    )
    return clair


def demo(side, *, debut=2025) -> dict:
    """Demo-like data for the golden file: year `debut`, a Première (trimestres, 3 learners)
    and a Terminale (semestres, 1 learner), fixed ELEVE_ID; plus an apprentice (never
    exported)."""
    annee_obj = annee(debut)
    competences = competences_lsl(side.diplome)
    code_matiere(side)
    premiere = division(side, "1MCVA-G", annee_obj=annee_obj)
    terminale = division(side, "TMCVA-G", annee_obj=annee_obj, niveau=Niveau.TERMINALE)
    periodicite(side, annee_obj=annee_obj, type_="T")
    periodicite(side, annee_obj=annee_obj, type_="S", niveau=Niveau.TERMINALE)
    a1 = apprenant(side, division_obj=premiere, eleve_id="1234501", nom="Bernard", prenom="Léa")
    a2 = apprenant(side, division_obj=premiere, eleve_id="1234502", nom="Dubois", prenom="Nolan")
    a3 = apprenant(side, division_obj=premiere, eleve_id="1234503", nom="Garcia", prenom="Inès")
    a4 = apprenant(side, division_obj=terminale, eleve_id="1234504", nom="Petit", prenom="Yanis")
    apprenti = apprenant(
        side, division_obj=premiere, eleve_id="1234599", nom="Roux", statut=Statut.APPRENTI
    )
    livret(
        side,
        a1,
        annee_obj=annee_obj,
        competences=competences,
        niveaux={"0101": "4", "0102": "3", "0201": "NE", "0202": "2"},
        notes={"T1": "14.25", "T2": "15", "T3": None},
        enseignants=(("MARTIN", "Claire"), ("LEROY", "Hugo")),
    )
    livret(
        side,
        a2,
        annee_obj=annee_obj,
        competences=competences,
        niveaux={"0101": "2", "0102": "2", "0201": "1", "0202": "3"},
        notes={"T1": "7.5", "T2": "9"},
        appreciation="Des efforts à poursuivre sur la préparation des entretiens de vente.",
    )
    livret(
        side,
        a3,
        annee_obj=annee_obj,
        competences=competences,
        notes={"T1": "11"},
        appreciation="Travail régulier, bonne posture professionnelle.",
    )
    livret(
        side,
        a4,
        annee_obj=annee_obj,
        competences=competences,
        niveaux={"0101": "4", "0102": "4", "0201": "4", "0202": "3"},
        notes={"S1": "16.5", "S2": "17"},
        appreciation="Excellent semestre, autonome et force de proposition.",
        enseignants=(("NGUYEN", "Thi Mai"),),
    )
    livret(side, apprenti, annee_obj=annee_obj, competences=competences)
    return {
        "annee": annee_obj,
        "divisions": [premiere, terminale],
        "apprenants": [a1, a2, a3, a4],
        "competences": competences,
    }
