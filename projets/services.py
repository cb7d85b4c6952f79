"""What changes a projet (chef-d'œuvre). Every function checks its actor (`par`, a user) through
the membership of the projet's establishment, validates everything before writing, raises
ValidationError (a dict by field, French messages) or `Interdit`, and writes in one transaction.

Rules:
- a projet has a title (≤ TITRE_MAX), at least one division of its establishment, a team of 1 to
  EQUIPE_MAX learners of those divisions, at least one teacher (enseignant or DDFPT of the
  establishment) and 1 to ETAPES_MAX dated stages (end ≥ start);
- the carnet de bord is written by the learner himself (MON_PROJET, his own projet only):
  text ≤ TEXTE_MAX, at most ENTREES_MAX entries per learner and projet, an optional file
  (same checks as the fiches' resources: scenarios.fiche.verifier_fichier) or http(s) link;
- comments and the year's assessment are written by a teacher (GERER_PROJETS): comment
  ≤ COMMENTAIRE_MAX; appréciation ≤ APPRECIATION_MAX (300, the LSL section's limit), note from
  0 to 20 with at most two decimals, decimal comma accepted (bilans' normaliser_note, the one
  the livret uses).

- a projet is changed (title, description, divisions, team, teachers, stages) by its teachers
  or the DDFPT (`regles.encadre`) under the creation's rules; the stages follow each other in
  time (a stage never starts before the previous one, two stages never share the same dates);
  a learner who already has carnet entries, comments or an assessment in the projet cannot be
  removed from its team (refused with what to do: see `modifier_projet`);
- an archived projet is read only (no change, no carnet entry, comment or assessment) until it
  is restored; a projet holding learners' data cannot be deleted, only archived.

Audit entries: projets.creer, projets.modifier (before/after of what changed), projets.archiver,
projets.desarchiver, projets.supprimer, projets.evaluation.enregistrer (before/after) and
projets.evaluation.valider.
"""

import datetime
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bilans.services_bilans import normaliser_note
from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit
from cpro.models import AnneeScolaire, Membership, Role
from cpro.ressources import valider_lien
from projets import regles
from projets.models import (
    APPRECIATION_MAX,
    CommentaireProjet,
    EntreeCarnet,
    Etape,
    EvaluationAnnuelle,
    Projet,
)
from scenarios.fiche import TYPES_AUTORISES, nom_stocke, verifier_fichier

TITRE_MAX = 200
DESCRIPTION_MAX = 5000
EQUIPE_MAX = 30
ETAPES_MAX = 10
ETAPE_TITRE_MAX = 120
LIVRABLES_MAX = 2000
TEXTE_MAX = 5000
ENTREES_MAX = 200
COMMENTAIRE_MAX = 2000

ETAPES_TYPES = ("Démarrage", "Réalisation", "Finalisation", "Présentation")


def _exiger(par, etablissement_id: int, permission: str, objet=None) -> Membership:
    membership = perms.membership_de(par, etablissement_id)
    if not perms.peut(membership, permission, objet):
        raise Interdit("Vous n'avez pas le droit de faire cela sur ce projet.")
    return membership


def _texte(erreurs: dict, champ: str, libelle: str, texte, maximum: int, requis=False) -> str:
    texte = (texte or "").strip().replace("\r\n", "\n")
    if requis and not texte:
        erreurs[champ] = f"{libelle} est obligatoire."
    elif len(texte) > maximum:
        erreurs[champ] = (
            f"{libelle} ne peut pas dépasser {maximum} caractères ({len(texte)} saisis)."
        )
    return texte


# --- projet ---------------------------------------------------------------------------------


