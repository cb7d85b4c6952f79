"""Read side of the commission's documents: the grid as printed (PDF), the locked grids of a
division (ZIP) and the recapitulative view (page and CSV).

The accessor takes the request and answers 404 for another establishment's grid. The query
functions own their select/prefetch: the documents of any number of grids, and the
recapitulative view of any number of candidates and épreuves, cost a constant number of
queries.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from certification.models import (
    COMMENTAIRE_MAX,
    MEMBRES_MIN,
    GrilleCandidat,
    MembreCommission,
)
from certification.officialite import (
    Officialite,
    libelles_niveaux,
    ligne_reconstruite,
    officialite,
)
from cpro.models import AnneeScolaire, Apprenant, Division
from referentiels.models import Competence, Critere, GrilleCCF, Niveau

NB_NIVEAUX = 4

# ---------------------------------------------------------------------------------------------
# Accessor (request → grid, 404 outside the establishment)


def grille_document_pour(request, pk) -> GrilleCandidat:
    """A candidate's grid of this establishment, on a diplôme the membership works on; else
    404."""
    return get_object_or_404(
        GrilleCandidat.objects.select_related("etablissement", "grille"),
        pk=pk,
        etablissement=request.etablissement,
        grille__diplome__in=[d.pk for d in getattr(request, "diplomes", [])],
    )


# ---------------------------------------------------------------------------------------------
# Formatting helpers


def note_fr(note: Decimal | None) -> str:
    """12.50 → "12,5", 14.00 → "14" (decimal comma, no trailing zeros); None → ""."""
    if note is None:
        return ""
    return format(Decimal(note).normalize(), "f").replace(".", ",")


def nom_membre(membre: MembreCommission) -> str:
    return f"{membre.nom.upper()} {membre.prenom}".strip()


def session_par_defaut(annee: AnneeScolaire) -> int:
    """The exam session of a school year's Terminale: 2026-2027 → 2027."""
    return annee.debut + 1


def divisions_terminales(etablissement, diplome, annee: AnneeScolaire):
    """The year's Terminale divisions of the diplôme (the candidates of the session)."""
    return Division.objects.filter(
        etablissement=etablissement, diplome=diplome, niveau=Niveau.TERMINALE, annee=annee
    ).order_by("nom")


def divisions_du_diplome(etablissement, diplome):
    """Every division of the diplôme (any year, any level), for the ZIP request."""
    return Division.objects.filter(etablissement=etablissement, diplome=diplome).order_by(
        "-annee__debut", "nom"
    )


def epreuves(diplome):
    """The national CCF grids (épreuves) of the diplôme, E31, E32, E33…"""
    return GrilleCCF.objects.filter(diplome=diplome).order_by("epreuve")


# ---------------------------------------------------------------------------------------------
# The grid as printed


@dataclass
class CaseNiveau:
    libelle: str
    descripteur: str
    cochee: bool


@dataclass
class LigneCritere:
    critere: Critere
    cases: list[CaseNiveau]
    niveau: int | None

    @property
    def reconstruite(self) -> bool:
        return ligne_reconstruite(self.critere)


@dataclass
class BlocCompetence:
    competence: Competence
    lignes: list[LigneCritere]


@dataclass
class DocumentGrille:
    grille_candidat: GrilleCandidat
    grille: GrilleCCF
    nom: str  # last name, in capitals
    prenom: str
    division: str
    numero: str
    niveaux: list[str]  # the 4 column labels
    blocs: list[BlocCompetence]
    membres: list[MembreCommission]
    lignes_vides: range  # blank member rows so that at least MEMBRES_MIN can sign
    note: str
    commentaire: str
    verrouillee_le: datetime.date | None
    officialite: Officialite

    @property
    def verrouillee(self) -> bool:
        return self.grille_candidat.est_verrouillee

    @property
    def intitule_epreuve(self) -> str:
        """The épreuve's title without its code (« E31 – Vente-conseil » → « Vente-conseil »)."""
        titre, code = self.grille.titre, self.grille.epreuve
        if titre.startswith(code):
            titre = titre[len(code) :].lstrip(" –-:")
        return titre or self.grille.titre


