"""Read side of the commission de certification (grilles CCF des candidats).

Accessors answer 404 for anything outside the request's establishment (and chosen diplôme):
`grille_candidat_pour(request, pk)` is the stable accessor the other certification pages
(PDF, ZIP, récapitulatif) use; `grilles_session(...)` lists the grids of one épreuve and session.
`page_grille(gc)` builds everything the grid page shows in a constant number of queries
(pinned by tests/certification/test_views_grilles.py).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from bilans.queries_tableaux import donnees_tableau
from certification.models import (
    COMMENTAIRE_MAX,
    MEMBRES_MIN,
    GrilleCandidat,
    MembreCommission,
    NiveauCritere,
)
from certification.officialite import Officialite, ligne_reconstruite, officialite
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role
from referentiels.models import Critere, GrilleCCF, Niveau

# --- sessions --------------------------------------------------------------------------------


def session_par_defaut() -> int:
    """The exam session of this school year's Terminale: the year the school year ends
    (AnneeScolaire.courante().debut + 1), computed without writing."""
    return AnneeScolaire.debut_pour(timezone.localdate()) + 1


def sessions_proposees(etablissement) -> list[int]:
    """The sessions offered in the chooser: two past sessions, the current one, the next one,
    and every session that already has grids in the establishment (1 query), newest first."""
    courante = session_par_defaut()
    sessions = set(range(courante - 2, courante + 2))
    sessions.update(
        GrilleCandidat.objects.filter(etablissement=etablissement)
        .values_list("session", flat=True)
        .distinct()
    )
    return sorted(sessions, reverse=True)


def entier(valeur):
    """int(valeur), or None when it is not an integer."""
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


# --- accessors -------------------------------------------------------------------------------


def _grilles_candidats(etablissement):
    return GrilleCandidat.objects.filter(etablissement=etablissement).select_related(
        "etablissement",
        "apprenant__membership__user",
        "apprenant__division__annee",
        "grille__diplome",
        "grille__unite",
        "verrouillee_par",
    )


def grille_candidat_pour(request, pk) -> GrilleCandidat:
    """The GrilleCandidat `pk` of the request's establishment whose épreuve belongs to the
    chosen diplôme (when one is chosen), with its candidate, division, épreuve, diplôme and
    establishment (1 query). Anything else → 404."""
    pk = entier(pk)
    if pk is None:
        raise Http404("Grille introuvable")
    qs = _grilles_candidats(request.etablissement).filter(pk=pk)
    if getattr(request, "diplome", None) is not None:
        qs = qs.filter(grille__diplome=request.diplome)
    gc = qs.first()
    if gc is None:
        raise Http404("Grille introuvable")
    return gc


def grilles_session(etablissement, session, grille, division=None) -> list[GrilleCandidat]:
    """The GrilleCandidat of `grille` (a GrilleCCF) and `session` in the establishment,
    optionally only the candidates currently in `division`, in candidate name order, with
    their levels and members prefetched (3 queries whatever the number of grids)."""
    qs = (
        _grilles_candidats(etablissement)
        .filter(session=session, grille=grille)
        .prefetch_related(
            Prefetch("niveaux", queryset=NiveauCritere.objects.order_by("pk")),
            Prefetch("membres", queryset=MembreCommission.objects.order_by("ordre", "pk")),
        )
    )
    if division is not None:
        qs = qs.filter(apprenant__division=division)
    return sorted(qs, key=lambda gc: _tri_nom(gc.apprenant))


def epreuves(diplome) -> list[GrilleCCF]:
    """The CCF grids (épreuves E31, E32…) of the diplôme, by épreuve code (1 query)."""
    if diplome is None:
        return []
    return list(GrilleCCF.objects.filter(diplome=diplome).order_by("epreuve"))


def divisions_terminale(etablissement, diplome, session) -> list[Division]:
    """The Terminale divisions of the diplôme whose school year ends with `session`
    (1 query)."""
    if diplome is None:
        return []
    return list(
        Division.objects.filter(
            etablissement=etablissement,
            diplome=diplome,
            niveau=Niveau.TERMINALE,
            annee__debut=session - 1,
        )
        .select_related("annee")
        .order_by("nom")
    )


def choisir(objets: list, valeur, defaut_premier=True):
    """The object of `objets` whose pk is `valeur` (a GET parameter); else the first one (or
    None)."""
    pk = entier(valeur)
    for o in objets:
        if o.pk == pk:
            return o
    return objets[0] if objets and defaut_premier else None


def _tri_nom(apprenant: Apprenant):
    user = apprenant.membership.user
    return (user.last_name.lower(), user.first_name.lower(), apprenant.pk)


def candidats(division: Division) -> list[Apprenant]:
    """The active learners of the division, in name order (1 query)."""
    qs = Apprenant.objects.filter(division=division, membership__active=True).select_related(
        "membership__user", "division"
    )
    return sorted(qs, key=_tri_nom)


def apprenant_pour(request, pk) -> Apprenant:
    """A learner of the establishment whose division prepares the chosen diplôme (else 404),
    with the learners of that division in name order (1 query)."""
    pk = entier(pk)
    if pk is None:
        raise Http404("Apprenant introuvable")
    apprenant = (
        Apprenant.objects.filter(
            pk=pk,
            etablissement=request.etablissement,
            division__diplome=request.diplome,
            membership__active=True,
        )
        .select_related("membership__user", "division__annee")
        .first()
    )
    if apprenant is None:
        raise Http404("Apprenant introuvable")
    return apprenant


def grille_ccf_pour(request, pk) -> GrilleCCF:
    """A CCF grid of the chosen diplôme (else 404)."""
    pk = entier(pk)
    grille = GrilleCCF.objects.filter(pk=pk, diplome=request.diplome).first()
    if pk is None or grille is None:
        raise Http404("Épreuve introuvable")
    return grille


def grilles_candidat_existante(apprenant, grille, session) -> GrilleCandidat | None:
    """The learner's grid of this épreuve and session, if it exists (1 query)."""
    session = entier(session)
    if session is None:
        return None
    return GrilleCandidat.objects.filter(
        apprenant=apprenant, grille=grille, session=session
    ).first()


