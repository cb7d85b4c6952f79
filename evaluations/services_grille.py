"""Entering the positioning grid: one cell, a whole row or column, the no-JS form, comments.

Every service validates everything before writing, runs in one transaction and records each
changed résultat in the audit log ("resultat.modifier", before/after level, learner and
criterion codes). The stored suggestion aggregates (evaluations.agregats) move by the same
changes, in the same transaction, from the levels actually replaced. A locked évaluation
(`verrouillee`, taken into account in a validated bilan) refuses every write with a French
message.

Who may write: the évaluation's author, one of its evaluating teachers, or a DDFPT of the
establishment (others → PermissionDenied, i.e. 403). The view also requires the
SAISIR_EVALUATIONS permission of the role.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cpro.audit import journaliser
from cpro.erreurs import Interdit, Verrouille
from cpro.maitrise import Maitrise
from cpro.models import AuditLog, Etablissement, Membership, Role
from cpro.sql import table as nom_table
from evaluations import agregats, queries_grille
from evaluations.models import Evaluation, Participant, Resultat
from evaluations.services import MESSAGE_VERROUILLEE

ACTION = "resultat.modifier"
COMMENTAIRE_MAX = 1000
VIDES = "vides"
TOUS = "tous"

MESSAGE_NIVEAU = "Niveau inconnu : choisissez NE, 1, 2, 3, 4 ou laissez la case vide."
MESSAGE_PARTICIPANT = "Cet apprenant ne participe pas à cette évaluation."
MESSAGE_CRITERE = "Ce critère n'est pas évalué dans cette évaluation."
MESSAGE_REDACTEUR = "Seuls l'auteur, les enseignants évaluateurs et le DDFPT saisissent."
MESSAGE_CONCURRENCE = "D'autres saisies modifient ces cases en ce moment : réessayez."


@dataclass(frozen=True)
class Changement:
    """One cell to write: niveau "" clears the cell (no résultat), "NE" is « non évalué »."""

    apprenant_id: int
    critere_id: int
    niveau: str


def normaliser_niveau(niveau) -> str:
    """ "" (clear) or a Maitrise value; anything else → ValidationError in French."""
    niveau = "" if niveau is None else str(niveau).strip().upper()
    if niveau and niveau not in Maitrise.values:
        raise ValidationError(MESSAGE_NIVEAU, code="niveau")
    return niveau


def _etat(evaluation, par) -> dict:
    """One query: the lock flag (fresh) and who `par` is for this évaluation (a single cell
    reads these with the rest: queries_grille.cible)."""
    annotations = {
        "est_enseignant": Exists(
            Evaluation.enseignants.through.objects.filter(
                evaluation_id=OuterRef("pk"), user_id=par.pk
            )
        ),
        "est_ddfpt": Exists(
            Membership.objects.filter(
                user_id=par.pk,
                etablissement_id=OuterRef("etablissement_id"),
                role=Role.DDFPT,
                active=True,
            )
        ),
    }
    # Date, nature and display flag read fresh with the lock: the stored suggestion
    # aggregates are updated from them.
    return (
        Evaluation.objects.filter(pk=evaluation.pk)
        .annotate(**annotations)
        .values(
            "verrouillee",
            "auteur_id",
            "date",
            "nature",
            "afficher_tableau_de_bord",
            "etablissement_id",
            *annotations,
        )
        .get()
    )


def _exiger_redacteur(etat: dict, par) -> None:
    # The rule of SAISIR_EVALUATIONS (evaluations.regles.modifier), read in the same query as
    # the fresh lock flag so that a cell autosave costs one read.
    if etat["verrouillee"]:
        raise Verrouille(MESSAGE_VERROUILLEE)
    if not (etat["auteur_id"] == par.pk or etat["est_enseignant"] or etat["est_ddfpt"]):
        raise Interdit(MESSAGE_REDACTEUR)


def _audit_dicts(apprenant, critere, ancien, nouveau) -> tuple[dict, dict]:
    # Codes only (no name lookups): the entry must not cost queries of its own.
    cible = {"apprenant": apprenant.pk, "ine": apprenant.ine, "critere": critere.code}
    return {**cible, "niveau": ancien or None}, {**cible, "niveau": nouveau or None}


def _etablissement(evaluation):
    if Evaluation.etablissement.is_cached(evaluation):
        return evaluation.etablissement
    return Etablissement(pk=evaluation.etablissement_id)


def _ecrire_si(evaluation_id, apprenant_id, critere_id, ancien, nouveau, par) -> bool:
    """Write the cell only if it still holds `ancien` (compare-and-set, one statement): the
    stored suggestion aggregates are moved from `ancien` to `nouveau`, so a cell changed by a
    concurrent save since it was read must not be overwritten blindly. Returns whether it was
    written.

    Empty → level: INSERT … ON CONFLICT DO NOTHING (0 rows when a concurrent save created the
    cell); level → level: UPDATE … WHERE niveau = old; level → empty: DELETE … WHERE niveau =
    old. Not an unconditional INSERT … ON CONFLICT DO UPDATE: on a cell deleted meanwhile it
    would insert while the aggregates subtract the old level a second time, and SQLite cannot
    say whether an upsert inserted or updated (PostgreSQL's `xmax = 0` is not portable)."""
    table = nom_table(Resultat)
    cle = [evaluation_id, apprenant_id, critere_id]
    # Only the quoted table name is formatted in; every value is a parameter.
    if ancien is None:
        sql = (
            f"INSERT INTO {table} (evaluation_id, apprenant_id, critere_id, niveau, "  # noqa: S608
            "modifie_par_id, modifie_le) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (evaluation_id, apprenant_id, critere_id) DO NOTHING"
        )
        parametres = [*cle, nouveau, par.pk, _maintenant()]
    elif nouveau is None:
        sql = (
            f"DELETE FROM {table} WHERE evaluation_id = %s AND apprenant_id = %s "  # noqa: S608
            "AND critere_id = %s AND niveau = %s"
        )
        parametres = [*cle, ancien]
    else:
        sql = (
            f"UPDATE {table} SET niveau = %s, modifie_par_id = %s, modifie_le = %s "  # noqa: S608
            "WHERE evaluation_id = %s AND apprenant_id = %s AND critere_id = %s AND niveau = %s"
        )
        parametres = [nouveau, par.pk, _maintenant(), *cle, ancien]
    with connection.cursor() as cur:
        cur.execute(sql, parametres)
        return cur.rowcount == 1


def _maintenant():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def saisir_resultat(
    evaluation, apprenant, critere, niveau, *, par
) -> tuple[str | None, str | None]:
    """Set one cell of the grid from objects (see `saisir_cible`); returns (old level, new
    level), None meaning empty. A learner of another establishment or a criterion of another
    référentiel is refused like a non-participant / a criterion not graded."""
    niveau = normaliser_niveau(niveau)
    cible = queries_grille.cible(
        etablissement_id=evaluation.etablissement_id,
        diplome_id=evaluation.diplome_id,
        evaluation_id=evaluation.pk,
        apprenant_id=apprenant.pk,
        critere_id=critere.pk,
        user_id=par.pk,
    )
    if cible is None:
        raise Evaluation.DoesNotExist
    return saisir_cible(cible, niveau, par=par)


def saisir_cible(cible, niveau, *, par) -> tuple[str | None, str | None]:
    """Set one cell of the grid read by `queries_grille.cible_saisie` (one query: the checks,
    the old level, the évaluation's date/nature/flag); returns (old level, new level), None
    meaning empty.

    Validates: the level (NE, 1..4 or "" to clear), the évaluation is not locked, `par` may
    write (else PermissionDenied), the learner takes part, the criterion is one of the
    évaluation's. Writes: that cell only, by compare-and-set on the level read with the checks
    (`_ecrire_si`), so two teachers saving the same cell at once never fail (the last one
    wins: a save that finds the cell changed re-reads it and writes again); the stored
    suggestion aggregates (evaluations.agregats: one upsert adding the difference), in the same
    transaction. Audit: "resultat.modifier" when the level changed (before = the level
    actually replaced). Queries after the read: 3 (the write, the aggregates' upsert, the
    audit entry); 2 more per concurrent change met.
    """
    niveau = normaliser_niveau(niveau)
    if cible.verrouillee:
        raise Verrouille(MESSAGE_VERROUILLEE)
    # The rule of SAISIR_EVALUATIONS (evaluations.regles.modifier), read in the same query as
    # the fresh lock flag so that a cell autosave costs one read.
    if not (cible.auteur_id == par.pk or cible.est_enseignant or cible.est_ddfpt):
        raise Interdit(MESSAGE_REDACTEUR)
    if cible.apprenant_id is None or not cible.est_participant:
        raise ValidationError(MESSAGE_PARTICIPANT, code="participant")
    if cible.critere_id is None or not cible.critere_ok:
        raise ValidationError(MESSAGE_CRITERE, code="critere")
    ancien, nouveau = cible.ancien, niveau or None
    if ancien == nouveau:
        return ancien, nouveau
    cellule = (cible.evaluation_id, cible.apprenant_id, cible.critere_id)
    # Write + aggregates + audit together. No savepoint (two fewer round trips): nothing in
    # this block raises but the database itself, and then the caller's transaction is lost.
    with transaction.atomic(savepoint=False):
        while not _ecrire_si(*cellule, ancien, nouveau, par):
            # A concurrent save changed the cell since it was read: read it again.
            ancien = (
                Resultat.objects.filter(
                    evaluation_id=cible.evaluation_id,
                    apprenant_id=cible.apprenant_id,
                    critere_id=cible.critere_id,
                )
                .values_list("niveau", flat=True)
                .first()
            )
            if ancien == nouveau:
                return ancien, nouveau
        agregats.appliquer(
            agregats.deltas_cellule(
                apprenant_id=cible.apprenant_id,
                competence_id=cible.competence_id,
                date=cible.date,
                nature=cible.nature,
                afficher=cible.afficher_tableau_de_bord,
                ancien=ancien,
                nouveau=nouveau,
                meme_etablissement=cible.apprenant_etablissement_id == cible.etablissement_id,
            )
        )
        # Codes only (no name lookups): the entry must not cost queries of its own.
        cle = {"apprenant": cible.apprenant_id, "ine": cible.ine, "critere": cible.code}
        journaliser(
            ACTION,
            par=par,
            etablissement=Etablissement(pk=cible.etablissement_id),
            objet=Evaluation(pk=cible.evaluation_id, titre=cible.titre),
            avant={**cle, "niveau": ancien or None},
            apres={**cle, "niveau": nouveau or None},
        )
    return ancien, nouveau


def _appliquer(evaluation, changements: list[Changement], *, par) -> int:
    """Validate then write many cells (caller holds the transaction). Returns the number of
    cells actually changed. The levels replaced are the ones actually stored (existing cells
    locked, new ones inserted only if still absent), so the suggestion aggregates move
    exactly even when teachers write the same cells at once. Queries: constant (state,
    participants, criteria, old values locked, one insert of the new cells, one upsert, one
    delete, the aggregates' upsert, one audit bulk insert; 2 more per concurrent creation
    met)."""
    etat = _etat(evaluation, par)
    _exiger_redacteur(etat, par)
    participants = {
        p.apprenant_id: p.apprenant
        for p in Participant.objects.filter(evaluation=evaluation).select_related(
            "apprenant__membership__user"
        )
    }
    criteres = {c.pk: c for c in evaluation.criteres.select_related("competence")}
    for ch in changements:
        if ch.apprenant_id not in participants:
            raise ValidationError(MESSAGE_PARTICIPANT, code="participant")
        if ch.critere_id not in criteres:
            raise ValidationError(MESSAGE_CRITERE, code="critere")
    # Each cell once (the first change given wins), then its stored level, locked: the
    # aggregates move from these levels, no concurrent save may change them now.
    cibles: dict[tuple[int, int], str | None] = {}
    for ch in changements:
        cibles.setdefault((ch.apprenant_id, ch.critere_id), ch.niveau or None)
    anciens = _verrouiller(evaluation, cibles)
    # New cells: INSERT … ON CONFLICT DO NOTHING; a cell a concurrent save created meanwhile
    # is not inserted: it is read (locked) again and updated like the others.
    inseres: set[tuple[int, int]] = set()
    a_inserer = [cle for cle, n in cibles.items() if n and cle not in anciens]
    for _essai in range(5):
        if not a_inserer:
            break
        inseres |= _inserer_absents(evaluation, a_inserer, cibles, par)
        manquants = [cle for cle in a_inserer if cle not in inseres]
        relus = _verrouiller(evaluation, dict.fromkeys(manquants)) if manquants else {}
        anciens.update(relus)
        a_inserer = [cle for cle in manquants if cle not in relus]
    else:
        if a_inserer:
            raise ValidationError(MESSAGE_CONCURRENCE, code="concurrence")

    a_ecrire, a_effacer, journal, deltas = [], [], [], []
    for cle, nouveau in cibles.items():
        apprenant_id, critere_id = cle
        ancien = None if cle in inseres else (anciens.get(cle, (None, None))[1] or None)
        if ancien == nouveau:
            continue
        critere = criteres[critere_id]
        deltas += agregats.deltas_cellule(
            apprenant_id=apprenant_id,
            competence_id=critere.competence_id,
            date=etat["date"],
            nature=etat["nature"],
            afficher=etat["afficher_tableau_de_bord"],
            ancien=ancien,
            nouveau=nouveau,
            meme_etablissement=(
                participants[apprenant_id].etablissement_id == etat["etablissement_id"]
            ),
        )
        if cle in inseres:
            pass
        elif nouveau:
            a_ecrire.append(
                Resultat(
                    evaluation_id=evaluation.pk,
                    apprenant_id=apprenant_id,
                    critere_id=critere_id,
                    niveau=nouveau,
                    modifie_par_id=par.pk,
                )
            )
        else:
            a_effacer.append(anciens[cle][0])
        avant, apres = _audit_dicts(participants[apprenant_id], critere, ancien, nouveau)
        journal.append(
            AuditLog(
                etablissement_id=evaluation.etablissement_id,
                acteur_id=par.pk,
                action=ACTION,
                objet_type=evaluation._meta.label,
                objet_id=str(evaluation.pk),
                objet_repr=str(evaluation)[:255],
                avant=avant,
                apres=apres,
            )
        )
    if a_ecrire:
        # Existing rows, locked above: an upsert that always updates.
        Resultat.objects.bulk_create(
            a_ecrire,
            update_conflicts=True,
            unique_fields=["evaluation", "apprenant", "critere"],
            update_fields=["niveau", "modifie_par", "modifie_le"],
        )
    if a_effacer:
        Resultat.objects.filter(pk__in=a_effacer).delete()
    agregats.appliquer(deltas)
    # Same fields as cpro.audit.journaliser, in one insert.
    AuditLog.objects.bulk_create(journal)
    return len(journal)


def _verrouiller(evaluation, cles) -> dict[tuple[int, int], tuple[int, str]]:
    """(apprenant, critère) → (pk, level) of the stored cells among `cles`, rows locked until
    the transaction ends (1 query)."""
    voulues = set(cles)
    if not voulues:
        return {}
    qs = (
        Resultat.objects.select_for_update()
        .filter(
            evaluation=evaluation,
            apprenant_id__in={a for a, _c in voulues},
            critere_id__in={c for _a, c in voulues},
        )
        .values_list("apprenant_id", "critere_id", "pk", "niveau")
    )
    return {(a, c): (pk, n) for a, c, pk, n in qs if (a, c) in voulues}


def _inserer_absents(evaluation, cles, cibles, par) -> set[tuple[int, int]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the cells actually created (one statement per
    150 cells; PostgreSQL and SQLite ≥ 3.35)."""
    table = nom_table(Resultat)
    maintenant = connection.ops.adapt_datetimefield_value(timezone.now())
    crees = set()
    with connection.cursor() as cur:
        for i in range(0, len(cles), 150):
            lot = cles[i : i + 150]
            valeurs = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(lot))
            parametres = []
            for a, c in lot:
                parametres += [evaluation.pk, a, c, cibles[(a, c)], par.pk, maintenant]
            cur.execute(
                f"INSERT INTO {table} (evaluation_id, apprenant_id, critere_id, niveau, "  # noqa: S608
                f"modifie_par_id, modifie_le) VALUES {valeurs} "
                "ON CONFLICT (evaluation_id, apprenant_id, critere_id) DO NOTHING "
                "RETURNING apprenant_id, critere_id",
                parametres,
            )
            crees |= {(a, c) for a, c in cur.fetchall()}
    return crees


def remplir(evaluation, niveau, *, par, apprenant=None, critere=None, mode: str = VIDES) -> int:
    """Fill a whole row (one learner, every criterion) or a whole column (one criterion, every
    learner) with `niveau`; mode "vides" (default) only fills empty cells, "tous" overwrites.

    Exactly one of `apprenant` / `critere`. Validates as `saisir_resultat`; writes and audits
    every changed cell in one transaction. Returns the number of cells changed.
    """
    niveau = normaliser_niveau(niveau)
    if (apprenant is None) == (critere is None):
        raise ValidationError("Choisissez soit un apprenant (ligne), soit un critère (colonne).")
    if mode not in (VIDES, TOUS):
        raise ValidationError("Mode de remplissage inconnu.")
    with transaction.atomic():
        if apprenant is not None:
            if not Participant.objects.filter(evaluation=evaluation, apprenant=apprenant).exists():
                raise ValidationError(MESSAGE_PARTICIPANT, code="participant")
            cellules = [(apprenant.pk, c) for c in evaluation.criteres.values_list("pk", flat=True)]
        else:
            if not evaluation.criteres.filter(pk=critere.pk).exists():
                raise ValidationError(MESSAGE_CRITERE, code="critere")
            cellules = [
                (a, critere.pk)
                for a in Participant.objects.filter(evaluation=evaluation).values_list(
                    "apprenant_id", flat=True
                )
            ]
        if mode == VIDES:
            remplies = set(
                Resultat.objects.filter(evaluation=evaluation)
                .filter(**({"apprenant": apprenant} if apprenant else {"critere": critere}))
                .values_list("apprenant_id", "critere_id")
            )
            cellules = [c for c in cellules if c not in remplies]
        return _appliquer(evaluation, [Changement(a, c, niveau) for a, c in cellules], par=par)


def enregistrer_grille(
    evaluation, changements: list[Changement], *, par, commentaires: dict | None = None
) -> int:
    """Save the no-JS grid form: only the cells the user CHANGED (the form carries each cell's
    original value, the view keeps cells whose submitted value differs), so two teachers
    entering at the same time never overwrite each other's cells.

    `commentaires`: {apprenant_id: text} of changed comments. Atomic; everything (levels,
    learners, criteria, comment lengths, lock, writer) is validated before any write.
    Returns the number of cells and comments changed.
    """
    changements = [
        Changement(ch.apprenant_id, ch.critere_id, normaliser_niveau(ch.niveau))
        for ch in changements
    ]
    commentaires = {k: (v or "").strip() for k, v in (commentaires or {}).items()}
    for texte in commentaires.values():
        _valider_commentaire(texte)
    with transaction.atomic():
        n = _appliquer(evaluation, changements, par=par)
        for apprenant_id, texte in commentaires.items():
            n += _commenter(evaluation, apprenant_id, texte, par=par)
        return n


def _valider_commentaire(texte: str) -> None:
    if len(texte) > COMMENTAIRE_MAX:
        raise ValidationError(
            f"Le commentaire dépasse {COMMENTAIRE_MAX} caractères ({len(texte)}).",
            code="commentaire",
        )


def _commenter(evaluation, apprenant_id, texte, *, par) -> int:
    participant = (
        Participant.objects.select_for_update()
        .filter(evaluation=evaluation, apprenant_id=apprenant_id)
        .first()
    )
    if participant is None:
        raise ValidationError(MESSAGE_PARTICIPANT, code="participant")
    if participant.commentaire == texte:
        return 0
    avant = participant.commentaire
    participant.commentaire = texte
    participant.save(update_fields=["commentaire"])
    journaliser(
        "participant.commenter",
        par=par,
        etablissement=_etablissement(evaluation),
        objet=evaluation,
        avant={"apprenant": apprenant_id, "commentaire": avant},
        apres={"apprenant": apprenant_id, "commentaire": texte},
    )
    return 1


def commenter(evaluation, apprenant, texte, *, par) -> str:
    """Set the teacher's comment for one learner (≤ 1000 characters, blank clears it).

    Validates length, participation, lock and writer before writing. Writes the Participant
    row; audit "participant.commenter" when it changed. Returns the saved text.
    """
    texte = (texte or "").strip()
    _valider_commentaire(texte)
    with transaction.atomic():
        _exiger_redacteur(_etat(evaluation, par), par)
        _commenter(evaluation, apprenant.pk, texte, par=par)
    return texte
