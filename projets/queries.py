"""Who sees which projet, and what the pages read (visibility and select/prefetch live here).

- staff of the establishment (VOIR_PROJETS) see every projet of their establishment and every
  learner's record in it;
- a learner (MON_PROJET) sees only the projets of his team and only his own record (another
  learner's → 404);
- a tutor (PROJETS_TUTEUR) sees, read only, the records of the learners he follows through a
  current (non-archived) PFMP affectation (others → 404).

`evaluation_lsl` is the read the LSL livret (lslpro, a higher layer) makes of a learner's
validated assessment of the year.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role
from pfmp.models import Affectation
from projets.models import (
    CommentaireProjet,
    EntreeCarnet,
    Etape,
    EvaluationAnnuelle,
    Projet,
)

_APPRENANT = ("membership__user", "division")


# --- visibility -----------------------------------------------------------------------------


def apprenants_visibles(request):
    """The learners whose records the request may open, within the establishment."""
    qs = Apprenant.objects.filter(etablissement=request.etablissement)
    granted = request.cpro_perms
    if perms.VOIR_PROJETS in granted:
        return qs
    if perms.MON_PROJET in granted:
        return qs.filter(membership=request.membership)
    if perms.PROJETS_TUTEUR in granted:
        suivis = Affectation.objects.filter(tuteur=request.membership, archivee=False)
        return qs.filter(pk__in=suivis.values("apprenant_id"))
    return qs.none()


def projets_visibles(request):
    """The projets the request may see: all of the establishment for the staff, those of the
    visible learners' teams otherwise."""
    qs = Projet.objects.filter(etablissement=request.etablissement)
    if perms.VOIR_PROJETS in request.cpro_perms:
        return qs
    return qs.filter(apprenants__in=apprenants_visibles(request)).distinct()


def projet_pour(request, pk) -> Projet:
    """A projet of the establishment (staff pages), with its stages, divisions and teachers."""
    projet = (
        projets_visibles(request)
        .filter(pk=pk)
        .select_related("annee")
        .prefetch_related("etapes", "divisions", "enseignants")
        .prefetch_related(
            Prefetch(
                "apprenants",
                queryset=Apprenant.objects.select_related(*_APPRENANT).order_by(
                    "membership__user__last_name", "membership__user__first_name"
                ),
            )
        )
        .first()
    )
    if projet is None:
        raise Http404("Projet introuvable")
    return projet


def dossier_pour(request, pk, apprenant_pk) -> tuple[Projet, Apprenant]:
    """(projet, learner) when the learner is in the projet's team and the request may open his
    record; else 404."""
    projet = projet_pour(request, pk)
    apprenant = next((a for a in projet.apprenants.all() if a.pk == int(apprenant_pk)), None)
    if apprenant is None or not apprenants_visibles(request).filter(pk=apprenant.pk).exists():
        raise Http404("Dossier introuvable")
    return projet, apprenant


def entree_pour(request, pk) -> EntreeCarnet:
    """A carnet entry whose learner's record the request may open (file download); else 404."""
    entree = (
        EntreeCarnet.objects.filter(
            pk=pk,
            projet__etablissement=request.etablissement,
            apprenant__in=apprenants_visibles(request),
        )
        .select_related("projet")
        .first()
    )
    if entree is None:
        raise Http404("Entrée introuvable")
    return entree


# --- stages ---------------------------------------------------------------------------------


def etat_etape(etape: Etape, aujourdhui: datetime.date) -> str:
    """« terminée », « en cours » or « à venir », from the stage's dates."""
    if etape.date_fin < aujourdhui:
        return "terminée"
    if etape.date_debut <= aujourdhui:
        return "en cours"
    return "à venir"


@dataclass
class LigneEtape:
    etape: Etape
    etat: str


def etapes_avec_etat(projet: Projet, aujourdhui=None) -> list[LigneEtape]:
    aujourdhui = aujourdhui or timezone.localdate()
    return [LigneEtape(e, etat_etape(e, aujourdhui)) for e in projet.etapes.all()]


# --- the record of one learner --------------------------------------------------------------


