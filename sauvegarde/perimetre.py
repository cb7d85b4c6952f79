"""What belongs to one establishment, found by walking the models rather than by a hand list
(a new model with a foreign key towards an establishment or a user is moved without anyone
having to remember it; tests/sauvegarde/test_perimetre.py names any model left unclaimed).

- Scope ("périmètre"): `Etablissement`, the user model, and every model with a path of forward
  foreign keys / one-to-ones to one of them (M2M tables are models of their own here, through
  `include_auto_created`). Its rows are selected by the shortest such path: to the
  establishment when there is one, otherwise to the establishment's users (its members).
- Shared models: everything a scope row points to outside the scope (référentiels, school
  years, permissions, content types). They are referenced by natural key (a unique field or a
  unique constraint, foreign keys in it referenced by natural key in turn), never copied;
  only school years are created on the target when absent.
- Excluded: models with a path that are deliberately not moved, each with its reason.
"""

import graphlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from cpro.models import Etablissement

MAX_SAUTS = 6
# Framework internals that are neither scope nor shared (no link to an establishment or user).
INTERNES = ("django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles")
# Models with a path to an establishment or a user that are deliberately not moved.
EXCLUS = {
    "admin.logentry": (
        "journal de l'administration Django de l'instance source : ses identifiants d'objets "
        "n'ont plus de sens ailleurs (le journal d'audit de l'établissement, lui, est déplacé)"
    ),
}
# Shared models created on the target when the moved establishment needs them.
CREES_SI_ABSENTS = {"cpro.anneescolaire"}
# Text columns naming another row ("model label", "pk"), like the audit log's object: the pk is
# renumbered on import when the label is a scope model. These models are moved last.
REFERENCES_TEXTUELLES = {"cpro.auditlog": ("objet_type", "objet_id")}
# JSON columns holding ids (declared in sauvegarde.journal), renumbered on import.
JSON_AVEC_IDS = {"cpro.auditlog": ("avant", "apres")}
# The référentiel tree is referenced by code + version of its diplôme, never copied.
APP_REFERENTIELS = "referentiels"


def label(modele) -> str:
    return modele._meta.label_lower


def liens(modele) -> list[models.Field]:
    """Forward foreign keys and one-to-ones (concrete), in field order."""
    return [f for f in modele._meta.concrete_fields if f.is_relation and f.related_model]


def chemin(modele, cibles: tuple, *, max_sauts: int = MAX_SAUTS) -> list[str] | None:
    """Shortest path of field names from `modele` to one of `cibles` (breadth first, forward
    foreign keys only; `[]` for a target itself), or None."""
    if modele in cibles:
        return []
    vus = {modele}
    niveau = [(modele, [])]
    for _ in range(max_sauts):
        suivant = []
        for courant, noms in niveau:
            for f in liens(courant):
                cible = f.related_model
                if cible in vus:
                    continue
                if cible in cibles:
                    return [*noms, f.name]
                vus.add(cible)
                suivant.append((cible, [*noms, f.name]))
        niveau = suivant
    return None


@dataclass(frozen=True)
class ModeleDuPerimetre:
    modele: type
    # Lookup from this model to the establishment ("etablissement", "evaluation__etablissement")
    # or to a user ("user"); `vers_utilisateur` says which.
    chemin: str
    vers_utilisateur: bool

    @property
    def label(self) -> str:
        return label(self.modele)


def _candidats():
    for modele in apps.get_models(include_auto_created=True):
        if modele._meta.proxy or not modele._meta.managed:
            continue
        if modele._meta.app_config.name.startswith(INTERNES):
            continue
        if modele._meta.app_label == APP_REFERENTIELS:
            continue
        yield modele


def perimetre() -> list[ModeleDuPerimetre]:
    """Scope models in an order where every model comes after the models it points to
    (self-references and cycles through nullable keys are filled in after insertion)."""
    User = get_user_model()
    trouves: dict[type, ModeleDuPerimetre] = {}
    for modele in _candidats():
        if label(modele) in EXCLUS:
            continue
        vers_etab = chemin(modele, (Etablissement,))
        if vers_etab is not None:
            trouves[modele] = ModeleDuPerimetre(modele, "__".join(vers_etab), False)
            continue
        vers_user = chemin(modele, (User,))
        if vers_user is not None:
            trouves[modele] = ModeleDuPerimetre(modele, "__".join(vers_user), True)
    try:
        ordre = _ordre(trouves, nullables=True)
    except graphlib.CycleError:
        # A cycle can only be broken on a nullable key, filled in after insertion.
        ordre = _ordre(trouves, nullables=False)
    ordre.sort(key=lambda m: label(m) in REFERENCES_TEXTUELLES)  # stable: moved last
    return [trouves[m] for m in ordre]


def _ordre(trouves: dict, *, nullables: bool) -> list:
    graphe = graphlib.TopologicalSorter()
    for modele in sorted(trouves, key=label):
        deps = [
            f.related_model
            for f in liens(modele)
            if f.related_model in trouves
            and f.related_model is not modele
            and (nullables or not f.null)
        ]
        graphe.add(modele, *deps)
    return list(graphe.static_order())


def modeles_partages(scope: list[ModeleDuPerimetre]) -> set[type]:
    """Models outside the scope that scope rows point to (transitively through natural keys)."""
    dans = {m.modele for m in scope}
    partages: set[type] = set()
    a_voir = [f.related_model for m in scope for f in liens(m.modele)]
    while a_voir:
        modele = a_voir.pop()
        if modele in dans or modele in partages:
            continue
        partages.add(modele)
        a_voir.extend(f.related_model for f in liens(modele) if f.name in cle_naturelle(modele))
    return partages


def cle_naturelle(modele) -> tuple[str, ...]:
    """Field names identifying a row of a shared model on any instance: its first unique
    field, else its first unconditional unique constraint / unique_together."""
    for f in modele._meta.concrete_fields:
        if f.unique and not f.primary_key:
            return (f.name,)
    ensembles = [tuple(u) for u in modele._meta.unique_together]
    ensembles += [
        tuple(c.fields)
        for c in modele._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    if not ensembles:
        raise ValueError(f"{modele._meta.label} n'a pas de clé naturelle (champ ou couple unique).")
    return ensembles[0]
