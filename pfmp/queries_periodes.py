"""What the annexes, périodes, entreprises and suivi pages show, scoped to the request's
establishment and chosen diplôme (another establishment's or diplôme's object → 404). Each
page function owns its select/prefetch and runs a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
)
from django.shortcuts import get_object_or_404

from cpro.models import AnneeScolaire, Apprenant, Division
from pfmp.models import (
    Affectation,
    AnnexePedagogique,
    BilanEntreprise,
    Entreprise,
    FicheActivite,
    Periode,
    SemaineJournal,
)
from referentiels.models import Competence, Critere, Niveau, Tache
from referentiels.queries import referentiel_complet


def libelle_niveau(niveau: str) -> str:
    return f"{Niveau(niveau).label} Bac Pro"


def niveaux_du_diplome(diplome) -> list[str]:
    return [n for n in Niveau.values if diplome is not None and n in (diplome.niveaux or [])]


# --- annexes ---------------------------------------------------------------------------------


def annexes_du_module(request):
    return AnnexePedagogique.objects.filter(
        etablissement=request.etablissement, diplome=request.diplome
    )


def annexe_pour(request, pk) -> AnnexePedagogique:
    """An annexe of this establishment and the chosen diplôme (otherwise 404)."""
    return get_object_or_404(annexes_du_module(request).select_related("diplome"), pk=pk)


@dataclass
class SectionAnnexes:
    code: str
    libelle: str
    annexes: list = field(default_factory=list)


def page_annexes(request) -> list[SectionAnnexes]:
    """One section per niveau of the diplôme with its annexes (1 query)."""
    sections = {
        n: SectionAnnexes(n, libelle_niveau(n)) for n in niveaux_du_diplome(request.diplome)
    }
    annexes = (
        annexes_du_module(request)
        .select_related("auteur")
        .annotate(
            nb_taches=Count("taches", distinct=True),
            nb_criteres=Count("criteres", distinct=True),
            nb_periodes=Count("periodes", distinct=True),
        )
        .order_by("titre")
    )
    for annexe in annexes:
        if annexe.niveau in sections:
            sections[annexe.niveau].annexes.append(annexe)
    return list(sections.values())


def _ordre_taches():
    return Tache.objects.select_related("activite").order_by(
        "activite__ordre", "activite__code", "ordre", "code"
    )


def _ordre_criteres():
    return Critere.objects.select_related("competence").order_by(
        "competence__groupe__ordre", "competence__ordre", "competence__code", "ordre", "code"
    )


def _ordre_competences():
    return Competence.objects.order_by("groupe__ordre", "ordre", "code")


def contenu_prefetch():
    """The prefetches of an annexe's or période's référentiel content, in display order."""
    return (
        Prefetch("taches", queryset=_ordre_taches()),
        Prefetch("competences", queryset=_ordre_competences()),
        Prefetch("criteres", queryset=_ordre_criteres()),
    )


def annexe_complete(request, pk) -> AnnexePedagogique:
    return get_object_or_404(
        annexes_du_module(request)
        .select_related("diplome", "auteur")
        .prefetch_related(*contenu_prefetch()),
        pk=pk,
    )


def criteres_par_competence(competences, criteres) -> list[tuple]:
    """[(competence, [its chosen criteria])] for every chosen competence."""
    par = {}
    for cr in criteres:
        par.setdefault(cr.competence_id, []).append(cr)
    return [(c, par.get(c.pk, [])) for c in competences]


@dataclass
class ChoixReferentiel:
    """The checkbox form of an annexe: the whole référentiel, the selection, and which
    competences the matrix links to the selected tasks."""

    ref: object
    taches: set
    competences: set
    criteres: set
    competences_marquees: set


def choix_referentiel(diplome, *, taches=(), competences=(), criteres=()) -> ChoixReferentiel:
    """Référentiel (12 queries, whatever its size) + selection; marks each task with the codes
    of the competences it mobilises and each competence linked to a selected task."""
    ref = referentiel_complet(diplome)
    taches, competences, criteres = set(taches), set(competences), set(criteres)
    marquees = set()
    for ligne in ref.matrice:
        ligne.tache.codes_competences = ", ".join(c.code for c, _ in ligne.tache.competences_liees)
        if ligne.tache.pk in taches:
            marquees.update(c.pk for c, _ in ligne.tache.competences_liees)
    for c in ref.competences:
        c.marquee = c.pk in marquees
    return ChoixReferentiel(ref, taches, competences, criteres, marquees)


# --- périodes --------------------------------------------------------------------------------


def periodes_du_module(request):
    return Periode.objects.filter(etablissement=request.etablissement, diplome=request.diplome)


def periode_pour(request, pk) -> Periode:
    """A période of this establishment and the chosen diplôme (otherwise 404)."""
    return get_object_or_404(periodes_du_module(request).select_related("annee", "diplome"), pk=pk)


def periode_complete(request, pk) -> Periode:
    return get_object_or_404(
        periodes_du_module(request)
        .select_related("annee", "diplome", "annexe", "cree_par")
        .prefetch_related(*contenu_prefetch()),
        pk=pk,
    )


def annees_avec_periodes(request) -> list:
    """School years that have périodes for this diplôme, plus the current one."""
    courante = AnneeScolaire.courante()
    annees = list(
        AnneeScolaire.objects.filter(pk__in=periodes_du_module(request).values("annee")).order_by(
            "-debut"
        )
    )
    if courante not in annees:
        annees.insert(0, courante)
    return sorted(annees, key=lambda a: -a.debut)


def annee_demandee(request) -> AnneeScolaire:
    """?annee=2025 → that school year (if it exists), else the current one."""
    valeur = request.GET.get("annee", "")
    if valeur.isdigit():
        annee = AnneeScolaire.objects.filter(debut=int(valeur)).first()
        if annee is not None:
            return annee
    return AnneeScolaire.courante()


def page_periodes(request, annee) -> list[SectionAnnexes]:
    """Périodes of the year, per niveau, with their number of learners (1 query)."""
    sections = {
        n: SectionAnnexes(n, libelle_niveau(n)) for n in niveaux_du_diplome(request.diplome)
    }
    periodes = (
        periodes_du_module(request)
        .filter(annee=annee)
        .select_related("annexe")
        .annotate(nb_apprenants=Count("affectations", filter=Q(affectations__archivee=False)))
        .order_by("date_debut", "titre")
    )
    for p in periodes:
        if p.niveau in sections:
            sections[p.niveau].annexes.append(p)
    return list(sections.values())


@dataclass
class GroupeDivision:
    division: Division
    apprenants: list


def apprenants_proposes(etablissement, diplome, niveau, annee) -> list[GroupeDivision]:
    """The learners of every division of the diplôme and niveau in that school year, grouped
    by division (2 queries)."""
    divisions = (
        Division.objects.filter(
            etablissement=etablissement, diplome=diplome, niveau=niveau, annee=annee
        )
        .prefetch_related(
            Prefetch(
                "apprenants",
                queryset=Apprenant.objects.select_related("membership__user").order_by(
                    "membership__user__last_name", "membership__user__first_name"
                ),
            )
        )
        .order_by("nom")
    )
    return [GroupeDivision(d, list(d.apprenants.all())) for d in divisions]


def apprenants_choisis(etablissement, ids):
    """Learners of the establishment among `ids`, with what the service checks."""
    return list(
        Apprenant.objects.filter(etablissement=etablissement, pk__in=ids).select_related(
            "division", "membership__user"
        )
    )


def affectations_de(periode):
    """Learners on the période (current and archived), for its detail page (1 query)."""
    return list(
        periode.affectations.select_related(
            "apprenant__membership__user",
            "apprenant__division",
            "entreprise",
            "tuteur__user",
            "referent",
        ).order_by(
            "archivee",
            "apprenant__membership__user__last_name",
            "apprenant__membership__user__first_name",
        )
    )


def affectation_pour(request, pk) -> Affectation:
    """An affectation of a période of this establishment and the chosen diplôme (else 404)."""
    return get_object_or_404(
        Affectation.objects.filter(
            periode__etablissement=request.etablissement, periode__diplome=request.diplome
        ).select_related(
            "periode", "apprenant__membership__user", "entreprise", "tuteur__user", "referent"
        ),
        pk=pk,
    )


# --- entreprises -----------------------------------------------------------------------------


def entreprises_de(etablissement):
    return Entreprise.objects.filter(etablissement=etablissement).annotate(
        nb_affectations=Count("affectations")
    )


def entreprises_choix(etablissement):
    """The establishment's entreprises for a select (name order)."""
    return Entreprise.objects.filter(etablissement=etablissement).order_by("nom", "ville")


