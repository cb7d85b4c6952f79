"""donnees_tableau on handmade data: order, niveau spans, visibility, filters, counts,
compact rows, suggestions."""

import datetime

import pytest

from bilans.queries_bilans import suggestion_expliquee
from bilans.queries_tableaux import donnees_tableau, observations_du_bloc
from bilans.rendu_tableau import lignes_pourquoi
from bilans.suggestion import Observation, suggerer
from evaluations.models import Nature
from tests.bilans import tableaux_factories as tf
from tests.evaluations import grille_factories as gf

pytestmark = pytest.mark.django_db

REF = datetime.date(2026, 6, 1)


@pytest.fixture
def monde(personas):
    """Learner `moi` (scolaire persona) with 4 évaluations over 2 years, one hidden, one of
    another learner, one of the other establishment."""
    a = personas.a
    moi, autre = a.apprenant.apprenant, a.apprenti.apprenant
    ref = tf.referentiel(a.diplome)
    u2, u31 = ref["par_unite"]["U2"], ref["par_unite"]["U31"]
    # created out of order on purpose
    t1 = tf.evaluation(
        a,
        date=datetime.date(2026, 3, 2),
        niveau="TERMINALE",
        nature=Nature.COMPLEXE,
        titre="Vente conseil",
        resultats={(moi, u2[0]): "4", (moi, u31[0]): "3"},
    )
    p1 = tf.evaluation(
        a,
        date=datetime.date(2025, 1, 10),
        titre="Accueil client",
        resultats={(moi, u2[0]): "2", (moi, u2[1]): "NE"},
    )
    p2 = tf.evaluation(
        a,
        date=datetime.date(2025, 5, 20),
        nature=Nature.ENTREPRISE,
        titre="Bilan entreprise PFMP 1",
        resultats={(moi, u2[0]): "3"},
    )
    cachee = tf.evaluation(
        a,
        date=datetime.date(2025, 6, 1),
        titre="Évaluation cachée",
        afficher=False,
        resultats={(moi, u2[0]): "1"},
    )
    sans_moi = tf.evaluation(
        a, date=datetime.date(2025, 6, 2), titre="Sans moi", resultats={(autre, u2[0]): "1"}
    )
    vide_u31 = tf.evaluation(
        a,
        date=datetime.date(2026, 4, 1),
        titre="Pas encore saisie",
        niveau="TERMINALE",
        resultats={},
        participants=[moi],
        criteres=[u31[1]],
    )
    return {
        "moi": moi,
        "autre": autre,
        "ref": ref,
        "p1": p1,
        "p2": p2,
        "t1": t1,
        "cachee": cachee,
        "sans_moi": sans_moi,
        "vide_u31": vide_u31,
        "diplome": a.diplome,
    }


