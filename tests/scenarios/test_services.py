import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpro.models import AuditLog
from scenarios import fiche, services
from scenarios.models import Dossier, Ressource, Scenario
from scenarios.queries import scenarios_visibles
from tests.scenarios.factories import (
    PDF,
    CritereFactory,
    DossierFactory,
    RessourceFichierFactory,
    RessourceLienFactory,
    TacheFactory,
    scenario_de,
)
from tests.scenarios.fichiers import ACCEPTES, PNG, televerse

pytestmark = pytest.mark.django_db


def _user(side, name="enseignant"):
    return side.membership(name).user


# --- création, titre, contexte --------------------------------------------------------------


def test_creer_scenario_partage_par_defaut(personas):
    a = personas.a
    s = services.creer_scenario(
        etablissement=a.etablissement,
        diplome=a.diplome,
        niveau="PREMIERE",
        titre="  Vente-conseil d'un smartphone  ",
        par=_user(a),
    )
    s.refresh_from_db()
    assert s.titre == "Vente-conseil d'un smartphone"
    assert s.auteur == _user(a) and not s.prive and s.ordre is None and s.dossier is None


@pytest.mark.parametrize(
    "titre,message",
    [("   ", "obligatoire"), ("x" * 256, "255 caractères")],
)
def test_creer_scenario_titre_invalide(personas, titre, message):
    a = personas.a
    with pytest.raises(ValidationError, match=message):
        services.creer_scenario(
            etablissement=a.etablissement,
            diplome=a.diplome,
            niveau="PREMIERE",
            titre=titre,
            par=_user(a),
        )
    assert not Scenario.objects.exists()


def test_creer_scenario_niveau_hors_diplome(personas):
    a = personas.a
    a.diplome.niveaux = ["PREMIERE", "TERMINALE"]
    a.diplome.save()
    with pytest.raises(ValidationError, match="niveau"):
        services.creer_scenario(
            etablissement=a.etablissement,
            diplome=a.diplome,
            niveau="SECONDE",
            titre="Accueil",
            par=_user(a),
        )


def test_modifier_titre_et_contexte_par_l_auteur(personas):
    s = scenario_de(personas.a)
    services.modifier_titre(s, " Nouveau titre ", par=_user(personas.a))
    services.modifier_contexte(s, " Le client entre. ", par=_user(personas.a))
    s.refresh_from_db()
    assert (s.titre, s.contexte) == ("Nouveau titre", "Le client entre.")


def test_contexte_trop_long(personas):
    s = scenario_de(personas.a)
    with pytest.raises(ValidationError, match="contexte"):
        services.modifier_contexte(s, "x" * (services.CONTEXTE_MAX + 1), par=_user(personas.a))


# --- auteur seulement -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda s, u: services.modifier_titre(s, "Autre", par=u),
        lambda s, u: services.modifier_contexte(s, "Autre", par=u),
        lambda s, u: services.changer_confidentialite(s, prive=True, par=u),
        lambda s, u: services.supprimer_scenario(s, par=u),
        lambda s, u: services.ajouter_lien(s, titre="x", url="https://exemple.fr", par=u),
        lambda s, u: services.ajouter_fichier(s, titre="", fichier=televerse("a.pdf", PDF), par=u),
        lambda s, u: services.lier_referentiel(s, par=u),
    ],
)
def test_actions_reservees_a_l_auteur(personas, action):
    s = scenario_de(personas.a)
    for intrus in ("enseignant2", "ddfpt"):
        with pytest.raises(PermissionDenied):
            action(s, _user(personas.a, intrus))
    assert Scenario.objects.filter(pk=s.pk, titre=s.titre, prive=False).exists()
    assert not s.ressources.exists()


def test_supprimer_ressource_reserve_a_l_auteur(personas):
    r = RessourceLienFactory(scenario=scenario_de(personas.a))
    with pytest.raises(PermissionDenied):
        services.supprimer_ressource(r, par=_user(personas.a, "enseignant2"))
    assert Ressource.objects.filter(pk=r.pk).exists()


