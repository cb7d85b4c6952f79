"""Access matrix of the DDFPT administration: everything is for the DDFPT only."""

from tests.access import Access

DDFPT = frozenset({"ddfpt"})


def _enseignant(p):
    return {"pk": p.a.enseignant.pk}


def _apprenant(p):
    return {"pk": p.a.apprenant.apprenant.pk}


ACCESS = [
    Access("gestion:personnels", allowed=DDFPT),
    Access("gestion:personnel_creer", allowed=DDFPT),
    Access("gestion:personnel_modifier", kwargs=_enseignant, allowed=DDFPT),
    Access("gestion:apprenants", allowed=DDFPT),
    Access("gestion:apprenant_creer", allowed=DDFPT),
    Access("gestion:apprenant_modifier", kwargs=_apprenant, allowed=DDFPT),
    Access("gestion:tuteurs", allowed=DDFPT),
    Access("gestion:tuteur_creer", allowed=DDFPT),
    Access("gestion:tuteur_modifier", kwargs=lambda p: {"pk": p.a.tuteur.pk}, allowed=DDFPT),
    # Account actions answer with a redirect to the account's page (success or refusal).
    Access("gestion:compte_desactiver", kwargs=_enseignant, method="POST", allowed=DDFPT, ok=302),
    Access("gestion:compte_reactiver", kwargs=_enseignant, method="POST", allowed=DDFPT, ok=302),
    Access("gestion:compte_mot_de_passe", kwargs=_enseignant, method="POST", allowed=DDFPT, ok=302),
    Access("gestion:divisions", allowed=DDFPT),
    Access("gestion:division_creer", allowed=DDFPT),
    Access("gestion:division_modifier", kwargs=lambda p: {"pk": p.a.division.pk}, allowed=DDFPT),
    Access(
        "gestion:fiches_connexion",
        method="POST",
        kwargs=lambda p: {"pk": p.a.division.pk},
        allowed=DDFPT,
        ok=302,
    ),
    Access("gestion:import", allowed=DDFPT),
    Access("gestion:import_exemple", allowed=DDFPT),
    # Nothing pending in the session: back to the upload page.
    Access("gestion:import_apercu", allowed=DDFPT, ok=302),
    Access("gestion:import_confirmer", method="POST", allowed=DDFPT, ok=302),
    Access("gestion:etablissement", allowed=DDFPT),
]
