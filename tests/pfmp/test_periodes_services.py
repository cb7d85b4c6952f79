"""Services of the annexes and périodes: weeks from dates, portfolio generation (scolaire vs
apprenti), archive/unarchive, date changes, atomicity, audit."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cpro.models import AuditLog, Role, Statut
from pfmp import services_periodes as services
from pfmp.models import (
    Affectation,
    AnnexePedagogique,
    Entreprise,
    FicheActivite,
    Periode,
    Portfolio,
    SemaineJournal,
)
from tests.evaluations.factories import mini_referentiel
from tests.factories import ApprenantFactory, DivisionFactory
from tests.pfmp.factories import AnnexeFactory, EntrepriseFactory, affecter, periode_de

D = datetime.date


def _annexe(side, **kwargs):
    kwargs.setdefault("niveau", side.division.niveau)
    return AnnexeFactory(etablissement=side.etablissement, diplome=side.diplome, **kwargs)


def _apprenants(side):
    return [side.apprenant.apprenant, side.apprenti.apprenant]


# --- weeks -----------------------------------------------------------------------------------


def test_semaines_lundi_au_vendredi():
    semaines = services.semaines_de(D(2025, 11, 3), D(2025, 11, 21))
    assert [(s.numero, s.date_debut, s.date_fin) for s in semaines] == [
        (1, D(2025, 11, 3), D(2025, 11, 9)),
        (2, D(2025, 11, 10), D(2025, 11, 16)),
        (3, D(2025, 11, 17), D(2025, 11, 21)),
    ]


def test_semaines_partielles_au_debut_et_a_la_fin():
    # Wednesday 5/11 to Tuesday 18/11: 3 calendar weeks, the first and last clipped.
    semaines = services.semaines_de(D(2025, 11, 5), D(2025, 11, 18))
    assert [(s.date_debut, s.date_fin) for s in semaines] == [
        (D(2025, 11, 5), D(2025, 11, 9)),
        (D(2025, 11, 10), D(2025, 11, 16)),
        (D(2025, 11, 17), D(2025, 11, 18)),
    ]
    assert [s.lundi for s in semaines] == [D(2025, 11, 3), D(2025, 11, 10), D(2025, 11, 17)]


def test_semaines_un_seul_jour_et_a_cheval_sur_l_annee():
    assert len(services.semaines_de(D(2025, 11, 5), D(2025, 11, 5))) == 1
    semaines = services.semaines_de(D(2025, 12, 29), D(2026, 1, 9))
    assert [s.numero for s in semaines] == [1, 2]
    assert semaines[1].date_debut == D(2026, 1, 5)


@pytest.mark.parametrize(
    "debut,fin,message",
    [
        (D(2025, 11, 10), D(2025, 11, 7), "postérieure ou égale"),
        (D(2025, 9, 1), D(2026, 3, 3), "26 semaines"),
        (None, D(2025, 11, 7), "obligatoire"),
    ],
)
def test_dates_refusees(debut, fin, message):
    with pytest.raises(ValidationError) as exc:
        services.verifier_dates(debut, fin)
    assert message in str(exc.value)


def test_26_semaines_exactement_acceptees():
    services.verifier_dates(D(2025, 9, 1), D(2025, 9, 1) + datetime.timedelta(days=26 * 7 - 1))


# --- annexes ---------------------------------------------------------------------------------


def test_creer_annexe_ajoute_la_competence_des_criteres(personas):
    side = personas.a
    ref = mini_referentiel(side.diplome)
    annexe = services.creer_annexe(
        side.etablissement,
        side.diplome,
        par=side.enseignant.user,
        titre="  PFMP 1 ",
        niveau="PREMIERE",
        objectifs="Découvrir",
        taches=[ref["taches"][0]],
        competences=[],
        criteres=[ref["criteres"][2]],
    )
    assert annexe.titre == "PFMP 1"
    assert list(annexe.taches.all()) == [ref["taches"][0]]
    assert set(annexe.competences.all()) == {ref["competences"][1]}
    assert AuditLog.objects.filter(action="pfmp.annexe.creer", objet_id=str(annexe.pk)).exists()


def test_creer_annexe_refuse_un_autre_diplome_et_un_niveau_absent(personas):
    side = personas.a
    autre = mini_referentiel(side.diplome2)
    with pytest.raises(ValidationError) as exc:
        services.creer_annexe(
            side.etablissement,
            side.diplome,
            par=side.ddfpt.user,
            titre="T",
            niveau="PREMIERE",
            taches=autre["taches"],
        )
    assert "taches" in exc.value.error_dict
    side.diplome.niveaux = ["TERMINALE"]
    with pytest.raises(ValidationError) as exc:
        services.creer_annexe(
            side.etablissement, side.diplome, par=side.ddfpt.user, titre="T", niveau="PREMIERE"
        )
    assert "niveau" in exc.value.error_dict
    assert not AnnexePedagogique.objects.exists()


def test_supprimer_annexe_garde_la_periode_et_sa_copie(personas):
    side = personas.a
    ref = mini_referentiel(side.diplome)
    annexe = _annexe(side)
    annexe.taches.set(ref["taches"])
    periode = services.creer_periode(
        annexe,
        par=side.ddfpt.user,
        titre="PFMP",
        date_debut=D(2025, 11, 3),
        date_fin=D(2025, 11, 21),
        apprenants=[],
    )
    services.modifier_annexe(annexe, par=side.ddfpt.user, titre="Nouveau", niveau="PREMIERE")
    services.supprimer_annexe(annexe, par=side.ddfpt.user)
    periode.refresh_from_db()
    assert periode.annexe is None
    assert set(periode.taches.all()) == set(ref["taches"])
    assert AuditLog.objects.filter(action="pfmp.annexe.supprimer").exists()


# --- périodes --------------------------------------------------------------------------------


def test_creer_periode_copie_l_annexe_et_genere_les_portfolios(personas):
    side = personas.a
    ref = mini_referentiel(side.diplome)
    annexe = _annexe(side, objectifs="Accueillir")
    annexe.taches.set(ref["taches"][:1])
    annexe.competences.set(ref["competences"][:1])
    annexe.criteres.set(ref["criteres"][:2])
    periode = services.creer_periode(
        annexe,
        par=side.enseignant.user,
        titre="PFMP novembre",
        date_debut=D(2025, 11, 5),
        date_fin=D(2025, 11, 28),
        apprenants=_apprenants(side),
    )
    assert periode.objectifs == "Accueillir"
    assert periode.annee.debut == 2025
    assert (periode.diplome, periode.niveau) == (side.diplome, side.division.niveau)
    assert list(periode.criteres.all()) == ref["criteres"][:2]
    assert Affectation.objects.filter(periode=periode).count() == 2

    scolaire = Portfolio.objects.get(affectation__apprenant=side.apprenant.apprenant)
    apprenti = Portfolio.objects.get(affectation__apprenant=side.apprenti.apprenant)
    for p in (scolaire, apprenti):
        semaines = list(p.semaines.values_list("numero", "date_debut", "date_fin"))
        assert semaines == [
            (1, D(2025, 11, 5), D(2025, 11, 9)),
            (2, D(2025, 11, 10), D(2025, 11, 16)),
            (3, D(2025, 11, 17), D(2025, 11, 23)),
            (4, D(2025, 11, 24), D(2025, 11, 28)),
        ]
    assert list(scolaire.fiches.values_list("numero", flat=True)) == [1, 2, 3, 4]
    assert list(apprenti.fiches.values_list("numero", "date_debut", "date_fin")) == [
        (1, D(2025, 11, 5), D(2025, 11, 28))
    ]
    log = AuditLog.objects.get(action="pfmp.periode.creer")
    assert len(log.apres["apprenants"]) == 2


def test_creer_periode_liste_invalide_n_ecrit_rien(personas):
    side = personas.a
    annexe = _annexe(side)
    intrus = personas.b.apprenant.apprenant  # another establishment
    with pytest.raises(ValidationError) as exc:
        services.creer_periode(
            annexe,
            par=side.ddfpt.user,
            titre="PFMP",
            date_debut=D(2025, 11, 3),
            date_fin=D(2025, 11, 21),
            apprenants=[side.apprenant.apprenant, intrus],
        )
    assert "apprenants" in exc.value.error_dict
    assert not Periode.objects.exists()
    assert not Affectation.objects.exists()
    assert not Portfolio.objects.exists()


def test_creer_periode_refuse_une_autre_division_de_niveau(personas):
    side = personas.a
    terminale = DivisionFactory(
        etablissement=side.etablissement, diplome=side.diplome, niveau="TERMINALE"
    )
    eleve = ApprenantFactory(etablissement=side.etablissement, division=terminale)
    with pytest.raises(ValidationError):
        services.creer_periode(
            _annexe(side),
            par=side.ddfpt.user,
            titre="PFMP",
            date_debut=D(2025, 11, 3),
            date_fin=D(2025, 11, 21),
            apprenants=[eleve],
        )
    assert not Periode.objects.exists()


def test_creer_periode_dates_invalides(personas):
    side = personas.a
    with pytest.raises(ValidationError) as exc:
        services.creer_periode(
            _annexe(side),
            par=side.ddfpt.user,
            titre="PFMP",
            date_debut=D(2025, 11, 21),
            date_fin=D(2025, 11, 3),
            apprenants=_apprenants(side),
        )
    assert "date_fin" in exc.value.error_dict
    assert not Periode.objects.exists()


def test_retirer_archive_et_ajouter_desarchive(personas):
    side = personas.a
    periode = periode_de(side)
    (affectation,) = affecter(periode, side.apprenant.apprenant)
    semaine = affectation.portfolio.semaines.get(numero=1)
    semaine.activites = "J'ai accueilli les clients."
    semaine.save()

    services.retirer_apprenant(affectation, par=side.enseignant.user)
    affectation.refresh_from_db()
    assert affectation.archivee and affectation.archivee_le is not None
    assert SemaineJournal.objects.filter(pk=semaine.pk).exists()
    assert AuditLog.objects.filter(action="pfmp.periode.retirer_apprenant").exists()

    n = services.ajouter_apprenants(
        periode, [side.apprenant.apprenant, side.apprenti.apprenant], par=side.enseignant.user
    )
    assert n == 2
    affectation.refresh_from_db()
    assert not affectation.archivee and affectation.archivee_le is None
    assert Affectation.objects.filter(periode=periode).count() == 2
    assert Portfolio.objects.filter(affectation__periode=periode).count() == 2
    semaine.refresh_from_db()
    assert semaine.activites == "J'ai accueilli les clients."
    assert affectation.portfolio.semaines.count() == 3  # not duplicated


def test_ajouter_deux_fois_ne_change_rien(personas):
    side = personas.a
    periode = periode_de(side)
    affecter(periode, side.apprenant.apprenant)
    assert services.ajouter_apprenants(periode, [side.apprenant.apprenant], par=None) == 0
    assert SemaineJournal.objects.count() == 3
    assert FicheActivite.objects.count() == 3


def test_ajouter_liste_invalide_n_ecrit_rien(personas):
    side = personas.a
    periode = periode_de(side)
    with pytest.raises(ValidationError):
        services.ajouter_apprenants(
            periode, [side.apprenant.apprenant, personas.b.apprenti.apprenant], par=None
        )
    assert not Affectation.objects.exists()


# --- date changes ----------------------------------------------------------------------------


def _periode_remplie(side):
    periode = periode_de(side, date_debut=D(2025, 11, 3), date_fin=D(2025, 11, 21))
    scolaire, apprenti = affecter(periode, side.apprenant.apprenant, side.apprenti.apprenant)
    return periode, scolaire.portfolio, apprenti.portfolio


def test_modifier_dates_ajoute_des_semaines_et_renumerote(personas):
    side = personas.a
    periode, scolaire, apprenti = _periode_remplie(side)
    s1 = scolaire.semaines.get(numero=1)
    s1.activites = "Mise en rayon"
    s1.save()
    # One week earlier and a week longer: the old week 1 becomes week 2.
    services.modifier_periode(
        periode,
        par=side.ddfpt.user,
        titre="PFMP longue",
        date_debut=D(2025, 10, 29),
        date_fin=D(2025, 11, 28),
    )
    semaines = list(scolaire.semaines.values_list("numero", "date_debut", "date_fin", "activites"))
    assert semaines == [
        (1, D(2025, 10, 29), D(2025, 11, 2), ""),
        (2, D(2025, 11, 3), D(2025, 11, 9), "Mise en rayon"),
        (3, D(2025, 11, 10), D(2025, 11, 16), ""),
        (4, D(2025, 11, 17), D(2025, 11, 23), ""),
        (5, D(2025, 11, 24), D(2025, 11, 28), ""),
    ]
    assert list(scolaire.fiches.values_list("numero", flat=True)) == [1, 2, 3, 4, 5]
    assert apprenti.semaines.count() == 5
    assert list(apprenti.fiches.values_list("date_debut", "date_fin")) == [
        (D(2025, 10, 29), D(2025, 11, 28))
    ]
    log = AuditLog.objects.get(action="pfmp.periode.modifier")
    assert log.avant["date_debut"] == "03/11/2025"
    assert log.apres["date_debut"] == "29/10/2025"


def test_modifier_dates_retire_les_semaines_vides(personas):
    side = personas.a
    periode, scolaire, apprenti = _periode_remplie(side)
    services.modifier_periode(
        periode, par=None, titre="PFMP", date_debut=D(2025, 11, 12), date_fin=D(2025, 11, 14)
    )
    assert list(scolaire.semaines.values_list("numero", "date_debut", "date_fin")) == [
        (1, D(2025, 11, 12), D(2025, 11, 14))
    ]
    assert list(scolaire.fiches.values_list("numero", "date_debut")) == [(1, D(2025, 11, 12))]
    assert apprenti.fiches.count() == 1


def test_modifier_dates_refuse_de_perdre_une_semaine_renseignee(personas):
    side = personas.a
    periode, scolaire, _ = _periode_remplie(side)
    s3 = scolaire.semaines.get(numero=3)
    s3.activites = "Inventaire"
    s3.save()
    with pytest.raises(ValidationError) as exc:
        services.modifier_periode(
            periode, par=None, titre="PFMP", date_debut=D(2025, 11, 3), date_fin=D(2025, 11, 14)
        )
    assert str(side.apprenant.apprenant) in str(exc.value)
    periode.refresh_from_db()
    assert periode.date_fin == D(2025, 11, 21)
    assert scolaire.semaines.count() == 3 and scolaire.fiches.count() == 3


def test_modifier_dates_refuse_de_perdre_une_fiche_soumise_ou_une_semaine_avec_taches(personas):
    side = personas.a
    periode, scolaire, _ = _periode_remplie(side)
    fiche = scolaire.fiches.get(numero=1)
    fiche.statut = FicheActivite.Statut.SOUMISE
    fiche.save()
    with pytest.raises(ValidationError):
        services.modifier_periode(
            periode, par=None, titre="PFMP", date_debut=D(2025, 11, 10), date_fin=D(2025, 11, 21)
        )
    ref = mini_referentiel(side.diplome)
    fiche.statut = FicheActivite.Statut.BROUILLON
    fiche.save()
    scolaire.semaines.get(numero=1).taches.add(ref["taches"][0])
    with pytest.raises(ValidationError):
        services.modifier_periode(
            periode, par=None, titre="PFMP", date_debut=D(2025, 11, 10), date_fin=D(2025, 11, 21)
        )


def test_modifier_dates_protege_aussi_les_portfolios_archives(personas):
    side = personas.a
    periode, scolaire, _ = _periode_remplie(side)
    s3 = scolaire.semaines.get(numero=3)
    s3.activites = "Écrit avant d'être retiré"
    s3.save()
    services.retirer_apprenant(scolaire.affectation, par=None)
    with pytest.raises(ValidationError):
        services.modifier_periode(
            periode, par=None, titre="PFMP", date_debut=D(2025, 11, 3), date_fin=D(2025, 11, 14)
        )


def test_modifier_dates_change_l_annee_scolaire(personas):
    side = personas.a
    periode, _, _ = _periode_remplie(side)
    services.modifier_periode(
        periode, par=None, titre="PFMP", date_debut=D(2026, 10, 5), date_fin=D(2026, 10, 23)
    )
    periode.refresh_from_db()
    assert periode.annee.debut == 2026
    assert SemaineJournal.objects.filter(date_debut__year=2025).count() == 0


# --- entreprises and assignments -------------------------------------------------------------


def test_creer_entreprise_valide_siret_et_coordonnees(personas):
    side = personas.a
    with pytest.raises(ValidationError) as exc:
        services.creer_entreprise(side.etablissement, par=None, nom="Boutique", siret="123")
    assert "siret" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.creer_entreprise(side.etablissement, par=None, nom="Boutique", latitude=45)
    assert "longitude" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.creer_entreprise(side.etablissement, par=None, nom="  ")
    e = services.creer_entreprise(
        side.etablissement,
        par=side.ddfpt.user,
        nom="Boutique",
        siret="123 456 789 00012",
        latitude=45.76,
        longitude=4.83,
    )
    assert e.siret == "12345678900012"
    assert AuditLog.objects.filter(action="pfmp.entreprise.creer").exists()


def test_modifier_affectation_cree_entreprise_et_tuteur(personas):
    side = personas.a
    (affectation,) = affecter(periode_de(side), side.apprenant.apprenant)
    affectation, compte = services.modifier_affectation(
        affectation,
        par=side.enseignant.user,
        nouvelle_entreprise={"nom": "Carrefour Part-Dieu", "ville": "Lyon"},
        nouveau_tuteur={"nom": "Durand", "prenom": "Anne", "email": "anne.durand@exemple.fr"},
        referent=side.enseignant.user,
    )
    affectation.refresh_from_db()
    assert affectation.entreprise.nom == "Carrefour Part-Dieu"
    assert affectation.entreprise.etablissement == side.etablissement
    membership, mot_de_passe = compte
    assert membership.role == Role.TUTEUR and mot_de_passe
    assert affectation.tuteur == membership
    assert affectation.referent == side.enseignant.user
    assert AuditLog.objects.filter(action="compte.creer").exists()
    assert AuditLog.objects.filter(action="pfmp.affectation.modifier").exists()


def test_modifier_affectation_refuse_ce_qui_n_est_pas_de_l_etablissement(personas):
    side = personas.a
    (affectation,) = affecter(periode_de(side), side.apprenant.apprenant)
    autre = EntrepriseFactory(etablissement=personas.b.etablissement)
    with pytest.raises(ValidationError):
        services.modifier_affectation(affectation, par=None, entreprise=autre)
    with pytest.raises(ValidationError):
        services.modifier_affectation(affectation, par=None, tuteur=personas.b.tuteur)
    with pytest.raises(ValidationError):
        services.modifier_affectation(affectation, par=None, tuteur=side.enseignant)
    with pytest.raises(ValidationError):
        services.modifier_affectation(affectation, par=None, referent=side.apprenant.user)
    with pytest.raises(ValidationError):
        services.modifier_affectation(affectation, par=None, referent=side.chef.user)


def test_modifier_affectation_atomique_si_le_tuteur_est_invalide(personas):
    side = personas.a
    (affectation,) = affecter(periode_de(side), side.apprenant.apprenant)
    with pytest.raises(ValidationError) as exc:
        services.modifier_affectation(
            affectation,
            par=None,
            nouvelle_entreprise={"nom": "Nouvelle"},
            nouveau_tuteur={"nom": "X", "prenom": "Y", "email": side.enseignant.user.email},
        )
    assert "tuteur_email" in exc.value.error_dict
    assert not Entreprise.objects.filter(nom="Nouvelle").exists()


def test_apprenti_devenu_statut_scolaire_garde_sa_fiche(personas):
    # The fiche layout is decided when the portfolio is generated.
    side = personas.a
    periode = periode_de(side)
    (a,) = affecter(periode, side.apprenti.apprenant)
    apprenant = side.apprenti.apprenant
    apprenant.statut = Statut.SCOLAIRE
    apprenant.save()
    assert a.portfolio.fiches.count() == 1
