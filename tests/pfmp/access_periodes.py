"""Access matrix of the annexes, périodes, assignments, entreprises and suivi pages.

Reading needs VOIR_PFMP (DDFPT, chef, teachers); writing needs GERER_PFMP (the chef only
reads: 403 on every form)."""

from tests.access import Access

GERER = frozenset({"ddfpt", "enseignant", "enseignant2"})


def _annexe(p):
    from tests.pfmp.factories import AnnexeFactory

    side = p.a
    return AnnexeFactory(
        etablissement=side.etablissement, diplome=side.diplome, niveau=side.division.niveau
    )


def _periode(p):
    from tests.pfmp.factories import periode_de

    return {"pk": periode_de(p.a).pk}


def _affectation(p):
    from tests.pfmp.factories import affecter, periode_de

    return {"pk": affecter(periode_de(p.a), p.a.apprenant.apprenant)[0].pk}


def _entreprise(p):
    from tests.pfmp.factories import EntrepriseFactory

    return {"pk": EntrepriseFactory(etablissement=p.a.etablissement).pk}


ACCESS = [
    Access("pfmp:annexes"),
    Access("pfmp:annexe_creer", allowed=GERER),
    Access("pfmp:annexe", kwargs=lambda p: {"pk": _annexe(p).pk}),
    Access("pfmp:annexe_modifier", kwargs=lambda p: {"pk": _annexe(p).pk}, allowed=GERER),
    Access("pfmp:annexe_supprimer", kwargs=lambda p: {"pk": _annexe(p).pk}, allowed=GERER),
    Access("pfmp:periodes"),
    Access("pfmp:periode_creer", kwargs=lambda p: {"annexe": _annexe(p).pk}, allowed=GERER),
    Access("pfmp:periode", kwargs=_periode),
    Access("pfmp:periode_modifier", kwargs=_periode, allowed=GERER),
    Access("pfmp:periode_apprenants", kwargs=_periode, allowed=GERER),
    Access("pfmp:periode_suivi", kwargs=_periode),
    Access("pfmp:affectation_modifier", kwargs=_affectation, allowed=GERER),
    Access("pfmp:affectation_retirer", kwargs=_affectation, method="POST", allowed=GERER, ok=302),
    Access("pfmp:suivi"),
    Access("pfmp:entreprises", allowed=GERER),
    Access("pfmp:entreprise_creer", allowed=GERER),
    Access("pfmp:entreprise_modifier", kwargs=_entreprise, allowed=GERER),
]
