"""Scénarios pages: success + DB state for every mutating view, and the refusals of
CONVENTIONS.md (another establishment's object 404, wrong role 403, anonymous → login, GET on
a POST-only view 405). The full persona × URL matrix is in access.py."""

import re

import pytest
from django.urls import reverse

from cpro.models import AuditLog
from referentiels.models import LienTacheCompetence
from scenarios.models import Dossier, Ressource, Scenario
from tests.personas import login
from tests.scenarios.factories import (
    PDF,
    CritereFactory,
    DossierFactory,
    RessourceFichierFactory,
    RessourceLienFactory,
    TacheFactory,
    scenario_de,
)
from tests.scenarios.fichiers import PNG, odf

pytestmark = pytest.mark.django_db


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


def html(response) -> str:
    return response.content.decode()


# name, POST data — every view that takes a scénario pk and writes
MUTATIONS = [
    ("scenarios:modifier", {"titre": "Nouveau"}),
    ("scenarios:contexte", {"contexte": "Nouveau"}),
    ("scenarios:liaison", {"tache": "1"}),
    ("scenarios:ressources", {"action": "lien", "l-url": "https://exemple.fr"}),
    ("scenarios:dupliquer", {}),
    ("scenarios:confidentialite", {"prive": "1"}),
    ("scenarios:supprimer", {}),
    ("scenarios:deplacer", {"sens": "haut"}),
    ("scenarios:classer", {"dossier": ""}),
]
POST_SEUL = [
    "scenarios:dupliquer",
    "scenarios:confidentialite",
    "scenarios:deplacer",
    "scenarios:classer",
]
AUTEUR_SEUL = [
    "scenarios:modifier",
    "scenarios:contexte",
    "scenarios:liaison",
    "scenarios:ressources",
    "scenarios:confidentialite",
    "scenarios:supprimer",
]