# --- confidentialité ------------------------------------------------------------------------


def test_scenario_prive_visible_de_son_seul_auteur(personas):
    a = personas.a
    s = scenario_de(a)
    services.changer_confidentialite(s, prive=True, par=_user(a))
    assert s in scenarios_visibles(a.etablissement, _user(a), a.diplome)
    for autre in ("enseignant2", "ddfpt", "chef"):
        assert s not in scenarios_visibles(a.etablissement, _user(a, autre), a.diplome)
    log = AuditLog.objects.get(action="scenario.prive")
    assert log.avant == {"prive": False} and log.apres == {"prive": True}
    services.changer_confidentialite(s, prive=False, par=_user(a))
    assert s in scenarios_visibles(a.etablissement, _user(a, "enseignant2"), a.diplome)
    assert AuditLog.objects.filter(action="scenario.partage").count() == 1


# --- liaison avec le référentiel ------------------------------------------------------------


def test_basculer_tache_et_critere(personas):
    s = scenario_de(personas.a)
    tache = TacheFactory(activite__diplome=s.diplome)
    critere = CritereFactory(competence__groupe__diplome=s.diplome)
    u = _user(personas.a)
    assert services.basculer_tache(s, tache.pk, par=u) is True
    assert services.basculer_critere(s, critere.pk, par=u) is True
    assert list(s.taches.all()) == [tache] and list(s.criteres.all()) == [critere]
    assert services.basculer_tache(s, tache.pk, par=u) is False
    assert services.basculer_critere(s, critere.pk, par=u) is False
    assert not s.taches.exists() and not s.criteres.exists()


def test_tache_ou_critere_d_un_autre_diplome_refuse(personas):
    s = scenario_de(personas.a)
    tache = TacheFactory(activite__diplome=personas.a.diplome2)
    critere = CritereFactory(competence__groupe__diplome=personas.a.diplome2)
    u = _user(personas.a)
    with pytest.raises(ValidationError, match="n'appartient pas au référentiel"):
        services.basculer_tache(s, tache.pk, par=u)
    with pytest.raises(ValidationError, match="n'appartient pas au référentiel"):
        services.basculer_critere(s, critere.pk, par=u)
    with pytest.raises(ValidationError, match="n'appartient pas au référentiel"):
        services.basculer_tache(s, 999999, par=u)
    bonne = TacheFactory(activite__diplome=s.diplome)
    with pytest.raises(ValidationError):
        services.lier_referentiel(s, taches=[bonne, tache], par=u)
    with pytest.raises(ValidationError):
        services.lier_referentiel(s, taches=[bonne], criteres=[critere], par=u)
    assert not s.taches.exists() and not s.criteres.exists()


# --- duplication ----------------------------------------------------------------------------


def test_dupliquer_copie_tout_y_compris_les_fichiers(personas):
    a = personas.a
    dossier = DossierFactory(etablissement=a.etablissement, diplome=a.diplome)
    s = scenario_de(a, titre="Accueil client", contexte="Contexte", prive=True, dossier=dossier)
    tache = TacheFactory(activite__diplome=s.diplome)
    critere = CritereFactory(competence__groupe__diplome=s.diplome)
    s.taches.add(tache)
    s.criteres.add(critere)
    fichier = RessourceFichierFactory(scenario=s)
    RessourceLienFactory(scenario=s, ordre=2)
    par = _user(a, "enseignant2")

    copie = services.dupliquer_scenario(s, par=par)

    assert copie.titre == "Accueil client (copie)"
    assert copie.auteur == par and copie.duplique_de == s and not copie.prive
    assert (copie.contexte, copie.niveau, copie.diplome, copie.dossier) == (
        "Contexte",
        s.niveau,
        s.diplome,
        dossier,
    )
    assert list(copie.taches.all()) == [tache] and list(copie.criteres.all()) == [critere]
    copies = list(copie.ressources.all())
    assert [(r.type, r.titre) for r in copies] == [
        ("FICHIER", "Fiche produit"),
        ("LIEN", "Site de l'enseigne"),
    ]
    assert copies[0].fichier.name != fichier.fichier.name
    assert copies[0].fichier.read() == PDF
    assert copies[1].url == "https://www.exemple.fr/magasin"
    # the original is untouched
    assert s.ressources.count() == 2 and s.titre == "Accueil client"