def _descripteurs(critere: Critere, libelles: list[str]) -> list[str]:
    """The 4 descriptors of a criterion, in column order. The référentiel stores either plain
    strings or {"niveau": label, "descripteur": text}; a label that matches a column wins over
    the position."""
    textes = [""] * NB_NIVEAUX
    for i, d in enumerate(critere.descripteurs or []):
        if isinstance(d, dict):
            texte = str(d.get("descripteur") or "")
            niveau = d.get("niveau")
            index = libelles.index(niveau) if niveau in libelles else i
        else:
            texte, index = str(d or ""), i
        if 0 <= index < NB_NIVEAUX and not textes[index]:
            textes[index] = texte
    return textes


def _structures(grille_ids) -> dict[int, list[tuple[Competence, list[Critere]]]]:
    """Competences (in the référentiel's order) and their criteria that are lines of the grid
    (`GrilleCCF.lignes`) for each GrilleCCF; three queries whatever the number of grids."""
    liens = (
        GrilleCCF.competences.through.objects.filter(grilleccf_id__in=grille_ids)
        .select_related("competence__groupe")
        .order_by("competence__groupe__ordre", "competence__ordre", "competence__code")
    )
    par_grille = defaultdict(list)
    competence_ids = set()
    for lien in liens:
        par_grille[lien.grilleccf_id].append(lien.competence)
        competence_ids.add(lien.competence_id)
    lignes = defaultdict(set)  # grid -> criterion ids that are its lines
    for gid, cid in GrilleCCF.lignes.through.objects.filter(
        grilleccf_id__in=grille_ids
    ).values_list("grilleccf_id", "critere_id"):
        lignes[gid].add(cid)
    criteres = defaultdict(list)
    for critere in Critere.objects.filter(competence_id__in=competence_ids).order_by(
        "ordre", "code"
    ):
        criteres[critere.competence_id].append(critere)
    resultat = {}
    for gid, competences in par_grille.items():
        blocs = [(c, [x for x in criteres[c.pk] if x.pk in lignes[gid]]) for c in competences]
        # A competence none of whose criteria is a line of the grid is not printed.
        resultat[gid] = [(c, ligne) for c, ligne in blocs if ligne]
    return resultat


def documents_grilles(etablissement, pks) -> list[DocumentGrille]:
    """The printable documents of the grids `pks` of the establishment (others ignored), in
    the order division, last name, first name. Constant number of queries."""
    grilles = list(
        GrilleCandidat.objects.filter(etablissement=etablissement, pk__in=list(pks))
        .select_related(
            "etablissement",
            "apprenant__membership__user",
            "apprenant__division",
            "grille__diplome",
            "grille__unite",
        )
        .prefetch_related("niveaux", "membres")
        .order_by(
            "apprenant__division__nom",
            "apprenant__membership__user__last_name",
            "apprenant__membership__user__first_name",
            "pk",
        )
    )
    structures = _structures({g.grille_id for g in grilles})
    documents = []
    for gc in grilles:
        libelles = libelles_niveaux(gc.grille)
        choisis = {n.critere_id: n.niveau for n in gc.niveaux.all()}
        blocs = []
        for competence, criteres in structures.get(gc.grille_id, []):
            lignes = []
            for critere in criteres:
                niveau = choisis.get(critere.pk)
                cases = [
                    CaseNiveau(libelle, descripteur, niveau == i)
                    for i, (libelle, descripteur) in enumerate(
                        zip(libelles, _descripteurs(critere, libelles), strict=True), start=1
                    )
                ]
                lignes.append(LigneCritere(critere, cases, niveau))
            blocs.append(BlocCompetence(competence, lignes))
        user = gc.apprenant.membership.user
        membres = list(gc.membres.all())
        documents.append(
            DocumentGrille(
                grille_candidat=gc,
                grille=gc.grille,
                nom=user.last_name.upper(),
                prenom=user.first_name,
                division=gc.apprenant.division.nom if gc.apprenant.division else "",
                numero=gc.apprenant.numero_candidat,
                niveaux=libelles,
                blocs=blocs,
                membres=membres,
                lignes_vides=range(max(0, MEMBRES_MIN - len(membres))),
                note=note_fr(gc.note_proposee),
                commentaire=gc.commentaire[:COMMENTAIRE_MAX],
                verrouillee_le=(
                    timezone.localtime(gc.verrouillee_le).date()
                    if gc.est_verrouillee and gc.verrouillee_le
                    else None
                ),
                officialite=officialite(
                    gc.grille, [ligne.critere for bloc in blocs for ligne in bloc.lignes]
                ),
            )
        )
    return documents