def _verifier_projet(
    erreurs: dict, etablissement, *, titre, description, divisions, apprenants, enseignants
) -> dict:
    """The creation's and the change's common checks; returns the cleaned values."""
    titre = _texte(erreurs, "titre", "Le titre", titre, TITRE_MAX, requis=True)
    description = _texte(erreurs, "description", "La description", description, DESCRIPTION_MAX)
    divisions = list(divisions)
    apprenants = list(apprenants)
    enseignants = list(enseignants)
    if not divisions:
        erreurs["divisions"] = "Choisissez au moins une division."
    elif any(d.etablissement_id != etablissement.pk for d in divisions):
        erreurs["divisions"] = "Cette division n'appartient pas à votre établissement."
    ids_divisions = {d.pk for d in divisions}
    if not apprenants:
        erreurs["apprenants"] = "Choisissez au moins un apprenant (projet individuel ou collectif)."
    elif len(apprenants) > EQUIPE_MAX:
        erreurs["apprenants"] = f"Une équipe compte au plus {EQUIPE_MAX} apprenants."
    elif any(
        a.etablissement_id != etablissement.pk or a.division_id not in ids_divisions
        for a in apprenants
    ):
        erreurs["apprenants"] = "Chaque apprenant doit appartenir à l'une des divisions choisies."
    if not enseignants:
        erreurs["enseignants"] = "Choisissez au moins un enseignant."
    else:
        autorises = set(
            Membership.objects.filter(
                etablissement=etablissement,
                active=True,
                role__in=(Role.ENSEIGNANT, Role.DDFPT),
                user__in=enseignants,
            ).values_list("user_id", flat=True)
        )
        if any(u.pk not in autorises for u in enseignants):
            erreurs["enseignants"] = "Chaque enseignant doit être un enseignant de l'établissement."
    return {
        "titre": titre,
        "description": description,
        "divisions": divisions,
        "apprenants": apprenants,
        "enseignants": enseignants,
    }


def _etape_libelle(e) -> str:
    return f"{e['titre']} ({e['date_debut']:%d/%m/%Y}–{e['date_fin']:%d/%m/%Y})"


def creer_projet(
    etablissement,
    *,
    par,
    titre: str,
    description: str = "",
    divisions,
    apprenants,
    enseignants,
    etapes: list[dict],
    annee: AnneeScolaire | None = None,
) -> Projet:
    """Create a projet with its divisions, team, teachers and stages (`etapes`: dicts with
    titre, date_debut, date_fin, livrables). Checks GERER_PROJETS and the rules of the module
    docstring, all errors at once; writes the projet, its relations and stages atomically, and
    an audit entry « projets.creer »."""
    _exiger(par, etablissement.pk, perms.GERER_PROJETS)
    annee = annee or AnneeScolaire.courante()
    erreurs: dict = {}
    v = _verifier_projet(
        erreurs,
        etablissement,
        titre=titre,
        description=description,
        divisions=divisions,
        apprenants=apprenants,
        enseignants=enseignants,
    )
    lignes = _verifier_etapes(erreurs, etapes)
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        projet = Projet.objects.create(
            etablissement=etablissement,
            annee=annee,
            titre=v["titre"],
            description=v["description"],
            cree_par=par,
        )
        projet.divisions.set(v["divisions"])
        projet.apprenants.set(v["apprenants"])
        projet.enseignants.set(v["enseignants"])
        Etape.objects.bulk_create(
            Etape(projet=projet, **{cle: val for cle, val in ligne.items() if cle != "id"})
            for ligne in lignes
        )
        journaliser(
            "projets.creer",
            par=par,
            etablissement=etablissement,
            objet=projet,
            apres={
                "titre": v["titre"],
                "divisions": sorted(d.nom for d in v["divisions"]),
                "apprenants": sorted(a.membership.user.nom_complet for a in v["apprenants"]),
                "etapes": [_etape_libelle(e) for e in lignes],
            },
        )
    return projet


def _exiger_encadrant(par, projet: Projet) -> Membership:
    """GERER_PROJETS and one of the projet's teachers or the DDFPT (regles.encadre)."""
    membership = _exiger(par, projet.etablissement_id, perms.GERER_PROJETS)
    if not regles.encadre(membership, projet):
        raise Interdit(
            "Seuls les enseignants de l'équipe pédagogique du projet et le DDFPT peuvent le "
            "modifier, l'archiver ou le supprimer."
        )
    return membership