def test_dupliquer_tronque_un_titre_long(personas):
    s = scenario_de(personas.a, titre="x" * 255)
    copie = services.dupliquer_scenario(s, par=_user(personas.a))
    assert len(copie.titre) == 255 and copie.titre.endswith(" (copie)")


# --- suppression ----------------------------------------------------------------------------


def test_supprimer_efface_les_fichiers(personas, django_capture_on_commit_callbacks):
    s = scenario_de(personas.a)
    r = RessourceFichierFactory(scenario=s)
    storage = r.fichier.storage
    nom = r.fichier.name
    assert storage.exists(nom)
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_scenario(s, par=_user(personas.a))
    assert not Scenario.objects.filter(pk=s.pk).exists()
    assert not Ressource.objects.exists()
    assert not storage.exists(nom)
    log = AuditLog.objects.get(action="scenario.supprime")
    assert log.avant["titre"] == s.titre and log.acteur == _user(personas.a)


def test_supprimer_ressource_efface_le_fichier(personas, django_capture_on_commit_callbacks):
    r = RessourceFichierFactory(scenario=scenario_de(personas.a))
    storage, nom = r.fichier.storage, r.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_ressource(r, par=_user(personas.a))
    assert not storage.exists(nom) and not Ressource.objects.exists()


# --- dossiers -------------------------------------------------------------------------------


def test_dossiers_creer_renommer_supprimer(personas):
    a = personas.a
    u = _user(a)
    d = services.creer_dossier(
        etablissement=a.etablissement, diplome=a.diplome, niveau="PREMIERE", nom=" Vente ", par=u
    )
    assert d.nom == "Vente" and d.cree_par == u
    with pytest.raises(ValidationError, match="existe déjà"):
        services.creer_dossier(
            etablissement=a.etablissement, diplome=a.diplome, niveau="PREMIERE", nom="vente", par=u
        )
    with pytest.raises(ValidationError, match="obligatoire"):
        services.renommer_dossier(d, "  ", par=u)
    services.renommer_dossier(d, "Vente-conseil", par=u)
    d.refresh_from_db()
    assert d.nom == "Vente-conseil"
    services.supprimer_dossier(d, par=u)
    assert not Dossier.objects.exists()
    assert AuditLog.objects.filter(action="scenario.dossier_supprime").exists()


def test_supprimer_un_dossier_non_vide_refuse(personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome)
    # even when its only scénario is a colleague's private one
    scenario_de(a, membership=a.enseignant2, dossier=d, prive=True)
    with pytest.raises(ValidationError, match="n'est pas vide"):
        services.supprimer_dossier(d, par=_user(a))
    assert Dossier.objects.filter(pk=d.pk).exists()


def test_classer_dans_un_dossier(personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome, niveau="PREMIERE")
    autre_niveau = DossierFactory(
        etablissement=a.etablissement, diplome=a.diplome, niveau="TERMINALE"
    )
    s = scenario_de(a, ordre=3)
    services.classer_scenario(s, d, par=_user(a, "enseignant2"))
    s.refresh_from_db()
    assert s.dossier == d and s.ordre is None
    with pytest.raises(ValidationError, match="niveau"):
        services.classer_scenario(s, autre_niveau, par=_user(a))
    services.classer_scenario(s, None, par=_user(a))
    s.refresh_from_db()
    assert s.dossier is None


# --- ordre manuel ---------------------------------------------------------------------------


def _ordre(qs):
    return [s.titre for s in sorted(qs, key=lambda s: (s.ordre is None, s.ordre or 0, s.titre))]