def entreprise_pour(request, pk) -> Entreprise:
    return get_object_or_404(Entreprise.objects.filter(etablissement=request.etablissement), pk=pk)


def lien_carte(entreprise) -> str:
    """OpenStreetMap link of the entreprise's coordinates ('' without coordinates)."""
    if entreprise.latitude is None or entreprise.longitude is None:
        return ""
    return (
        f"https://www.openstreetmap.org/?mlat={entreprise.latitude}&mlon={entreprise.longitude}"
        f"#map=17/{entreprise.latitude}/{entreprise.longitude}"
    )


# --- suivi -----------------------------------------------------------------------------------

# Counted in the follow-up table with `{{ n|accord:label }}` ("2 validées", "1 brouillon");
# "singulier,pluriel" for an invariable label.
STATUTS_FICHE = [
    (FicheActivite.Statut.BROUILLON, "brouillon"),
    (FicheActivite.Statut.SOUMISE, "soumise"),
    (FicheActivite.Statut.A_REVOIR, "à revoir,à revoir"),
    (FicheActivite.Statut.VALIDEE, "validée"),
]


@dataclass
class CelluleSemaine:
    numero: int
    date_debut: object
    date_fin: object
    remplie: bool


@dataclass
class LigneSuivi:
    affectation: Affectation
    semaines: list
    fiches: list  # [(code, label, count)]
    nb_fiches: int
    bilan_valide: bool

    @property
    def nb_semaines_remplies(self) -> int:
        return sum(1 for s in self.semaines if s.remplie)


