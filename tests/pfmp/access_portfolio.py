"""Access matrix of the portfolio pages.

The portfolio is the scolaire learner's (`apprenant`) of establishment A, followed by A's
`tuteur` (assigned on the affectation) and A's `enseignant` (référent). The apprentice is
another learner: their requests answer 404 wherever the learner permission lets them reach
the accessor. The three tutor-link views are public: the link itself redirects every visitor
to the portfolio; without the session grant it opens, the portfolio and bilan views answer 404.
"""

from tests.access import PERSONAS, STAFF, Access
from tests.pfmp import portfolio_factories as pf

LECTEURS = STAFF | {"tuteur", "apprenant"}
APPRENANT = frozenset({"apprenant"})
ENSEIGNANTS = frozenset({"ddfpt", "enseignant", "enseignant2"})
AUTRE_APPRENANT = {"apprenti": 404}


def _pk(p):
    return {"pk": pf.de_persona(p).pk}


def _fiche(p):
    return {"pk": pf.fiche(pf.de_persona(p)).pk}


def _lien(p):
    from pfmp.services_portfolio import creer_lien_tuteur

    if not hasattr(p, "_portfolio_token"):
        url = creer_lien_tuteur(pf.de_persona(p), par=p.a.enseignant.user)
        p._portfolio_token = url.rstrip("/").rsplit("/", 1)[1]
    return p._portfolio_token


def _lien_pk(p):
    from pfmp.models import LienTuteur

    _lien(p)
    return {"pk": LienTuteur.objects.filter(affectation=pf.de_persona(p)).latest("pk").pk}


def _tous(status):
    return {persona: status for persona in PERSONAS}


ACCESS = [
    Access("pfmp:mes_portfolios", allowed=frozenset({"apprenant", "apprenti"})),
    Access("pfmp:tuteur_apprenants", allowed=frozenset({"tuteur"})),
    Access("pfmp:portfolio", kwargs=_pk, allowed=LECTEURS, overrides=AUTRE_APPRENANT),
    Access("pfmp:portfolio_fiches", kwargs=_pk, allowed=LECTEURS, overrides=AUTRE_APPRENANT),
    Access("pfmp:portfolio_presentation", kwargs=_pk, allowed=APPRENANT, overrides=AUTRE_APPRENANT),
    Access(
        "pfmp:portfolio_bilan_personnel",
        kwargs=_pk,
        allowed=APPRENANT,
        overrides=AUTRE_APPRENANT,
    ),
    Access(
        "pfmp:semaine",
        kwargs=lambda p: {**_pk(p), "numero": 1},
        allowed=APPRENANT,
        overrides=AUTRE_APPRENANT,
    ),
    Access("pfmp:fiche", kwargs=_fiche, allowed=LECTEURS, overrides=AUTRE_APPRENANT),
    Access(
        "pfmp:fiche_commenter",
        kwargs=_fiche,
        method="POST",
        data=lambda p: {"decision": "valider"},
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access("pfmp:bilan_entreprise", kwargs=_pk, allowed=LECTEURS, overrides=AUTRE_APPRENANT),
    Access("pfmp:bilan_ouvrir", kwargs=_pk, method="POST", allowed=ENSEIGNANTS, ok=302),
    Access("pfmp:bilan_valider", kwargs=_pk, method="POST", allowed=ENSEIGNANTS, ok=302),
    Access("pfmp:bilan_rouvrir", kwargs=_pk, method="POST", allowed=ENSEIGNANTS, ok=302),
    Access(
        "pfmp:lien_creer",
        kwargs=_pk,
        method="POST",
        data=lambda p: {"duree_jours": "30"},
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access("pfmp:lien_revoquer", kwargs=_lien_pk, method="POST", allowed=ENSEIGNANTS, ok=302),
    Access(
        "pfmp:acces_tuteur",
        kwargs=lambda p: {"token": _lien(p)},
        public=True,
        overrides=_tous(302),
    ),
    Access("pfmp:tuteur_portfolio", kwargs=_pk, public=True, overrides=_tous(404)),
    Access("pfmp:tuteur_bilan", kwargs=_pk, public=True, overrides=_tous(404)),
]
