"""Access matrix of the scénarios pages (tests/security/test_access_matrix.py). Objects are
created by the kwargs functions: a shared scénario of establishment A authored by its teacher
`enseignant` (author-only pages: only that persona gets through, colleagues 403)."""

from tests.access import STAFF, Access
from tests.scenarios.factories import DossierFactory, RessourceFichierFactory, scenario_de

CREER = frozenset({"ddfpt", "enseignant", "enseignant2"})
AUTEUR = frozenset({"enseignant"})


def _scenario(p):
    return {"pk": scenario_de(p.a).pk}


def _ressource(p):
    r = RessourceFichierFactory(scenario=scenario_de(p.a))
    return {"pk": r.scenario_id, "rpk": r.pk}


def _dossier(p):
    return {"pk": DossierFactory(etablissement=p.a.etablissement, diplome=p.a.diplome).pk}


ACCESS = [
    Access("scenarios:liste", allowed=STAFF),
    Access("scenarios:creer", kwargs=lambda p: {"niveau": "PREMIERE"}, allowed=CREER),
    Access(
        "scenarios:ordonner",
        method="POST",
        # The ids are A's: B's staff posting them on B's URL must change nothing.
        data=lambda p: {"niveau": "PREMIERE", "ids": [scenario_de(p.a).pk]},
        allowed=CREER,
        ok=204,
    ),
    Access(
        "scenarios:dossier_creer",
        method="POST",
        data=lambda p: {"niveau": "PREMIERE", "nom": "Vente-conseil"},
        allowed=CREER,
        ok=302,
    ),
    Access(
        "scenarios:dossier_renommer",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"nom": "Renommé"},
        allowed=CREER,
        ok=302,
    ),
    Access("scenarios:dossier_supprimer", kwargs=_dossier, method="POST", allowed=CREER, ok=302),
    Access("scenarios:voir", kwargs=_scenario, allowed=STAFF),
    Access("scenarios:modifier", kwargs=_scenario, allowed=AUTEUR),
    Access("scenarios:contexte", kwargs=_scenario, allowed=AUTEUR),
    Access("scenarios:liaison", kwargs=_scenario, allowed=AUTEUR),
    Access("scenarios:ressources", kwargs=_scenario, allowed=AUTEUR),
    Access("scenarios:ressource", kwargs=_ressource, allowed=STAFF),
    Access(
        "scenarios:ressource_supprimer",
        kwargs=_ressource,
        method="POST",
        allowed=AUTEUR,
        ok=302,
    ),
    Access("scenarios:dupliquer", kwargs=_scenario, method="POST", allowed=CREER, ok=302),
    Access(
        "scenarios:confidentialite",
        kwargs=_scenario,
        method="POST",
        data=lambda p: {"prive": "1"},
        allowed=AUTEUR,
        ok=302,
    ),
    Access("scenarios:supprimer", kwargs=_scenario, allowed=AUTEUR),
    Access(
        "scenarios:deplacer",
        kwargs=_scenario,
        method="POST",
        data=lambda p: {"sens": "haut"},
        allowed=CREER,
        ok=302,
    ),
    Access(
        "scenarios:classer",
        kwargs=_scenario,
        method="POST",
        data=lambda p: {"dossier": ""},
        allowed=CREER,
        ok=302,
    ),
]
