"""Access matrix of the book apprenant (tests/security/test_access_matrix.py). The kwargs
functions activate the book in establishment A so that the matrix checks permissions, not the
activation gate (tested in test_book_gate.py). Objects belong to A's scolaire learner
`apprenant`: the apprentice (another learner) gets 404 on them."""

from tests.access import STAFF, Access
from tests.pfmp.book_factories import PublicationFactory, activer_book, media_photo

APPRENANT = frozenset({"apprenant"})
APPRENANTS = frozenset({"apprenant", "apprenti"})
COMMENTATEURS = frozenset({"ddfpt", "enseignant", "enseignant2"})


def _actif(p):
    activer_book(p.a)
    return {}


def _publication(p):
    activer_book(p.a)
    return {"pk": PublicationFactory(apprenant=p.a.apprenant.apprenant).pk}


def _media(p):
    activer_book(p.a)
    return {"pk": media_photo(PublicationFactory(apprenant=p.a.apprenant.apprenant)).pk}


def _apprenant(p):
    activer_book(p.a)
    return {"apprenant": p.a.apprenant.apprenant.pk}


# Another learner's publication/media → 404; the team reads publications and media (200).
_LECTURE = {**dict.fromkeys(STAFF, 200), "apprenti": 404}
_PROPRIETAIRE = {"apprenti": 404}

ACCESS = [
    Access("pfmp:mon_book", kwargs=_actif, allowed=APPRENANTS),
    Access("pfmp:book_publier", kwargs=_actif, allowed=APPRENANTS),
    Access(
        "pfmp:book_exporter",
        kwargs=_actif,
        method="POST",
        allowed=APPRENANTS,
        ok=302,
    ),
    Access(
        "pfmp:book_publication",
        kwargs=_publication,
        allowed=APPRENANT,
        overrides=_LECTURE,
    ),
    Access("pfmp:book_modifier", kwargs=_publication, allowed=APPRENANT, overrides=_PROPRIETAIRE),
    Access("pfmp:book_supprimer", kwargs=_publication, allowed=APPRENANT, overrides=_PROPRIETAIRE),
    Access("pfmp:book_medias", kwargs=_publication, allowed=APPRENANT, overrides=_PROPRIETAIRE),
    Access(
        "pfmp:book_commenter",
        kwargs=_publication,
        method="POST",
        data=lambda p: {"texte": "Bravo pour cette vente."},
        allowed=COMMENTATEURS,
        ok=302,
    ),
    Access("pfmp:book_media", kwargs=_media, allowed=APPRENANT, overrides=_LECTURE),
    Access(
        "pfmp:book_media_supprimer",
        kwargs=_media,
        method="POST",
        allowed=APPRENANT,
        ok=302,
        overrides=_PROPRIETAIRE,
    ),
    Access("pfmp:books", kwargs=_actif, allowed=STAFF),
    Access("pfmp:book_apprenant", kwargs=_apprenant, allowed=STAFF),
    Access(
        "pfmp:book_exporter",
        kwargs=_apprenant,
        method="POST",
        allowed=STAFF,
        ok=302,
    ),
]
