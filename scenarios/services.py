"""Scénarios pédagogiques: every write and every rule of the module.

Rules enforced here (never only in a form):
- a scénario belongs to an establishment, an author, a diplôme and one of its niveaux;
- editing, privacy, deletion and the resources of a scénario are the author's (PermissionDenied
  otherwise, the view answers 403);
- the tasks and criteria linked to a scénario belong to its diplôme;
- folders are shared by the team, per diplôme and niveau, and are deleted only when empty;
- the manual order is shared and saved server-side, container by container (a folder, or the
  niveau outside any folder), renumbered 1..n;
- the contexte, liaison and resources rules are those of every fiche (scenarios/fiche.py):
  at most RESSOURCES_MAX resources, files up to FICHIER_TAILLE_MAX of an allowed type
  (extension and content both checked), links in http(s) only.

Files are removed from storage only once the transaction that deleted their rows has committed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cpro.audit import journaliser
from referentiels.models import Critere, Niveau, Tache
from scenarios import fiche
from scenarios.fiche import CONTEXTE_MAX as CONTEXTE_MAX
from scenarios.fiche import EXTENSIONS_LIBELLE as EXTENSIONS_LIBELLE
from scenarios.fiche import RESSOURCES_MAX as RESSOURCES_MAX
from scenarios.fiche import TYPES_AUTORISES as TYPES_AUTORISES
from scenarios.fiche import verifier_fichier as verifier_fichier
from scenarios.models import TITRE_MAX, Dossier, Ressource, Scenario
from scenarios.queries import cle_tri, scenarios_visibles

DOSSIER_NOM_MAX = 120

# --- small rules -----------------------------------------------------------------------------


def est_auteur(scenario: Scenario, user) -> bool:
    return scenario.auteur_id is not None and scenario.auteur_id == getattr(user, "pk", None)


def exiger_auteur(scenario: Scenario, user) -> None:
    """Editing, privacy, deletion and resources are the author's only."""
    if not est_auteur(scenario, user):
        raise PermissionDenied("Seul l'auteur du scénario peut faire cette action.")