def membre_pour(gc: GrilleCandidat, pk) -> MembreCommission:
    """A member of this grid's commission (else 404)."""
    membre = MembreCommission.objects.filter(pk=entier(pk), grille_candidat=gc).first()
    if membre is None:
        raise Http404("Membre introuvable")
    membre.grille_candidat = gc
    return membre


def enseignant_pour(etablissement, pk) -> Membership | None:
    """The membership `pk` of the establishment (any role: the service checks it is an active
    teacher), or None."""
    return (
        Membership.objects.filter(pk=entier(pk), etablissement=etablissement)
        .select_related("user")
        .first()
    )


def etat_des_candidats(division, grille, session) -> list[dict]:
    """For the chooser page: each learner of the division with their grid of this épreuve and
    session (or None), in name order (4 queries whatever the number of learners)."""
    eleves = candidats(division)
    grilles = {
        gc.apprenant_id: gc
        for gc in grilles_session(division.etablissement_id, session, grille, division)
    }
    return [{"apprenant": a, "grille": grilles.get(a.pk)} for a in eleves]


# --- the members search ----------------------------------------------------------------------

RECHERCHE_MAX = 20


def enseignants(etablissement, recherche: str = "") -> list[Membership]:
    """Active teachers and DDFPT of the establishment (the people who sit in a commission),
    optionally those whose last or first name contains `recherche`, by name (1 query)."""
    qs = Membership.objects.filter(
        etablissement=etablissement, active=True, role__in=(Role.ENSEIGNANT, Role.DDFPT)
    ).select_related("user")
    for mot in (recherche or "").split():
        qs = qs.filter(Q(user__last_name__icontains=mot) | Q(user__first_name__icontains=mot))
    return list(qs.order_by("user__last_name", "user__first_name", "pk")[:RECHERCHE_MAX])


# --- the grid page ---------------------------------------------------------------------------


@dataclass
class Case:
    """One of the four level cells of a criterion row."""

    niveau: int
    libelle: str  # the grid's level label (Novice, Débrouillé…)
    descripteur: str
    choisie: bool


