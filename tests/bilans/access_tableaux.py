"""Access matrix of the dashboards and of the class view: staff read every learner's
dashboard of their establishment; a learner reads only their own (bilans:mon_tableau)."""

from tests.access import Access

APPRENANTS = frozenset({"apprenant", "apprenti"})

ACCESS = [
    Access("bilans:tableau", data=lambda p: {"apprenant": p.a.apprenant.apprenant.pk}),
    Access("bilans:vue_classes", data=lambda p: {"division": p.a.division.pk}),
    Access("bilans:mon_tableau", allowed=APPRENANTS),
]