def _exiger_actif(projet: Projet) -> None:
    if projet.archive:
        raise ValidationError(
            "Ce projet est archivé : il est en lecture seule. Désarchivez-le pour le modifier.",
            code="archive",
        )


def _etat(projet: Projet) -> dict:
    """What the audit entry of a change compares (names, not ids: readable after a move)."""
    return {
        "titre": projet.titre,
        "description": projet.description,
        "divisions": sorted(d.nom for d in projet.divisions.all()),
        "apprenants": sorted(a.membership.user.nom_complet for a in projet.apprenants.all()),
        "enseignants": sorted(u.nom_complet for u in projet.enseignants.all()),
        "etapes": [
            _etape_libelle(vars(e)) + (f" — {e.livrables}" if e.livrables else "")
            for e in projet.etapes.all()
        ],
    }


def donnees_apprenants(projet: Projet, apprenants=None) -> dict[int, dict]:
    """{learner id: {"entrees": n, "commentaires": n, "evaluations": n}} for the learners of
    the projet (or of `apprenants`) who have data in it — three counting queries."""
    compte: dict[int, dict] = {}
    for cle, modele in (
        ("entrees", EntreeCarnet),
        ("commentaires", CommentaireProjet),
        ("evaluations", EvaluationAnnuelle),
    ):
        qs = modele.objects.filter(projet=projet)
        if apprenants is not None:
            qs = qs.filter(apprenant__in=apprenants)
        for r in qs.values("apprenant_id").annotate(n=Count("pk")):
            compte.setdefault(
                r["apprenant_id"], {"entrees": 0, "commentaires": 0, "evaluations": 0}
            )[cle] = r["n"]
    return compte


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{n} {singulier if n == 1 else pluriel}"


def _refus_retrait(apprenant, donnees: dict) -> str:
    parts = []
    if donnees["entrees"]:
        parts.append(
            _pluriel(donnees["entrees"], "entrée de carnet de bord", "entrées de carnet de bord")
        )
    if donnees["commentaires"]:
        parts.append(_pluriel(donnees["commentaires"], "commentaire", "commentaires"))
    if donnees["evaluations"]:
        parts.append(
            _pluriel(donnees["evaluations"], "évaluation annuelle", "évaluations annuelles")
        )
    return (
        f"{apprenant.membership.user.nom_complet} ne peut pas être retiré de l'équipe : son "
        f"dossier dans ce projet contient {', '.join(parts)}. Ce dossier fait partie de son "
        "suivi (et de son livret scolaire) : laissez-le dans l'équipe — s'il a quitté la "
        "division, son dossier reste consultable — ou archivez le projet quand il est terminé."
    )