@pytest.mark.parametrize("name,data", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_scenario_d_un_autre_etablissement_404(client, personas, name, data):
    s = scenario_de(personas.a)
    # B's author of nothing, on B's own pages, with A's scénario in the URL.
    login(client, personas.b.enseignant, personas.b.diplome)
    assert client.post(url(personas, name, etab="b", pk=s.pk), data).status_code == 404
    assert client.get(url(personas, "scenarios:voir", etab="b", pk=s.pk)).status_code == 404
    assert Scenario.objects.filter(pk=s.pk, titre=s.titre, prive=False).exists()


@pytest.mark.parametrize("name,data", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_scenario_prive_d_un_collegue_404(client, personas, name, data):
    s = scenario_de(personas.a, prive=True)
    login(client, personas.a.enseignant2, personas.a.diplome)
    assert client.post(url(personas, name, pk=s.pk), data).status_code == 404
    assert client.get(url(personas, "scenarios:voir", pk=s.pk)).status_code == 404


@pytest.mark.parametrize("name,data", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_scenario_d_un_autre_diplome_404(client, personas, name, data):
    s = scenario_de(personas.a, diplome=personas.a.diplome2)
    login(client, personas.a.enseignant2, personas.a.diplome)
    assert client.post(url(personas, name, pk=s.pk), data).status_code == 404


@pytest.mark.parametrize("name", AUTEUR_SEUL)
def test_collegue_non_auteur_403(client, personas, name):
    s = scenario_de(personas.a)
    data = dict(MUTATIONS)[name]
    for persona in ("enseignant2", "ddfpt"):
        login(client, personas.a.membership(persona), personas.a.diplome)
        assert client.post(url(personas, name, pk=s.pk), data).status_code == 403
    s.refresh_from_db()
    assert (s.titre, s.contexte, s.prive) == (
        s.titre,
        "Une situation professionnelle en magasin.",
        False,
    )
    assert not s.ressources.exists() and not s.taches.exists()


@pytest.mark.parametrize("name,data", MUTATIONS, ids=[m[0] for m in MUTATIONS])
@pytest.mark.parametrize("persona", ["chef", "tuteur", "apprenant", "apprenti"])
def test_mauvais_role_403(client, personas, name, data, persona):
    s = scenario_de(personas.a)
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if persona == "chef" else None)
    assert client.post(url(personas, name, pk=s.pk), data).status_code == 403
    assert Scenario.objects.count() == 1


@pytest.mark.parametrize("name,data", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_anonyme_vers_connexion(client, personas, name, data):
    s = scenario_de(personas.a)
    response = client.post(url(personas, name, pk=s.pk), data)
    assert response.status_code == 302
    assert response["Location"].startswith(url(personas, "etab:connexion") + "?next=")


@pytest.mark.parametrize("name", POST_SEUL)
def test_get_sur_une_action_405(client, personas, name):
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    assert client.get(url(personas, name, pk=s.pk)).status_code == 405


def test_get_sur_les_actions_sans_scenario_405(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    d = DossierFactory(etablissement=personas.a.etablissement, diplome=personas.a.diplome)
    r = RessourceLienFactory(scenario=scenario_de(personas.a))
    for u in (
        url(personas, "scenarios:ordonner"),
        url(personas, "scenarios:dossier_creer"),
        url(personas, "scenarios:dossier_renommer", pk=d.pk),
        url(personas, "scenarios:dossier_supprimer", pk=d.pk),
        url(personas, "scenarios:ressource_supprimer", pk=r.scenario_id, rpk=r.pk),
    ):
        assert client.get(u).status_code == 405, u


# --- the list page --------------------------------------------------------------------------


def test_liste_par_niveau(client, personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, nom="Vente en magasin")
    scenario_de(a, titre="Vente-conseil d'un smartphone", dossier=d)
    scenario_de(a, titre="Mon brouillon", prive=True)
    scenario_de(a, membership=a.enseignant2, titre="Brouillon d'un collègue", prive=True)
    scenario_de(a, titre="Accueil en terminale", niveau="TERMINALE")
    scenario_de(a, titre="Autre diplôme", diplome=a.diplome2)
    scenario_de(personas.b, titre="Scénario du lycée B")
    login(client, a.enseignant, a.diplome)
    page = html(client.get(url(personas, "scenarios:liste")))
    assert "+ CRÉER UN SCÉNARIO POUR LE NIVEAU PREMIÈRE BAC PRO" in page
    assert "+ CRÉER UN SCÉNARIO POUR LE NIVEAU TERMINALE BAC PRO" in page
    assert (
        page.index("Première Bac Pro")
        < page.index("Vente-conseil")
        < page.index("Terminale Bac Pro")
        < page.index("Accueil en terminale")
    )
    assert "Vente en magasin" in page
    assert "Mon brouillon" in page and "Privé" in page
    for absent in ("Brouillon d'un collègue", "Autre diplôme", "Scénario du lycée B"):
        assert absent not in page
    # Every visible scénario can become an évaluation, and be exported.
    premier = Scenario.objects.filter(titre__startswith="Vente-conseil").first()
    assert url(personas, "evaluations:creer", scenario=premier.pk) in page
    assert url(personas, "scenarios:exporter", pk=premier.pk) in page


def test_liste_du_chef_en_lecture_seule(client, personas):
    s = scenario_de(personas.a, titre="Animation fête des mères")
    login(client, personas.a.chef, personas.a.diplome)
    page = html(client.get(url(personas, "scenarios:liste")))
    assert "Animation fête des mères" in page
    assert "CRÉER UN SCÉNARIO" not in page
    assert url(personas, "scenarios:dupliquer", pk=s.pk) not in page
    assert url(personas, "scenarios:modifier", pk=s.pk) not in page
    assert url(personas, "evaluations:creer", scenario=s.pk) not in page
    assert url(personas, "scenarios:exporter", pk=s.pk) in page
    assert client.get(url(personas, "scenarios:voir", pk=s.pk)).status_code == 200


def test_liste_actions_de_l_auteur_seulement(client, personas):
    a = personas.a
    mien = scenario_de(a, membership=a.enseignant2)
    sien = scenario_de(a)
    login(client, a.enseignant2, a.diplome)
    page = html(client.get(url(personas, "scenarios:liste")))
    assert url(personas, "scenarios:modifier", pk=mien.pk) in page
    assert url(personas, "scenarios:supprimer", pk=mien.pk) in page
    assert url(personas, "scenarios:modifier", pk=sien.pk) not in page
    assert url(personas, "scenarios:supprimer", pk=sien.pk) not in page
    assert url(personas, "scenarios:dupliquer", pk=sien.pk) in page


# --- creation and the tabs ------------------------------------------------------------------


def test_creer_depuis_l_onglet_titre(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:creer", niveau="PREMIERE")
    page = html(client.get(u))
    assert "Création d'un scénario pédagogique pour le niveau Première Bac Pro" in page
    assert "← RETOUR À LA LISTE DES SCÉNARIOS PÉDAGOGIQUES" in page
    for onglet in ("Titre", "Contexte", "Liaison avec le référentiel", "Ressources"):
        assert onglet in page
    assert "Créer une grille de positionnement".upper() not in page.upper()
    response = client.post(u, {"titre": "  Vente-conseil d'un smartphone  "})
    s = Scenario.objects.get()
    assert response["Location"] == url(personas, "scenarios:contexte", pk=s.pk)
    assert (s.titre, s.niveau, s.diplome, s.etablissement, s.auteur) == (
        "Vente-conseil d'un smartphone",
        "PREMIERE",
        personas.a.diplome,
        personas.a.etablissement,
        personas.a.enseignant.user,
    )
    assert not s.prive


def test_creer_titre_obligatoire(client, personas):
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:creer", niveau="PREMIERE")
    response = client.post(u, {"titre": "   "})
    assert response.status_code == 200
    assert "Le titre du scénario est obligatoire." in html(response)
    response = client.post(u, {"titre": "x" * 256})
    assert "255 caractères" in html(response)
    assert not Scenario.objects.exists()


def test_creer_niveau_hors_diplome_404(client, personas):
    personas.a.diplome.niveaux = ["PREMIERE", "TERMINALE"]
    personas.a.diplome.save()
    login(client, personas.a.enseignant, personas.a.diplome)
    assert client.get(url(personas, "scenarios:creer", niveau="SECONDE")).status_code == 404
    assert client.get(url(personas, "scenarios:creer", niveau="CM2")).status_code == 404


def test_modifier_titre_et_contexte(client, personas):
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    page = html(client.get(url(personas, "scenarios:modifier", pk=s.pk)))
    assert "Scénario pédagogique pour le niveau Première Bac Pro" in page
    assert url(personas, "scenarios:ressources", pk=s.pk) in page
    r = client.post(url(personas, "scenarios:modifier", pk=s.pk), {"titre": " Titre revu "})
    assert r.status_code == 302
    r = client.post(url(personas, "scenarios:contexte", pk=s.pk), {"contexte": "Le client entre."})
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.titre, s.contexte) == ("Titre revu", "Le client entre.")
    r = client.post(url(personas, "scenarios:modifier", pk=s.pk), {"titre": ""})
    assert "Le titre du scénario est obligatoire." in html(r)


# --- read-only page, duplicate, privacy, delete ---------------------------------------------


def test_voir_montre_tout(client, personas):
    s = scenario_de(personas.a, titre="Accueil à l'office de tourisme", contexte="Saison estivale.")
    tache = TacheFactory(activite__diplome=s.diplome, code="A1-T2", intitule="Prise de contact")
    critere = CritereFactory(
        competence__groupe__diplome=s.diplome,
        competence__code="C1.2",
        intitule="Qualité du questionnement",
    )
    s.taches.add(tache)
    s.criteres.add(critere)
    f = RessourceFichierFactory(scenario=s, titre="Plan de la ville")
    RessourceLienFactory(scenario=s, titre="Site de l'office")
    login(client, personas.a.chef, personas.a.diplome)
    page = html(client.get(url(personas, "scenarios:voir", pk=s.pk)))
    for attendu in (
        "Accueil à l&#x27;office de tourisme",
        "Saison estivale.",
        "A1-T2",
        "Prise de contact",
        "C1.2",
        "Qualité du questionnement",
        "Plan de la ville",
        url(personas, "scenarios:ressource", pk=s.pk, rpk=f.pk),
        "https://www.exemple.fr/magasin",
    ):
        assert attendu in page, attendu
    assert "grille de positionnement" not in page.lower()
    assert url(personas, "scenarios:dupliquer", pk=s.pk) not in page  # chef: read only


def test_dupliquer(client, personas):
    s = scenario_de(personas.a, titre="Animation fête des mères", prive=False)
    s.taches.add(TacheFactory(activite__diplome=s.diplome))
    RessourceFichierFactory(scenario=s)
    login(client, personas.a.enseignant2, personas.a.diplome)
    response = client.post(url(personas, "scenarios:dupliquer", pk=s.pk))
    copie = Scenario.objects.exclude(pk=s.pk).get()
    assert response["Location"] == url(personas, "scenarios:modifier", pk=copie.pk)
    assert copie.titre == "Animation fête des mères (copie)"
    assert copie.auteur == personas.a.enseignant2.user and copie.duplique_de == s
    assert copie.taches.count() == 1 and copie.ressources.get().fichier.read() == PDF
    # the copy's author may edit it
    assert client.get(url(personas, "scenarios:modifier", pk=copie.pk)).status_code == 200


def test_rendre_prive_puis_partager(client, personas):
    s = scenario_de(personas.a, titre="Inventaire du rayon")
    login(client, personas.a.enseignant, personas.a.diplome)
    client.post(url(personas, "scenarios:confidentialite", pk=s.pk), {"prive": "1"})
    s.refresh_from_db()
    assert s.prive
    page = html(client.get(url(personas, "scenarios:liste")))
    assert 'Inventaire du rayon</a> <span class="badge sc-prive">Privé</span>' in page
    assert AuditLog.objects.filter(action="scenario.prive", objet_id=str(s.pk)).exists()
    login(client, personas.a.enseignant2, personas.a.diplome)
    assert "Inventaire du rayon" not in html(client.get(url(personas, "scenarios:liste")))
    login(client, personas.a.enseignant, personas.a.diplome)
    client.post(url(personas, "scenarios:confidentialite", pk=s.pk), {"prive": "0"})
    s.refresh_from_db()
    assert not s.prive


def test_supprimer_avec_confirmation(client, personas, django_capture_on_commit_callbacks):
    s = scenario_de(personas.a, titre="Scénario à supprimer")
    r = RessourceFichierFactory(scenario=s)
    storage, nom = r.fichier.storage, r.fichier.name
    login(client, personas.a.enseignant, personas.a.diplome)
    page = html(client.get(url(personas, "scenarios:supprimer", pk=s.pk)))
    assert "Supprimer le scénario « Scénario à supprimer » ?" in page
    assert "n'a pas d'impact sur les évaluations" in page.replace("&#x27;", "'")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "scenarios:supprimer", pk=s.pk))
    assert response.status_code == 302
    assert not Scenario.objects.exists() and not Ressource.objects.exists()
    assert not storage.exists(nom)
    assert AuditLog.objects.filter(action="scenario.supprime").exists()


# --- organisation ---------------------------------------------------------------------------


def test_dossiers_par_la_page(client, personas):
    a = personas.a
    login(client, a.enseignant, a.diplome)
    r = client.post(
        url(personas, "scenarios:dossier_creer"), {"niveau": "PREMIERE", "nom": "Vente"}
    )
    d = Dossier.objects.get()
    assert r.status_code == 302 and (d.nom, d.niveau, d.etablissement) == (
        "Vente",
        "PREMIERE",
        a.etablissement,
    )
    s = scenario_de(a, membership=a.enseignant2)  # a colleague's shared scénario
    client.post(url(personas, "scenarios:classer", pk=s.pk), {"dossier": d.pk})
    s.refresh_from_db()
    assert s.dossier == d
    r = client.post(url(personas, "scenarios:dossier_supprimer", pk=d.pk), follow=True)
    assert "n&#x27;est pas vide" in html(r) or "n'est pas vide" in html(r)
    assert Dossier.objects.filter(pk=d.pk).exists()
    client.post(url(personas, "scenarios:dossier_renommer", pk=d.pk), {"nom": "Vente-conseil"})
    d.refresh_from_db()
    assert d.nom == "Vente-conseil"
    client.post(url(personas, "scenarios:classer", pk=s.pk), {"dossier": ""})
    client.post(url(personas, "scenarios:dossier_supprimer", pk=d.pk))
    assert not Dossier.objects.exists()


def test_dossier_d_un_autre_etablissement_404(client, personas):
    d = DossierFactory(etablissement=personas.a.etablissement, diplome=personas.a.diplome)
    s = scenario_de(personas.b)
    login(client, personas.b.enseignant, personas.b.diplome)
    for name in ("scenarios:dossier_renommer", "scenarios:dossier_supprimer"):
        assert client.post(url(personas, name, etab="b", pk=d.pk), {"nom": "x"}).status_code == 404
    r = client.post(url(personas, "scenarios:classer", etab="b", pk=s.pk), {"dossier": d.pk})
    assert r.status_code == 404
    assert Dossier.objects.filter(pk=d.pk, nom=d.nom).exists()


def test_monter_descendre(client, personas):
    a = personas.a
    s1, s2 = scenario_de(a, titre="A"), scenario_de(a, titre="B")
    login(client, a.enseignant, a.diplome)
    r = client.post(url(personas, "scenarios:deplacer", pk=s2.pk), {"sens": "haut"})
    assert r["Location"].endswith(f"#scenario-{s2.pk}")
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s2.ordre, s1.ordre) == (1, 2)
    page = html(client.get(url(personas, "scenarios:liste")))
    assert page.index(f'id="scenario-{s2.pk}"') < page.index(f'id="scenario-{s1.pk}"')


def test_ordonner_glisser_deposer(client, personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome)
    s1, s2, s3 = (scenario_de(a, titre=t, dossier=d) for t in "ABC")
    login(client, a.enseignant, a.diplome)
    u = url(personas, "scenarios:ordonner")
    r = client.post(u, {"niveau": "PREMIERE", "dossier": d.pk, "ids": [s3.pk, s1.pk, s2.pk]})
    assert r.status_code == 204
    assert [s.pk for s in Scenario.objects.order_by("ordre")] == [s3.pk, s1.pk, s2.pk]
    r = client.post(u, {"niveau": "PREMIERE", "ids": [s1.pk, s2.pk, s3.pk]})  # wrong container
    assert r.status_code == 400 and "ne correspond pas" in html(r)
    r = client.post(u, {"niveau": "PREMIERE", "dossier": d.pk, "ids": [s1.pk]})
    assert r.status_code == 400
    assert [s.pk for s in Scenario.objects.order_by("ordre")] == [s3.pk, s1.pk, s2.pk]
    autre = DossierFactory(etablissement=personas.b.etablissement, diplome=a.diplome)
    r = client.post(u, {"niveau": "PREMIERE", "dossier": autre.pk, "ids": []})
    assert r.status_code == 404


# --- liaison avec le référentiel ------------------------------------------------------------


@pytest.fixture
def mini_referentiel(personas):
    d = personas.a.diplome
    t1 = TacheFactory(activite__diplome=d, activite__code="A1", code="A1-T1", intitule="Veille")
    t2 = TacheFactory(activite=t1.activite, code="A1-T2", intitule="Prise de contact")
    cr = CritereFactory(
        competence__groupe__diplome=d,
        competence__code="C1.2",
        competence__intitule="Réaliser la vente",
        intitule="Qualité de l'écoute",
    )
    LienTacheCompetence.objects.create(tache=t2, competence=cr.competence)
    return t1, t2, cr


def test_liaison_sans_javascript(client, personas, mini_referentiel):
    t1, t2, cr = mini_referentiel
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:liaison", pk=s.pk)
    page = html(client.get(u))
    assert "Les marqueurs verts indiquent la liaison définie par le référentiel" in page
    assert "Nb tâches : 0" in page and "liée aux tâches sélectionnées" not in page
    r = client.post(u, {"tache": t2.pk, "activite": "A1", "groupe": ""})
    assert r.status_code == 302 and r["Location"].endswith(f"#tache-{t2.pk}")
    assert "activite=A1" in r["Location"]
    assert list(s.taches.all()) == [t2]
    page = html(client.get(r["Location"]))
    assert "Nb tâches : 1" in page
    assert "(liée aux tâches sélectionnées)" in page  # the green marker's text
    assert 'aria-pressed="true"' in page
    r = client.post(u, {"critere": cr.pk})
    assert r["Location"].endswith(f"#critere-{cr.pk}")
    assert list(s.criteres.all()) == [cr]
    page = html(client.get(r["Location"]))
    assert page.count("Qualité de l&#x27;écoute") == 2  # in the tab and in the summary below


def test_liaison_htmx_renvoie_le_partiel(client, personas, mini_referentiel):
    t1, t2, cr = mini_referentiel
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:liaison", pk=s.pk)
    r = client.post(u, {"tache": t1.pk}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    page = html(r)
    assert page.lstrip().startswith('<div id="liaison"') and "<html" not in page
    assert "Nb tâches : 1" in page
    assert list(s.taches.all()) == [t1]
    r = client.get(u, {"groupe": "x"}, headers={"HX-Request": "true"})
    assert "<html" not in html(r) and "Vary" in r and "HX-Request" in r["Vary"]


def test_liaison_element_etranger_refuse(client, personas, mini_referentiel):
    s = scenario_de(personas.a)
    etrangere = TacheFactory(activite__diplome=personas.a.diplome2)
    critere = CritereFactory(competence__groupe__diplome=personas.a.diplome2)
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:liaison", pk=s.pk)
    r = client.post(u, {"tache": etrangere.pk}, follow=True)
    assert "n&#x27;appartient pas au référentiel" in html(r)
    r = client.post(u, {"critere": critere.pk}, headers={"HX-Request": "true"})
    assert "n&#x27;appartient pas au référentiel" in html(r)
    r = client.post(u, {"tache": "abc"}, follow=True)
    assert r.status_code == 200
    assert not s.taches.exists() and not s.criteres.exists()


# --- ressources -----------------------------------------------------------------------------


def test_ajouter_un_fichier_et_le_telecharger(client, personas):
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:ressources", pk=s.pk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fichier = SimpleUploadedFile("Fiche produit.odt", odf(), content_type="text/html")
    r = client.post(u, {"action": "fichier", "f-titre": "Fiche produit", "f-fichier": fichier})
    assert r.status_code == 302
    res = s.ressources.get()
    assert (res.titre, res.nom_fichier, res.content_type) == (
        "Fiche produit",
        "Fiche produit.odt",
        "application/vnd.oasis.opendocument.text",
    )
    page = html(client.get(u))
    assert 'Ressources <span class="badge">1</span>' in page
    # a colleague and the chef download it through the checked view
    for persona in ("enseignant2", "chef"):
        login(client, personas.a.membership(persona), personas.a.diplome)
        r = client.get(url(personas, "scenarios:ressource", pk=s.pk, rpk=res.pk))
        assert r.status_code == 200
        assert r["Content-Disposition"].startswith("attachment;")
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Type"] == "application/vnd.oasis.opendocument.text"
        assert b"".join(r.streaming_content) == odf()


def test_fichier_refuse_message_francais(client, personas):
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    from django.core.files.uploadedfile import SimpleUploadedFile

    u = url(personas, "scenarios:ressources", pk=s.pk)
    r = client.post(u, {"action": "fichier", "f-fichier": SimpleUploadedFile("photo.pdf", PNG)})
    assert r.status_code == 200
    assert "ne correspond pas à son extension .pdf" in html(r)
    r = client.post(u, {"action": "fichier", "f-fichier": SimpleUploadedFile("virus.exe", b"MZ")})
    assert "n&#x27;est pas accepté" in html(r)
    r = client.post(u, {"action": "lien", "l-url": "javascript:alert(1)"})
    assert "http:// ou https://" in html(r)
    assert not s.ressources.exists()


def test_ajouter_et_supprimer_un_lien(client, personas):
    s = scenario_de(personas.a)
    login(client, personas.a.enseignant, personas.a.diplome)
    u = url(personas, "scenarios:ressources", pk=s.pk)
    client.post(u, {"action": "lien", "l-titre": "DGCCRF", "l-url": "https://www.economie.gouv.fr"})
    r = s.ressources.get()
    assert (r.type, r.titre, r.url) == ("LIEN", "DGCCRF", "https://www.economie.gouv.fr")
    client.post(url(personas, "scenarios:ressource_supprimer", pk=s.pk, rpk=r.pk))
    assert not s.ressources.exists()


def test_ressource_protegee(client, personas):
    s = scenario_de(personas.a, prive=True)
    f = RessourceFichierFactory(scenario=s)
    lien = RessourceLienFactory(scenario=s)
    autre = RessourceFichierFactory(scenario=scenario_de(personas.a))
    login(client, personas.a.enseignant2, personas.a.diplome)
    assert client.get(url(personas, "scenarios:ressource", pk=s.pk, rpk=f.pk)).status_code == 404
    login(client, personas.a.enseignant, personas.a.diplome)
    # a resource of another scénario, or a link, is not served through this scénario
    assert (
        client.get(url(personas, "scenarios:ressource", pk=s.pk, rpk=autre.pk)).status_code == 404
    )
    assert client.get(url(personas, "scenarios:ressource", pk=s.pk, rpk=lien.pk)).status_code == 404
    r = client.post(url(personas, "scenarios:ressource_supprimer", pk=s.pk, rpk=autre.pk))
    assert r.status_code == 404
    login(client, personas.b.enseignant, personas.b.diplome)
    r = client.get(url(personas, "scenarios:ressource", etab="b", pk=s.pk, rpk=f.pk))
    assert r.status_code == 404


def test_liaison_ouvre_les_onglets_qui_ont_une_selection(client, personas, referentiels_charges):
    from referentiels.models import Critere, Tache

    s = scenario_de(personas.a)
    s.taches.add(Tache.objects.get(diplome=personas.a.diplome, code="A2-T1"))
    s.criteres.add(Critere.objects.filter(competence__code="C3.1").first())
    login(client, personas.a.enseignant, personas.a.diplome)
    page = html(client.get(url(personas, "scenarios:liaison", pk=s.pk)))
    assert re.search(r'aria-current="page">Activité A2 ', page)
    assert re.search(r'aria-current="page">Groupe de compétences B3 ', page)
