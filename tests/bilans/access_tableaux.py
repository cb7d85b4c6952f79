"""Access matrix of the dashboards and of the class view: staff read every learner's
dashboard of their establishment; a learner reads only their own (bilans:mon_tableau)."""

from tests.access import Access

APPRENANTS = frozenset({"apprenant", "apprenti"})


def _pourquoi(p):
    """A learner of A and a competence of A's diplôme (« Pourquoi ce niveau ? »)."""
    from referentiels.models import Competence

    competence = Competence.objects.filter(diplome=p.a.diplome).order_by("pk").first()
    if competence is None:
        from tests.bilans.bilans_factories import referentiel

        competence = referentiel(p.a, competences=1)[0].competence
    return {"apprenant": p.a.apprenant.apprenant.pk, "competence": competence.pk}


ACCESS = [
    Access("bilans:tableau", data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk}),
    Access("bilans:tableau_pourquoi", kwargs=_pourquoi),
    Access("bilans:vue_classes", data=lambda p: {"division": p.a.division.pk}),
    Access("bilans:mon_tableau", allowed=APPRENANTS),
]

# « Suivi des compétences transversales » (bilans.views_transversales): staff read any
# learner of their establishment; a learner reads only their own.
ACCESS += [
    Access("bilans:transversales", data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk}),
    Access("bilans:transversales_classe", data=lambda p: {"division": p.a.division.pk}),
    Access("bilans:mes_transversales", allowed=APPRENANTS),
]
