"""Accessors and read models of the positioning grid (another establishment's object → 404).

The grid is read in a constant number of queries whatever its size: participants (with their
user), criteria (with their competence), indicators, résultats.
"""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cpro.models import Apprenant, Membership, Role, Statut, User, accorder_genre
from cpro.sql import date_lue
from cpro.sql import table as t
from evaluations.models import Evaluation, Participant, Resultat
from referentiels.models import (
    Competence,
    Critere,
    Diplome,
    GroupeCompetences,
    Indicateur,
    NatureReferentiel,
)


def evaluation_pour(request, pk) -> Evaluation:
    """An évaluation of the request's establishment and chosen diplôme, like every évaluation
    page (evaluations.queries.evaluations_du_module), else 404."""
    return get_object_or_404(
        Evaluation.objects.select_related("etablissement", "diplome", "auteur"),
        pk=pk,
        etablissement=request.etablissement,
        diplome=request.diplome,
    )


def apprenant_de(request) -> Apprenant:
    """The learner profile of the request's membership (404 when there is none)."""
    apprenant = Apprenant.objects.filter(membership=request.membership).first()
    if apprenant is None:
        raise Http404("Aucun profil apprenant")
    return apprenant


def ma_evaluation(request, apprenant, pk) -> Evaluation:
    """An évaluation the learner took part in and whose results are shown on their dashboard;
    anything else → 404 (they must not learn it exists)."""
    return get_object_or_404(
        Evaluation.objects.select_related("etablissement", "diplome", "auteur"),
        pk=pk,
        etablissement=request.etablissement,
        afficher_tableau_de_bord=True,
        participants__apprenant=apprenant,
    )


def mes_evaluations(apprenant):
    """The évaluations a learner took part in, shown on their dashboard, newest first."""
    return (
        Evaluation.objects.filter(
            participants__apprenant=apprenant,
            afficher_tableau_de_bord=True,
            etablissement_id=apprenant.etablissement_id,
        )
        .select_related("diplome")
        .order_by("-date", "titre")
    )


def apprenant_de_la_grille(evaluation, pk) -> Apprenant:
    """A learner of the évaluation's establishment (404 otherwise), with user loaded. Whether
    they take part is the service's business (a French message, not a 404)."""
    return get_object_or_404(
        Apprenant.objects.select_related("membership__user"),
        pk=pk,
        etablissement_id=evaluation.etablissement_id,
    )


