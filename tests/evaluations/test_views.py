"""Évaluation pages: success + DB state for every mutating view, and the persona checklist
(other establishment 404, wrong role 403, anonymous → login, GET on POST-only 405)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cpro.models import AuditLog
from evaluations import services
from evaluations.models import Evaluation, Participant, Resultat
from tests.evaluations.factories import (
    PDF,
    ParticipantFactory,
    RessourceEvaluationFactory,
    ResultatFactory,
    evaluation_de,
    mini_referentiel,
    ressource_fichier_scenario,
    scenario_de,
)
from tests.personas import login


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


def _info(**kwargs):
    data = {
        "titre": "Vente additionnelle",
        "date": "05/10/2026",
        "nature": "C",
        "afficher_tableau_de_bord": "on",
    }
    data.update(kwargs)
    return data


# (name, kwargs from a personas side, POST data from a side)
MUTATIONS = [
    ("evaluations:creer", lambda s: {"scenario": scenario_de(s).pk}, lambda s: _info()),
    ("evaluations:modifier", lambda s: {"pk": evaluation_de(s).pk}, lambda s: _info()),
    (
        "evaluations:apprenants",
        lambda s: {"pk": evaluation_de(s).pk},
        lambda s: {"apprenants": [s.apprenant.apprenant.pk]},
    ),
    (
        "evaluations:contexte",
        lambda s: {"pk": evaluation_de(s).pk},
        lambda s: {"contexte": "c", "secteurs": "s"},
    ),
    ("evaluations:liaison", lambda s: {"pk": evaluation_de(s).pk}, lambda s: {"tache": "0"}),
    (
        "evaluations:ressources",
        lambda s: {"pk": evaluation_de(s).pk},
        lambda s: {"action": "lien", "l-url": "https://exemple.fr", "l-titre": ""},
    ),
    (
        "evaluations:ressource_supprimer",
        lambda s: _ressource(s),
        lambda s: {},
    ),
    ("evaluations:supprimer", lambda s: {"pk": evaluation_de(s).pk}, lambda s: {}),
]
IDS = [m[0] for m in MUTATIONS]


def _ressource(side):
    ev = evaluation_de(side)
    return {"pk": ev.pk, "rpk": RessourceEvaluationFactory(evaluation=ev).pk}


@pytest.mark.parametrize("name,kwargs,data", MUTATIONS, ids=IDS)
def test_objet_d_un_autre_etablissement_404(client, personas, name, kwargs, data):
    # B's DDFPT, on B's own pages, with an object of A in the URL.
    login(client, personas.b.ddfpt, personas.b.diplome)
    response = client.post(url(personas, name, etab="b", **kwargs(personas.a)), data(personas.b))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["chef", "enseignant2", "apprenant", "tuteur"])
@pytest.mark.parametrize("name,kwargs,data", MUTATIONS, ids=IDS)
def test_mauvais_role_403(client, personas, name, kwargs, data, persona):
    if name == "evaluations:creer" and persona == "enseignant2":
        pytest.skip("any teacher of the diplôme may create an évaluation from a scénario")
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if m.role in ("ENSEIGNANT", "CHEF") else None)
    kw = kwargs(personas.a)
    nombre = Evaluation.objects.count()
    response = client.post(url(personas, name, **kw), data(personas.a))
    assert response.status_code == 403
    assert Evaluation.objects.count() == nombre


@pytest.mark.parametrize("name,kwargs,data", MUTATIONS, ids=IDS)
def test_anonyme_vers_connexion(client, personas, name, kwargs, data):
    response = client.post(url(personas, name, **kwargs(personas.a)), data(personas.a))
    assert response.status_code == 302
    assert response["Location"].startswith(url(personas, "etab:connexion") + "?next=")


def test_get_sur_une_action_405(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    kw = _ressource(personas.a)
    assert client.get(url(personas, "evaluations:ressource_supprimer", **kw)).status_code == 405


# --- creation --------------------------------------------------------------------------------


def test_creer_formulaire_prerempli(as_persona, personas):
    client = as_persona("enseignant")
    scenario = scenario_de(personas.a, titre="Accueil du client")
    response = client.get(url(personas, "evaluations:creer", scenario=scenario.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["titre"] == "Accueil du client"
    assert form.initial["nature"] == "INT"
    assert form.initial["afficher_tableau_de_bord"] is True
    html = response.content.decode()
    assert 'value="Accueil du client"' in html
    assert "Choix des apprenants" in html and "Liaison avec le référentiel" in html


def test_creer_cree_et_redirige_vers_les_apprenants(as_persona, personas):
    a = personas.a
    client = as_persona("enseignant2")
    ref = mini_referentiel(a.diplome)
    scenario = scenario_de(a)
    scenario.criteres.set(ref["criteres"])
    ressource_fichier_scenario(scenario)
    response = client.post(
        url(personas, "evaluations:creer", scenario=scenario.pk),
        _info(enseignants=[a.enseignant.user.pk]),
    )
    ev = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "evaluations:apprenants", pk=ev.pk)
    assert ev.auteur == a.enseignant2.user and ev.nature == "C"
    assert ev.date == datetime.date(2026, 10, 5)
    assert set(ev.enseignants.all()) == {a.enseignant.user, a.enseignant2.user}
    assert ev.criteres.count() == 4 and ev.ressources.count() == 1


def test_creer_refuse_la_nature_entreprise(as_persona, personas):
    client = as_persona("enseignant")
    scenario = scenario_de(personas.a)
    response = client.post(
        url(personas, "evaluations:creer", scenario=scenario.pk), _info(nature="E")
    )
    assert response.status_code == 200
    assert "Choisissez Intermédiaire ou Complexe." in response.content.decode()
    assert not Evaluation.objects.exists()


def test_creer_depuis_un_scenario_prive_d_un_collegue_404(as_persona, personas):
    client = as_persona("enseignant2")
    scenario = scenario_de(personas.a, prive=True)
    assert client.get(url(personas, "evaluations:creer", scenario=scenario.pk)).status_code == 404
    autre_diplome = scenario_de(personas.a, diplome=personas.a.diplome2)
    response = client.get(url(personas, "evaluations:creer", scenario=autre_diplome.pk))
    assert response.status_code == 404


# --- the tabs --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["enseignant", "ddfpt", "enseignant2"])
def test_modifier_informations(as_persona, personas, persona):
    a = personas.a
    ev = evaluation_de(a, enseignants=[a.enseignant.user, a.enseignant2.user])
    client = as_persona(persona)
    assert client.get(url(personas, "evaluations:modifier", pk=ev.pk)).status_code == 200
    response = client.post(
        url(personas, "evaluations:modifier", pk=ev.pk),
        _info(titre="Titre modifié", enseignants=[a.enseignant2.user.pk], date="2026-11-02"),
    )
    assert response.status_code == 302
    ev.refresh_from_db()
    assert ev.titre == "Titre modifié" and ev.nature == "C"
    assert ev.date == datetime.date(2026, 11, 2)


def test_masquer_du_tableau_de_bord(as_persona, personas):
    ev = evaluation_de(personas.a)
    client = as_persona("enseignant")
    data = _info()
    del data["afficher_tableau_de_bord"]
    client.post(url(personas, "evaluations:modifier", pk=ev.pk), data)
    ev.refresh_from_db()
    assert ev.afficher_tableau_de_bord is False


def test_evaluation_verrouillee_refuse_les_modifications(as_persona, personas):
    a = personas.a
    ev = evaluation_de(a)
    services.verrouiller_evaluations([ev], par=a.ddfpt.user, motif="bilan validé")
    client = as_persona("enseignant")
    page = client.get(url(personas, "evaluations:modifier", pk=ev.pk)).content.decode()
    assert "Verrouillée" in page
    response = client.post(url(personas, "evaluations:modifier", pk=ev.pk), _info(titre="X"))
    assert response.status_code == 200
    assert services.MESSAGE_VERROUILLEE in response.content.decode()
    response = client.post(url(personas, "evaluations:contexte", pk=ev.pk), {"contexte": "X"})
    assert services.MESSAGE_VERROUILLEE in response.content.decode()
    response = client.post(url(personas, "evaluations:supprimer", pk=ev.pk), follow=True)
    assert services.MESSAGE_VERROUILLEE in response.content.decode()
    ev.refresh_from_db()
    assert ev.titre != "X" and ev.contexte != "X"


def test_contexte(as_persona, personas):
    ev = evaluation_de(personas.a)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "evaluations:contexte", pk=ev.pk),
        {"contexte": "Magasin de sport", "secteurs": "Articles de sport"},
    )
    assert response.status_code == 302
    ev.refresh_from_db()
    assert (ev.contexte, ev.secteurs) == ("Magasin de sport", "Articles de sport")


# --- learners --------------------------------------------------------------------------------


def test_apprenants_page_et_selection(as_persona, personas):
    a = personas.a
    ev = evaluation_de(a)
    client = as_persona("enseignant")
    page = client.get(url(personas, "evaluations:apprenants", pk=ev.pk)).content.decode()
    assert f"Division {a.division.nom}" in page
    assert "Apprenti" in page and "Scolaire" in page
    assert "Tout sélectionner" in page
    response = client.post(
        url(personas, "evaluations:apprenants", pk=ev.pk),
        {"apprenants": [a.apprenant.apprenant.pk]},
    )
    assert response.status_code == 302
    assert list(ev.participants.values_list("apprenant_id", flat=True)) == [
        a.apprenant.apprenant.pk
    ]
    # « Tout sélectionner » of the division, without JavaScript
    client.post(url(personas, "evaluations:apprenants", pk=ev.pk), {"tout": a.division.pk})
    assert ev.participants.count() == 2
    client.post(url(personas, "evaluations:apprenants", pk=ev.pk), {"aucun": a.division.pk})
    assert ev.participants.count() == 0


def test_apprenants_retrait_avec_resultats_confirme(as_persona, personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a, criteres=ref["criteres"])
    eleve = a.apprenant.apprenant
    ParticipantFactory(evaluation=ev, apprenant=eleve)
    ParticipantFactory(evaluation=ev, apprenant=a.apprenti.apprenant)
    ResultatFactory(evaluation=ev, apprenant=eleve, critere=ref["criteres"][0])
    client = as_persona("enseignant")
    cible = url(personas, "evaluations:apprenants", pk=ev.pk)
    response = client.post(cible, {"apprenants": [a.apprenti.apprenant.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirmer et supprimer les résultats" in page
    assert str(eleve) in page
    assert Participant.objects.count() == 2 and Resultat.objects.count() == 1

    response = client.post(cible, {"apprenants": [a.apprenti.apprenant.pk], "confirme": "1"})
    assert response.status_code == 302
    assert list(ev.participants.values_list("apprenant_id", flat=True)) == [a.apprenti.apprenant.pk]
    assert not Resultat.objects.exists()
    assert AuditLog.objects.filter(action="evaluation.apprenants_retires").count() == 1


# --- liaison ---------------------------------------------------------------------------------


def test_liaison_page_et_bascules(as_persona, personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a, criteres=ref["criteres"][:1])
    client = as_persona("enseignant")
    cible = url(personas, "evaluations:liaison", pk=ev.pk)
    page = client.get(cible).content.decode()
    assert ref["taches"][0].code in page and escape(ref["criteres"][1].intitule) in page
    assert "Indicateurs de réussite" in page and "Reformulation exacte" in page
    assert "(liée aux tâches sélectionnées)" not in page

    response = client.post(cible, {"tache": ref["taches"][0].pk, "activite": "", "groupe": ""})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#tache-{ref['taches'][0].pk}")
    assert list(ev.taches.all()) == [ref["taches"][0]]
    page = client.get(cible).content.decode()
    assert "(liée aux tâches sélectionnées)" in page  # the green marker's text alternative

    # HTMX: the partial only
    response = client.post(
        cible, {"critere": ref["criteres"][1].pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'id="liaison"' in response.content.decode()
    assert set(ev.criteres.all()) == set(ref["criteres"][:2])


@pytest.mark.parametrize("htmx", [False, True])
def test_liaison_retrait_critere_avec_resultats(as_persona, personas, htmx):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    critere = ref["criteres"][0]
    ev = evaluation_de(a, criteres=[critere])
    ResultatFactory(evaluation=ev, apprenant=a.apprenant.apprenant, critere=critere)
    client = as_persona("enseignant")
    cible = url(personas, "evaluations:liaison", pk=ev.pk)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(cible, {"critere": critere.pk}, headers=headers)
    assert response.status_code == 200
    assert "Confirmer et supprimer les résultats" in response.content.decode()
    assert ev.criteres.count() == 1 and Resultat.objects.count() == 1
    response = client.post(cible, {"critere": critere.pk, "confirme": "1"}, headers=headers)
    assert response.status_code == (200 if htmx else 302)
    assert not ev.criteres.exists() and not Resultat.objects.exists()
    assert AuditLog.objects.filter(action="evaluation.critere_retire").count() == 1


def test_liaison_element_inconnu(as_persona, personas):
    ev = evaluation_de(personas.a)
    client = as_persona("enseignant")
    response = client.post(
        url(personas, "evaluations:liaison", pk=ev.pk), {"critere": "abc"}, follow=True
    )
    assert "Élément du référentiel inconnu." in response.content.decode()


# --- resources -------------------------------------------------------------------------------


def test_ressources_ajout_telechargement_suppression(client, as_persona, personas):
    a = personas.a
    ev = evaluation_de(a)
    as_persona("enseignant")
    cible = url(personas, "evaluations:ressources", pk=ev.pk)
    fichier = SimpleUploadedFile("sujet.pdf", PDF, content_type="application/pdf")
    response = client.post(cible, {"action": "fichier", "f-titre": "Sujet", "f-fichier": fichier})
    assert response.status_code == 302
    r = ev.ressources.get()
    response = client.post(cible, {"action": "lien", "l-url": "javascript:alert(1)"})
    assert response.status_code == 200
    assert "http:// ou https://" in response.content.decode()
    response = client.post(cible, {"action": "lien", "l-url": "https://exemple.fr/doc"})
    assert response.status_code == 302
    assert ev.ressources.count() == 2

    # the chef reads (downloads) but does not change
    login(client, a.chef, a.diplome)
    telechargement = client.get(url(personas, "evaluations:ressource", pk=ev.pk, rpk=r.pk))
    assert telechargement.status_code == 200
    assert b"".join(telechargement.streaming_content) == PDF
    assert "attachment" in telechargement["Content-Disposition"]
    assert telechargement["X-Content-Type-Options"] == "nosniff"
    supprimer = url(personas, "evaluations:ressource_supprimer", pk=ev.pk, rpk=r.pk)
    assert client.post(supprimer).status_code == 403

    login(client, a.enseignant, a.diplome)
    assert client.post(supprimer).status_code == 302
    assert ev.ressources.count() == 1


def test_ressource_d_une_autre_evaluation_404(as_persona, personas):
    a = personas.a
    ev1, ev2 = evaluation_de(a), evaluation_de(a)
    r = RessourceEvaluationFactory(evaluation=ev2)
    client = as_persona("enseignant")
    assert (
        client.get(url(personas, "evaluations:ressource", pk=ev1.pk, rpk=r.pk)).status_code == 404
    )


# --- deletion --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["enseignant", "ddfpt"])
def test_supprimer(as_persona, personas, persona):
    ev = evaluation_de(personas.a)
    client = as_persona(persona)
    cible = url(personas, "evaluations:supprimer", pk=ev.pk)
    assert "Supprimer définitivement" in client.get(cible).content.decode()
    response = client.post(cible)
    assert response.status_code == 302
    assert response["Location"].startswith(url(personas, "evaluations:liste"))
    assert not Evaluation.objects.exists()
    assert AuditLog.objects.filter(action="evaluation.suppression").count() == 1


def test_supprimer_reserve_a_l_auteur_et_au_ddfpt(as_persona, personas):
    a = personas.a
    ev = evaluation_de(a, enseignants=[a.enseignant.user, a.enseignant2.user])
    client = as_persona("enseignant2")
    # an evaluating teacher modifies but does not delete
    assert client.get(url(personas, "evaluations:modifier", pk=ev.pk)).status_code == 200
    assert client.post(url(personas, "evaluations:supprimer", pk=ev.pk)).status_code == 403
    assert Evaluation.objects.exists()


# --- list ------------------------------------------------------------------------------------


def test_liste(as_persona, personas):
    a = personas.a
    ev = evaluation_de(a, titre="Vente en magasin", date=datetime.date(2026, 10, 5), nature="C")
    ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
    verrou = evaluation_de(a, titre="Évaluation close", niveau="TERMINALE")
    services.verrouiller_evaluations([verrou], par=a.ddfpt.user, motif="bilan")
    evaluation_de(a, titre="Année passée", date=datetime.date(2025, 10, 1))
    evaluation_de(personas.b, titre="Autre lycée")
    evaluation_de(a, titre="Autre diplôme", diplome=a.diplome2)

    client = as_persona("enseignant")
    response = client.get(url(personas, "evaluations:liste"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vente en magasin" in page and "05/10/2026" in page
    assert "Première Bac Pro" in page and "Terminale Bac Pro" in page
    assert "Verrouillée" in page
    assert "Éditer l'évaluation" in page
    assert url(personas, "evaluations:modifier", pk=ev.pk) in page
    assert "Année passée" not in page and "Autre lycée" not in page
    assert "Autre diplôme" not in page
    sections = {s.code: s for s in response.context["sections"]}
    (ligne,) = [e for e in sections["PREMIERE"].evaluations if e.pk == ev.pk]
    assert ligne.nb_apprenants == 1 and ligne.code_nature == "C"

    ancienne = client.get(url(personas, "evaluations:liste") + "?annee=2025").content.decode()
    assert "Année passée" in ancienne and "Vente en magasin" not in ancienne


def test_liste_en_lecture_seule_pour_le_chef(as_persona, personas):
    ev = evaluation_de(personas.a)
    page = as_persona("chef").get(url(personas, "evaluations:liste")).content.decode()
    assert ev.titre in page
    assert "Éditer l'évaluation" not in page


def test_parcours_avec_le_vrai_referentiel(as_persona, personas, referentiels_charges):
    """MCV-A 2019: create from a scénario linked to real tasks and criteria, then the liaison
    tab shows the green markers of the official matrix."""
    from referentiels.models import Critere, LienTacheCompetence

    a = personas.a
    lien = LienTacheCompetence.objects.filter(tache__diplome=a.diplome).first()
    critere = Critere.objects.filter(competence=lien.competence).first()
    scenario = scenario_de(a)
    scenario.taches.set([lien.tache])
    scenario.criteres.set([critere])
    client = as_persona("enseignant")
    response = client.post(url(personas, "evaluations:creer", scenario=scenario.pk), _info())
    ev = Evaluation.objects.get()
    assert response.status_code == 302
    page = client.get(
        url(personas, "evaluations:liaison", pk=ev.pk)
        + f"?activite={lien.tache.activite.code}&groupe={lien.competence.groupe.code}"
    ).content.decode()
    assert lien.tache.code in page
    assert lien.competence.code in page
    assert "(liée aux tâches sélectionnées)" in page
    assert 'aria-pressed="true"' in page