@dataclass
class SuiviPeriode:
    periode: Periode
    lignes: list = field(default_factory=list)


def suivi(periodes, *, referent=None) -> list[SuiviPeriode]:
    """The overview of the périodes given (a queryset): for each learner currently on them,
    division, entreprise, tutor, référent, weeks filled, fiches by state, bilan entreprise
    validated. `referent` keeps only that teacher's learners. 4 queries, whatever the size."""
    semaines = (
        SemaineJournal.objects.annotate(
            nb_taches=Count("taches"),
            a_texte=ExpressionWrapper(~Q(activites=""), output_field=BooleanField()),
        )
        .defer("activites")
        .order_by("numero")
    )
    fiches = FicheActivite.objects.only("pk", "portfolio_id", "statut", "numero")
    affectations = (
        Affectation.objects.filter(archivee=False)
        .select_related(
            "apprenant__membership__user",
            "apprenant__division",
            "entreprise",
            "tuteur__user",
            "referent",
            "portfolio",
            "bilan_entreprise",
        )
        .prefetch_related(
            Prefetch("portfolio__semaines", queryset=semaines),
            Prefetch("portfolio__fiches", queryset=fiches),
        )
        .order_by(
            "apprenant__division__nom",
            "apprenant__membership__user__last_name",
            "apprenant__membership__user__first_name",
        )
    )
    if referent is not None:
        affectations = affectations.filter(referent=referent)
    resultat = [
        SuiviPeriode(p)
        for p in periodes.select_related("annee").prefetch_related(
            Prefetch("affectations", queryset=affectations, to_attr="affectations_suivies")
        )
    ]
    for bloc in resultat:
        for a in bloc.periode.affectations_suivies:
            portfolio = getattr(a, "portfolio", None)
            cellules, comptes, nb = [], Counter(), 0
            if portfolio is not None:
                cellules = [
                    CelluleSemaine(s.numero, s.date_debut, s.date_fin, s.a_texte or s.nb_taches > 0)
                    for s in portfolio.semaines.all()
                ]
                for f in portfolio.fiches.all():
                    comptes[f.statut] += 1
                    nb += 1
            bilan = getattr(a, "bilan_entreprise", None)
            bloc.lignes.append(
                LigneSuivi(
                    affectation=a,
                    semaines=cellules,
                    fiches=[(code, label, comptes[code]) for code, label in STATUTS_FICHE],
                    nb_fiches=nb,
                    bilan_valide=bilan is not None
                    and bilan.statut == BilanEntreprise.Statut.VALIDE,
                )
            )
    return resultat