def _nettoyer_titre(titre: str) -> str:
    titre = (titre or "").strip()
    if not titre:
        raise ValidationError({"titre": "Le titre du scénario est obligatoire."})
    if len(titre) > TITRE_MAX:
        raise ValidationError(
            {"titre": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères ({len(titre)})."}
        )
    return titre


def _verifier_niveau(diplome, niveau: str) -> None:
    if niveau not in diplome.niveaux or niveau not in Niveau.values:
        raise ValidationError(
            {"niveau": f"Le niveau « {niveau} » n'est pas proposé par le diplôme {diplome}."}
        )


# --- scénario --------------------------------------------------------------------------------


@transaction.atomic
def creer_scenario(*, etablissement, diplome, niveau: str, titre: str, par) -> Scenario:
    """Create a shared scénario (titre only; the other tabs come after), authored by `par`.

    Writes: one Scenario row (no folder, alphanumeric order)."""
    if diplome is None:
        raise ValidationError("Choisissez d'abord un diplôme.")
    _verifier_niveau(diplome, niveau)
    titre = _nettoyer_titre(titre)
    return Scenario.objects.create(
        etablissement=etablissement, auteur=par, diplome=diplome, niveau=niveau, titre=titre
    )


@transaction.atomic
def modifier_titre(scenario: Scenario, titre: str, *, par) -> Scenario:
    """Author only. Writes: Scenario.titre."""
    exiger_auteur(scenario, par)
    scenario.titre = _nettoyer_titre(titre)
    scenario.save(update_fields=["titre", "modifie_le"])
    return scenario


@transaction.atomic
def modifier_contexte(scenario: Scenario, contexte: str, *, par) -> Scenario:
    """Author only. Writes: Scenario.contexte (stripped, at most CONTEXTE_MAX characters)."""
    exiger_auteur(scenario, par)
    scenario.contexte = fiche.nettoyer_contexte(contexte)
    scenario.save(update_fields=["contexte", "modifie_le"])
    return scenario


@transaction.atomic
def basculer_tache(scenario: Scenario, tache_id, *, par) -> bool:
    """Author only. Select the task if it was not, unselect it otherwise; returns True when it
    is now selected. The task must belong to the scénario's diplôme.

    Writes: one row of Scenario.taches (added or removed), Scenario.modifie_le."""
    exiger_auteur(scenario, par)
    selectionnee = fiche.basculer_tache(scenario, tache_id)
    scenario.save(update_fields=["modifie_le"])
    return selectionnee


@transaction.atomic
def basculer_critere(scenario: Scenario, critere_id, *, par) -> bool:
    """Author only. Select or unselect an evaluation criterion of the scénario's diplôme;
    returns True when it is now selected.

    Writes: one row of Scenario.criteres (added or removed), Scenario.modifie_le."""
    exiger_auteur(scenario, par)
    selectionne = fiche.basculer_critere(scenario, critere_id)
    scenario.save(update_fields=["modifie_le"])
    return selectionne


@transaction.atomic
def lier_referentiel(scenario: Scenario, *, taches=(), criteres=(), par) -> None:
    """Author only. Replace the linked tasks and criteria (ids or objects), all of the
    scénario's diplôme: nothing is written if one is foreign.

    Writes: Scenario.taches and Scenario.criteres (set)."""
    exiger_auteur(scenario, par)
    tache_ids = {getattr(t, "pk", t) for t in taches}
    critere_ids = {getattr(c, "pk", c) for c in criteres}
    trouvees = set(
        Tache.objects.filter(pk__in=tache_ids, diplome_id=scenario.diplome_id).values_list(
            "pk", flat=True
        )
    )
    if trouvees != tache_ids:
        raise ValidationError(
            "Certaines tâches professionnelles n'appartiennent pas au référentiel du scénario."
        )
    trouves = set(
        Critere.objects.filter(
            pk__in=critere_ids, competence__diplome_id=scenario.diplome_id
        ).values_list("pk", flat=True)
    )
    if trouves != critere_ids:
        raise ValidationError(
            "Certains critères d'évaluation n'appartiennent pas au référentiel du scénario."
        )
    scenario.taches.set(tache_ids)
    scenario.criteres.set(critere_ids)


@transaction.atomic
def changer_confidentialite(scenario: Scenario, *, prive: bool, par) -> Scenario:
    """Author only. Make the scénario private (only its author sees it) or share it again with
    the teaching team.

    Writes: Scenario.prive; audit entry `scenario.prive` or `scenario.partage`."""
    exiger_auteur(scenario, par)
    prive = bool(prive)
    if scenario.prive == prive:
        return scenario
    scenario.prive = prive
    scenario.save(update_fields=["prive", "modifie_le"])
    journaliser(
        "scenario.prive" if prive else "scenario.partage",
        par=par,
        etablissement=scenario.etablissement,
        objet=scenario,
        avant={"prive": not prive},
        apres={"prive": prive},
    )
    return scenario


@transaction.atomic
def dupliquer_scenario(scenario: Scenario, *, par) -> Scenario:
    """Copy a visible scénario: titre + " (copie)", contexte, tasks, criteria, folder and
    resources (stored files copied). `par` is the author of the copy, which is shared.

    Writes: one Scenario, its m2m rows, one Ressource (and one stored file) per resource."""
    suffixe = " (copie)"
    copie = Scenario.objects.create(
        etablissement=scenario.etablissement,
        auteur=par,
        diplome=scenario.diplome,
        niveau=scenario.niveau,
        titre=scenario.titre[: TITRE_MAX - len(suffixe)] + suffixe,
        contexte=scenario.contexte,
        prive=False,
        dossier=scenario.dossier,
        duplique_de=scenario,
        origine=scenario.origine,
    )
    copie.taches.set(scenario.taches.all())
    copie.criteres.set(scenario.criteres.all())
    fiche.copier_ressources(scenario, copie)
    journaliser(
        "scenario.duplique",
        par=par,
        etablissement=scenario.etablissement,
        objet=copie,
        avant={"scenario": scenario.pk},
        apres={"copie": copie.pk},
    )
    return copie


@transaction.atomic
def supprimer_scenario(scenario: Scenario, *, par) -> None:
    """Author only. Delete the scénario, its resources and their stored files.

    Évaluations created from it keep their own copy (their FK to the scénario is SET_NULL):
    deleting goes through the ORM so that those rules apply.

    Writes: deletes Scenario + Ressource rows; audit entry `scenario.supprime`; files removed
    from storage after commit."""
    exiger_auteur(scenario, par)
    fichiers = fiche.supprimer_fichiers_de(scenario)
    avant = {
        "titre": scenario.titre,
        "niveau": scenario.niveau,
        "diplome": scenario.diplome_id,
        "prive": scenario.prive,
        "ressources": len(fichiers),
    }
    journaliser(
        "scenario.supprime",
        par=par,
        etablissement=scenario.etablissement,
        objet=scenario,
        avant=avant,
    )
    scenario.delete()


# --- organisation: folders and manual order --------------------------------------------------


def _conteneur_visible(*, etablissement, diplome, niveau, dossier, par) -> list[Scenario]:
    """The scénarios `par` sees in one container (a folder, or the niveau outside folders), in
    display order."""
    qs = scenarios_visibles(etablissement, par, diplome).filter(niveau=niveau)
    qs = qs.filter(dossier=dossier) if dossier is not None else qs.filter(dossier__isnull=True)
    return sorted(qs.select_for_update(), key=cle_tri)


def _renumeroter(scenarios: list[Scenario]) -> None:
    for rang, s in enumerate(scenarios, start=1):
        s.ordre = rang
    Scenario.objects.bulk_update(scenarios, ["ordre"])


@transaction.atomic
def deplacer_scenario(scenario: Scenario, *, sens: str, par) -> None:
    """Move a scénario one place up ("haut") or down ("bas") in its container, as `par` sees
    it; the container is renumbered 1..n (the order is shared by the team).

    Writes: Scenario.ordre of the visible scénarios of the container."""
    if sens not in ("haut", "bas"):
        raise ValidationError("Sens de déplacement inconnu.")
    liste = _conteneur_visible(
        etablissement=scenario.etablissement,
        diplome=scenario.diplome,
        niveau=scenario.niveau,
        dossier=scenario.dossier,
        par=par,
    )
    index = next((i for i, s in enumerate(liste) if s.pk == scenario.pk), None)
    if index is None:
        raise ValidationError("Ce scénario n'est pas visible dans ce niveau.")
    cible = index - 1 if sens == "haut" else index + 1
    if 0 <= cible < len(liste):
        liste[index], liste[cible] = liste[cible], liste[index]
    _renumeroter(liste)


@transaction.atomic
def ordonner_scenarios(*, etablissement, diplome, niveau: str, dossier, ids, par) -> None:
    """Save the order of a whole container (drag and drop): `ids` must be exactly the
    scénarios `par` sees in that container (folder or niveau), each once.

    Writes: Scenario.ordre = 1..n following `ids`."""
    _verifier_niveau(diplome, niveau)
    if dossier is not None and (
        dossier.etablissement_id != etablissement.pk
        or dossier.diplome_id != diplome.pk
        or dossier.niveau != niveau
    ):
        raise ValidationError("Ce dossier n'appartient pas à ce niveau.")
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError) as exc:
        raise ValidationError("L'ordre transmis est illisible.") from exc
    liste = _conteneur_visible(
        etablissement=etablissement, diplome=diplome, niveau=niveau, dossier=dossier, par=par
    )
    par_pk = {s.pk: s for s in liste}
    if len(ids) != len(set(ids)) or set(ids) != set(par_pk):
        raise ValidationError(
            "L'ordre transmis ne correspond pas aux scénarios de ce dossier : "
            "rechargez la page et recommencez."
        )
    _renumeroter([par_pk[i] for i in ids])