def test_ordre_alphanumerique_puis_deplacements(personas):
    from scenarios.queries import page_liste

    a = personas.a
    for titre in ("Séance 10", "séance 2", "Accueil"):
        scenario_de(a, titre=titre)
    section = next(
        s for s in page_liste(a.etablissement, _user(a), a.diplome) if s.code == "PREMIERE"
    )
    assert [s.titre for s in section.scenarios] == ["Accueil", "séance 2", "Séance 10"]
    dix = Scenario.objects.get(titre="Séance 10")
    services.deplacer_scenario(dix, sens="haut", par=_user(a))
    assert list(Scenario.objects.order_by("ordre").values_list("titre", "ordre")) == [
        ("Accueil", 1),
        ("Séance 10", 2),
        ("séance 2", 3),
    ]
    services.deplacer_scenario(Scenario.objects.get(titre="Accueil"), sens="haut", par=_user(a))
    assert Scenario.objects.get(titre="Accueil").ordre == 1  # already first
    with pytest.raises(ValidationError):
        services.deplacer_scenario(dix, sens="gauche", par=_user(a))


def test_ordonner_un_conteneur(personas):
    a = personas.a
    s1, s2, s3 = (scenario_de(a, titre=t) for t in ("A", "B", "C"))
    services.ordonner_scenarios(
        etablissement=a.etablissement,
        diplome=a.diplome,
        niveau="PREMIERE",
        dossier=None,
        ids=[str(s3.pk), s1.pk, s2.pk],
        par=_user(a),
    )
    assert _ordre(Scenario.objects.all()) == ["C", "A", "B"]


def test_ordonner_valide_le_conteneur(personas):
    a = personas.a
    d = DossierFactory(etablissement=a.etablissement, diplome=a.diplome)
    s1, s2 = scenario_de(a, titre="A"), scenario_de(a, titre="B")
    dans_dossier = scenario_de(a, titre="D", dossier=d)
    prive_d_un_collegue = scenario_de(a, membership=a.enseignant2, titre="P", prive=True)
    autre_etab = scenario_de(personas.b, titre="X")
    terminale = scenario_de(a, titre="T", niveau="TERMINALE")

    def ordonner(ids, dossier=None):
        services.ordonner_scenarios(
            etablissement=a.etablissement,
            diplome=a.diplome,
            niveau="PREMIERE",
            dossier=dossier,
            ids=ids,
            par=_user(a),
        )

    for ids in (
        [s1.pk],  # one missing
        [s1.pk, s2.pk, s2.pk],  # twice
        [s1.pk, s2.pk, dans_dossier.pk],  # another container
        [s1.pk, s2.pk, prive_d_un_collegue.pk],  # not visible
        [s1.pk, s2.pk, autre_etab.pk],
        [s1.pk, s2.pk, terminale.pk],
        ["x", s1.pk],
    ):
        with pytest.raises(ValidationError):
            ordonner(ids)
    assert set(Scenario.objects.values_list("ordre", flat=True)) == {None}
    ordonner([s2.pk, s1.pk])
    assert (Scenario.objects.get(pk=s2.pk).ordre, Scenario.objects.get(pk=s1.pk).ordre) == (1, 2)
    ordonner([dans_dossier.pk], dossier=d)
    assert Scenario.objects.get(pk=dans_dossier.pk).ordre == 1
    autre_dossier = DossierFactory(
        etablissement=a.etablissement, diplome=a.diplome, niveau="TERMINALE"
    )
    with pytest.raises(ValidationError, match="dossier"):
        ordonner([], dossier=autre_dossier)


# --- ressources -----------------------------------------------------------------------------


@pytest.mark.parametrize("nom,contenu", ACCEPTES, ids=[n for n, _ in ACCEPTES])
def test_fichiers_acceptes(personas, nom, contenu):
    s = scenario_de(personas.a)
    r = services.ajouter_fichier(
        s, titre="", fichier=televerse(nom, contenu), par=_user(personas.a)
    )
    assert r.titre == nom and r.nom_fichier == nom and r.taille == len(contenu)
    assert r.fichier.name.startswith(f"scenarios/{s.etablissement_id}/{s.pk}/")
    assert nom not in r.fichier.name  # stored under a random name
    assert r.content_type == services.TYPES_AUTORISES[nom.rsplit(".", 1)[1].lower()]


