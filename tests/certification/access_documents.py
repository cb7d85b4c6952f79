"""Access matrix of the commission's documents (grid PDF, ZIP, recapitulative view, CSV).

Data: a locked E31 grid of a candidate of a Terminale division of personas A. POSTs that queue
an export answer with a redirect (302); an invalid ZIP request also redirects (to the view).
"""

from tests.access import STAFF, Access
from tests.certification import documents_factories as df


def _donnees(p):
    if not hasattr(p, "_certification_documents"):
        division = df.division_terminale(p.a)
        grille = df.grille_ccf(p.a.diplome, "E31")
        apprenant = df.candidat(p.a, division, nom="Dupont", prenom="Léa", numero="0212345678")
        gc = df.grille_candidat(p.a, apprenant, grille)
        p._certification_documents = (division, grille, gc)
    return p._certification_documents


def _grille(p):
    return {"pk": _donnees(p)[2].pk}


def _zip(p):
    division, grille, gc = _donnees(p)
    return {"division": division.pk, "epreuve": grille.pk, "session": gc.session}


ACCESS = [
    Access("certification:grille_pdf", kwargs=_grille, method="POST", allowed=STAFF, ok=302),
    Access("certification:grilles_zip", method="POST", data=_zip, allowed=STAFF, ok=302),
    Access("certification:recapitulatif", allowed=STAFF),
    Access("certification:recapitulatif_csv", allowed=STAFF),
]
