"""What the livret pages show, and who may open which livret.

A livret is named by its apprentice and its school year (`annee` = first calendar year). It is
built by query from pfmp (affectations of that year with their période, entreprise, maître
d'apprentissage, journal de bord weeks, fiches activités, bilan entreprise) plus the livret's
own rows (observations, visits, acknowledgements). Accessors answer 404 for a livret the
request may not open (another establishment, another apprentice, a scolaire learner, an
apprentice the maître d'apprentissage does not follow).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from cpro import perms
from cpro.models import AnneeScolaire, Apprenant, Statut
from livrets.etat import EtatLivret, PeriodeSuivie, etat_livret
from livrets.models import Auteur, Livret, Observation, PriseConnaissance, Visite
from pfmp.models import Affectation, FicheActivite, SemaineJournal

_RELATIONS = (
    "periode",
    "entreprise",
    "tuteur__user",
    "referent",
    "portfolio",
    "bilan_entreprise",
)


def annee_pour(debut: int) -> AnneeScolaire:
    annee = AnneeScolaire.objects.filter(debut=debut).first()
    if annee is None:
        raise Http404("Année scolaire inconnue")
    return annee


# --- who sees which apprentice ------------------------------------------------------------


def apprentis_visibles(request):
    """The apprentices whose livret the request's membership may open (queryset)."""
    granted = request.cpro_perms
    qs = Apprenant.objects.filter(etablissement=request.etablissement, statut=Statut.APPRENTI)
    if perms.VOIR_LIVRETS in granted:
        return qs
    if perms.MON_LIVRET in granted:
        return qs.filter(membership=request.membership)
    if perms.LIVRETS_TUTEUR in granted:
        return qs.filter(
            pk__in=Affectation.objects.filter(tuteur=request.membership, archivee=False).values(
                "apprenant"
            )
        )
    return qs.none()


def apprenti_pour(request, pk) -> Apprenant:
    """The apprentice `pk` if the request may open his livret, else 404."""
    apprenant = (
        apprentis_visibles(request)
        .filter(pk=pk)
        .select_related("membership__user", "division__diplome")
        .first()
    )
    if apprenant is None:
        raise Http404("Livret introuvable")
    return apprenant


def affectation_pour(request, pk) -> Affectation:
    """The (non-archived) affectation `pk` of an apprentice, if the request may act on its
    période of the livret (team: any of the establishment; apprentice: his own; maître
    d'apprentissage: those he follows), else 404."""
    granted = request.cpro_perms
    qs = Affectation.objects.filter(
        periode__etablissement=request.etablissement,
        archivee=False,
        apprenant__statut=Statut.APPRENTI,
    )
    if perms.VOIR_LIVRETS in granted:
        pass
    elif perms.MON_LIVRET in granted:
        qs = qs.filter(apprenant__membership=request.membership)
    elif perms.LIVRETS_TUTEUR in granted:
        qs = qs.filter(tuteur=request.membership)
    else:
        qs = qs.none()
    affectation = (
        qs.filter(pk=pk)
        .select_related("periode__annee", "periode__etablissement", "apprenant", "tuteur")
        .first()
    )
    if affectation is None:
        raise Http404("Période introuvable")
    return affectation


def affectations_du_livret(apprenant: Apprenant, annee: AnneeScolaire, *, maitre=None):
    """The apprentice's (non-archived) affectations of the year, oldest first; for a maître
    d'apprentissage only those he follows."""
    qs = Affectation.objects.filter(apprenant=apprenant, periode__annee=annee, archivee=False)
    if maitre is not None:
        qs = qs.filter(tuteur=maitre)
    return qs.select_related(*_RELATIONS).order_by("periode__date_debut", "pk")


# --- one livret -----------------------------------------------------------------------------