@dataclass
class Dossier:
    projet: Projet
    apprenant: Apprenant
    etapes: list[LigneEtape]
    entrees: list[EntreeCarnet]
    commentaires: list[CommentaireProjet]
    evaluations: list[EvaluationAnnuelle]
    evaluation_courante: EvaluationAnnuelle | None
    annee: AnneeScolaire


def dossier(projet: Projet, apprenant: Apprenant, annee: AnneeScolaire | None = None) -> Dossier:
    """What the record page and its PDF show: stages with their state, the carnet de bord
    (newest first), the teachers' comments and the assessments of every year."""
    annee = annee or AnneeScolaire.courante()
    evaluations = list(
        EvaluationAnnuelle.objects.filter(projet=projet, apprenant=apprenant)
        .select_related("annee", "modifiee_par")
        .order_by("annee__debut")
    )
    return Dossier(
        projet=projet,
        apprenant=apprenant,
        etapes=etapes_avec_etat(projet),
        entrees=list(
            EntreeCarnet.objects.filter(projet=projet, apprenant=apprenant).select_related("auteur")
        ),
        commentaires=list(
            CommentaireProjet.objects.filter(projet=projet, apprenant=apprenant).select_related(
                "auteur"
            )
        ),
        evaluations=evaluations,
        evaluation_courante=next((e for e in evaluations if e.annee_id == annee.pk), None),
        annee=annee,
    )


# --- the « Suivi de projet » page -----------------------------------------------------------


def divisions_suivi(etablissement, diplome):
    """The divisions of the current year for the chosen diplôme (a queryset, by name)."""
    qs = Division.objects.filter(etablissement=etablissement, annee=AnneeScolaire.courante())
    if diplome is not None:
        qs = qs.filter(diplome=diplome)
    return qs.order_by("nom")


def divisions_modifiables(etablissement, diplome, projet):
    """The divisions a projet's edit page offers: this year's of the diplôme, plus the
    projet's own (a projet started last year keeps its divisions)."""
    courantes = divisions_suivi(etablissement, diplome)
    return Division.objects.filter(
        Q(pk__in=courantes.values("pk")) | Q(pk__in=projet.divisions.values("pk")),
        etablissement=etablissement,
    ).order_by("nom")


@dataclass
class LigneApprenant:
    apprenant: Apprenant
    nb_entrees: int
    statut: str
    evaluation: EvaluationAnnuelle | None


@dataclass
class LigneProjet:
    projet: Projet
    etapes: list[LigneEtape]
    avancement: int  # stages finished, in percent
    libelle_etape: str  # « Étape en cours », « Prochaine étape » or « Avancement »
    etape_courante: str
    apprenants: list[LigneApprenant] = field(default_factory=list)


def statut_apprenant(nb_entrees: int, evaluation: EvaluationAnnuelle | None) -> str:
    if evaluation is not None and evaluation.validee:
        return "Évaluation validée"
    if evaluation is not None:
        return "Évaluation en cours"
    if nb_entrees:
        return "Carnet de bord tenu"
    return "Carnet de bord vide"