def modifier_projet(
    projet: Projet,
    *,
    par,
    titre: str,
    description: str = "",
    divisions,
    apprenants,
    enseignants,
    etapes: list[dict],
) -> Projet:
    """Change a projet after its creation: title, description, divisions, team, teachers and
    stages (`etapes`: dicts with an optional `id` of a stage of this projet — absent for a new
    stage — titre, date_debut, date_fin, livrables and `supprimer`). Only its teachers or the
    DDFPT, never an archived projet. Same checks as the creation, all errors at once; a learner
    with data in the projet (carnet, comments, assessment) is not removed: refused, since his
    record would become unreachable while its validated assessment still feeds the livret.
    Writes the projet, its relations and stages (kept stages updated in place, removed ones
    deleted, new ones created) in one transaction, with an audit entry « projets.modifier »
    holding what changed, before and after; nothing changed → nothing written."""
    _exiger_encadrant(par, projet)
    _exiger_actif(projet)
    erreurs: dict = {}
    v = _verifier_projet(
        erreurs,
        projet.etablissement,
        titre=titre,
        description=description,
        divisions=divisions,
        apprenants=apprenants,
        enseignants=enseignants,
    )
    existantes = {e.pk: e for e in projet.etapes.all()}
    gardees, vues = [], set()
    for etape in etapes or []:
        ident = etape.get("id")
        if ident is not None and (ident not in existantes or ident in vues):
            erreurs["etapes"] = "Une des étapes n'appartient pas à ce projet : rechargez la page."
            continue
        vues.add(ident)
        if not etape.get("supprimer"):
            gardees.append(etape)
    lignes = _verifier_etapes(erreurs, gardees)
    if "apprenants" not in erreurs:
        retires = [a for a in projet.apprenants.all() if a not in set(v["apprenants"])]
        donnees = donnees_apprenants(projet, retires) if retires else {}
        refus = [_refus_retrait(a, donnees[a.pk]) for a in retires if a.pk in donnees]
        if refus:
            erreurs["apprenants"] = refus
    if erreurs:
        raise ValidationError(erreurs)
    avant = _etat(projet)
    with transaction.atomic():
        projet = Projet.objects.select_for_update().get(pk=projet.pk)
        _exiger_actif(projet)
        projet.titre, projet.description = v["titre"], v["description"]
        projet.save(update_fields=["titre", "description"])
        projet.divisions.set(v["divisions"])
        projet.apprenants.set(v["apprenants"])
        projet.enseignants.set(v["enseignants"])
        ids_gardes = {ligne["id"] for ligne in lignes if ligne.get("id") is not None}
        Etape.objects.filter(projet=projet).exclude(pk__in=ids_gardes).delete()
        for ligne in lignes:
            ident = ligne.pop("id", None)
            if ident is None:
                Etape.objects.create(projet=projet, **ligne)
            else:
                Etape.objects.filter(pk=ident, projet=projet).update(**ligne)
        projet = Projet.objects.prefetch_related(
            "divisions", "apprenants__membership__user", "enseignants", "etapes"
        ).get(pk=projet.pk)
        apres = _etat(projet)
        changes = [k for k in apres if apres[k] != avant[k]]
        if changes:
            journaliser(
                "projets.modifier",
                par=par,
                etablissement=projet.etablissement,
                objet=projet,
                avant={k: avant[k] for k in changes},
                apres={k: apres[k] for k in changes},
            )
    return projet


def archiver_projet(projet: Projet, *, par, archive: bool = True) -> Projet:
    """Archive a projet (read only, out of the « Suivi de projet » page; records and
    assessments kept) or restore it (`archive=False`). Its teachers or the DDFPT; audit entry
    « projets.archiver » or « projets.desarchiver ». Already in that state → nothing written."""
    _exiger_encadrant(par, projet)
    with transaction.atomic():
        projet = Projet.objects.select_for_update().get(pk=projet.pk)
        if projet.archive == archive:
            return projet
        projet.archive = archive
        projet.archive_le = timezone.now() if archive else None
        projet.save(update_fields=["archive", "archive_le"])
        journaliser(
            "projets.archiver" if archive else "projets.desarchiver",
            par=par,
            etablissement=projet.etablissement,
            objet=projet,
            avant={"archive": not archive},
            apres={"archive": archive},
        )
    return projet


def supprimer_projet(projet: Projet, *, par) -> None:
    """Delete a projet created by mistake: its teachers or the DDFPT, and only while no learner
    has data in it (carnet entries, comments, assessments) — otherwise refused
    (ValidationError code « donnees »): archive it instead. Deletes the projet with its stages
    and writes an audit entry « projets.supprimer » holding its title, divisions and team."""
    _exiger_encadrant(par, projet)
    with transaction.atomic():
        projet = Projet.objects.select_for_update().get(pk=projet.pk)
        if donnees_apprenants(projet):
            raise ValidationError(
                "Ce projet ne peut pas être supprimé : des apprenants y ont déjà un carnet de "
                "bord, des commentaires ou une évaluation. Archivez-le : il quittera le suivi "
                "de projet et restera consultable en lecture seule.",
                code="donnees",
            )
        avant = _etat(projet)
        journaliser(
            "projets.supprimer",
            par=par,
            etablissement=projet.etablissement,
            objet=projet,
            avant=avant,
        )
        projet.delete()