@pytest.mark.parametrize(
    "nom,contenu,message",
    [
        ("script.exe", b"MZ\x90\x00", "n'est pas accepté"),
        ("page.html", b"<html></html>", "n'est pas accepté"),
        ("sans-extension", PDF, "n'est pas accepté"),
        ("faux.pdf", PNG, "ne correspond pas"),
        ("faux.png", PDF, "ne correspond pas"),
        ("faux.docx", PDF, "ne correspond pas"),
        ("faux.odt", b"PK\x03\x04pas-un-zip", "ne correspond pas"),
        ("binaire.txt", b"abc\x00def", "ne correspond pas"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_fichiers_refuses(personas, nom, contenu, message):
    s = scenario_de(personas.a)
    with pytest.raises(ValidationError, match=message):
        services.ajouter_fichier(
            s, titre="", fichier=televerse(nom, contenu), par=_user(personas.a)
        )
    assert not s.ressources.exists()


def test_fichier_trop_gros(personas, monkeypatch):
    s = scenario_de(personas.a)
    monkeypatch.setattr(fiche, "FICHIER_TAILLE_MAX", 100)  # the rule of every fiche
    gros = televerse("gros.pdf", PDF + b"x" * 100)
    with pytest.raises(ValidationError, match="10 Mo"):
        services.ajouter_fichier(s, titre="", fichier=gros, par=_user(personas.a))


def test_fichier_de_plus_de_10_mo_refuse(personas):
    s = scenario_de(personas.a)
    gros = televerse("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="taille maximale de 10 Mo"):
        services.ajouter_fichier(s, titre="", fichier=gros, par=_user(personas.a))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://exemple.fr/a", "data:text/html,x", "exemple.fr", "http://"],
)
def test_liens_refuses(personas, url):
    s = scenario_de(personas.a)
    with pytest.raises(ValidationError):
        services.ajouter_lien(s, titre="x", url=url, par=_user(personas.a))
    assert not s.ressources.exists()


def test_lien_accepte(personas):
    s = scenario_de(personas.a)
    r = services.ajouter_lien(
        s, titre="", url=" https://www.economie.gouv.fr/dgccrf ", par=_user(personas.a)
    )
    assert r.url == "https://www.economie.gouv.fr/dgccrf" and r.titre == r.url


def test_trente_ressources_au_plus(personas):
    s = scenario_de(personas.a)
    for i in range(services.RESSOURCES_MAX):
        RessourceLienFactory(scenario=s, ordre=i)
    with pytest.raises(ValidationError, match="30 ressources"):
        services.ajouter_lien(s, titre="", url="https://exemple.fr", par=_user(personas.a))
    with pytest.raises(ValidationError, match="30 ressources"):
        services.ajouter_fichier(
            s, titre="", fichier=televerse("a.pdf", PDF), par=_user(personas.a)
        )
    assert s.ressources.count() == services.RESSOURCES_MAX


def test_supprimer_garde_les_evaluations_creees(personas):
    """« Cette action n'a pas d'impact sur les évaluations déjà créées à partir de ce
    scénario » : their link is set to NULL, their copy stays."""
    import datetime

    from cpro.models import AnneeScolaire
    from evaluations.models import Evaluation

    s = scenario_de(personas.a, titre="Vente-conseil")
    evaluation = Evaluation.objects.create(
        etablissement=s.etablissement,
        diplome=s.diplome,
        niveau=s.niveau,
        annee=AnneeScolaire.courante(),
        scenario=s,
        titre=s.titre,
        date=datetime.date(2026, 1, 15),
    )
    services.supprimer_scenario(s, par=_user(personas.a))
    evaluation.refresh_from_db()
    assert evaluation.scenario is None and evaluation.titre == "Vente-conseil"