@transaction.atomic
def classer_scenario(scenario: Scenario, dossier: Dossier | None, *, par) -> Scenario:
    """Put a visible scénario into a folder of its niveau, or out of any folder (None). It
    goes to the alphanumeric part of its new container.

    Writes: Scenario.dossier, Scenario.ordre (NULL)."""
    if dossier is not None and (
        dossier.etablissement_id != scenario.etablissement_id
        or dossier.diplome_id != scenario.diplome_id
        or dossier.niveau != scenario.niveau
    ):
        raise ValidationError({"dossier": "Ce dossier n'appartient pas au niveau de ce scénario."})
    if scenario.dossier_id == getattr(dossier, "pk", None):
        return scenario
    scenario.dossier = dossier
    scenario.ordre = None
    scenario.save(update_fields=["dossier", "ordre", "modifie_le"])
    return scenario


def _nettoyer_nom_dossier(*, etablissement, diplome, niveau, nom, exclure=None) -> str:
    nom = (nom or "").strip()
    if not nom:
        raise ValidationError({"nom": "Le nom du dossier est obligatoire."})
    if len(nom) > DOSSIER_NOM_MAX:
        raise ValidationError(
            {"nom": f"Le nom du dossier ne peut pas dépasser {DOSSIER_NOM_MAX} caractères."}
        )
    autres = Dossier.objects.filter(
        etablissement=etablissement, diplome=diplome, niveau=niveau, nom__iexact=nom
    )
    if exclure is not None:
        autres = autres.exclude(pk=exclure.pk)
    if autres.exists():
        raise ValidationError({"nom": f"Un dossier « {nom} » existe déjà pour ce niveau."})
    return nom