@dataclass
class PeriodeLivret:
    affectation: Affectation
    semaines: list = field(default_factory=list)
    fiches: list = field(default_factory=list)
    bilan: object = None
    observation_maitre: Observation | None = None
    observation_enseignant: Observation | None = None
    prise_maitre: PriseConnaissance | None = None
    prise_apprenti: PriseConnaissance | None = None
    visites: list = field(default_factory=list)

    @property
    def periode(self):
        return self.affectation.periode

    @property
    def nb_fiches_validees(self) -> int:
        return sum(1 for f in self.fiches if f.statut == FicheActivite.Statut.VALIDEE)

    @property
    def a_observation(self) -> bool:
        return self.observation_maitre is not None or self.observation_enseignant is not None

    def suivie(self) -> PeriodeSuivie:
        return PeriodeSuivie(
            titre=self.periode.titre,
            debut=self.periode.date_debut,
            fin=self.periode.date_fin,
            observation_maitre=self.observation_maitre is not None,
            observation_enseignant=self.observation_enseignant is not None,
            dates_visites=tuple(v.date for v in self.visites),
        )


@dataclass
class ContenuLivret:
    apprenant: Apprenant
    annee: AnneeScolaire
    livret: Livret | None
    periodes: list[PeriodeLivret]
    visites: list[Visite]
    etat: EtatLivret


def contenu_livret(apprenant: Apprenant, annee: AnneeScolaire, *, maitre=None) -> ContenuLivret:
    """The livret page's content in a constant number of queries: the year's affectations (with
    weeks, fiches, bilan), the livret's observations, acknowledgements and visits."""
    affectations = list(
        affectations_du_livret(apprenant, annee, maitre=maitre).prefetch_related(
            Prefetch(
                "portfolio__semaines",
                queryset=SemaineJournal.objects.order_by("numero"),
            ),
            Prefetch("portfolio__fiches", queryset=FicheActivite.objects.order_by("numero")),
        )
    )
    livret = (
        Livret.objects.filter(apprenant=apprenant, annee=annee)
        .prefetch_related(
            Prefetch("observations", queryset=Observation.objects.select_related("redigee_par")),
            Prefetch("prises_connaissance", queryset=PriseConnaissance.objects.all()),
            Prefetch("visites", queryset=Visite.objects.select_related("par", "affectation")),
        )
        .first()
    )
    periodes = {}
    for a in affectations:
        portfolio = getattr(a, "portfolio", None)
        periodes[a.pk] = PeriodeLivret(
            affectation=a,
            semaines=list(portfolio.semaines.all()) if portfolio else [],
            fiches=list(portfolio.fiches.all()) if portfolio else [],
            bilan=getattr(a, "bilan_entreprise", None),
        )
    visites: list[Visite] = []
    if livret is not None:
        for o in livret.observations.all():
            p = periodes.get(o.affectation_id)
            if p is not None:
                if o.auteur == Auteur.MAITRE:
                    p.observation_maitre = o
                else:
                    p.observation_enseignant = o
        for pc in livret.prises_connaissance.all():
            p = periodes.get(pc.affectation_id)
            if p is not None:
                if pc.qui == PriseConnaissance.Qui.MAITRE:
                    p.prise_maitre = pc
                else:
                    p.prise_apprenti = pc
        for v in livret.visites.all():
            p = periodes.get(v.affectation_id)
            if p is not None:
                p.visites.append(v)
            if maitre is None or p is not None:
                visites.append(v)
    liste = list(periodes.values())
    # Visits not attached to a période still count for the période they fall in.
    for p in liste:
        p_dates = {v.pk for v in p.visites}
        p.visites.extend(
            v
            for v in visites
            if v.affectation_id is None
            and v.pk not in p_dates
            and p.periode.date_debut <= v.date <= p.periode.date_fin
        )
    etat = etat_livret([p.suivie() for p in liste], aujourd_hui=timezone.localdate())
    return ContenuLivret(apprenant, annee, livret, liste, visites, etat)


# --- the list « Livrets des apprentis » -----------------------------------------------------


@dataclass
class LigneLivret:
    apprenant: Apprenant
    nb_periodes: int
    entreprises: list[str]
    maitres: list[str]
    derniere_visite: datetime.date | None
    etat: EtatLivret


