"""Administration pages: success + DB state for every mutating view, plus the usual refusals
(other establishment's object 404, teacher 403, anonymous → login, GET on POST-only 405)."""

import pytest
from django.core import mail
from django.urls import reverse

from cpro.models import AnneeScolaire, Apprenant, AuditLog, Division, Membership, Role
from referentiels.models import Niveau
from tests.personas import login


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


# name, kwargs(personas side) → object of that side, method
MUTATIONS = [
    ("gestion:personnel_creer", None, "POST"),
    ("gestion:personnel_modifier", lambda s: {"pk": s.enseignant.pk}, "POST"),
    ("gestion:tuteur_creer", None, "POST"),
    ("gestion:tuteur_modifier", lambda s: {"pk": s.tuteur.pk}, "POST"),
    ("gestion:apprenant_creer", None, "POST"),
    ("gestion:apprenant_modifier", lambda s: {"pk": s.apprenant.apprenant.pk}, "POST"),
    ("gestion:compte_desactiver", lambda s: {"pk": s.enseignant.pk}, "POST"),
    ("gestion:compte_reactiver", lambda s: {"pk": s.enseignant.pk}, "POST"),
    ("gestion:compte_mot_de_passe", lambda s: {"pk": s.enseignant.pk}, "POST"),
    ("gestion:division_creer", None, "POST"),
    ("gestion:division_modifier", lambda s: {"pk": s.division.pk}, "POST"),
    ("gestion:etablissement", None, "POST"),
    ("gestion:import", None, "POST"),
    ("gestion:import_confirmer", None, "POST"),
]
AVEC_OBJET = [m for m in MUTATIONS if m[1] is not None]
POST_SEUL = {
    "gestion:compte_desactiver",
    "gestion:compte_reactiver",
    "gestion:compte_mot_de_passe",
    "gestion:import_confirmer",
}


@pytest.mark.parametrize("name,kwargs,method", AVEC_OBJET, ids=[m[0] for m in AVEC_OBJET])
def test_objet_d_un_autre_etablissement_404(client, personas, name, kwargs, method):
    # B's DDFPT, on B's own pages, with an object of A in the URL.
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(url(personas, name, etab="b", **kwargs(personas.a)), {})
    assert response.status_code == 404