@transaction.atomic
def creer_dossier(*, etablissement, diplome, niveau: str, nom: str, par) -> Dossier:
    """A shared folder for a niveau of the diplôme. Writes: one Dossier row."""
    _verifier_niveau(diplome, niveau)
    nom = _nettoyer_nom_dossier(
        etablissement=etablissement, diplome=diplome, niveau=niveau, nom=nom
    )
    return Dossier.objects.create(
        etablissement=etablissement, diplome=diplome, niveau=niveau, nom=nom, cree_par=par
    )


@transaction.atomic
def renommer_dossier(dossier: Dossier, nom: str, *, par) -> Dossier:
    """Writes: Dossier.nom."""
    dossier.nom = _nettoyer_nom_dossier(
        etablissement=dossier.etablissement,
        diplome=dossier.diplome,
        niveau=dossier.niveau,
        nom=nom,
        exclure=dossier,
    )
    dossier.save(update_fields=["nom"])
    return dossier


@transaction.atomic
def supprimer_dossier(dossier: Dossier, *, par) -> None:
    """Delete an empty folder; refused while it holds any scénario (even a colleague's private
    one). Writes: deletes the Dossier row; audit entry `scenario.dossier_supprime`."""
    nombre = Scenario.objects.filter(dossier=dossier).count()
    if nombre:
        raise ValidationError(
            f"Le dossier « {dossier.nom} » n'est pas vide ({nombre} scénario"
            f"{'s' if nombre > 1 else ''}) : déplacez d'abord ses scénarios."
        )
    journaliser(
        "scenario.dossier_supprime",
        par=par,
        etablissement=dossier.etablissement,
        objet=dossier,
        avant={"nom": dossier.nom, "niveau": dossier.niveau},
    )
    dossier.delete()


# --- resources -------------------------------------------------------------------------------


@transaction.atomic
def ajouter_fichier(scenario: Scenario, *, titre: str, fichier, par) -> Ressource:
    """Author only. Attach an uploaded file (≤ 10 Mo, allowed type checked by extension and
    content); the title defaults to the file name. Stored privately under MEDIA_ROOT with a
    random name, served only by the checked download view.

    Writes: one Ressource row and one stored file."""
    exiger_auteur(scenario, par)
    return fiche.ajouter_fichier(scenario, titre=titre, fichier=fichier)


@transaction.atomic
def ajouter_lien(scenario: Scenario, *, titre: str, url: str, par) -> Ressource:
    """Author only. Attach a link (http or https only); the title defaults to the address.

    Writes: one Ressource row."""
    exiger_auteur(scenario, par)
    return fiche.ajouter_lien(scenario, titre=titre, url=url)


@transaction.atomic
def supprimer_ressource(ressource: Ressource, *, par) -> None:
    """Author of the scénario only. Writes: deletes the Ressource row; its stored file is
    removed after commit."""
    exiger_auteur(ressource.scenario, par)
    fiche.supprimer_ressource(ressource)
