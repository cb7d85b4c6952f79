"""What each person may see of the portfolios (visibility lives here, with the pages'
select/prefetch).

- staff of the establishment (VOIR_PFMP: enseignants, DDFPT, chef) see every affectation of
  their establishment, archived ones included (read-only);
- a learner sees only their own, non-archived affectations (another learner's → 404);
- a tutor with an account sees only the affectations they are assigned to (others → 404);
- a tutor through a signed link sees only that link's affectation, through the session grant
  stored by the link view and re-checked (link still valid) on every request.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cpro import perms
from cpro.maitrise import Maitrise
from evaluations.models import Resultat
from pfmp import services_portfolio as services
from pfmp.models import Affectation, FicheActivite, LienTuteur, SemaineJournal
from referentiels.models import Tache

SESSION_LIENS = "pfmp_liens_tuteur"

_RELATIONS = (
    "periode__etablissement",
    "periode__diplome",
    "apprenant__membership__user",
    "apprenant__division",
    "entreprise",
    "tuteur__user",
    "referent",
    "portfolio",
)


class LienExpire(Exception):  # noqa: N818 - a state of the link, shown as a page (410)
    """The session's link to this affectation was revoked or expired since it was opened."""


# --- accessors ------------------------------------------------------------------------------


def affectations_visibles(request):
    """The affectations the request's membership may open (an empty queryset otherwise)."""
    membership = request.membership
    granted = request.cpro_perms
    qs = Affectation.objects.filter(periode__etablissement=request.etablissement)
    if perms.VOIR_PFMP in granted:
        return qs
    if perms.MON_PORTFOLIO in granted:
        return qs.filter(apprenant__membership=membership, archivee=False)
    if perms.PORTFOLIOS_TUTEUR in granted:
        return qs.filter(tuteur=membership, archivee=False)
    return qs.none()


def affectation_pour(request, pk) -> Affectation:
    """The affectation `pk` if the request may open its portfolio (else 404), with what every
    portfolio page shows (période, learner, entreprise, tutor, référent, portfolio)."""
    affectation = affectations_visibles(request).filter(pk=pk).select_related(*_RELATIONS).first()
    if affectation is None:
        raise Http404("Portfolio introuvable")
    return affectation


def fiche_pour(request, pk) -> FicheActivite:
    """A fiche activité of a portfolio the request may open (else 404)."""
    fiche = (
        FicheActivite.objects.filter(
            pk=pk, portfolio__affectation__in=affectations_visibles(request)
        )
        .select_related(*(f"portfolio__affectation__{r}" for r in _RELATIONS[:-1]))
        .select_related("portfolio", "commentee_par")
        .prefetch_related("taches")
        .first()
    )
    if fiche is None:
        raise Http404("Fiche introuvable")
    return fiche


def semaine_pour(affectation: Affectation, numero) -> SemaineJournal:
    semaine = (
        SemaineJournal.objects.filter(portfolio__affectation=affectation, numero=numero)
        .prefetch_related("taches")
        .first()
    )
    if semaine is None:
        raise Http404("Semaine introuvable")
    semaine.portfolio = affectation.portfolio
    return semaine


def lien_pour(request, pk) -> LienTuteur:
    """A tutor link of an affectation of the establishment that the request may see."""
    lien = (
        LienTuteur.objects.filter(pk=pk, affectation__in=affectations_visibles(request))
        .select_related(*(f"affectation__{r}" for r in _RELATIONS))
        .first()
    )
    if lien is None:
        raise Http404("Lien introuvable")
    return lien


# --- tutor links in the session -------------------------------------------------------------


def accorder_lien(request, lien: LienTuteur) -> None:
    """Remember in the session that this browser opened a valid link (one per affectation)."""
    grants = dict(request.session.get(SESSION_LIENS, {}))
    grants[str(lien.affectation_id)] = lien.pk
    request.session[SESSION_LIENS] = grants


def _retirer_lien(request, affectation_id) -> None:
    grants = dict(request.session.get(SESSION_LIENS, {}))
    grants.pop(str(affectation_id), None)
    request.session[SESSION_LIENS] = grants


def lien_de_session(request, pk) -> LienTuteur:
    """The link this session opened for affectation `pk`, checked again now: no grant, or a
    link of another establishment → 404; revoked or expired since → LienExpire (410 page)."""
    lien_id = request.session.get(SESSION_LIENS, {}).get(str(pk))
    if lien_id is None:
        raise Http404("Aucun accès à ce portfolio")
    lien = (
        LienTuteur.objects.filter(
            pk=lien_id, affectation_id=pk, affectation__periode__etablissement=request.etablissement
        )
        .select_related(*(f"affectation__{r}" for r in _RELATIONS))
        .first()
    )
    if lien is None:
        raise Http404("Aucun accès à ce portfolio")
    if not services.lien_valide(lien):
        _retirer_lien(request, pk)
        raise LienExpire
    return lien


# --- what a person may do on a portfolio (computed once per page) ---------------------------


@dataclass(frozen=True)
class Droits:
    ecrire: bool = False  # the learner: journal and fiches
    suivre: bool = False  # a teacher: comments, links, bilan opening/validation
    tuteur: bool = False  # the tutor (account or link)
    par_lien: bool = False

    @property
    def saisir_bilan(self) -> bool:
        return self.suivre or self.tuteur


def droits(request, affectation: Affectation) -> Droits:
    membership = request.membership
    if affectation.archivee:
        return Droits()
    return Droits(
        ecrire=membership is not None
        and affectation.apprenant.membership_id == membership.pk
        and membership.active,
        suivre=perms.peut(membership, perms.SUIVRE_PORTFOLIOS, affectation),
        tuteur=perms.peut(membership, perms.PORTFOLIOS_TUTEUR, affectation),
    )


