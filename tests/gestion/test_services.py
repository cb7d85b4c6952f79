"""Account, learner, division and establishment services."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cpro import comptes
from cpro.models import AnneeScolaire, Apprenant, AuditLog, Division, Membership, Role, User
from gestion import services
from referentiels.models import Niveau
from tests.factories import DiplomeFactory, MembershipFactory, UserFactory
from tests.personas import login


def _request(personas):
    request = RequestFactory().post("/")
    request.etablissement = personas.a.etablissement
    request.user = personas.a.ddfpt.user
    return request


# --- usernames and passwords ------------------------------------------------------------------


def test_generer_identifiant_dedupliques(db):
    assert comptes.generer_identifiant("Jean-Pierre", "Dupont") == "jean-pierre.dupont"
    assert comptes.generer_identifiant("Éloïse", "Lefèvre") == "eloise.lefevre"
    UserFactory(username="Jean-Pierre.Dupont")
    UserFactory(username="jean-pierre.dupont2")
    assert comptes.generer_identifiant("Jean-Pierre", "Dupont") == "jean-pierre.dupont3"
    reserves = set()
    assert comptes.generer_identifiant("Léa", "Martin", reserves=reserves) == "lea.martin"
    assert comptes.generer_identifiant("Léa", "Martin", reserves=reserves) == "lea.martin2"


def test_mot_de_passe_provisoire_est_aleatoire():
    a, b = comptes.generer_mot_de_passe(), comptes.generer_mot_de_passe()
    assert a != b and len(a) == 14 and a.count("-") == 2


# --- accounts ----------------------------------------------------------------------------------


def test_creer_compte(personas):
    a = personas.a
    m, mdp = comptes.creer_compte(
        a.etablissement,
        par=a.ddfpt.user,
        role=Role.ENSEIGNANT,
        nom="Dupont",
        prenom="Marie",
        email="marie.dupont@exemple.fr",
        diplomes=[a.diplome],
    )
    assert m.user.username == "marie.dupont"
    assert m.user.check_password(mdp)
    assert (m.etablissement, m.role, list(m.diplomes.all())) == (
        a.etablissement,
        Role.ENSEIGNANT,
        [a.diplome],
    )
    entree = AuditLog.objects.get(action="compte.creer")
    assert entree.acteur == a.ddfpt.user and entree.apres["identifiant"] == "marie.dupont"
    assert mdp not in str(entree.apres)


def test_creer_compte_refuse_doublons_et_diplomes_etrangers(personas):
    a = personas.a
    autre = DiplomeFactory(code="AUTRE")
    avant = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        comptes.creer_compte(
            a.etablissement,
            par=a.ddfpt.user,
            role=Role.ENSEIGNANT,
            nom="X",
            prenom="Y",
            username=a.enseignant.user.username.upper(),
            email=a.chef.user.email,
        )
    assert set(exc.value.message_dict) == {"username", "email"}
    with pytest.raises(ValidationError, match="non préparés"):
        comptes.creer_compte(
            a.etablissement,
            par=a.ddfpt.user,
            role=Role.ENSEIGNANT,
            nom="X",
            prenom="Y",
            diplomes=[autre],
        )
    with pytest.raises(ValidationError):
        comptes.creer_compte(
            a.etablissement, par=a.ddfpt.user, role=Role.APPRENANT, nom="X", prenom="Y"
        )
    assert User.objects.count() == avant


def test_modifier_compte_sauf_son_propre_role(personas):
    a = personas.a
    m = a.enseignant
    services.modifier_compte(
        m,
        par=a.ddfpt.user,
        nom="Nouveau",
        prenom="Nom",
        email="n@exemple.fr",
        username="nouveau.nom",
        role=Role.CHEF,
        diplomes=[a.diplome, a.diplome2],
    )
    m.refresh_from_db()
    assert (m.user.last_name, m.user.username, m.role, m.diplomes.count()) == (
        "Nouveau",
        "nouveau.nom",
        Role.CHEF,
        2,
    )
    log = AuditLog.objects.get(action="compte.modifier")
    assert log.avant["role"] == Role.ENSEIGNANT and log.apres["role"] == Role.CHEF
    moi = a.ddfpt
    with pytest.raises(ValidationError, match="propre rôle"):
        services.modifier_compte(
            moi,
            par=moi.user,
            nom="A",
            prenom="B",
            email="",
            username=moi.user.username,
            role=Role.ENSEIGNANT,
        )
    moi.refresh_from_db()
    assert moi.role == Role.DDFPT


def test_desactiver_termine_les_sessions(personas, client):
    a = personas.a
    login(client, a.enseignant, a.diplome)
    accueil = f"/{a.etablissement.slug}/accueil/"
    assert client.get(accueil).status_code == 200

    services.desactiver_compte(a.enseignant, par=a.ddfpt.user)

    a.enseignant.refresh_from_db()
    a.enseignant.user.refresh_from_db()
    assert a.enseignant.active is False and a.enseignant.user.is_active is False
    response = client.get(accueil)
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert AuditLog.objects.filter(action="compte.desactiver").count() == 1


def test_desactiver_garde_l_utilisateur_actif_ailleurs(personas):
    a, b = personas.a, personas.b
    MembershipFactory(user=a.enseignant.user, etablissement=b.etablissement)
    services.desactiver_compte(a.enseignant, par=a.ddfpt.user)
    a.enseignant.user.refresh_from_db()
    assert a.enseignant.user.is_active is True
    assert not Membership.objects.get(pk=a.enseignant.pk).active


def test_ne_peut_pas_se_desactiver_soi_meme(personas):
    moi = personas.a.ddfpt
    with pytest.raises(ValidationError, match="propre compte"):
        services.desactiver_compte(moi, par=moi.user)
    moi.refresh_from_db()
    assert moi.active


def test_reactiver(personas):
    a = personas.a
    services.desactiver_compte(a.tuteur, par=a.ddfpt.user)
    services.reactiver_compte(a.tuteur, par=a.ddfpt.user)
    a.tuteur.refresh_from_db()
    a.tuteur.user.refresh_from_db()
    assert a.tuteur.active and a.tuteur.user.is_active
    with pytest.raises(ValidationError, match="déjà actif"):
        services.reactiver_compte(a.tuteur, par=a.ddfpt.user)


def test_reinitialiser_mot_de_passe_par_courriel(personas):
    a = personas.a
    user = a.enseignant.user
    ancien = user.password
    assert (
        services.reinitialiser_mot_de_passe(
            a.enseignant, par=a.ddfpt.user, request=_request(personas)
        )
        is None
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/comptes/password/reset/key/" in mail.outbox[0].body
    user.refresh_from_db()
    assert user.password == ancien  # the link lets the person choose; nothing changed yet
    assert AuditLog.objects.get(action="compte.reinitialiser_mot_de_passe").apres == {
        "methode": "courriel"
    }


def test_reinitialiser_mot_de_passe_sans_courriel(personas):
    a = personas.a
    user = a.apprenant.user
    user.email = ""
    user.save()
    mdp = services.reinitialiser_mot_de_passe(
        a.apprenant, par=a.ddfpt.user, request=_request(personas)
    )
    user.refresh_from_db()
    assert mdp and user.check_password(mdp)
    assert mail.outbox == []


def test_reinitialiser_refuse_un_compte_desactive(personas):
    a = personas.a
    services.desactiver_compte(a.enseignant, par=a.ddfpt.user)
    with pytest.raises(ValidationError, match="Réactivez"):
        services.reinitialiser_mot_de_passe(
            a.enseignant, par=a.ddfpt.user, request=_request(personas)
        )
    assert mail.outbox == []


# --- learners ---------------------------------------------------------------------------------


def test_creer_et_modifier_apprenant(personas):
    a = personas.a
    apprenant, mdp = services.creer_apprenant(
        a.etablissement,
        par=a.ddfpt.user,
        nom="Martin",
        prenom="Léa",
        ine="1234567890A",
        eleve_id="42",
        date_naissance=datetime.date(2008, 3, 14),
        division=a.division,
        numero_candidat="0123",
    )
    m = apprenant.membership
    assert (m.role, m.user.username, m.user.check_password(mdp)) == (
        Role.APPRENANT,
        "lea.martin",
        True,
    )
    services.modifier_apprenant(
        apprenant,
        par=a.ddfpt.user,
        nom="Martin",
        prenom="Léa",
        ine="1234567890A",
        eleve_id="42",
        statut="APPRENTI",
        division=None,
    )
    apprenant.refresh_from_db()
    assert apprenant.est_apprenti and apprenant.division is None
    log = AuditLog.objects.get(action="apprenant.modifier")
    assert log.avant["statut"] == "SCOLAIRE" and log.apres["statut"] == "APPRENTI"


def test_apprenant_ine_et_division_controles(personas):
    a, b = personas.a, personas.b
    ine_pris = a.apprenti.apprenant.ine
    with pytest.raises(ValidationError) as exc:
        services.creer_apprenant(
            a.etablissement,
            par=a.ddfpt.user,
            nom="X",
            prenom="Y",
            ine=ine_pris,
            division=b.division,
        )
    assert set(exc.value.message_dict) == {"ine", "division"}
    # The same INE in another establishment is another record: allowed.
    services.creer_apprenant(b.etablissement, par=b.ddfpt.user, nom="X", prenom="Y", ine=ine_pris)


# --- divisions and establishment ----------------------------------------------------------------


def test_divisions(personas):
    a = personas.a
    annee = AnneeScolaire.courante()
    d = services.creer_division(
        a.etablissement,
        par=a.ddfpt.user,
        annee=annee,
        nom="2MRC",
        diplome=a.diplome2,
        niveau=Niveau.SECONDE,
    )
    assert Division.objects.filter(pk=d.pk, etablissement=a.etablissement).exists()
    with pytest.raises(ValidationError, match="existe déjà"):
        services.creer_division(
            a.etablissement,
            par=a.ddfpt.user,
            annee=annee,
            nom="2mrc",
            diplome=a.diplome,
            niveau=Niveau.SECONDE,
        )
    seconde_seule = DiplomeFactory(code="2NDE", niveaux=["SECONDE"])
    a.etablissement.diplomes.add(seconde_seule)
    with pytest.raises(ValidationError, match="niveau"):
        services.modifier_division(
            d, par=a.ddfpt.user, nom="2MRC", diplome=seconde_seule, niveau=Niveau.TERMINALE
        )
    with pytest.raises(ValidationError, match="pas préparé"):
        services.modifier_division(
            d,
            par=a.ddfpt.user,
            nom="2MRC",
            diplome=DiplomeFactory(code="HORS"),
            niveau=Niveau.SECONDE,
        )
    services.modifier_division(
        d, par=a.ddfpt.user, nom="2MRC-A", diplome=a.diplome, niveau=Niveau.SECONDE
    )
    d.refresh_from_db()
    assert (d.nom, d.diplome) == ("2MRC-A", a.diplome)


def test_modifier_etablissement(personas):
    a = personas.a
    etab = a.etablissement
    nouveau = DiplomeFactory(code="ACCUEIL")
    services.modifier_etablissement(
        etab,
        par=a.ddfpt.user,
        nom="LP Nouveau nom",
        ville="Vienne",
        academie="Grenoble",
        diplomes=[a.diplome, nouveau],
        book_active=True,
    )
    etab.refresh_from_db()
    assert (etab.nom, etab.ville, etab.book_active) == ("LP Nouveau nom", "Vienne", True)
    assert set(etab.diplomes.all()) == {a.diplome, nouveau}
    # a.diplome is used by the persona division of the current year: it cannot be removed.
    with pytest.raises(ValidationError, match="1A"):
        services.modifier_etablissement(
            etab,
            par=a.ddfpt.user,
            nom="X",
            ville="",
            academie="",
            diplomes=[nouveau],
            book_active=False,
        )
    etab.refresh_from_db()
    assert etab.nom == "LP Nouveau nom"
    assert AuditLog.objects.filter(action="etablissement.modifier").count() == 1
    assert Apprenant.objects.filter(etablissement=etab).count() == 2