def grilles_verrouillees(etablissement, *, division, grille, session: int) -> list[int]:
    """Pks of the locked grids of the division's learners for this épreuve and session."""
    return list(
        GrilleCandidat.objects.filter(
            etablissement=etablissement,
            apprenant__division=division,
            grille=grille,
            session=session,
            statut=GrilleCandidat.Statut.VERROUILLEE,
        ).values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Recapitulative view: every candidate × every épreuve


MANQUANTE, EN_COURS, VERROUILLEE = "manquante", "en_cours", "verrouillee"
LIBELLES_STATUT = {MANQUANTE: "Manquante", EN_COURS: "En cours", VERROUILLEE: "Verrouillée"}


@dataclass
class CelluleRecap:
    epreuve: str
    statut: str  # MANQUANTE, EN_COURS or VERROUILLEE
    note: str = ""
    membres: str = ""
    grille_pk: int | None = None
    url: str = ""

    @property
    def libelle(self) -> str:
        return LIBELLES_STATUT[self.statut]


@dataclass
class LigneRecap:
    apprenant: Apprenant
    nom: str
    prenom: str
    numero: str
    cellules: list[CelluleRecap]


@dataclass
class TotalEpreuve:
    grille: GrilleCCF
    verrouillees: int = 0
    candidats: int = 0


@dataclass
class DivisionRecap:
    division: Division
    lignes: list[LigneRecap] = field(default_factory=list)
    totaux: list[TotalEpreuve] = field(default_factory=list)


@dataclass
class Recapitulatif:
    session: int
    epreuves: list[GrilleCCF]
    divisions: list[DivisionRecap]
    totaux: list[TotalEpreuve]

    @property
    def nb_candidats(self) -> int:
        return sum(len(d.lignes) for d in self.divisions)


def _url_grille(etablissement):
    """URL builder of a grid's page (certification:grille, written with the grid entry); a
    grid page that does not exist (yet) simply gives no link."""

    def url(pk: int) -> str:
        try:
            return reverse("certification:grille", kwargs={"etab": etablissement.slug, "pk": pk})
        except NoReverseMatch:
            return ""

    return url


def recapitulatif(etablissement, *, epreuves, divisions, session: int) -> Recapitulatif:
    """Each candidate of `divisions` (listed by division, then name) with, per épreuve, the
    grid's status (manquante / en cours / verrouillée), proposed note and members; totals of
    locked grids per épreuve, per division and overall. Three queries whatever the data
    (learners, grids, members)."""
    epreuves = list(epreuves)
    divisions = list(divisions)
    apprenants = (
        Apprenant.objects.filter(etablissement=etablissement, division__in=divisions)
        .select_related("membership__user")
        .order_by("membership__user__last_name", "membership__user__first_name", "pk")
    )
    grilles = GrilleCandidat.objects.filter(
        etablissement=etablissement,
        session=session,
        grille__in=epreuves,
        apprenant__division__in=divisions,
    ).prefetch_related(
        Prefetch("membres", queryset=MembreCommission.objects.order_by("ordre", "pk"))
    )
    par_cle = {(g.apprenant_id, g.grille_id): g for g in grilles}
    url = _url_grille(etablissement)
    blocs = {d.pk: DivisionRecap(d, totaux=[TotalEpreuve(e) for e in epreuves]) for d in divisions}
    totaux = [TotalEpreuve(e) for e in epreuves]
    for apprenant in apprenants:
        bloc = blocs[apprenant.division_id]
        cellules = []
        for i, epreuve in enumerate(epreuves):
            gc = par_cle.get((apprenant.pk, epreuve.pk))
            for total in (bloc.totaux[i], totaux[i]):
                total.candidats += 1
                total.verrouillees += bool(gc and gc.est_verrouillee)
            if gc is None:
                cellules.append(CelluleRecap(epreuve.epreuve, MANQUANTE))
                continue
            cellules.append(
                CelluleRecap(
                    epreuve.epreuve,
                    VERROUILLEE if gc.est_verrouillee else EN_COURS,
                    note=note_fr(gc.note_proposee),
                    membres=", ".join(nom_membre(m) for m in gc.membres.all()),
                    grille_pk=gc.pk,
                    url=url(gc.pk),
                )
            )
        user = apprenant.membership.user
        bloc.lignes.append(
            LigneRecap(
                apprenant=apprenant,
                nom=user.last_name.upper(),
                prenom=user.first_name,
                numero=apprenant.numero_candidat,
                cellules=cellules,
            )
        )
    return Recapitulatif(
        session=session, epreuves=epreuves, divisions=list(blocs.values()), totaux=totaux
    )
