"""Access matrix of the bilan documents (PDFs, attestations, PRONOTE).

Data: a validated bilan of personas A's scolaire learner with one validated competence, and
an attestation of it; a PRONOTE token of A. POSTs that queue an export or change something
answer with a redirect (302).
"""

from bilans.models import JetonPronote
from tests.access import PERSONAS, STAFF, Access
from tests.bilans import documents_factories as df

REDACTEURS = frozenset({"ddfpt", "enseignant", "enseignant2"})
CHEF = frozenset({"chef"})
DDFPT = frozenset({"ddfpt"})


def _donnees(p):
    if not hasattr(p, "_documents"):
        competences = df.referentiel(p.a.diplome, competences=2)
        bilan = df.bilan(p.a, niveaux={c: "3" for c in competences}, validees=competences[:1])
        attestation = df.attestation(p.a, bilan, competences[:1])
        jeton = JetonPronote.objects.create(
            etablissement=p.a.etablissement,
            nom="PRONOTE",
            jeton_hash=f"{p.a.etablissement.pk:064d}",
            prefixe="abcdefgh",
        )
        p._documents = (bilan, attestation, jeton)
    return p._documents


def _bilan(p):
    return {"pk": _donnees(p)[0].pk}


def _attestation(p):
    return {"pk": _donnees(p)[1].pk}


def _jeton(p):
    return {"pk": _donnees(p)[2].pk}


ACCESS = [
    Access("bilans:bilan_pdf", kwargs=_bilan, method="POST", allowed=STAFF, ok=302),
    Access("bilans:impression_division"),
    Access("bilans:attestation_competences", kwargs=_bilan, allowed=REDACTEURS),
    Access("bilans:attestation_generer", kwargs=_bilan, method="POST", allowed=REDACTEURS, ok=302),
    Access("bilans:attestations"),
    Access("bilans:attestation_pdf", kwargs=_attestation, method="POST", ok=302),
    Access("bilans:attestation_signer", kwargs=_attestation, method="POST", allowed=CHEF, ok=302),
    Access("bilans:pronote_jetons", allowed=DDFPT),
    Access("bilans:pronote_revoquer", kwargs=_jeton, method="POST", allowed=DDFPT, ok=302),
    # Token-authenticated: without a bearer token everyone (session or not) gets 401.
    Access(
        "bilans:api_pronote_bilans",
        public=True,
        overrides={persona: 401 for persona in PERSONAS},
    ),
]