def suivi_division(etablissement, division: Division, annee=None) -> list[LigneProjet]:
    """Each projet of the division with its stages' progress and each learner's status (carnet
    entries, this year's assessment). A constant number of queries (5) whatever the rows."""
    annee = annee or AnneeScolaire.courante()
    aujourdhui = timezone.localdate()
    projets = list(
        Projet.objects.filter(etablissement=etablissement, divisions=division, archive=False)
        .prefetch_related(
            "etapes",
            Prefetch(
                "apprenants",
                queryset=Apprenant.objects.select_related("membership__user").order_by(
                    "membership__user__last_name", "membership__user__first_name"
                ),
            ),
            Prefetch(
                "evaluations",
                queryset=EvaluationAnnuelle.objects.filter(annee=annee),
                to_attr="evaluations_annee",
            ),
        )
        .order_by("titre", "pk")
    )
    comptes = {
        (r["projet_id"], r["apprenant_id"]): r["n"]
        for r in EntreeCarnet.objects.filter(projet__in=projets)
        .values("projet_id", "apprenant_id")
        .annotate(n=Count("pk"))
    }
    lignes = []
    for projet in projets:
        etapes = etapes_avec_etat(projet, aujourdhui)
        finies = sum(1 for e in etapes if e.etat == "terminée")
        libelle, courante = (
            "Étape en cours",
            next((e.etape.titre for e in etapes if e.etat == "en cours"), ""),
        )
        if not courante:
            prochaine = next((e.etape for e in etapes if e.etat == "à venir"), None)
            if prochaine is None:
                libelle, courante = "Avancement", "toutes les étapes sont terminées"
            else:
                libelle = "Prochaine étape" if finies else "Démarrage prévu"
                courante = f"{prochaine.titre} (à partir du {prochaine.date_debut:%d/%m/%Y})"
        par_apprenant = {e.apprenant_id: e for e in projet.evaluations_annee}
        ligne = LigneProjet(
            projet=projet,
            etapes=etapes,
            avancement=round(100 * finies / len(etapes)) if etapes else 0,
            libelle_etape=libelle,
            etape_courante=courante,
        )
        for a in projet.apprenants.all():
            n = comptes.get((projet.pk, a.pk), 0)
            ev = par_apprenant.get(a.pk)
            ligne.apprenants.append(LigneApprenant(a, n, statut_apprenant(n, ev), ev))
        lignes.append(ligne)
    return lignes


def projets_de_apprenants(request) -> list[Projet]:
    """The projets of the visible learners (learner: his own; tutor: his learners'), with the
    team members the request may open (`membres_visibles`)."""
    visibles = apprenants_visibles(request)
    projets = list(
        Projet.objects.filter(etablissement=request.etablissement, apprenants__in=visibles)
        .distinct()
        .select_related("annee")
        .prefetch_related(
            "etapes",
            Prefetch(
                "apprenants",
                queryset=Apprenant.objects.filter(pk__in=visibles.values("pk")).select_related(
                    "membership__user"
                ),
                to_attr="membres_visibles",
            ),
        )
        .order_by("-annee__debut", "titre")
    )
    aujourdhui = timezone.localdate()
    for p in projets:
        p.lignes_etapes = etapes_avec_etat(p, aujourdhui)
    return projets


# --- for the LSL livret (lslpro) ------------------------------------------------------------


def evaluation_lsl(apprenant: Apprenant, annee: AnneeScolaire) -> EvaluationAnnuelle | None:
    """The learner's validated chef-d'œuvre assessment of `annee` (the most recently changed
    when he is in several projets), with its projet; None without one. One query."""
    return (
        EvaluationAnnuelle.objects.filter(apprenant=apprenant, annee=annee, validee=True)
        .select_related("projet")
        .order_by("-modifiee_le", "-pk")
        .first()
    )


def evaluations_lsl(apprenants, annee: AnneeScolaire) -> dict[int, EvaluationAnnuelle]:
    """`evaluation_lsl` for many learners in one query: {apprenant id: assessment}."""
    resultat: dict[int, EvaluationAnnuelle] = {}
    for e in (
        EvaluationAnnuelle.objects.filter(apprenant__in=apprenants, annee=annee, validee=True)
        .select_related("projet")
        .order_by("modifiee_le", "pk")
    ):
        resultat[e.apprenant_id] = e
    return resultat


def enseignants_possibles(etablissement):
    """The teachers a projet may name (enseignants and DDFPT, active)."""
    return (
        Membership.objects.filter(
            etablissement=etablissement,
            active=True,
            role__in=(Role.ENSEIGNANT, Role.DDFPT),
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def apprenants_possibles(etablissement, divisions=None):
    qs = Apprenant.objects.filter(etablissement=etablissement, division__isnull=False)
    if divisions is not None:
        qs = qs.filter(division__in=divisions)
    else:
        qs = qs.filter(division__annee=AnneeScolaire.courante())
    return qs.select_related(*_APPRENANT).order_by(
        "division__nom", "membership__user__last_name", "membership__user__first_name"
    )