# --- pages ----------------------------------------------------------------------------------


def lien_carte(entreprise) -> str:
    """A plain OpenStreetMap link to the entreprise, when its coordinates are known."""
    if entreprise is None or entreprise.latitude is None or entreprise.longitude is None:
        return ""
    lat, lon = entreprise.latitude, entreprise.longitude
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


def etat_periode(periode, aujourd_hui: datetime.date | None = None) -> str:
    aujourd_hui = aujourd_hui or timezone.localdate()
    if periode.date_debut > aujourd_hui:
        return "à venir"
    if periode.date_fin < aujourd_hui:
        return "terminée"
    return "en cours"


@dataclass
class PageJournal:
    affectation: Affectation
    carte: str
    taches_prevues: list
    semaines: list
    taches_proposees: list = field(default_factory=list)


def page_journal(affectation: Affectation) -> PageJournal:
    """The journal de bord: the entreprise, the période's objectives and planned tasks, every
    week with its ticked tasks. Constant number of queries whatever the number of weeks."""
    periode = affectation.periode
    taches_prevues = list(
        periode.taches.select_related("activite").order_by("activite__ordre", "ordre", "code")
    )
    semaines = list(
        SemaineJournal.objects.filter(portfolio=affectation.portfolio).prefetch_related(
            Prefetch("taches", queryset=Tache.objects.order_by("activite__ordre", "ordre", "code"))
        )
    )
    return PageJournal(
        affectation=affectation,
        carte=lien_carte(affectation.entreprise),
        taches_prevues=taches_prevues,
        semaines=semaines,
    )


def fiches_de(affectation: Affectation) -> list[FicheActivite]:
    """The fiches activités of a portfolio with their tasks and commenting teacher."""
    return list(
        FicheActivite.objects.filter(portfolio=affectation.portfolio)
        .select_related("commentee_par")
        .prefetch_related(
            Prefetch("taches", queryset=Tache.objects.order_by("activite__ordre", "ordre", "code"))
        )
    )


def liens_de(affectation: Affectation) -> list[LienTuteur]:
    now = timezone.now()
    liens = list(affectation.liens_tuteur.select_related("cree_par"))
    for lien in liens:
        lien.valide = lien.revoque_le is None and lien.expire_le > now
    return liens


def bilan_de(affectation: Affectation):
    """The affectation's BilanEntreprise (with its évaluation) or None."""
    from pfmp.models import BilanEntreprise

    bilan = (
        BilanEntreprise.objects.filter(affectation=affectation)
        .select_related("evaluation", "valide_par")
        .first()
    )
    if bilan is not None:
        bilan.affectation = affectation
    return bilan


@dataclass
class LigneBilan:
    critere: object
    niveau: str  # "" = not entered


@dataclass
class GroupeBilan:
    competence: object
    lignes: list


def page_bilan(bilan) -> list[GroupeBilan]:
    """The bilan's criteria grouped by competence, with the learner's current levels. Three
    queries whatever the number of criteria."""
    evaluation = bilan.evaluation
    niveaux = dict(
        Resultat.objects.filter(
            evaluation=evaluation, apprenant_id=bilan.affectation.apprenant_id
        ).values_list("critere_id", "niveau")
    )
    groupes: list[GroupeBilan] = []
    criteres = evaluation.criteres.select_related("competence").order_by(
        "competence__groupe__ordre", "competence__ordre", "competence__code", "ordre", "code"
    )
    for critere in criteres:
        if not groupes or groupes[-1].competence.pk != critere.competence_id:
            groupes.append(GroupeBilan(competence=critere.competence, lignes=[]))
        groupes[-1].lignes.append(LigneBilan(critere=critere, niveau=niveaux.get(critere.pk, "")))
    return groupes


def _avec_compteurs(qs):
    return qs.annotate(
        nb_fiches=Count("portfolio__fiches", distinct=True),
        nb_soumises=Count(
            "portfolio__fiches",
            filter=Q(portfolio__fiches__statut=FicheActivite.Statut.SOUMISE),
            distinct=True,
        ),
        nb_validees=Count(
            "portfolio__fiches",
            filter=Q(portfolio__fiches__statut=FicheActivite.Statut.VALIDEE),
            distinct=True,
        ),
        bilan_statut=F("bilan_entreprise__statut"),
    )


def mes_portfolios(request) -> list[Affectation]:
    """The learner's non-archived portfolios, newest période first (one query)."""
    qs = Affectation.objects.filter(
        periode__etablissement=request.etablissement,
        apprenant__membership=request.membership,
        archivee=False,
    )
    return list(
        _avec_compteurs(qs)
        .select_related("periode", "entreprise", "tuteur__user", "referent")
        .order_by("-periode__date_debut", "periode__titre")
    )


def apprenants_du_tuteur(request) -> list[Affectation]:
    """The tutor's learners, for their périodes only (current, past and upcoming), newest
    first (one query)."""
    qs = Affectation.objects.filter(
        periode__etablissement=request.etablissement,
        tuteur=request.membership,
        archivee=False,
    )
    affectations = list(
        _avec_compteurs(qs)
        .select_related("periode", "entreprise", "apprenant__membership__user", "referent")
        .order_by(
            "-periode__date_debut",
            "apprenant__membership__user__last_name",
            "apprenant__membership__user__first_name",
        )
    )
    aujourd_hui = timezone.localdate()
    for a in affectations:
        a.etat = etat_periode(a.periode, aujourd_hui)
    return affectations


NIVEAUX = [("", "—"), *[(m.value, m.value) for m in Maitrise]]