def _verifier_etapes(erreurs: dict, etapes: list[dict]) -> list[dict]:
    lignes = []
    for i, etape in enumerate(etapes or [], start=1):
        titre = (etape.get("titre") or "").strip()
        debut, fin = etape.get("date_debut"), etape.get("date_fin")
        if not (titre or debut or fin):
            continue  # an empty row of the form
        if not titre or not isinstance(debut, datetime.date) or not isinstance(fin, datetime.date):
            erreurs["etapes"] = f"Étape {i} : indiquez son nom, sa date de début et sa date de fin."
            continue
        if len(titre) > ETAPE_TITRE_MAX:
            erreurs["etapes"] = f"Étape {i} : le nom dépasse {ETAPE_TITRE_MAX} caractères."
            continue
        if fin < debut:
            erreurs["etapes"] = f"Étape {i} : la date de fin précède la date de début."
            continue
        livrables = (etape.get("livrables") or "").strip()
        if len(livrables) > LIVRABLES_MAX:
            erreurs["etapes"] = f"Étape {i} : les livrables dépassent {LIVRABLES_MAX} caractères."
            continue
        if lignes and debut < lignes[-1]["date_debut"]:
            erreurs["etapes"] = (
                f"Étape {i} : elle commence avant l'étape précédente ; "
                "classez les étapes dans l'ordre chronologique."
            )
            continue
        if any(ligne["date_debut"] == debut and ligne["date_fin"] == fin for ligne in lignes):
            erreurs["etapes"] = f"Étape {i} : une autre étape a déjà exactement ces dates."
            continue
        lignes.append(
            {
                "id": etape.get("id"),
                "ordre": len(lignes) + 1,
                "titre": titre,
                "date_debut": debut,
                "date_fin": fin,
                "livrables": livrables,
            }
        )
    if not lignes and "etapes" not in erreurs:
        erreurs["etapes"] = "Indiquez au moins une étape datée."
    elif len(lignes) > ETAPES_MAX:
        erreurs["etapes"] = f"Un projet compte au plus {ETAPES_MAX} étapes."
    return lignes


# --- carnet de bord -------------------------------------------------------------------------


def ajouter_entree(
    projet: Projet, apprenant, *, par, date, texte: str, fichier=None, url: str = ""
) -> EntreeCarnet:
    """Add a dated entry to the learner's carnet de bord. Only the learner himself, in his own
    projet (MON_PROJET). The file is checked like the fiches' resources and stored privately
    under a random name (deleted again if the row is not saved). No audit entry: the carnet is
    the learner's own writing, dated and signed by its row."""
    membership = _exiger(par, projet.etablissement_id, perms.MON_PROJET)
    if (
        apprenant.membership_id != membership.pk
        or not projet.apprenants.filter(pk=apprenant.pk).exists()
    ):
        raise Interdit("Vous ne pouvez écrire que dans votre propre carnet de bord.")
    _exiger_actif(projet)
    erreurs: dict = {}
    texte = _texte(erreurs, "texte", "Le texte de l'entrée", texte, TEXTE_MAX, requis=True)
    if not isinstance(date, datetime.date):
        erreurs["date"] = "Indiquez la date de l'entrée."
    elif date > timezone.localdate():
        erreurs["date"] = "La date de l'entrée ne peut pas être dans le futur."
    url = (url or "").strip()
    if url:
        try:
            url = valider_lien(url)
        except ValidationError as exc:
            erreurs.update(exc.message_dict)
    extension = None
    if fichier is not None:
        try:
            extension = verifier_fichier(fichier)
        except ValidationError as exc:
            erreurs.update(exc.message_dict)
    if EntreeCarnet.objects.filter(projet=projet, apprenant=apprenant).count() >= ENTREES_MAX:
        erreurs["texte"] = f"Le carnet de bord compte déjà {ENTREES_MAX} entrées (le maximum)."
    if erreurs:
        raise ValidationError(erreurs)
    entree = EntreeCarnet(
        projet=projet, apprenant=apprenant, auteur=par, date=date, texte=texte, url=url
    )
    stocke = ""
    if fichier is not None:
        nom = os.path.basename(fichier.name)[:255]
        entree.nom_fichier = nom
        entree.content_type = TYPES_AUTORISES[extension]
        entree.taille = fichier.size
        entree.fichier.save(nom_stocke(nom), fichier, save=False)
        stocke = entree.fichier.name
    try:
        entree.save()
    except Exception:
        if stocke:
            entree.fichier.storage.delete(stocke)
        raise
    return entree


