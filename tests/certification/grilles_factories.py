"""Builders of the grilles CCF tests (no référentiel needed: a minimal épreuve is made when the
committed référentiels are not loaded)."""

from decimal import Decimal

from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
from certification.queries import criteres_de_grille, session_par_defaut
from cpro.models import AnneeScolaire, Division
from referentiels.models import Competence, Critere, GrilleCCF, GroupeCompetences, Niveau

NIVEAUX = ["Novice", "Débrouillé", "Averti", "Expert"]


def grille_ccf(diplome, epreuve: str = "E31") -> GrilleCCF:
    """The épreuve `epreuve` of the diplôme; a minimal official one (2 competences, 3 attested
    criteria with descriptors, all lines of the grid, attested level labels) when the
    référentiel is not loaded."""
    grille = GrilleCCF.objects.filter(diplome=diplome, epreuve=epreuve).first()
    if grille is not None:
        return grille
    groupe, _ = GroupeCompetences.objects.get_or_create(
        diplome=diplome, code=f"B{epreuve}", defaults={"intitule": f"Bloc {epreuve}"}
    )
    grille = GrilleCCF.objects.create(
        diplome=diplome,
        epreuve=epreuve,
        titre=f"{epreuve} – Épreuve de test",
        niveaux=NIVEAUX,
        niveaux_attestes=True,
    )
    for i in (1, 2):
        comp = Competence.objects.create(
            groupe=groupe,
            diplome=diplome,
            code=f"{epreuve}.C{i}",
            intitule=f"Compétence {i} de {epreuve}",
            ordre=i,
        )
        for j in range(1, 3 if i == 1 else 2):
            critere = Critere.objects.create(
                competence=comp,
                code=f"{epreuve}.C{i}-{j}",
                intitule=f"Critère {j} de la compétence {i}",
                ordre=j,
                descripteurs=[
                    {"niveau": n, "descripteur": f"{n} sur le critère {i}.{j}"} for n in NIVEAUX
                ],
            )
            grille.lignes.add(critere)
        grille.competences.add(comp)
    return grille


def terminale(side, nom: str | None = None) -> Division:
    division, _ = Division.objects.get_or_create(
        etablissement=side.etablissement,
        annee=AnneeScolaire.courante(),
        nom=nom or f"T{side.division.nom[1:]}",
        defaults={"diplome": side.diplome, "niveau": Niveau.TERMINALE},
    )
    return division


def candidat(side):
    """The persona scolaire learner, moved to a Terminale division of the diplôme."""
    apprenant = side.apprenant.apprenant
    division = terminale(side)
    if apprenant.division_id != division.pk:
        apprenant.division = division
        apprenant.save(update_fields=["division"])
    return apprenant


def grille_candidat(side, epreuve: str = "E31", apprenant=None, **valeurs) -> GrilleCandidat:
    apprenant = apprenant or candidat(side)
    gc, _ = GrilleCandidat.objects.get_or_create(
        apprenant=apprenant,
        grille=grille_ccf(side.diplome, epreuve),
        session=session_par_defaut(),
        defaults={"etablissement": side.etablissement, **valeurs},
    )
    return gc


def completer(gc: GrilleCandidat, side, *, niveau: int = 3) -> GrilleCandidat:
    """Everything the lock needs, written directly."""
    apprenant = gc.apprenant
    if not apprenant.numero_candidat:
        apprenant.numero_candidat = f"0{apprenant.pk:08d}"
        apprenant.save(update_fields=["numero_candidat"])
    gc.dates_situations = "12/03/2026 et 04/05/2026"
    gc.note_proposee = Decimal("14.5")
    gc.commentaire = "Candidat à l'aise dans la relation client."
    gc.save()
    for c in criteres_de_grille(gc.grille):
        NiveauCritere.objects.update_or_create(
            grille_candidat=gc, critere=c, defaults={"niveau": niveau}
        )
    for i, m in enumerate((side.enseignant, side.enseignant2), start=1):
        MembreCommission.objects.get_or_create(
            grille_candidat=gc,
            user=m.user,
            defaults={"nom": m.user.last_name, "prenom": m.user.first_name, "ordre": i},
        )
    return gc


def grille_verrouillee(side, epreuve: str = "E31") -> GrilleCandidat:
    from django.utils import timezone

    gc = completer(grille_candidat(side, epreuve), side)
    gc.statut = GrilleCandidat.Statut.VERROUILLEE
    gc.verrouillee_le = timezone.now()
    gc.verrouillee_par = side.enseignant.user
    gc.save()
    return gc