def lignes_livrets(request, annee: AnneeScolaire) -> list[LigneLivret]:
    """Every visible apprentice with his livret's status for `annee` (chosen diplôme only for
    the team). Four queries whatever the number of apprentices."""
    apprentis = apprentis_visibles(request)
    if getattr(request, "diplome", None) is not None:
        apprentis = apprentis.filter(division__diplome=request.diplome)
    apprentis = list(
        apprentis.select_related("membership__user", "division").order_by(
            "membership__user__last_name", "membership__user__first_name", "pk"
        )
    )
    ids = [a.pk for a in apprentis]
    par_apprenti = defaultdict(list)
    for a in (
        Affectation.objects.filter(apprenant_id__in=ids, periode__annee=annee, archivee=False)
        .select_related("periode", "entreprise", "tuteur__user")
        .order_by("periode__date_debut", "pk")
    ):
        par_apprenti[a.apprenant_id].append(a)
    observations = set(
        Observation.objects.filter(livret__annee=annee, livret__apprenant_id__in=ids).values_list(
            "affectation_id", "auteur"
        )
    )
    visites = defaultdict(list)
    for apprenant_id, affectation_id, date in Visite.objects.filter(
        livret__annee=annee, livret__apprenant_id__in=ids
    ).values_list("livret__apprenant_id", "affectation_id", "date"):
        visites[apprenant_id].append((affectation_id, date))
    aujourd_hui = timezone.localdate()
    lignes = []
    for apprenant in apprentis:
        affectations = par_apprenti[apprenant.pk]
        dates = visites[apprenant.pk]
        suivies = [
            PeriodeSuivie(
                titre=a.periode.titre,
                debut=a.periode.date_debut,
                fin=a.periode.date_fin,
                observation_maitre=(a.pk, Auteur.MAITRE) in observations,
                observation_enseignant=(a.pk, Auteur.ENSEIGNANT) in observations,
                dates_visites=tuple(d for aff, d in dates if aff in (a.pk, None)),
            )
            for a in affectations
        ]
        lignes.append(
            LigneLivret(
                apprenant=apprenant,
                nb_periodes=len(affectations),
                entreprises=list(
                    dict.fromkeys(a.entreprise.nom for a in affectations if a.entreprise)
                ),
                maitres=list(
                    dict.fromkeys(a.tuteur.user.nom_complet for a in affectations if a.tuteur)
                ),
                derniere_visite=max((d for _aff, d in dates), default=None),
                etat=etat_livret(suivies, aujourd_hui=aujourd_hui),
            )
        )
    return lignes


@dataclass
class LigneMaitre:
    apprenant: Apprenant
    annee: AnneeScolaire
    periodes: list = field(default_factory=list)
    a_completer: int = 0


def livrets_du_maitre(request) -> list[LigneMaitre]:
    """The livrets of the maître d'apprentissage's apprentices, one line per apprentice and
    year, with the number of his ended périodes still waiting for his observation. Two
    queries whatever the number of lines."""
    affectations = list(
        Affectation.objects.filter(
            tuteur=request.membership,
            archivee=False,
            apprenant__statut=Statut.APPRENTI,
            periode__etablissement=request.etablissement,
        )
        .select_related("periode__annee", "apprenant__membership__user", "entreprise")
        .order_by(
            "-periode__annee__debut",
            "apprenant__membership__user__last_name",
            "periode__date_debut",
        )
    )
    faites = set(
        Observation.objects.filter(
            affectation__in=[a.pk for a in affectations], auteur=Auteur.MAITRE
        ).values_list("affectation_id", flat=True)
    )
    aujourd_hui = timezone.localdate()
    lignes: dict = {}
    for a in affectations:
        cle = (a.apprenant_id, a.periode.annee_id)
        ligne = lignes.setdefault(cle, LigneMaitre(a.apprenant, a.periode.annee))
        ligne.periodes.append(a)
        if a.periode.date_debut <= aujourd_hui and a.pk not in faites:
            ligne.a_completer += 1
    return list(lignes.values())
