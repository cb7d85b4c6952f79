"""Completeness rules (lslpro.completude): what the export needs, the percentage, the stable
`manques(livret)` used by the XML export."""

from lslpro import completude, services
from lslpro.completude import evaluer_donnees


def _complet(**kwargs):
    donnees = {
        "nb_competences": 4,
        "nb_positionnees": 4,
        "nb_notes": 1,
        "appreciation": "Bien.",
        "roles_enseignants": {"APPRECIATION"},
    }
    donnees.update(kwargs)
    return evaluer_donnees(**donnees)


def test_complet():
    c = _complet()
    assert c.complet and c.manques == [] and c.pourcentage == 100


def test_vide():
    c = _complet(nb_positionnees=0, nb_notes=0, appreciation="  ", roles_enseignants=set())
    assert c.pourcentage == 0
    assert c.manques == [
        completude.LIBELLE_NIVEAUX,
        completude.LIBELLE_NOTE,
        completude.LIBELLE_APPRECIATION,
        completude.LIBELLE_ENSEIGNANT,
    ]


def test_competences_en_partie_positionnees_credit_partiel():
    c = _complet(nb_positionnees=2)
    assert c.manques == [f"{completude.LIBELLE_NIVEAUX} (2 sur 4 à positionner)"]
    assert c.pourcentage == 87  # (0,5 + 3) / 4, floored


def test_enseignant_du_chef_d_oeuvre_ne_suffit_pas_pour_la_specialite():
    c = _complet(roles_enseignants={"CHEF_OEUVRE"})
    assert c.manques == [completude.LIBELLE_ENSEIGNANT]


def test_pfmp_et_chef_d_oeuvre_seulement_si_actives():
    assert _complet(pfmp_synthese="", chef_oeuvre_appreciation="").complet
    c = _complet(pfmp_active=True, pfmp_synthese="Synthèse", chef_oeuvre_actif=True)
    assert c.manques == [
        completude.LIBELLE_PFMP_ENSEIGNANT,
        completude.LIBELLE_CHEF_OEUVRE_APPRECIATION,
        completude.LIBELLE_CHEF_OEUVRE_ENSEIGNANT,
    ]
    assert c.pourcentage == 62  # 5 of 8
    c = _complet(
        pfmp_active=True,
        pfmp_synthese="Synthèse",
        pfmp_enseignant="LAMBERT Sophie",
        chef_oeuvre_actif=True,
        chef_oeuvre_appreciation="Beau projet.",
        roles_enseignants={"APPRECIATION", "CHEF_OEUVRE"},
    )
    assert c.complet


def test_manques_d_un_livret(lsl):
    a = lsl.side
    c1, c2, c3 = lsl.competences
    livret = services.enregistrer_livret(
        lsl.apprenant,
        services.Saisie(niveaux={c1.pk: "3", c2.pk: "NE"}, periodes={lsl.bilans[0].pk: "T1"}),
        par=a.enseignant.user,
        annee=lsl.annee,
    )
    assert completude.manques(livret) == [
        f"{completude.LIBELLE_NIVEAUX} (1 sur 3 à positionner)",
        completude.LIBELLE_APPRECIATION,
        completude.LIBELLE_ENSEIGNANT,
    ]
    livret = services.enregistrer_livret(
        lsl.apprenant,
        services.Saisie(
            niveaux={c1.pk: "3", c2.pk: "NE", c3.pk: "1"},  # NE counts as positioned
            periodes={lsl.bilans[0].pk: "T1"},
            appreciation="Élève sérieux.",
            enseignants=[a.enseignant.user.pk],
        ),
        par=a.enseignant.user,
        annee=lsl.annee,
    )
    assert completude.manques(livret) == []
    assert completude.evaluer(livret).pourcentage == 100
    assert completude.evaluer(None, lsl.competences).pourcentage == 0