def critere_de_la_grille(evaluation, pk) -> Critere:
    """A criterion of the évaluation's diplôme or of its establishment's transversal
    référentiel (404 otherwise)."""
    return get_object_or_404(
        Critere.objects.select_related("competence").filter(
            Q(competence__diplome_id=evaluation.diplome_id)
            | Q(
                competence__diplome__etablissement_id=evaluation.etablissement_id,
                competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
            )
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class CibleSaisie:
    """Everything one cell save needs, read in one query (`cible_saisie`): the évaluation's
    lock flag and what the suggestion aggregates use, who the user is for it, the learner and
    the criterion (found in the establishment / référentiel, else 404) and whether they belong
    to the grid, the cell's stored level."""

    evaluation_id: int
    titre: str
    etablissement_id: int
    verrouillee: bool
    auteur_id: int | None
    date: datetime.date
    nature: str
    afficher_tableau_de_bord: bool
    est_enseignant: bool
    est_ddfpt: bool
    apprenant_id: int | None
    ine: str | None
    apprenant_etablissement_id: int | None
    nom: str  # str(user) of the learner
    est_participant: bool
    critere_id: int | None
    code: str
    competence_id: int | None
    critere_ok: bool
    ancien: str | None  # the stored level, None when the cell is empty


@cache
def _sql_cible() -> str:
    # Table names only are formatted in (from the models); every value is a parameter.
    return (
        "SELECT e.titre, e.etablissement_id, e.verrouillee, e.auteur_id, e.date, e.nature, "  # noqa: S608
        "e.afficher_tableau_de_bord, "
        f"EXISTS (SELECT 1 FROM {t(Evaluation.enseignants.through)} ens "
        "WHERE ens.evaluation_id = e.id AND ens.user_id = %(user)s), "
        f"EXISTS (SELECT 1 FROM {t(Membership)} m WHERE m.user_id = %(user)s "
        "AND m.etablissement_id = e.etablissement_id AND m.role = %(ddfpt)s "
        "AND m.active = %(vrai)s), "
        "ap.id, ap.ine, ap.etablissement_id, u.last_name, u.first_name, u.username, "
        f"EXISTS (SELECT 1 FROM {t(Participant)} p "
        "WHERE p.evaluation_id = e.id AND p.apprenant_id = %(apprenant)s), "
        "cr.id, cr.code, cr.competence_id, "
        f"EXISTS (SELECT 1 FROM {t(Evaluation.criteres.through)} ec "
        "WHERE ec.evaluation_id = e.id AND ec.critere_id = %(critere)s), "
        f"(SELECT r.niveau FROM {t(Resultat)} r WHERE r.evaluation_id = e.id "
        "AND r.apprenant_id = %(apprenant)s AND r.critere_id = %(critere)s) "
        f"FROM {t(Evaluation)} e "
        f"LEFT JOIN {t(Apprenant)} ap "
        "ON ap.id = %(apprenant)s AND ap.etablissement_id = e.etablissement_id "
        f"LEFT JOIN {t(Membership)} am ON am.id = ap.membership_id "
        f"LEFT JOIN {t(User)} u ON u.id = am.user_id "
        f"LEFT JOIN {t(Critere)} cr ON cr.id = %(critere)s AND EXISTS ("
        f"SELECT 1 FROM {t(Competence)} co JOIN {t(Diplome)} d ON d.id = co.diplome_id "
        "WHERE co.id = cr.competence_id AND (co.diplome_id = e.diplome_id "
        "OR (d.etablissement_id = e.etablissement_id AND d.nature = %(transversal)s))) "
        "WHERE e.id = %(evaluation)s AND e.etablissement_id = %(etablissement)s "
        "AND e.diplome_id = %(diplome)s"
    )


def cible_saisie(request, pk, apprenant_id, critere_id) -> CibleSaisie:
    """The cell (`apprenant_id`, `critere_id`) of the évaluation `pk` of the request's
    establishment and chosen diplôme, for a save: one query. 404 when the évaluation is not
    one of the request's (as `evaluation_pour`), the learner not of its establishment (as
    `apprenant_de_la_grille`) or the criterion not of its référentiels (as
    `critere_de_la_grille`). Whether the learner takes part and the criterion is graded, the
    lock and the writer are the service's rules (services_grille.saisir_cible)."""
    trouvee = None
    if request.diplome is not None:
        trouvee = cible(
            etablissement_id=request.etablissement.pk,
            diplome_id=request.diplome.pk,
            evaluation_id=pk,
            apprenant_id=apprenant_id,
            critere_id=critere_id,
            user_id=request.user.pk,
        )
    if trouvee is None or trouvee.apprenant_id is None or trouvee.critere_id is None:
        raise Http404
    return trouvee


def cible(
    *, etablissement_id, diplome_id, evaluation_id, apprenant_id, critere_id, user_id
) -> CibleSaisie | None:
    """`cible_saisie` from ids, in one query: None when the évaluation is not of that
    establishment and diplôme; `apprenant_id` / `critere_id` None when the learner is not of
    its establishment / the criterion not of its référentiels."""
    with connection.cursor() as cur:
        cur.execute(
            _sql_cible(),
            {
                "user": user_id,
                "ddfpt": Role.DDFPT.value,
                "vrai": True,
                "apprenant": apprenant_id,
                "critere": critere_id,
                "transversal": NatureReferentiel.TRANSVERSAL.value,
                "evaluation": evaluation_id,
                "etablissement": etablissement_id,
                "diplome": diplome_id,
            },
        )
        ligne = cur.fetchone()
    if ligne is None:
        return None
    (titre, etab, verrou, auteur, date, nature, afficher, ens, ddfpt) = ligne[:9]
    (ap, ine, ap_etab, last, first, username, participant) = ligne[9:16]
    (cr, code, competence, critere_ok, ancien) = ligne[16:]
    date = date_lue(date)
    return CibleSaisie(
        evaluation_id=evaluation_id,
        titre=titre,
        etablissement_id=etab,
        verrouillee=bool(verrou),
        auteur_id=auteur,
        date=date,
        nature=nature,
        afficher_tableau_de_bord=bool(afficher),
        est_enseignant=bool(ens),
        est_ddfpt=bool(ddfpt),
        apprenant_id=ap,
        ine=ine,
        apprenant_etablissement_id=ap_etab,
        nom=(f"{last.upper()} {first}".strip() or username) if ap is not None else "",
        est_participant=bool(participant),
        critere_id=cr,
        code=code or "",
        competence_id=competence,
        critere_ok=bool(critere_ok),
        ancien=ancien or None,
    )


@dataclass
class Ligne:
    """One learner of the grid, as plain values (no model instance per row)."""

    apprenant_id: int
    nom: str  # str(user)
    statut: str  # the badge ("apprenti", "apprentie", "apprenti(e)") or "" for a scolaire
    commentaire: str
    html: str = ""  # the row's markup, set by the view (evaluations.rendu_grille)


@dataclass
class Colonne:
    """One criterion of the grid."""

    pk: int
    code: str
    intitule: str
    competence_id: int
    indicateurs: list[str] = field(default_factory=list)


@dataclass
class GroupeCriteres:
    code: str
    intitule: str
    criteres: list[Colonne] = field(default_factory=list)


@dataclass
class Grille:
    evaluation: Evaluation
    groupes: list[GroupeCriteres]
    criteres: list[Colonne]
    lignes: list[Ligne]
    niveaux: dict[tuple[int, int], str]  # (apprenant, critère) → stored level
    # Markup set by the view (evaluations.rendu_grille.preparer): the rows, and the choices of
    # "Remplir une ligne ou une colonne".
    corps: str = ""
    options_apprenants: str = ""
    options_criteres: str = ""

    @property
    def nb_criteres(self) -> int:
        return len(self.criteres)


def commentaire(evaluation, apprenant) -> str:
    """The teacher's comment for one learner of the évaluation, as stored now."""
    texte = (
        Participant.objects.filter(evaluation=evaluation, apprenant=apprenant)
        .values_list("commentaire", flat=True)
        .first()
    )
    return texte or ""


@cache
def _sql_grille() -> dict[str, str]:
    """The grid's four queries. Raw SQL: the ORM's compilation of these four cost as much CPU
    as building the 700 cells (bench/README.md, issue 14). Table names only are formatted in
    (from the models); every value is a parameter; `{apprenant}` takes the one-learner filter
    of a learner's own grid."""
    ec = t(Evaluation.criteres.through)
    return {
        "participants": (
            "SELECT p.apprenant_id, p.commentaire, ap.statut, ap.sexe, "  # noqa: S608
            "u.last_name, u.first_name, u.username "
            f"FROM {t(Participant)} p JOIN {t(Apprenant)} ap ON ap.id = p.apprenant_id "
            f"JOIN {t(Membership)} m ON m.id = ap.membership_id "
            f"JOIN {t(User)} u ON u.id = m.user_id "
            "WHERE p.evaluation_id = %s{apprenant}"
        ),
        # The diploma's criteria, then the transversal ones; by group, competence, criterion.
        "criteres": (
            "SELECT cr.id, cr.code, cr.intitule, cr.competence_id, co.code, co.intitule "  # noqa: S608
            f"FROM {ec} ec JOIN {t(Critere)} cr ON cr.id = ec.critere_id "
            f"JOIN {t(Competence)} co ON co.id = cr.competence_id "
            f"JOIN {t(Diplome)} d ON d.id = co.diplome_id "
            f"JOIN {t(GroupeCompetences)} g ON g.id = co.groupe_id "
            "WHERE ec.evaluation_id = %s "
            "ORDER BY d.nature, g.ordre, co.ordre, co.code, cr.ordre, cr.code"
        ),
        "indicateurs": (
            f"SELECT i.critere_id, i.intitule FROM {t(Indicateur)} i "  # noqa: S608
            f"WHERE i.critere_id IN (SELECT ec.critere_id FROM {ec} ec "
            "WHERE ec.evaluation_id = %s) ORDER BY i.ordre, i.code"
        ),
        "resultats": (
            f"SELECT r.apprenant_id, r.critere_id, r.niveau FROM {t(Resultat)} r "  # noqa: S608
            "WHERE r.evaluation_id = %s{apprenant}"
        ),
    }


def grille(evaluation, *, apprenant=None) -> Grille:
    """The grid of an évaluation: learners (sorted by name) × criteria grouped by competence.
    With `apprenant`, only that learner's row. Queries: 4, whatever the size; rows read as
    plain values (a 35 × 20 grid built ~450 model instances)."""
    sql = _sql_grille()
    un = ""
    parametres = [evaluation.pk]
    if apprenant is not None:
        un = " AND {}.apprenant_id = %s"
        parametres.append(apprenant.pk)
    with connection.cursor() as cur:
        cur.execute(sql["participants"].format(apprenant=un.format("p")), parametres)
        rangs = cur.fetchall()
        cur.execute(sql["criteres"], [evaluation.pk])
        criteres = cur.fetchall()
        indicateurs = []
        if criteres:
            cur.execute(sql["indicateurs"], [evaluation.pk])
            indicateurs = cur.fetchall()
        cur.execute(sql["resultats"].format(apprenant=un.format("r")), parametres)
        niveaux = {(a, c): n for a, c, n in cur.fetchall()}
    lignes = []
    for a, commentaire, statut, sexe, last, first, username in rangs:
        badge = ""
        if statut == Statut.APPRENTI:
            badge = accorder_genre(sexe, str(_("apprenti")), str(_("apprentie")))
        nom = f"{last.upper()} {first}".strip() or username  # str(user)
        lignes.append(((last.lower(), first.lower(), a), Ligne(a, nom, badge, commentaire or "")))
    lignes = [ligne for _tri, ligne in sorted(lignes, key=lambda t: t[0])]
    colonnes = {}
    groupes: list[GroupeCriteres] = []
    for pk, code, intitule, competence, c_code, c_intitule in criteres:
        colonnes[pk] = colonne = Colonne(pk, code, intitule, competence)
        if not groupes or groupes[-1].criteres[-1].competence_id != competence:
            groupes.append(GroupeCriteres(c_code, c_intitule))
        groupes[-1].criteres.append(colonne)
    for critere_id, texte in indicateurs:
        colonnes[critere_id].indicateurs.append(texte)
    return Grille(evaluation, groupes, list(colonnes.values()), lignes, niveaux)


def resultats_apprenant(apprenant):
    """Every résultat of a learner in évaluations shown on their dashboard, by competence and
    criterion, then chronologically (the apprentice's positioning export)."""
    return (
        Resultat.objects.filter(
            apprenant=apprenant,
            evaluation__afficher_tableau_de_bord=True,
            evaluation__etablissement_id=apprenant.etablissement_id,
        )
        .select_related("evaluation", "critere__competence__groupe")
        .order_by(
            "critere__competence__groupe__ordre",
            "critere__competence__ordre",
            "critere__competence__code",
            "critere__ordre",
            "critere__code",
            "evaluation__date",
            "evaluation__pk",
        )
    )
