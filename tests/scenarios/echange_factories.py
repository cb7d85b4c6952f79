"""Test data for the exports and the .scpro exchange, built with the ORM (independent of the
scénario module's own factories)."""

import copy
import io
import json
import zipfile

from django.core.files.base import ContentFile

from referentiels.models import Critere, Niveau, Tache
from scenarios.models import Ressource, Scenario

PDF = b"%PDF-1.4\n% ressource de test\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 100

TACHES = ("A1-T2", "A2-T3")
CRITERES = (("C1.2", "C1.2-1"), ("C1.2", "C1.2-2"), ("C2.3", "C2.3-1"))


def creer_scenario(side, *, auteur=None, prive=False, **kwargs) -> Scenario:
    """A scénario of the establishment `side` (tests.personas.EtabPersonas); `auteur` is a
    Membership (default: the side's enseignant)."""
    values = {
        "etablissement": side.etablissement,
        "auteur": (auteur or side.enseignant).user,
        "diplome": side.diplome,
        "niveau": Niveau.PREMIERE,
        "titre": "Vente conseil en magasin",
        "contexte": (
            "La boutique « Au bon vélo » prépare ses soldes.\n\nL'élève accueille le client."
        ),
        "prive": prive,
        **kwargs,
    }
    return Scenario.objects.create(**values)


def lier_referentiel(scenario, taches=TACHES, criteres=CRITERES) -> None:
    """Link tasks and criteria of the loaded référentiel (fixture `referentiels_charges`)."""
    scenario.taches.set(Tache.objects.filter(diplome=scenario.diplome, code__in=taches))
    found = [
        Critere.objects.get(competence__diplome=scenario.diplome, competence__code=comp, code=code)
        for comp, code in criteres
    ]
    scenario.criteres.set(found)


def ajouter_lien(scenario, titre="Fiche métier", url="https://www.onisep.fr/metiers") -> Ressource:
    return Ressource.objects.create(
        scenario=scenario,
        type=Ressource.Type.LIEN,
        titre=titre,
        url=url,
        ordre=scenario.ressources.count(),
    )


def ajouter_fichier(
    scenario, titre="Consignes", nom="Consignes élève.pdf", data=PDF, content_type="application/pdf"
) -> Ressource:
    ressource = Ressource(
        scenario=scenario,
        type=Ressource.Type.FICHIER,
        titre=titre,
        nom_fichier=nom,
        content_type=content_type,
        taille=len(data),
        ordre=scenario.ressources.count(),
    )
    ressource.fichier.save(nom, ContentFile(data), save=False)
    ressource.save()
    return ressource


def scenario_complet(side) -> Scenario:
    scenario = creer_scenario(side)
    lier_referentiel(scenario)
    ajouter_lien(scenario)
    ajouter_fichier(scenario)
    ajouter_fichier(
        scenario, titre="Plan du magasin", nom="plan.png", data=PNG, content_type="image/png"
    )
    return scenario


MANIFESTE = {
    "format": "cpro-scenario",
    "version": 1,
    "exporte_le": "2026-02-03T10:15:00+01:00",
    "etablissement_origine": {"uai": "0690002C", "nom": "Lycée professionnel b"},
    "diplome": {"code": "MCV-A", "version": "2019", "intitule": "Bac Pro MCV A"},
    "niveau": "PREMIERE",
    "titre": "Accueil du client",
    "contexte": "Un client entre dans le magasin.",
    "taches": ["A1-T2"],
    "criteres": [{"competence": "C1.2", "code": "C1.2-1"}],
    "ressources": [
        {"type": "LIEN", "titre": "Fiche métier", "url": "https://www.onisep.fr/metiers"},
        {
            "type": "FICHIER",
            "titre": "Consignes",
            "fichier": "ressources/2-consignes.pdf",
            "content_type": "application/pdf",
            "nom": "consignes.pdf",
        },
    ],
}


def manifeste(**overrides) -> dict:
    m = copy.deepcopy(MANIFESTE)
    m.update(overrides)
    return m


def zipper(entries: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP from {name: bytes | str | dict (JSON)}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            if isinstance(content, dict | list):
                content = json.dumps(content, ensure_ascii=False)
            archive.writestr(name, content)
    return buffer.getvalue()


def scpro(m=None, fichiers=None, **overrides) -> bytes:
    """A .scpro whose manifest is MANIFESTE (+ overrides) with its resource file."""
    m = m if m is not None else manifeste(**overrides)
    if fichiers is None:
        fichiers = {"ressources/2-consignes.pdf": PDF}
    return zipper({"manifest.json": m, **fichiers})
