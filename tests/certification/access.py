"""Access matrix of the grilles CCF pages (certification/urls_grilles.py).

Staff (DDFPT, chef, teachers) read the grids (VOIR_CERTIFICATION); teachers and the DDFPT write
them (SAISIR_CERTIFICATION), the chef reads only; unlocking is the DDFPT's. The grid is
A's scolaire learner's E31 grid, in a Terminale division of the chosen diplôme."""

from tests.access import Access

SAISIE = frozenset({"ddfpt", "enseignant", "enseignant2"})


def _gc(p):
    from tests.certification.grilles_factories import grille_candidat

    return grille_candidat(p.a)


def _grille(p):
    return {"pk": _gc(p).pk}


def _grille_verrouillee(p):
    from tests.certification.grilles_factories import grille_verrouillee

    return {"pk": grille_verrouillee(p.a).pk}


def _membre(p):
    from certification.models import MembreCommission

    gc = _gc(p)
    m = MembreCommission.objects.create(grille_candidat=gc, nom="Durand", prenom="Luc")
    return {"pk": gc.pk, "membre": m.pk}


def _ouvrir(p):
    from certification.queries import session_par_defaut
    from tests.certification.grilles_factories import candidat, grille_ccf

    return {
        "grille": grille_ccf(p.a.diplome).pk,
        "session": session_par_defaut(),
        "apprenant": candidat(p.a).pk,
    }


ACCESS = [
    Access("certification:grilles"),
    Access("certification:grille_ouvrir", kwargs=_ouvrir, ok=302),
    Access("certification:grille", kwargs=_grille),
    Access(
        "certification:grille_enregistrer",
        kwargs=_grille,
        method="POST",
        data=lambda p: {"dates_situations": "12/03/2026"},
        allowed=SAISIE,
        ok=302,
    ),
    Access(
        "certification:grille_membre_ajouter",
        kwargs=_grille,
        method="POST",
        data=lambda p: {"nom": "Martin", "prenom": "Anne", "qualite": "Tutrice"},
        allowed=SAISIE,
        ok=302,
    ),
    Access(
        "certification:grille_membre_retirer",
        kwargs=_membre,
        method="POST",
        allowed=SAISIE,
        ok=302,
    ),
    Access(
        "certification:grille_verrouiller", kwargs=_grille, method="POST", allowed=SAISIE, ok=302
    ),
    Access(
        "certification:grille_deverrouiller",
        kwargs=_grille_verrouillee,
        method="POST",
        allowed=frozenset({"ddfpt"}),
        ok=302,
    ),
]
