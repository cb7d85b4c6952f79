"""Issue 15: the bilans entreprise (nature E) of one PFMP période are one expandable row of the
évaluation list (« Bilans entreprise — PFMP du … au … (n apprenants, m validés) »), the other
évaluations keep one row each; the page's query count does not grow with them."""

import datetime
import re

import pytest
from django.urls import reverse

from cpro.models import AnneeScolaire
from evaluations import queries
from evaluations.models import Nature
from pfmp.models import BilanEntreprise
from tests.evaluations.factories import ParticipantFactory, evaluation_de
from tests.evaluations.test_queries import REQUETES_LISTE
from tests.factories import ApprenantFactory
from tests.pfmp.factories import AffectationFactory, periode_de

pytestmark = pytest.mark.django_db


def _bilans(side, n: int, valides: int, **periode):
    """`n` bilans entreprise on one new période of `side`, the first `valides` validated."""
    p = periode_de(
        side,
        date_debut=periode.get("debut", datetime.date(2026, 11, 2)),
        date_fin=periode.get("fin", datetime.date(2026, 11, 20)),
        annee=AnneeScolaire.courante(),
    )
    for i in range(n):
        apprenant = (
            ApprenantFactory(etablissement=side.etablissement, division=side.division)
            if i
            else side.apprenant.apprenant
        )
        ev = evaluation_de(
            side,
            niveau=p.niveau,
            nature=Nature.ENTREPRISE,
            titre=f"Bilan entreprise – {p.titre} – Boutique",
            date=p.date_fin,
        )
        ParticipantFactory(evaluation=ev, apprenant=apprenant)
        BilanEntreprise.objects.create(
            affectation=AffectationFactory(periode=p, apprenant=apprenant),
            evaluation=ev,
            statut="VALIDE" if i < valides else "EN_COURS",
        )
    return p


def test_un_groupe_par_periode(personas):
    a = personas.a
    p = _bilans(a, 3, 2)
    autre = evaluation_de(a, titre="Vente additionnelle", niveau=p.niveau)
    sections = queries.page_liste(a.etablissement, a.diplome, AnneeScolaire.courante())
    section = next(s for s in sections if s.code == p.niveau)
    assert len(section.evaluations) == 4
    groupes = [ligne for ligne in section.lignes if ligne.est_groupe]
    assert len(section.lignes) == 2 and len(groupes) == 1
    groupe = groupes[0]
    assert (groupe.nb_apprenants, groupe.nb_valides) == (3, 2)
    assert (groupe.debut, groupe.fin) == (p.date_debut, p.date_fin)
    assert autre in section.lignes


def test_page_affiche_la_ligne_depliable(as_persona, personas):
    a = personas.a
    _bilans(a, 3, 2)
    evaluation_de(a, titre="Vente additionnelle")
    page = (
        as_persona("enseignant")
        .get(reverse("evaluations:liste", kwargs={"etab": a.etablissement.slug}))
        .content.decode()
    )
    assert "Bilans entreprise — PFMP du 02/11/2026 au 20/11/2026" in page
    assert "(3 apprenants, 2 validés)" in page
    ligne = re.search(r'<tr id="bilans-pfmp-\d+".*?</tr>', page, re.S).group(0)
    assert "<details" in ligne and ligne.count("<li ") == 3
    assert a.apprenant.user.last_name.upper() in ligne
    # Three bilans with the same title are no longer three rows.
    assert page.count("Bilan entreprise – PFMP") == 0
    assert "Vente additionnelle" in page


def test_un_seul_bilan_reste_une_ligne(personas):
    a = personas.a
    p = _bilans(a, 1, 0)
    sections = queries.page_liste(a.etablissement, a.diplome, AnneeScolaire.courante())
    section = next(s for s in sections if s.code == p.niveau)
    assert [ligne.est_groupe for ligne in section.lignes] == [False]


@pytest.mark.parametrize("volume", [1, 12])
def test_nombre_de_requetes_constant(as_persona, personas, django_assert_num_queries, volume):
    a = personas.a
    _bilans(a, volume, volume // 2)
    _bilans(a, 2, 1, debut=datetime.date(2026, 12, 1), fin=datetime.date(2026, 12, 12))
    evaluation_de(a, titre="Vente additionnelle")
    client = as_persona("enseignant")
    url = reverse("evaluations:liste", kwargs={"etab": a.etablissement.slug})
    with django_assert_num_queries(REQUETES_LISTE):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(s.evaluations) for s in response.context["sections"]) == volume + 3


def test_page_liste_deux_requetes_avec_bilans(personas, django_assert_num_queries):
    a = personas.a
    _bilans(a, 4, 1)
    annee = AnneeScolaire.courante()
    with django_assert_num_queries(2):
        sections = queries.page_liste(a.etablissement, a.diplome, annee)
        groupe = next(ligne for s in sections for ligne in s.lignes if ligne.est_groupe)
        assert [ev.nom_apprenant_bilan for ev in groupe.evaluations]
        assert groupe.noms_enseignants
