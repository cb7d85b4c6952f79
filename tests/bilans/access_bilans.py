"""Access matrix of the bilans intermédiaires pages.

The bilan is a draft of A's scolaire learner written by A's `enseignant`: every teacher and the
DDFPT may write drafts (REDIGER_BILANS); deleting is its author's or the DDFPT's; unlocking a
validated bilan is the DDFPT's; the chef reads only."""

from tests.access import Access

REDACTEURS = frozenset({"ddfpt", "enseignant", "enseignant2"})


def _brouillon_existant(p):
    """The draft an earlier entry created (tests/e2e/pages.py prepares every page in one
    database; one bilan per learner and date)."""
    from bilans.models import BilanIntermediaire
    from tests.bilans.bilans_factories import DATE

    return BilanIntermediaire.objects.filter(
        apprenant=p.a.apprenant.apprenant,
        date=DATE,
        statut=BilanIntermediaire.Statut.BROUILLON,
        positionnements__isnull=False,
    ).first()


def _bilan(p):
    from tests.bilans.bilans_factories import bilan

    return {"pk": (_brouillon_existant(p) or bilan(p.a)).pk}


def _bilan_competence(p):
    from tests.bilans.bilans_factories import bilan, referentiel

    existant = _brouillon_existant(p)
    if existant is not None:
        return {"pk": existant.pk, "competence": existant.positionnements.first().competence_id}
    competence = referentiel(p.a, competences=1)[0].competence
    return {"pk": bilan(p.a).pk, "competence": competence.pk}


def _bilan_valide(p):
    from tests.bilans.bilans_factories import bilan_valide

    return {"pk": bilan_valide(p.a).pk}


ACCESS = [
    Access("bilans:bilans", data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk}),
    Access(
        "bilans:bilan_creer",
        data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk},
        allowed=REDACTEURS,
    ),
    Access("bilans:bilan_modifier", kwargs=_bilan, allowed=REDACTEURS),
    Access("bilans:bilan_pourquoi", kwargs=_bilan_competence, allowed=REDACTEURS),
    Access("bilans:bilan_valider", kwargs=_bilan, method="POST", allowed=REDACTEURS, ok=302),
    Access(
        "bilans:bilan_deverrouiller",
        kwargs=_bilan_valide,
        method="POST",
        allowed=frozenset({"ddfpt"}),
        ok=302,
    ),
    Access("bilans:bilan_supprimer", kwargs=_bilan, allowed=frozenset({"ddfpt", "enseignant"})),
]
