"""Access matrix of the positioning grid and of the learners' own grids.

The évaluation is written by the `enseignant` persona; the scolaire learner and the apprentice
take part. Writers: its author and the DDFPT (enseignant2 is not an evaluating teacher → 403,
the chef reads only → 403 on writes).
"""

from tests.access import Access
from tests.evaluations import grille_factories as gf

REDACTEURS = frozenset({"ddfpt", "enseignant"})
APPRENANTS = frozenset({"apprenant", "apprenti"})


def _evaluation(p):
    if not hasattr(p, "_grille_evaluation"):
        p._grille_evaluation = gf.evaluation(p.a)
    return p._grille_evaluation


def _pk(p):
    return {"pk": _evaluation(p).pk}


def _cellule(p):
    ev = _evaluation(p)
    return {
        "apprenant": p.a.apprenti.apprenant.pk,
        "critere": ev.criteres.first().pk,
        "niveau": "3",
    }


ACCESS = [
    Access("evaluations:grille", kwargs=_pk),
    # Without HTMX the entry views answer with a redirect to the grid.
    Access(
        "evaluations:saisir", kwargs=_pk, method="POST", data=_cellule, allowed=REDACTEURS, ok=302
    ),
    Access(
        "evaluations:remplir",
        kwargs=_pk,
        method="POST",
        data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk, "niveau": "2"},
        allowed=REDACTEURS,
        ok=302,
    ),
    Access("evaluations:enregistrer", kwargs=_pk, method="POST", allowed=REDACTEURS, ok=302),
    Access(
        "evaluations:commenter",
        kwargs=_pk,
        method="POST",
        data=lambda p: {"apprenant": p.a.apprenti.apprenant.pk, "commentaire": "Bien"},
        allowed=REDACTEURS,
        ok=302,
    ),
    Access("evaluations:mes_grilles", allowed=APPRENANTS),
    Access("evaluations:ma_grille", kwargs=_pk, allowed=APPRENANTS),
    Access(
        "evaluations:exporter_apprenti",
        method="POST",
        allowed=frozenset({"apprenti"}),
        ok=302,
    ),
]