@pytest.mark.parametrize("name,kwargs,method", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_enseignant_403(client, personas, name, kwargs, method):
    login(client, personas.a.enseignant, personas.a.diplome)
    kw = kwargs(personas.a) if kwargs else {}
    assert client.post(url(personas, name, **kw), {}).status_code == 403


@pytest.mark.parametrize("name,kwargs,method", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_anonyme_vers_connexion(client, personas, name, kwargs, method):
    kw = kwargs(personas.a) if kwargs else {}
    response = client.post(url(personas, name, **kw), {})
    assert response.status_code == 302
    assert response["Location"].startswith(url(personas, "etab:connexion") + "?next=")


@pytest.mark.parametrize("name", sorted(POST_SEUL))
def test_get_sur_une_action_405(client, personas, name):
    login(client, personas.a.ddfpt, personas.a.diplome)
    kw = next(m[1] for m in MUTATIONS if m[0] == name)
    assert client.get(url(personas, name, **(kw(personas.a) if kw else {}))).status_code == 405


def test_personnel_de_mauvais_role_404(client, personas):
    """The staff page does not open a learner's or a tutor's account."""
    login(client, personas.a.ddfpt, personas.a.diplome)
    for m in (personas.a.apprenant, personas.a.tuteur):
        assert client.get(url(personas, "gestion:personnel_modifier", pk=m.pk)).status_code == 404
    assert (
        client.get(
            url(personas, "gestion:tuteur_modifier", pk=personas.a.enseignant.pk)
        ).status_code
        == 404
    )


# --- success paths ------------------------------------------------------------------------------


@pytest.fixture
def ddfpt(client, personas):
    return login(client, personas.a.ddfpt, personas.a.diplome)


def test_creer_personnel_affiche_le_mot_de_passe_une_fois(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:personnel_creer"),
        {
            "nom": "Dupont",
            "prenom": "Marie",
            "email": "",
            "username": "",
            "role": "ENSEIGNANT",
            "diplomes": [a.diplome.pk, a.diplome2.pk],
        },
    )
    m = Membership.objects.get(user__username="marie.dupont", etablissement=a.etablissement)
    assert response.status_code == 302
    assert response["Location"] == url(personas, "gestion:personnel_modifier", pk=m.pk)
    assert m.role == Role.ENSEIGNANT and m.diplomes.count() == 2
    page = ddfpt.get(response["Location"])
    assert "Mot de passe provisoire" in page.text
    mdp = page.context["identifiants"]["mot_de_passe"]
    assert m.user.check_password(mdp)
    assert mdp not in ddfpt.get(response["Location"]).text  # shown once


def test_creer_personnel_erreurs_du_service_sur_le_formulaire(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:personnel_creer"),
        {"nom": "X", "prenom": "Y", "username": a.chef.user.username, "role": "CHEF"},
    )
    assert response.status_code == 200
    assert "Cet identifiant est déjà utilisé." in response.text


def test_modifier_personnel(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:personnel_modifier", pk=a.enseignant2.pk),
        {
            "nom": "Durand",
            "prenom": "Paul",
            "email": "p.durand@exemple.fr",
            "username": "paul.durand",
            "role": "ENSEIGNANT",
            "diplomes": [a.diplome2.pk],
        },
    )
    assert response.status_code == 302
    a.enseignant2.refresh_from_db()
    assert a.enseignant2.user.username == "paul.durand"
    assert list(a.enseignant2.diplomes.all()) == [a.diplome2]


def test_creer_et_modifier_tuteur(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:tuteur_creer"),
        {"nom": "Roux", "prenom": "Anne", "email": "anne.roux@entreprise.fr"},
    )
    m = Membership.objects.get(user__username="anne.roux")
    assert response.status_code == 302 and m.role == Role.TUTEUR
    assert m.etablissement == a.etablissement
    response = ddfpt.post(
        url(personas, "gestion:tuteur_modifier", pk=m.pk),
        {"nom": "Roux-Blanc", "prenom": "Anne", "email": "", "username": "anne.roux"},
    )
    assert response.status_code == 302
    m.user.refresh_from_db()
    assert (m.user.last_name, m.user.email) == ("Roux-Blanc", "")


def test_creer_et_modifier_apprenant(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:apprenant_creer"),
        {
            "nom": "Martin",
            "prenom": "Léa",
            "ine": "1234567890a",
            "eleve_id": "42",
            "date_naissance": "14/03/2008",
            "statut": "APPRENTI",
            "division": a.division.pk,
            "numero_candidat": "02145",
        },
    )
    apprenant = Apprenant.objects.get(eleve_id="42", etablissement=a.etablissement)
    assert response.status_code == 302
    assert (apprenant.ine, apprenant.date_naissance.isoformat(), apprenant.division) == (
        "1234567890A",
        "2008-03-14",
        a.division,
    )
    page = ddfpt.get(response["Location"])
    assert "14/03/2008" in page.text and "Mot de passe provisoire" in page.text
    response = ddfpt.post(
        url(personas, "gestion:apprenant_modifier", pk=apprenant.pk),
        {
            "nom": "Martin",
            "prenom": "Léa",
            "ine": a.apprenti.apprenant.ine,
            "eleve_id": "42",
            "date_naissance": "14/03/2008",
            "statut": "SCOLAIRE",
            "division": "",
        },
    )
    assert response.status_code == 200
    assert "Cet INE est déjà attribué" in response.text
    response = ddfpt.post(
        url(personas, "gestion:apprenant_modifier", pk=apprenant.pk),
        {
            "nom": "Martin",
            "prenom": "Léa",
            "ine": "",
            "eleve_id": "42",
            "date_naissance": "",
            "statut": "SCOLAIRE",
            "division": "",
            "numero_candidat": "9",
        },
    )
    assert response.status_code == 302
    apprenant.refresh_from_db()
    assert (apprenant.ine, apprenant.division, apprenant.numero_candidat) == ("", None, "9")


def test_apprenant_division_d_un_autre_etablissement_refusee(ddfpt, personas):
    response = ddfpt.post(
        url(personas, "gestion:apprenant_creer"),
        {"nom": "X", "prenom": "Y", "statut": "SCOLAIRE", "division": personas.b.division.pk},
    )
    assert response.status_code == 200
    assert not Apprenant.objects.filter(membership__user__last_name="X").exists()


def test_desactiver_et_reactiver(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(url(personas, "gestion:compte_desactiver", pk=a.apprenant.pk))
    assert response["Location"] == url(
        personas, "gestion:apprenant_modifier", pk=a.apprenant.apprenant.pk
    )
    a.apprenant.refresh_from_db()
    assert not a.apprenant.active and not a.apprenant.user.is_active
    ddfpt.post(url(personas, "gestion:compte_reactiver", pk=a.apprenant.pk))
    a.apprenant.refresh_from_db()
    assert a.apprenant.active and a.apprenant.user.is_active


def test_ne_peut_pas_se_desactiver(ddfpt, personas):
    response = ddfpt.post(
        url(personas, "gestion:compte_desactiver", pk=personas.a.ddfpt.pk), follow=True
    )
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.text
    personas.a.ddfpt.refresh_from_db()
    assert personas.a.ddfpt.active


def test_mot_de_passe_par_courriel_et_provisoire(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(url(personas, "gestion:compte_mot_de_passe", pk=a.tuteur.pk), follow=True)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [a.tuteur.user.email]
    assert "Un lien de réinitialisation a été envoyé" in response.text
    a.tuteur.user.email = ""
    a.tuteur.user.save()
    response = ddfpt.post(url(personas, "gestion:compte_mot_de_passe", pk=a.tuteur.pk), follow=True)
    mdp = response.context["identifiants"]["mot_de_passe"]
    a.tuteur.user.refresh_from_db()
    assert a.tuteur.user.check_password(mdp)


def test_creer_et_modifier_division(ddfpt, personas):
    a = personas.a
    annee = AnneeScolaire.courante()
    response = ddfpt.post(
        url(personas, "gestion:division_creer"),
        {"annee": annee.debut, "nom": "2MRC", "diplome": a.diplome2.pk, "niveau": "SECONDE"},
    )
    assert response.status_code == 302
    d = Division.objects.get(etablissement=a.etablissement, nom="2MRC")
    assert (d.annee, d.diplome, d.niveau) == (annee, a.diplome2, Niveau.SECONDE)
    # Next year's divisions can be prepared before September: the year row is created.
    response = ddfpt.post(
        url(personas, "gestion:division_creer"),
        {"annee": annee.debut + 1, "nom": "2MRC", "diplome": a.diplome2.pk, "niveau": "SECONDE"},
    )
    assert response.status_code == 302
    assert Division.objects.get(nom="2MRC", annee__debut=annee.debut + 1)
    response = ddfpt.post(
        url(personas, "gestion:division_modifier", pk=d.pk),
        {"nom": "1A", "diplome": a.diplome2.pk, "niveau": "SECONDE"},
    )
    assert response.status_code == 200 and "existe déjà" in response.text
    response = ddfpt.post(
        url(personas, "gestion:division_modifier", pk=d.pk),
        {"nom": "2MRC-B", "diplome": a.diplome.pk, "niveau": "PREMIERE"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.nom, d.niveau) == ("2MRC-B", Niveau.PREMIERE)


def test_divisions_selecteur_d_annee(ddfpt, personas):
    courante = AnneeScolaire.courante()
    response = ddfpt.get(url(personas, "gestion:divisions"))
    assert response.context["annee"] == courante and "1A" in response.text
    response = ddfpt.get(url(personas, "gestion:divisions") + f"?annee={courante.debut + 1}")
    assert response.context["annee"].debut == courante.debut + 1
    assert "Aucune division" in response.text


def test_etablissement(ddfpt, personas):
    a = personas.a
    response = ddfpt.post(
        url(personas, "gestion:etablissement"),
        {
            "nom": "LP Jean Moulin",
            "ville": "Lyon",
            "academie": "Lyon",
            "diplomes": [a.diplome.pk, a.diplome2.pk],
            "book_active": "on",
        },
    )
    assert response.status_code == 302
    a.etablissement.refresh_from_db()
    assert a.etablissement.nom == "LP Jean Moulin" and a.etablissement.book_active
    assert AuditLog.objects.filter(action="etablissement.modifier").exists()


def test_chef_ne_peut_pas_administrer(client, personas):
    login(client, personas.a.chef, personas.a.diplome)
    assert client.get(url(personas, "gestion:etablissement")).status_code == 403
    assert client.get(url(personas, "gestion:personnels")).status_code == 403


def test_listes_et_filtre_par_division(ddfpt, personas):
    a = personas.a
    autre = Division.objects.create(
        etablissement=a.etablissement,
        annee=a.division.annee,
        nom="TMCV",
        diplome=a.diplome,
        niveau=Niveau.TERMINALE,
    )
    apprenti = a.apprenti.apprenant
    apprenti.division = autre
    apprenti.save()
    response = ddfpt.get(url(personas, "gestion:apprenants") + f"?division={autre.pk}")
    assert [x.pk for x in response.context["page"]] == [apprenti.pk]
    response = ddfpt.get(url(personas, "gestion:apprenants") + "?division=aucune")
    assert list(response.context["page"]) == []
    response = ddfpt.get(url(personas, "gestion:personnels"))
    roles = {m.role for m in response.context["page"]}
    assert roles == {Role.DDFPT, Role.CHEF, Role.ENSEIGNANT}
    response = ddfpt.get(url(personas, "gestion:tuteurs"))
    assert [m.pk for m in response.context["page"]] == [a.tuteur.pk]
