"""LSL Pro services: the gate, the livret's rules (levels, periods, limits, teachers, recopie,
copy of the constat), the audit, the périodicité."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpro.models import AuditLog, Statut
from lslpro import services
from lslpro.models import EnseignantLivret, Livret, NoteLivret, Periodicite
from referentiels.models import Niveau
from tests.factories import DiplomeFactory, DivisionFactory
from tests.lslpro import lsl_factories as lf

Saisie = services.Saisie


def enregistrer(lsl, par=None, **kwargs):
    par = par or lsl.side.enseignant.user
    return services.enregistrer_livret(lsl.apprenant, Saisie(**kwargs), par=par, annee=lsl.annee)


def erreurs(exc) -> str:
    return " ".join(exc.value.messages)


# --- the gate ---------------------------------------------------------------------------------


def test_sans_periodicite_aucune_saisie(personas):
    a = personas.a
    lf.competences_lsl(a)
    lf.bilan(a, 30)
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_livret(
            a.apprenant.apprenant, Saisie(), par=a.enseignant.user, annee=lf.annee()
        )
    assert "périodicité" in erreurs(exc) and "n'a pas encore été définie" in erreurs(exc)
    assert not Livret.objects.exists()


def test_sans_bilan_valide_de_l_annee_aucune_saisie(personas):
    a = personas.a
    lf.periodicite(a)
    lf.bilan(a, 30, valide=False)  # a draft does not count
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_livret(
            a.apprenant.apprenant, Saisie(), par=a.enseignant.user, annee=lf.annee()
        )
    assert erreurs(exc) == services.MESSAGE_SANS_BILAN


def test_apprenti_refuse(lsl):
    apprenti = lsl.side.apprenti.apprenant
    lf.bilan(lsl.side, 30, apprenant=apprenti)
    assert services.raison_indisponible(apprenti, lsl.annee) == services.MESSAGE_APPRENTI
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_livret(apprenti, Saisie(), par=lsl.side.enseignant.user)
    assert "apprentis ne sont pas soumis" in erreurs(exc)
    assert not Livret.objects.exists()


def test_seconde_hors_lsl(lsl):
    seconde = DivisionFactory(
        etablissement=lsl.side.etablissement, diplome=lsl.side.diplome, niveau=Niveau.SECONDE
    )
    lsl.apprenant.division = seconde
    lsl.apprenant.save()
    assert services.raison_indisponible(lsl.apprenant, lsl.annee) == services.MESSAGE_SECONDE


def test_saisie_possible(lsl):
    assert services.raison_indisponible(lsl.apprenant, lsl.annee) == ""


def test_droits(lsl):
    for persona in ("chef", "tuteur", "apprenant"):
        with pytest.raises(PermissionDenied):
            enregistrer(lsl, par=lsl.side.membership(persona).user)
    assert not Livret.objects.exists()


def test_enseignant_autre_etablissement_refuse(lsl, personas):
    with pytest.raises(PermissionDenied):
        enregistrer(lsl, par=personas.b.enseignant.user)


# --- levels, recopie --------------------------------------------------------------------------


def test_niveaux_enregistres_ne_accepte_vide_non_positionne(lsl):
    c1, c2, c3 = lsl.competences
    livret = enregistrer(lsl, niveaux={c1.pk: "4", c2.pk: "NE", c3.pk: ""})
    assert dict(livret.niveaux.values_list("competence_id", "niveau")) == {c1.pk: "4", c2.pk: "NE"}


def test_niveau_inconnu_ou_competence_d_un_autre_diplome(lsl, personas):
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, niveaux={lsl.competences[0].pk: "5"})
    assert "Niveau inconnu" in erreurs(exc)
    autre = lf.competences_lsl(personas.b, n=1)[0]
    autre.diplome = personas.a.diplome2
    autre.save()
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, niveaux={autre.pk: "3"})
    assert "Compétence inconnue" in erreurs(exc)


def test_recopie_du_dernier_bilan_le_plus_bas_des_competences_groupees(lsl):
    c1, c2, c3 = lsl.competences
    # Last validated bilan of the year = b3 (all 3); b2 had 4/2 on c1's two competences.
    assert services.niveaux_recopie(lsl.apprenant, lsl.annee) == {
        c1.pk: "3",
        c2.pk: "3",
        c3.pk: "3",
    }
    lsl.bilans[2].delete()
    assert services.niveaux_recopie(lsl.apprenant, lsl.annee) == {
        c1.pk: "2",
        c2.pk: "NE",
        c3.pk: "4",
    }
    livret = enregistrer(lsl, niveaux={c1.pk: "1"}, recopie=True)
    assert dict(livret.niveaux.values_list("competence_id", "niveau")) == {
        c1.pk: "2",
        c2.pk: "NE",
        c3.pk: "4",
    }


def test_bilans_brouillons_ignores_par_la_recopie(lsl):
    lf.bilan(lsl.side, 120, valide=False, niveaux={})  # a later draft, all NE
    c1 = lsl.competences[0]
    assert services.niveaux_recopie(lsl.apprenant, lsl.annee)[c1.pk] == "3"


def test_copier_le_constat_tronque_a_300(lsl):
    lsl.bilans[2].delete()  # last bilan = b2, constats of 400 characters
    livret = enregistrer(lsl, copier_constat=True)
    assert livret.chef_oeuvre_appreciation == "x" * 300
    assert livret.chef_oeuvre_actif


# --- periods ----------------------------------------------------------------------------------


def test_periodes_enregistrees(lsl):
    b1, b2, _ = lsl.bilans
    livret = enregistrer(lsl, periodes={b1.pk: "T1", b2.pk: "T2"})
    assert dict(livret.notes.values_list("bilan_id", "periode")) == {b1.pk: "T1", b2.pk: "T2"}
    # Gaps are allowed (T1 then T3), as long as the chronology holds.
    livret = enregistrer(lsl, periodes={b1.pk: "T1", b2.pk: "T3"})
    assert dict(livret.notes.values_list("bilan_id", "periode")) == {b1.pk: "T1", b2.pk: "T3"}


def test_meme_periode_deux_fois_refusee(lsl):
    b1, b2, _ = lsl.bilans
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, periodes={b1.pk: "T1", b2.pk: "T1"})
    assert "ne peut être utilisée qu'une fois" in erreurs(exc)
    assert not NoteLivret.objects.exists()


def test_chronologie_des_periodes(lsl):
    b1, b2, _ = lsl.bilans
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, periodes={b1.pk: "T2", b2.pk: "T1"})
    assert "chronologie des bilans" in erreurs(exc)


def test_seul_un_bilan_avec_note_recoit_une_periode(lsl):
    b3 = lsl.bilans[2]
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, periodes={b3.pk: "T3"})
    assert "n'a pas de note" in erreurs(exc)


def test_periode_hors_periodicite_refusee(lsl):
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, periodes={lsl.bilans[0].pk: "S1"})
    assert "inconnue" in erreurs(exc) and "T1, T2, T3" in erreurs(exc)


def test_bilan_d_une_autre_annee_ou_brouillon_refuse(lsl):
    from tests.bilans import bilans_factories as bf

    ancien = bf.bilan_valide(lsl.side, note=Decimal("10"))  # January 2026: previous year
    brouillon = lf.bilan(lsl.side, 100, valide=False)
    for bilan in (ancien, brouillon):
        with pytest.raises(ValidationError) as exc:
            enregistrer(lsl, periodes={bilan.pk: "T3"})
        assert "bilan validé de l'année" in erreurs(exc)


# --- texts and limits -------------------------------------------------------------------------


def test_limites_300_et_1000(lsl):
    livret = enregistrer(
        lsl,
        appreciation="a" * 300,
        pfmp_synthese="p" * 1000,
        chef_oeuvre_appreciation="c" * 300,
    )
    assert len(livret.appreciation) == 300 and len(livret.pfmp_synthese) == 1000
    with pytest.raises(ValidationError) as exc:
        enregistrer(
            lsl,
            appreciation="a" * 301,
            pfmp_synthese="p" * 1001,
            chef_oeuvre_appreciation="c" * 301,
        )
    d = exc.value.message_dict
    assert "300 caractères" in d["appreciation"][0]
    assert "1000 caractères" in d["pfmp_synthese"][0]
    assert "300 caractères" in d["chef_oeuvre_appreciation"][0]
    livret.refresh_from_db()
    assert len(livret.appreciation) == 300  # nothing written


def test_semaines_et_note_du_chef_d_oeuvre(lsl):
    livret = enregistrer(lsl, pfmp_semaines=52, chef_oeuvre_note="14,5")
    assert livret.pfmp_semaines == 52 and livret.chef_oeuvre_note == Decimal("14.5")
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, pfmp_semaines=53, chef_oeuvre_note="21")
    d = exc.value.message_dict
    assert "entre 0 et 52" in d["pfmp_semaines"][0]
    assert "entre 0 et 20" in d["chef_oeuvre_note"][0]


def test_enseignants(lsl, personas):
    a = lsl.side
    livret = enregistrer(
        lsl,
        enseignants=[a.enseignant.user.pk, a.ddfpt.user.pk, a.enseignant.user.pk],
        enseignants_autres=[("Durand", "Léa")],
        chef_oeuvre_enseignants=[a.enseignant2.user.pk],
    )
    roles = list(livret.enseignants.order_by("pk").values_list("role", "user_id", "nom"))
    assert roles == [
        ("APPRECIATION", a.enseignant.user.pk, a.enseignant.user.last_name),
        ("APPRECIATION", a.ddfpt.user.pk, a.ddfpt.user.last_name),
        ("APPRECIATION", None, "Durand"),
        ("CHEF_OEUVRE", a.enseignant2.user.pk, a.enseignant2.user.last_name),
    ]
    for ids in ([personas.b.enseignant.user.pk], [a.chef.user.pk], [a.tuteur.user.pk]):
        with pytest.raises(ValidationError) as exc:
            enregistrer(lsl, enseignants=ids)
        assert "Enseignant inconnu" in erreurs(exc)
    with pytest.raises(ValidationError) as exc:
        enregistrer(lsl, enseignants_autres=[("Durand", "")])
    assert "nom et le prénom" in erreurs(exc)


def test_mise_a_jour_remplace_les_lignes(lsl):
    c1 = lsl.competences[0]
    b1 = lsl.bilans[0]
    a = lsl.side
    enregistrer(
        lsl, niveaux={c1.pk: "2"}, periodes={b1.pk: "T1"}, enseignants=[a.enseignant.user.pk]
    )
    livret = enregistrer(lsl, niveaux={c1.pk: "3"})
    assert Livret.objects.count() == 1
    assert list(livret.niveaux.values_list("niveau", flat=True)) == ["3"]
    assert not livret.notes.exists() and not livret.enseignants.exists()
    assert livret.modifie_par == a.enseignant.user


# --- audit ------------------------------------------------------------------------------------


def test_audit_avant_apres_et_rien_si_inchange(lsl):
    c1 = lsl.competences[0]
    enregistrer(lsl, niveaux={c1.pk: "2"}, appreciation="Bien.")
    enregistrer(lsl, niveaux={c1.pk: "3"}, appreciation="Bien.")
    enregistrer(lsl, niveaux={c1.pk: "3"}, appreciation="Bien.")  # unchanged: no entry
    entrees = list(AuditLog.objects.filter(action="lsl.livret.enregistrer").order_by("pk"))
    assert len(entrees) == 2
    assert entrees[0].avant == {} and entrees[0].apres["niveaux"] == {c1.code: "2"}
    assert entrees[1].avant["niveaux"] == {c1.code: "2"}
    assert entrees[1].apres["niveaux"] == {c1.code: "3"}
    assert entrees[1].acteur == lsl.side.enseignant.user
    assert entrees[1].etablissement == lsl.side.etablissement


# --- périodicité ------------------------------------------------------------------------------


def test_periodicite_definie_modifiee_retiree_et_journalisee(personas):
    a = personas.a
    cle1 = (a.diplome.pk, Niveau.PREMIERE)
    cle2 = (a.diplome.pk, Niveau.TERMINALE)
    assert (
        services.definir_periodicites(a.etablissement, {cle1: "T", cle2: "S"}, par=a.ddfpt.user)
        == 2
    )
    assert (
        services.definir_periodicites(a.etablissement, {cle1: "T", cle2: ""}, par=a.chef.user) == 1
    )
    assert list(Periodicite.objects.values_list("niveau", "type")) == [("PREMIERE", "T")]
    journal = list(AuditLog.objects.filter(action="lsl.periodicite").order_by("pk"))
    assert len(journal) == 3
    assert journal[2].avant["type"] == "S" and "type" not in journal[2].apres


def test_periodicite_droits_et_valeurs(personas):
    a = personas.a
    cle = (a.diplome.pk, Niveau.PREMIERE)
    with pytest.raises(PermissionDenied):
        services.definir_periodicites(a.etablissement, {cle: "T"}, par=a.enseignant.user)
    with pytest.raises(PermissionDenied):
        services.definir_periodicites(a.etablissement, {cle: "T"}, par=personas.b.ddfpt.user)
    with pytest.raises(ValidationError):
        services.definir_periodicites(a.etablissement, {cle: "X"}, par=a.ddfpt.user)
    with pytest.raises(ValidationError):
        services.definir_periodicites(
            a.etablissement, {(a.diplome.pk, Niveau.SECONDE): "T"}, par=a.ddfpt.user
        )
    autre = DiplomeFactory(code="HORS")  # not prepared by the establishment
    with pytest.raises(ValidationError):
        services.definir_periodicites(
            a.etablissement, {(autre.pk, "PREMIERE"): "T"}, par=a.ddfpt.user
        )
    assert not Periodicite.objects.exists()


def test_periodicite_utilisee_ne_change_plus(lsl):
    a = lsl.side
    enregistrer(lsl, periodes={lsl.bilans[0].pk: "T1"})
    with pytest.raises(ValidationError) as exc:
        services.definir_periodicites(
            a.etablissement, {(a.diplome.pk, a.division.niveau): "S"}, par=a.ddfpt.user
        )
    assert "ne peut plus changer" in erreurs(exc)
    assert Periodicite.objects.get().type == "T"


def test_statut_scolaire_seul(lsl):
    lsl.apprenant.statut = Statut.APPRENTI
    lsl.apprenant.save()
    with pytest.raises(ValidationError):
        enregistrer(lsl)
    assert EnseignantLivret.objects.count() == 0