def test_colonnes_chronologiques_et_plages_de_niveau(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    assert [c.pk for c in t.colonnes] == [
        monde["p1"].pk,
        monde["p2"].pk,
        monde["t1"].pk,
        monde["vide_u31"].pk,
    ]
    assert [(p.libelle, p.nb) for p in t.plages] == [
        ("Première Bac Pro", 2),
        ("Terminale Bac Pro", 2),
    ]
    assert [p.annee for p in t.plages] == ["2024-2025", "2025-2026"]
    col = t.colonnes[0]
    assert col.code_nature == "Int" and t.colonnes[1].code_nature == "E"
    assert t.colonnes[1].entreprise and not col.entreprise
    assert col.enseignants and col.infobulle.startswith("10/01/2025 – Accueil client – ")


def test_evaluations_cachees_ou_d_autrui_jamais_affichees(monde, personas):
    b = personas.b
    ref_b = gf.referentiel(b.diplome)
    tf.evaluation(
        b, date=datetime.date(2025, 2, 1), resultats={(b.apprenant.apprenant, ref_b[0]): "4"}
    )
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    pks = {c.pk for c in t.colonnes}
    assert monde["cachee"].pk not in pks
    assert monde["sans_moi"].pk not in pks
    niveaux = [
        cel.niveau for b_ in t.blocs_competences for l_ in b_.criteres for cel in l_.resultats
    ]
    assert "1" not in niveaux  # the hidden and the other learner's "1" never show
    titres = {
        c.observation.titre
        for b_ in t.blocs_competences
        for c in suggestion_expliquee(monde["moi"], b_.competence.pk, REF).contributions
    }
    assert titres and "Évaluation cachée" not in titres


def test_cellules_alignees_sur_les_colonnes(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    premiere = t.groupes[0].competences[0].criteres[0]  # U2, first criterion
    assert premiere.critere.pk == monde["ref"]["par_unite"]["U2"][0].pk
    assert [c.niveau if c else None for c in premiere.cellules] == ["2", "3", "4", None]
    seconde = t.groupes[0].competences[0].criteres[1]
    assert [c.niveau if c else None for c in seconde.cellules] == ["NE", None, None, None]


def test_vue_compacte_sans_colonne_vide(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    ligne = t.groupes[0].competences[0].criteres[0]
    assert [c.niveau for c in ligne.resultats] == ["2", "3", "4"]
    assert [c.colonne.date for c in ligne.resultats] == sorted(
        c.colonne.date for c in ligne.resultats
    )
    assert all(
        c is not None for b in t.blocs_competences for l_ in b.criteres for c in l_.resultats
    )


def test_comptes_par_nature(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    assert [(c.code, c.libelle, c.nb) for c in t.comptes] == [
        ("Int", "Intermédiaire", 2),
        ("C", "Complexe", 1),
        ("E", "Entreprise", 1),
    ]


def test_filtre_unite(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], unite="U31", reference=REF)
    assert t.unite == "U31"
    assert [g.groupe.unite.code for g in t.groupes] == ["U31"]
    assert {l_.critere.pk for b in t.blocs_competences for l_ in b.criteres} == {
        c.pk for c in monde["ref"]["par_unite"]["U31"]
    }
    # the évaluations with a résultat or a target in U31 only; counts follow the filter
    assert [c.pk for c in t.colonnes] == [monde["t1"].pk, monde["vide_u31"].pk]
    assert [c.nb for c in t.comptes] == [1, 1, 0]
    assert [u for u, _ in t.unites] == ["U2", "U31"]


def test_filtre_competence(monde):
    comp = monde["ref"]["competences"][0]
    t = donnees_tableau(monde["moi"], monde["diplome"], competence=comp.code, reference=REF)
    assert [b.competence.pk for b in t.blocs_competences] == [comp.pk]
    assert [c.pk for c in t.colonnes] == [monde["p1"].pk, monde["p2"].pk, monde["t1"].pk]
    assert len(t.competences) == len(monde["ref"]["competences"])  # the select keeps them all


def test_filtre_inconnu_ignore(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], unite="U99", competence="ZZ", reference=REF)
    assert t.unite is None and t.competence is None
    assert len(t.blocs_competences) == len(monde["ref"]["competences"])


def test_suggestion_par_competence_selon_la_regle(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    bloc = t.groupes[0].competences[0]
    attendu = suggerer(
        [
            Observation("2", datetime.date(2025, 1, 10), "INT"),
            Observation("NE", datetime.date(2025, 1, 10), "INT"),
            Observation("3", datetime.date(2025, 5, 20), "E"),
            Observation("4", datetime.date(2026, 3, 2), "C"),
        ],
        REF,
    )
    assert bloc.suggestion.niveau == attendu.niveau
    # « Pourquoi ce niveau ? » (loaded on demand) explains the same observations
    explique = suggestion_expliquee(monde["moi"], bloc.competence.pk, REF)
    assert explique.niveau == attendu.niveau
    assert [round(c.poids, 6) for c in explique.contributions] == [
        round(c.poids, 6) for c in attendu.contributions
    ]
    lignes = lignes_pourquoi(explique.contributions)
    assert [x["nature"] for x in lignes] == ["Int", "E", "C"]
    assert all("," in x["poids"] and "." not in x["poids"] for x in lignes)
    # the reference date is honoured: before any observation the suggestion is NE
    avant = donnees_tableau(monde["moi"], monde["diplome"], reference=datetime.date(2024, 9, 1))
    assert avant.groupes[0].competences[0].suggestion.niveau == "NE"


def test_sans_suggestion_pour_l_apprenant(monde):
    t = donnees_tableau(monde["moi"], monde["diplome"], avec_suggestions=False)
    assert all(b.suggestion is None for b in t.blocs_competences)


def test_apprenant_sans_evaluation(personas):
    tf.referentiel(personas.a.diplome)
    t = donnees_tableau(personas.a.apprenti.apprenant, personas.a.diplome)
    assert t.colonnes == [] and t.plages == []
    assert [c.nb for c in t.comptes] == [0, 0, 0]
    assert all(b.suggestion.niveau == "NE" for b in t.blocs_competences)


@pytest.mark.parametrize(
    "reference",
    [
        REF,
        datetime.date(2025, 1, 10),  # the day of the first observations
        datetime.date(2025, 3, 1),  # between observations: later ones exist (exact fallback)
        datetime.date(2026, 3, 1),  # the day before the latest one
        datetime.date(2030, 1, 1),
    ],
)
@pytest.mark.parametrize("filtre", [{}, {"unite": "U31"}])
def test_niveau_lu_des_agregats_identique_a_la_regle(monde, reference, filtre):
    """The level read from the stored aggregates (or, with an observation after the reference
    date, computed from the cells) is the level of `suggerer` on the dashboard's observations,
    whatever the reference date and the filter."""
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=reference, **filtre)
    assert t.blocs_competences
    for bloc in t.blocs_competences:
        attendu = suggerer(observations_du_bloc(bloc), reference).niveau
        assert bloc.suggestion.niveau == attendu
        assert bloc.reference == reference
        assert suggestion_expliquee(monde["moi"], bloc.competence.pk, reference).niveau == attendu
    assert {b.suggestion.niveau for b in t.blocs_competences} != {"NE"} or reference < REF


def test_niveau_lu_des_agregats_sans_recalcul(monde, monkeypatch):
    """At a reference date after every observation the levels come from the stored aggregates
    alone: the rule is not run on the cells."""
    from bilans import queries_tableaux

    def interdit(bloc):
        raise AssertionError("recalcul depuis les cases")

    attendus = {
        b.competence.pk: b.suggestion.niveau
        for b in donnees_tableau(monde["moi"], monde["diplome"], reference=REF).blocs_competences
    }
    monkeypatch.setattr(queries_tableaux, "observations_du_bloc", interdit)
    t = donnees_tableau(monde["moi"], monde["diplome"], reference=REF)
    assert {b.competence.pk: b.suggestion.niveau for b in t.blocs_competences} == attendus
    assert set(attendus.values()) != {"NE"}
    with pytest.raises(AssertionError, match="recalcul"):
        donnees_tableau(monde["moi"], monde["diplome"], reference=datetime.date(2025, 3, 1))