@dataclass
class LigneGrille:
    critere: Critere
    cases: list[Case]
    niveau: int | None
    resultats: list = field(default_factory=list)  # bilans Cellule, chronological

    @property
    def champ(self) -> str:
        return f"niveau_{self.critere.pk}"

    @property
    def reconstruite(self) -> bool:
        return ligne_reconstruite(self.critere)


@dataclass
class BlocGrille:
    competence: object
    lignes: list[LigneGrille]


@dataclass
class PageGrille:
    gc: GrilleCandidat
    niveaux: list[str]  # the four column labels
    blocs: list[BlocGrille]
    membres: list[MembreCommission]
    suggestion: Decimal | None
    nb_positionnes: int
    nb_criteres: int
    manquants: list[str]
    nb_evaluations: int
    officialite: Officialite

    @property
    def epreuve(self) -> str:
        """ "E31 – Vente-conseil (U31)": the code and title, the code once."""
        grille = self.gc.grille
        if grille.titre.startswith(grille.epreuve):
            return grille.titre
        return f"{grille.epreuve} – {grille.titre}"

    @property
    def lignes(self) -> list[LigneGrille]:
        return [ligne for b in self.blocs for ligne in b.lignes]


def libelles_niveaux(grille: GrilleCCF) -> list[str]:
    """The grid's four column labels (certification.officialite: neutral « Niveau 1 … 4 »
    when the référentiel's labels are not attested for this grid)."""
    from certification.officialite import libelles_niveaux as libelles

    return libelles(grille)


def criteres_de_grille(grille: GrilleCCF) -> list[Critere]:
    """The lines of the grid (its attested criteria, `GrilleCCF.lignes`), in référentiel order
    (1 query)."""
    return list(
        Critere.objects.filter(grilles_ccf=grille)
        .select_related("competence__groupe")
        .order_by(
            "competence__groupe__ordre",
            "competence__groupe__code",
            "competence__ordre",
            "competence__code",
            "ordre",
            "code",
        )
    )


def descripteurs(critere: Critere, libelles: list[str]) -> list[str]:
    """The four descriptors of a criterion aligned on the columns: by level label when the
    référentiel names it, else by position; "" where unknown."""
    items = critere.descripteurs or []
    par_libelle = {}
    for item in items:
        if isinstance(item, dict):
            par_libelle[str(item.get("niveau", "")).strip().lower()] = item.get("descripteur", "")
    resultat = []
    for i, libelle in enumerate(libelles):
        texte = par_libelle.get(libelle.strip().lower())
        if texte is None and i < len(items):
            item = items[i]
            texte = item.get("descripteur", "") if isinstance(item, dict) else str(item)
        resultat.append(texte or "")
    return resultat


# The note suggestion: each chosen level is worth these points out of 20.
POINTS_NIVEAU = {1: Decimal(5), 2: Decimal(10), 3: Decimal(15), 4: Decimal(20)}


# --- the note suggestion ---------------------------------------------------------------------