# --- teachers -------------------------------------------------------------------------------


def commenter(projet: Projet, apprenant, *, par, texte: str) -> CommentaireProjet:
    """A teacher's comment on the learner's work (GERER_PROJETS, learner of the team)."""
    _exiger(par, projet.etablissement_id, perms.GERER_PROJETS, projet)
    _exiger_equipe(projet, apprenant)
    _exiger_actif(projet)
    erreurs: dict = {}
    texte = _texte(erreurs, "texte", "Le commentaire", texte, COMMENTAIRE_MAX, requis=True)
    if erreurs:
        raise ValidationError(erreurs)
    return CommentaireProjet.objects.create(
        projet=projet, apprenant=apprenant, auteur=par, texte=texte
    )


def _exiger_equipe(projet: Projet, apprenant) -> None:
    if not projet.apprenants.filter(pk=apprenant.pk).exists():
        raise Interdit("Cet apprenant ne fait pas partie de l'équipe du projet.")


def _resume(evaluation: EvaluationAnnuelle | None) -> dict:
    if evaluation is None or evaluation.pk is None:
        return {}
    return {
        "appreciation": evaluation.appreciation,
        "note": str(evaluation.note) if evaluation.note is not None else "",
        "validee": evaluation.validee,
    }


def enregistrer_evaluation(
    projet: Projet,
    apprenant,
    *,
    par,
    appreciation: str,
    note,
    valider: bool = False,
    annee: AnneeScolaire | None = None,
) -> EvaluationAnnuelle:
    """Write the learner's assessment of the year (appréciation ≤ 300, note 0–20). `valider`
    marks it validated: the LSL saisie then shows it as « repris du suivi de projet ». A
    validated assessment may be corrected (it stays validated; the LSL page shows when the
    livret differs). Writes the row (locked) and an audit entry with before/after, plus
    « projets.evaluation.valider » the first time it is validated."""
    _exiger(par, projet.etablissement_id, perms.GERER_PROJETS, projet)
    _exiger_equipe(projet, apprenant)
    _exiger_actif(projet)
    annee = annee or AnneeScolaire.courante()
    erreurs: dict = {}
    appreciation = _texte(erreurs, "appreciation", "L'appréciation", appreciation, APPRECIATION_MAX)
    try:
        note = normaliser_note(note)
    except ValidationError as exc:
        erreurs.update(exc.message_dict)
    if valider and not appreciation:
        erreurs["appreciation"] = "Rédigez l'appréciation avant de valider l'évaluation."
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        evaluation, _cree = EvaluationAnnuelle.objects.select_for_update().get_or_create(
            projet=projet, apprenant=apprenant, annee=annee
        )
        avant = {} if _cree else _resume(evaluation)
        premiere_validation = valider and not evaluation.validee
        evaluation.appreciation = appreciation
        evaluation.note = note
        evaluation.modifiee_par = par
        if premiere_validation:
            evaluation.validee = True
            evaluation.validee_le = timezone.now()
        evaluation.save()
        apres = _resume(evaluation)
        if avant != apres:
            journaliser(
                "projets.evaluation.enregistrer",
                par=par,
                etablissement=projet.etablissement,
                objet=evaluation,
                avant=avant,
                apres=apres,
            )
        if premiere_validation:
            journaliser(
                "projets.evaluation.valider",
                par=par,
                etablissement=projet.etablissement,
                objet=evaluation,
                apres=apres,
            )
    return evaluation
