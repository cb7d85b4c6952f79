"""Access matrix of the livrets.

The livret is A's apprentice's (`apprenti`), whose période has A's `tuteur` as maître
d'apprentissage. The scolaire learner (`apprenant`) holds MON_LIVRET but has no livret: on
« mon livret » he reads a page saying the livret is for apprentices (200); on the
apprentice's livret or période he gets 404 (the accessor hides it), like `autre_apprenant`.
The two signed-link views are public: the link redirects every visitor to the période; without
the session grant it opens, the période page answers 404.
"""

from django.utils import timezone

from tests.access import PERSONAS, STAFF, Access
from tests.livrets import factories as lf

LECTEURS = STAFF | {"tuteur", "apprenti"}
ENSEIGNANTS = frozenset({"ddfpt", "enseignant", "enseignant2"})
SCOLAIRE_404 = {"apprenant": 404, "autre_apprenant": 404}


def _livret(p):
    a = lf.de_persona(p)
    return {"annee": a.periode.annee.debut, "pk": a.apprenant_id}


def _pk(p):
    return {"pk": lf.de_persona(p).pk}


def _token(p):
    from livrets.services import creer_lien_maitre

    if not hasattr(p, "_livret_token"):
        url = creer_lien_maitre(lf.de_persona(p), par=p.a.enseignant.user)
        p._livret_token = url.rstrip("/").rsplit("/", 1)[1]
    return p._livret_token


def _tous(status):
    return {persona: status for persona in PERSONAS}


ACCESS = [
    Access("livrets:liste"),
    Access("livrets:mon_livret", allowed=frozenset({"apprenant", "apprenti"})),
    Access("livrets:tuteur", allowed=frozenset({"tuteur"})),
    Access("livrets:livret", kwargs=_livret, allowed=LECTEURS, overrides=SCOLAIRE_404),
    Access(
        "livrets:exporter",
        kwargs=_livret,
        method="POST",
        allowed=STAFF | {"apprenti"},
        ok=302,
        overrides=SCOLAIRE_404,
    ),
    Access(
        "livrets:observation",
        kwargs=_pk,
        method="POST",
        data=lambda p: {"texte": "Bonne période."},
        allowed=ENSEIGNANTS | {"tuteur"},
        ok=302,
    ),
    Access(
        "livrets:visite",
        kwargs=_pk,
        method="POST",
        data=lambda p: {
            "date": timezone.localdate().isoformat(),
            "nature": "APPEL",
            "compte_rendu": "Point téléphonique.",
        },
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access(
        "livrets:pris_connaissance",
        kwargs=_pk,
        method="POST",
        allowed=frozenset({"tuteur", "apprenti"}),
        ok=302,
        overrides=SCOLAIRE_404,
    ),
    Access(
        "livrets:lien_creer",
        kwargs=_pk,
        method="POST",
        data=lambda p: {"duree_jours": "30"},
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access(
        "livrets:acces_tuteur",
        kwargs=lambda p: {"token": _token(p)},
        public=True,
        overrides=_tous(302),
    ),
    Access("livrets:lien", kwargs=_pk, public=True, overrides=_tous(404)),
]