def suggestion_note(niveaux) -> Decimal | None:
    """The computed, indicative note suggestion shown beside the proposed note; the commission
    decides the note.

    Formula: each chosen level is worth 1 → 5, 2 → 10, 3 → 15, 4 → 20 points (the upper bound
    of the level's quarter of the scale); the suggestion is the mean over the criteria
    positioned, rounded to the nearest half point. None while no criterion is positioned."""
    points = [POINTS_NIVEAU[n] for n in niveaux if n in POINTS_NIVEAU]
    if not points:
        return None
    moyenne = sum(points) / len(points)
    return (moyenne * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


# --- what the lock needs ---------------------------------------------------------------------


def manquants(gc: GrilleCandidat, *, criteres=None, niveaux=None, nb_membres=None) -> list[str]:
    """What is missing before `gc` can be locked, as French sentences (empty: ready).
    `criteres`, `niveaux` ({critere_id: niveau}) and `nb_membres` may be passed when the caller
    already read them."""
    if criteres is None:
        criteres = criteres_de_grille(gc.grille)
    if niveaux is None:
        niveaux = dict(gc.niveaux.values_list("critere_id", "niveau"))
    if nb_membres is None:
        nb_membres = gc.membres.count()
    resultat = []
    if not (gc.etablissement.academie or "").strip():
        resultat.append(
            "l'académie de l'établissement (à renseigner par le DDFPT dans l'administration)"
        )
    if not gc.session:
        resultat.append("la session")
    if not (gc.apprenant.numero_candidat or "").strip():
        resultat.append("le numéro de candidat")
    if not (gc.dates_situations or "").strip():
        resultat.append("la ou les dates des situations d'évaluation")
    if not criteres:
        resultat.append("les critères de l'épreuve (référentiel incomplet)")
    sans_niveau = [c for c in criteres if not niveaux.get(c.pk)]
    if sans_niveau:
        codes = ", ".join(c.code for c in sans_niveau[:8])
        if len(sans_niveau) > 8:
            codes += "…"
        resultat.append(f"un niveau pour {len(sans_niveau)} critère(s) ({codes})")
    if gc.note_proposee is None:
        resultat.append("la note proposée au jury")
    if nb_membres < MEMBRES_MIN:
        resultat.append(
            f"au moins {MEMBRES_MIN} membres de la commission ({nb_membres} indiqué(s))"
        )
    if len(gc.commentaire or "") > COMMENTAIRE_MAX:
        resultat.append(f"des commentaires d'au plus {COMMENTAIRE_MAX} caractères")
    return resultat


# --- the page ----------------------------------------------------------------------------------


def page_grille(gc: GrilleCandidat, *, avec_resultats: bool = True) -> PageGrille:
    """Everything the grid page shows: the criteria rows with their descriptors and chosen
    level, the members, the computed note suggestion, what is missing before the lock, and
    (side panel) the learner's dashboard results on each criterion (bilans.queries_tableaux,
    compact view). 3 queries + 4 for the dashboard, whatever the data."""
    grille = gc.grille
    libelles = libelles_niveaux(grille)
    criteres = criteres_de_grille(grille)
    choisis = dict(gc.niveaux.values_list("critere_id", "niveau"))
    membres = list(gc.membres.select_related("user").order_by("ordre", "pk"))

    resultats: dict[int, list] = {}
    nb_evaluations = 0
    if avec_resultats:
        tableau = donnees_tableau(gc.apprenant, grille.diplome, avec_suggestions=False)
        nb_evaluations = len(tableau.colonnes)
        for bloc in tableau.blocs_competences:
            for ligne in bloc.criteres:
                resultats[ligne.critere.pk] = ligne.resultats

    blocs: list[BlocGrille] = []
    for c in criteres:
        if not blocs or blocs[-1].competence.pk != c.competence_id:
            blocs.append(BlocGrille(c.competence, []))
        niveau = choisis.get(c.pk)
        cases = [
            Case(i + 1, libelle, texte, niveau == i + 1)
            for i, (libelle, texte) in enumerate(
                zip(libelles, descripteurs(c, libelles), strict=True)
            )
        ]
        blocs[-1].lignes.append(LigneGrille(c, cases, niveau, resultats.get(c.pk, [])))

    niveaux_choisis = [choisis[c.pk] for c in criteres if c.pk in choisis]
    return PageGrille(
        gc=gc,
        niveaux=libelles,
        blocs=blocs,
        membres=membres,
        suggestion=suggestion_note(niveaux_choisis),
        nb_positionnes=len(niveaux_choisis),
        nb_criteres=len(criteres),
        manquants=manquants(gc, criteres=criteres, niveaux=choisis, nb_membres=len(membres)),
        nb_evaluations=nb_evaluations,
        officialite=officialite(grille, criteres),
    )


def voisins(gc: GrilleCandidat) -> tuple[Apprenant | None, Apprenant | None]:
    """The previous and next learners of the candidate's division (1 query)."""
    if gc.apprenant.division_id is None:
        return None, None
    eleves = candidats(gc.apprenant.division)
    ids = [a.pk for a in eleves]
    if gc.apprenant_id not in ids:
        return None, None
    i = ids.index(gc.apprenant_id)
    return (eleves[i - 1] if i > 0 else None, eleves[i + 1] if i + 1 < len(eleves) else None)
