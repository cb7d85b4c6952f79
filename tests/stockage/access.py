"""Access matrix of the espace de stockage (UTILISER_STOCKAGE: enseignants, DDFPT, chef).

- A personal space is its owner's only: a colleague, even the DDFPT, gets 404 (its existence
  is not revealed); learners and tutors 403 (no permission).
- A shared space (one per diplôme): the DDFPT, the chef and the diplôme's teachers open it;
  the chef only reads (403 on every write).
- From a scénario's / évaluation's Ressources tab: whoever may change its resources (the
  scénario's author; the évaluation's editors and the DDFPT)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access import Access

PROPRIETAIRE = frozenset({"enseignant"})
PRIVE = {"ddfpt": 404, "chef": 404, "enseignant2": 404}
ECRIVAINS = frozenset({"ddfpt", "enseignant", "enseignant2"})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _espace(p):
    from tests.stockage.outils import espace_de

    return {"pk": espace_de(p.a.enseignant).pk}


def _partage(p):
    from tests.stockage.outils import espace_partage

    return {"pk": espace_partage(p.a).pk}


def _dossier(p):
    from tests.stockage.outils import dossier_dans, espace_de

    return {"pk": dossier_dans(espace_de(p.a.enseignant), p.a.enseignant).pk}


def _dossier_partage(p):
    from tests.stockage.outils import dossier_dans, espace_partage

    return {"pk": dossier_dans(espace_partage(p.a), p.a.ddfpt).pk}


def _fichier(p):
    from tests.stockage.outils import fichier_de

    return {"pk": fichier_de(p.a).pk}


def _fichier_partage(p):
    from tests.stockage.outils import espace_partage, fichier_dans

    return {"pk": fichier_dans(espace_partage(p.a), p.a.enseignant2).pk}


def _scenario(p):
    from tests.scenarios.factories import scenario_de

    return {"cible": "scenario", "pk": scenario_de(p.a).pk}


def _evaluation(p):
    from tests.evaluations.factories import evaluation_de

    return {"cible": "evaluation", "pk": evaluation_de(p.a).pk}


def _depot(p):
    return {"fichier": SimpleUploadedFile("cours.pdf", PDF)}


ACCESS = [
    Access("stockage:espace"),
    Access("stockage:partages"),
    Access("stockage:partage", kwargs=_partage),
    Access("stockage:dossier", kwargs=_dossier, allowed=PROPRIETAIRE, overrides=PRIVE),
    Access("stockage:dossier", kwargs=_dossier_partage),
    Access(
        "stockage:dossier_creer",
        kwargs=_espace,
        method="POST",
        data=lambda p: {"nom": "Nouveau"},
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:dossier_creer",
        kwargs=_partage,
        method="POST",
        data=lambda p: {"nom": "Nouveau"},
        allowed=ECRIVAINS,
        ok=302,
    ),
    Access(
        "stockage:deposer",
        kwargs=_espace,
        method="POST",
        data=_depot,
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:deposer",
        kwargs=_partage,
        method="POST",
        data=_depot,
        allowed=ECRIVAINS,
        ok=302,
    ),
    Access(
        "stockage:dossier_renommer",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"nom": "Renommé"},
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:dossier_renommer",
        kwargs=_dossier_partage,
        method="POST",
        data=lambda p: {"nom": "Renommé"},
        allowed=ECRIVAINS,
        ok=302,
    ),
    Access(
        "stockage:dossier_deplacer",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"dossier": ""},
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access("stockage:dossier_supprimer", kwargs=_dossier, allowed=PROPRIETAIRE, overrides=PRIVE),
    Access("stockage:dossier_supprimer", kwargs=_dossier_partage, allowed=ECRIVAINS),
    Access("stockage:telecharger", kwargs=_fichier, allowed=PROPRIETAIRE, overrides=PRIVE),
    Access("stockage:telecharger", kwargs=_fichier_partage),
    Access(
        "stockage:fichier_renommer",
        kwargs=_fichier,
        method="POST",
        data=lambda p: {"nom": "Autre nom"},
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:fichier_deplacer",
        kwargs=_fichier,
        method="POST",
        data=lambda p: {"dossier": ""},
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:fichier_deplacer",
        kwargs=_fichier_partage,
        method="POST",
        data=lambda p: {"dossier": ""},
        allowed=ECRIVAINS,
        ok=302,
    ),
    Access(
        "stockage:fichier_supprimer",
        kwargs=_fichier,
        method="POST",
        allowed=PROPRIETAIRE,
        ok=302,
        overrides=PRIVE,
    ),
    Access(
        "stockage:fichier_supprimer",
        kwargs=_fichier_partage,
        method="POST",
        allowed=ECRIVAINS,
        ok=302,
    ),
    Access("stockage:joindre", kwargs=_fichier, allowed=PROPRIETAIRE, overrides=PRIVE),
    Access("stockage:joindre", kwargs=_fichier_partage),
    Access("stockage:choisir", kwargs=_scenario, allowed=PROPRIETAIRE),
    Access("stockage:choisir", kwargs=_evaluation, allowed=frozenset({"enseignant", "ddfpt"})),
]
