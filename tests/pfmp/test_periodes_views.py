"""Annexes, périodes, assignments, entreprises and suivi pages: success + DB state for every
mutating view, and the persona checklist (other establishment 404, learner/tutor 403, chef
read-only 403, anonymous → login, GET on POST-only 405), plus the suivi query pin."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpro.models import AuditLog, Membership, Role
from pfmp.models import Affectation, AnnexePedagogique, Entreprise, FicheActivite, Periode
from tests.evaluations.factories import mini_referentiel
from tests.factories import ApprenantFactory, DivisionFactory
from tests.personas import login
from tests.pfmp.factories import (
    AnnexeFactory,
    EntrepriseFactory,
    affecter,
    periode_de,
)

D = datetime.date


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


def _annexe(side, **kwargs):
    kwargs.setdefault("niveau", side.division.niveau)
    return AnnexeFactory(etablissement=side.etablissement, diplome=side.diplome, **kwargs)


def _affectation(side):
    return affecter(periode_de(side), side.apprenant.apprenant)[0]


def _periode_data(side, **extra):
    data = {
        "titre": "PFMP 1",
        "date_debut": "03/11/2025",
        "date_fin": "21/11/2025",
        "apprenants": [side.apprenant.apprenant.pk, side.apprenti.apprenant.pk],
    }
    data.update(extra)
    return data


# (name, kwargs from a personas side, POST data from a side)
MUTATIONS = [
    ("pfmp:annexe_creer", lambda s: {}, lambda s: {"titre": "A", "niveau": "PREMIERE"}),
    (
        "pfmp:annexe_modifier",
        lambda s: {"pk": _annexe(s).pk},
        lambda s: {"titre": "A", "niveau": "PREMIERE"},
    ),
    ("pfmp:annexe_supprimer", lambda s: {"pk": _annexe(s).pk}, lambda s: {}),
    ("pfmp:periode_creer", lambda s: {"annexe": _annexe(s).pk}, _periode_data),
    (
        "pfmp:periode_modifier",
        lambda s: {"pk": periode_de(s).pk},
        lambda s: {"titre": "P", "date_debut": "03/11/2025", "date_fin": "28/11/2025"},
    ),
    (
        "pfmp:periode_apprenants",
        lambda s: {"pk": periode_de(s).pk},
        lambda s: {"apprenants": [s.apprenant.apprenant.pk]},
    ),
    (
        "pfmp:affectation_modifier",
        lambda s: {"pk": _affectation(s).pk},
        lambda s: {"referent": s.enseignant.user.pk},
    ),
    ("pfmp:affectation_retirer", lambda s: {"pk": _affectation(s).pk}, lambda s: {}),
    ("pfmp:entreprise_creer", lambda s: {}, lambda s: {"nom": "Boutique"}),
    (
        "pfmp:entreprise_modifier",
        lambda s: {"pk": EntrepriseFactory(etablissement=s.etablissement).pk},
        lambda s: {"nom": "Boutique"},
    ),
]
IDS = [m[0] for m in MUTATIONS]
AVEC_OBJET = [m for m in MUTATIONS if m[0] not in ("pfmp:annexe_creer", "pfmp:entreprise_creer")]


@pytest.mark.parametrize("name,kwargs,data", AVEC_OBJET, ids=[m[0] for m in AVEC_OBJET])
def test_objet_d_un_autre_etablissement_404(client, personas, name, kwargs, data):
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(url(personas, name, "b", **kwargs(personas.a)), data(personas.b))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["chef", "tuteur", "apprenant", "apprenti"])
@pytest.mark.parametrize("name,kwargs,data", MUTATIONS, ids=IDS)
def test_role_sans_droit_d_ecrire_403(as_persona, personas, persona, name, kwargs, data):
    client = as_persona(persona)
    response = client.post(url(personas, name, **kwargs(personas.a)), data(personas.a))
    assert response.status_code == 403


@pytest.mark.parametrize("name,kwargs,data", MUTATIONS, ids=IDS)
def test_anonyme_redirige_vers_la_connexion(client, personas, name, kwargs, data):
    response = client.post(url(personas, name, **kwargs(personas.a)), data(personas.a))
    assert response.status_code == 302
    assert "/connexion/" in response["Location"] or "?next=" in response["Location"]


def test_get_sur_retirer_405(as_persona, personas):
    client = as_persona("enseignant")
    response = client.get(url(personas, "pfmp:affectation_retirer", pk=_affectation(personas.a).pk))
    assert response.status_code == 405


def test_autre_diplome_404(as_persona, personas):
    side = personas.a
    annexe = AnnexeFactory(etablissement=side.etablissement, diplome=side.diplome2)
    periode = periode_de(side, diplome=side.diplome2)
    client = as_persona("enseignant")
    assert client.get(url(personas, "pfmp:annexe", pk=annexe.pk)).status_code == 404
    assert client.get(url(personas, "pfmp:periode", pk=periode.pk)).status_code == 404


# --- annexes ---------------------------------------------------------------------------------


def test_creer_annexe_avec_cases_a_cocher(as_persona, personas):
    side = personas.a
    ref = mini_referentiel(side.diplome)
    client = as_persona("enseignant")
    page = client.get(url(personas, "pfmp:annexe_creer") + "?niveau=PREMIERE")
    assert page.status_code == 200
    assert f'id="tache-{ref["taches"][0].pk}"' in page.content.decode()
    response = client.post(
        url(personas, "pfmp:annexe_creer"),
        {
            "titre": "Vente en magasin",
            "niveau": "PREMIERE",
            "objectifs": "Accueillir le client",
            "taches": [ref["taches"][0].pk],
            "competences": [ref["competences"][0].pk],
            "criteres": [ref["criteres"][0].pk, ref["criteres"][1].pk],
        },
    )
    annexe = AnnexePedagogique.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "pfmp:annexe", pk=annexe.pk)
    assert annexe.auteur == side.enseignant.user
    assert list(annexe.criteres.all()) == ref["criteres"][:2]
    page = client.get(response["Location"])
    assert "Vente en magasin" in page.content.decode()


def test_annexe_reperer_les_competences_liees_sans_enregistrer(as_persona, personas):
    ref = mini_referentiel(personas.a.diplome)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:annexe_creer"),
        {"titre": "", "niveau": "PREMIERE", "taches": [ref["taches"][0].pk], "actualiser": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "(liée aux tâches choisies)" in html
    assert "obligatoire" not in html
    assert not AnnexePedagogique.objects.exists()


def test_creer_annexe_erreur_en_francais(as_persona, personas):
    client = as_persona("enseignant")
    response = client.post(url(personas, "pfmp:annexe_creer"), {"titre": "", "niveau": "PREMIERE"})
    assert response.status_code == 200
    assert "Le titre est obligatoire." in response.content.decode()


def test_modifier_et_supprimer_annexe(as_persona, personas):
    side = personas.a
    annexe = _annexe(side)
    periode = periode_de(side, annexe=annexe)
    client = as_persona("ddfpt")
    response = client.post(
        url(personas, "pfmp:annexe_modifier", pk=annexe.pk),
        {"titre": "Renommée", "niveau": "PREMIERE"},
    )
    assert response.status_code == 302
    annexe.refresh_from_db()
    assert annexe.titre == "Renommée"
    page = client.get(url(personas, "pfmp:annexe_supprimer", pk=annexe.pk))
    assert "conserve" in page.content.decode()
    response = client.post(url(personas, "pfmp:annexe_supprimer", pk=annexe.pk))
    assert response.status_code == 302
    assert not AnnexePedagogique.objects.exists()
    assert Periode.objects.filter(pk=periode.pk).exists()


def test_liste_des_annexes_par_niveau_lecture_chef(as_persona, personas):
    _annexe(personas.a, titre="Annexe visible")
    AnnexeFactory(etablissement=personas.b.etablissement, diplome=personas.b.diplome, titre="B")
    client = as_persona("chef")
    html = client.get(url(personas, "pfmp:annexes")).content.decode()
    assert "Annexe visible" in html
    assert ">B<" not in html
    assert "Créer une annexe" not in html


# --- périodes --------------------------------------------------------------------------------


def test_creer_periode_page_coche_tous_les_apprenants_des_divisions(as_persona, personas):
    side = personas.a
    autre_div = DivisionFactory(
        etablissement=side.etablissement, diplome=side.diplome, niveau="PREMIERE", nom="1B"
    )
    eleve = ApprenantFactory(etablissement=side.etablissement, division=autre_div)
    client = as_persona("enseignant")
    html = client.get(url(personas, "pfmp:periode_creer", annexe=_annexe(side).pk)).content.decode()
    for a in (side.apprenant.apprenant, side.apprenti.apprenant, eleve):
        assert f'value="{a.pk}" id="apprenant-{a.pk}" checked' in html
    assert "Division 1B" in html


def test_creer_periode_boutons_tout_aucun_sans_js(as_persona, personas):
    side = personas.a
    client = as_persona("enseignant")
    annexe = _annexe(side)
    response = client.post(
        url(personas, "pfmp:periode_creer", annexe=annexe.pk),
        _periode_data(side, aucun=str(side.division.pk)),
    )
    assert response.status_code == 200
    assert " checked" not in response.content.decode().split("apprenant-")[1][:40]
    response = client.post(
        url(personas, "pfmp:periode_creer", annexe=annexe.pk),
        _periode_data(side, apprenants=[], tout=str(side.division.pk)),
    )
    html = response.content.decode()
    assert f'id="apprenant-{side.apprenti.apprenant.pk}" checked' in html
    assert not Periode.objects.exists()


def test_creer_periode_succes(as_persona, personas):
    side = personas.a
    client = as_persona("enseignant")
    annexe = _annexe(side)
    response = client.post(
        url(personas, "pfmp:periode_creer", annexe=annexe.pk), _periode_data(side)
    )
    periode = Periode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "pfmp:periode", pk=periode.pk)
    assert periode.affectations.count() == 2
    assert FicheActivite.objects.filter(portfolio__affectation__periode=periode).count() == 3 + 1
    html = client.get(response["Location"]).content.decode()
    assert "03/11/2025" in html and "21/11/2025" in html
    assert str(side.apprenant.user) in html


def test_creer_periode_dates_invalides_message_francais(as_persona, personas):
    side = personas.a
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:periode_creer", annexe=_annexe(side).pk),
        _periode_data(side, date_debut="21/11/2025", date_fin="03/11/2025"),
    )
    assert response.status_code == 200
    assert "postérieure ou égale à la date de début" in response.content.decode()
    assert not Periode.objects.exists()


def test_creer_periode_apprenant_d_un_autre_etablissement_refuse(as_persona, personas):
    side = personas.a
    client = as_persona("enseignant")
    data = _periode_data(side)
    data["apprenants"].append(personas.b.apprenant.apprenant.pk)
    response = client.post(url(personas, "pfmp:periode_creer", annexe=_annexe(side).pk), data)
    assert response.status_code == 200
    assert not Periode.objects.exists()


def test_liste_des_periodes_annee_precedente(as_persona, personas):
    side = personas.a
    periode_de(side, titre="Période courante")
    ancienne = periode_de(side, titre="Période ancienne", date_debut=D(2020, 11, 2))
    from cpro.models import AnneeScolaire

    ancienne.annee = AnneeScolaire.courante(D(2020, 11, 2))
    ancienne.save()
    client = as_persona("chef")
    html = client.get(url(personas, "pfmp:periodes")).content.decode()
    assert "Période courante" in html and "Période ancienne" not in html
    html = client.get(url(personas, "pfmp:periodes") + "?annee=2020").content.decode()
    assert "Période ancienne" in html


def test_modifier_periode_succes_et_refus(as_persona, personas):
    side = personas.a
    periode = periode_de(side)
    (a,) = affecter(periode, side.apprenant.apprenant)
    semaine = a.portfolio.semaines.get(numero=3)
    semaine.activites = "Inventaire"
    semaine.save()
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:periode_modifier", pk=periode.pk),
        {"titre": "P", "date_debut": "03/11/2025", "date_fin": "14/11/2025"},
    )
    assert response.status_code == 200
    assert "déjà renseignées" in response.content.decode()
    response = client.post(
        url(personas, "pfmp:periode_modifier", pk=periode.pk),
        {"titre": "P", "date_debut": "03/11/2025", "date_fin": "28/11/2025"},
    )
    assert response.status_code == 302
    assert a.portfolio.semaines.count() == 4
    assert AuditLog.objects.filter(action="pfmp.periode.modifier").exists()


def test_ajouter_et_retirer_des_apprenants(as_persona, personas):
    side = personas.a
    periode = periode_de(side)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:periode_apprenants", pk=periode.pk),
        {"apprenants": [side.apprenant.apprenant.pk, side.apprenti.apprenant.pk]},
    )
    assert response.status_code == 302
    assert periode.affectations.filter(archivee=False).count() == 2
    affectation = periode.affectations.get(apprenant=side.apprenant.apprenant)
    response = client.post(url(personas, "pfmp:affectation_retirer", pk=affectation.pk))
    assert response.status_code == 302
    affectation.refresh_from_db()
    assert affectation.archivee
    html = client.get(url(personas, "pfmp:periode", pk=periode.pk)).content.decode()
    assert "Apprenants retirés (1)" in html
    page = client.get(url(personas, "pfmp:periode_apprenants", pk=periode.pk)).content.decode()
    assert f'id="apprenant-{side.apprenant.apprenant.pk}"' in page
    assert f'id="apprenant-{side.apprenti.apprenant.pk}"' not in page
    client.post(
        url(personas, "pfmp:periode_apprenants", pk=periode.pk),
        {"apprenants": [side.apprenant.apprenant.pk]},
    )
    affectation.refresh_from_db()
    assert not affectation.archivee


def test_ajouter_sans_apprenant_message(as_persona, personas):
    client = as_persona("enseignant")
    response = client.post(url(personas, "pfmp:periode_apprenants", pk=periode_de(personas.a).pk))
    assert "Choisissez au moins un apprenant." in response.content.decode()


# --- assignments and entreprises -------------------------------------------------------------


def test_affecter_entreprise_existante_tuteur_et_referent(as_persona, personas):
    side = personas.a
    affectation = _affectation(side)
    entreprise = EntrepriseFactory(etablissement=side.etablissement, nom="Fnac Bellecour")
    client = as_persona("enseignant")
    page = client.get(url(personas, "pfmp:affectation_modifier", pk=affectation.pk))
    assert "Fnac Bellecour" in page.content.decode()
    response = client.post(
        url(personas, "pfmp:affectation_modifier", pk=affectation.pk),
        {
            "entreprise": entreprise.pk,
            "tuteur": side.tuteur.pk,
            "referent": side.enseignant2.user.pk,
        },
    )
    assert response.status_code == 302
    affectation.refresh_from_db()
    assert affectation.entreprise == entreprise
    assert affectation.tuteur == side.tuteur
    assert affectation.referent == side.enseignant2.user


def test_affecter_en_creant_entreprise_et_tuteur(as_persona, personas):
    side = personas.a
    affectation = _affectation(side)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:affectation_modifier", pk=affectation.pk),
        {
            "ent-nom": "Office de tourisme",
            "ent-siret": "12345678900012",
            "ent-latitude": "45,7640",
            "ent-longitude": "4,8357",
            "ent-ville": "Lyon",
            "tuteur_nom": "Martin",
            "tuteur_prenom": "Julie",
            "tuteur_email": "julie.martin@exemple.fr",
        },
    )
    assert response.status_code == 302
    affectation.refresh_from_db()
    assert affectation.entreprise.nom == "Office de tourisme"
    assert str(affectation.entreprise.latitude) == "45.764000"
    assert affectation.tuteur.role == Role.TUTEUR
    assert affectation.tuteur.user.email == "julie.martin@exemple.fr"
    page = client.get(response["Location"]).content.decode()
    assert "Mot de passe provisoire" in page
    assert "Mot de passe provisoire" not in client.get(response["Location"]).content.decode()


def test_affecter_siret_invalide(as_persona, personas):
    affectation = _affectation(personas.a)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:affectation_modifier", pk=affectation.pk),
        {"ent-nom": "X", "ent-siret": "12345"},
    )
    assert response.status_code == 200
    assert "14 chiffres" in response.content.decode()
    assert not Entreprise.objects.exists()


def test_affecter_tuteur_d_un_autre_etablissement_refuse(as_persona, personas):
    affectation = _affectation(personas.a)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "pfmp:affectation_modifier", pk=affectation.pk),
        {"tuteur": personas.b.tuteur.pk},
    )
    assert response.status_code == 200
    affectation.refresh_from_db()
    assert affectation.tuteur is None


def test_entreprises_creer_modifier_et_lien_carte(as_persona, personas):
    client = as_persona("ddfpt")
    response = client.post(
        url(personas, "pfmp:entreprise_creer"),
        {"nom": "Hôtel des Célestins", "latitude": "45,7597", "longitude": "4,8320"},
    )
    assert response.status_code == 302
    entreprise = Entreprise.objects.get()
    html = client.get(url(personas, "pfmp:entreprises")).content.decode()
    assert "https://www.openstreetmap.org/?mlat=45.759700&amp;mlon=4.832000" in html
    page = client.get(url(personas, "pfmp:entreprise_modifier", pk=entreprise.pk))
    assert 'value="45,759700"' in page.content.decode()
    response = client.post(
        url(personas, "pfmp:entreprise_modifier", pk=entreprise.pk),
        {"nom": "Hôtel des Célestins", "latitude": "", "longitude": ""},
    )
    assert response.status_code == 302
    entreprise.refresh_from_db()
    assert entreprise.latitude is None
    assert AuditLog.objects.filter(action="pfmp.entreprise.modifier").exists()


def test_entreprise_latitude_hors_limites(as_persona, personas):
    client = as_persona("ddfpt")
    response = client.post(
        url(personas, "pfmp:entreprise_creer"), {"nom": "X", "latitude": "95", "longitude": "4"}
    )
    assert response.status_code == 200
    assert "entre -90 et 90" in response.content.decode()


# --- suivi -----------------------------------------------------------------------------------


def _remplir(affectation, semaines=(1,), statuts=()):
    portfolio = affectation.portfolio
    portfolio.semaines.filter(numero__in=semaines).update(activites="Vente")
    for numero, statut in statuts:
        portfolio.fiches.filter(numero=numero).update(statut=statut)


def test_suivi_montre_semaines_fiches_et_bilan(as_persona, personas):
    side = personas.a
    periode = periode_de(side)
    scolaire, apprenti = affecter(periode, side.apprenant.apprenant, side.apprenti.apprenant)
    _remplir(
        scolaire,
        semaines=(1, 3),
        statuts=[(1, FicheActivite.Statut.VALIDEE), (2, FicheActivite.Statut.A_REVOIR)],
    )
    scolaire.referent = side.enseignant.user
    scolaire.save()
    client = as_persona("enseignant")
    html = client.get(url(personas, "pfmp:periode_suivi", pk=periode.pk)).content.decode()
    assert "2 semaines renseignées sur 3" in html
    assert "1 validée" in html and "1 à revoir" in html and "1 brouillon" in html
    assert "non validé" in html
    # Agreement (issue 15): "2 validées", never "2 validée".
    _remplir(scolaire, statuts=[(3, FicheActivite.Statut.VALIDEE)])
    html = client.get(url(personas, "pfmp:periode_suivi", pk=periode.pk)).content.decode()
    assert "2 validées" in html and "2 validée<" not in html and "1 à revoir" in html
    html = client.get(url(personas, "pfmp:suivi") + "?mes=1").content.decode()
    assert str(side.apprenant.user) in html
    assert str(side.apprenti.user) not in html


def test_suivi_exclut_les_apprenants_retires(as_persona, personas):
    from pfmp.services_periodes import retirer_apprenant

    side = personas.a
    periode = periode_de(side)
    (a,) = affecter(periode, side.apprenant.apprenant)
    retirer_apprenant(a, par=None)
    html = as_persona("chef").get(url(personas, "pfmp:suivi")).content.decode()
    assert str(side.apprenant.user) not in html


def _nombre_de_requetes(client, adresse) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(adresse).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["pfmp:suivi", "pfmp:periode_suivi"])
def test_suivi_nombre_de_requetes_constant(as_persona, personas, django_assert_num_queries, name):
    side = personas.a
    periode = periode_de(side)
    entreprise = EntrepriseFactory(etablissement=side.etablissement)
    affecter(periode, side.apprenant.apprenant)
    Affectation.objects.update(
        entreprise=entreprise, tuteur=side.tuteur, referent=side.enseignant.user
    )
    client = as_persona("enseignant")
    adresse = url(personas, name, **({"pk": periode.pk} if name == "pfmp:periode_suivi" else {}))
    un = _nombre_de_requetes(client, adresse)

    eleves = [
        ApprenantFactory(etablissement=side.etablissement, division=side.division)
        for _ in range(99)
    ]
    affecter(periode, *eleves)
    Affectation.objects.update(
        entreprise=entreprise, tuteur=side.tuteur, referent=side.enseignant.user
    )
    for a in Affectation.objects.select_related("portfolio")[:30]:
        _remplir(a, semaines=(1, 2), statuts=[(1, FicheActivite.Statut.SOUMISE)])
    with django_assert_num_queries(un):
        response = client.get(adresse)
    assert response.content.decode().count("semaine") > 100


def test_pages_de_lecture_nombre_de_requetes_constant(as_persona, personas):
    side = personas.a
    annexe = _annexe(side)
    periode = periode_de(side, annexe=annexe)
    affecter(periode, side.apprenant.apprenant)
    client = as_persona("enseignant")
    adresses = [
        url(personas, "pfmp:annexes"),
        url(personas, "pfmp:periodes"),
        url(personas, "pfmp:periode", pk=periode.pk),
        url(personas, "pfmp:entreprises"),
    ]
    avant = [_nombre_de_requetes(client, a) for a in adresses]
    for _ in range(10):
        _annexe(side)
        p = periode_de(side)
        EntrepriseFactory(etablissement=side.etablissement)
    eleves = [
        ApprenantFactory(etablissement=side.etablissement, division=side.division)
        for _ in range(10)
    ]
    affecter(periode, *eleves)
    affecter(p, *eleves)
    assert [_nombre_de_requetes(client, a) for a in adresses] == avant


def test_tuteur_cree_a_un_compte_tuteur_seulement(as_persona, personas):
    affectation = _affectation(personas.a)
    client = as_persona("ddfpt")
    client.post(
        url(personas, "pfmp:affectation_modifier", pk=affectation.pk),
        {"tuteur_nom": "Tuteurtest", "tuteur_prenom": "Luc"},
    )
    m = Membership.objects.get(user__last_name="Tuteurtest")
    assert m.role == Role.TUTEUR and m.etablissement == personas.a.etablissement
