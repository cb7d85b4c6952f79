"""Services of the évaluation pages: copy on create, rights, locks, confirmations, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cpro import perms
from cpro.models import AnneeScolaire, AuditLog, Role
from evaluations import services
from evaluations.models import Evaluation, Nature, Participant, RessourceEvaluation, Resultat
from scenarios.models import Ressource
from tests.evaluations.factories import (
    PDF,
    EvaluationFactory,
    ParticipantFactory,
    RessourceEvaluationFactory,
    ResultatFactory,
    evaluation_de,
    mini_referentiel,
    ressource_fichier_scenario,
    ressource_lien_scenario,
    scenario_de,
)
from tests.factories import ApprenantFactory, DivisionFactory


def _creer(scenario, par, **kwargs):
    kwargs.setdefault("titre", "Vente conseil")
    kwargs.setdefault("date", datetime.date(2026, 10, 5))
    kwargs.setdefault("nature", Nature.INTERMEDIAIRE)
    kwargs.setdefault("enseignants", [])
    return services.creer_evaluation(scenario, par=par, **kwargs)


# --- creation: a copy of the scénario --------------------------------------------------------


def test_creer_copie_le_scenario(personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    scenario = scenario_de(a, contexte="Un magasin de sport.")
    scenario.taches.set(ref["taches"][:1])
    scenario.criteres.set(ref["criteres"][:3])
    fichier = ressource_fichier_scenario(scenario)
    ressource_lien_scenario(scenario)

    ev = _creer(scenario, a.enseignant.user, enseignants=[a.enseignant2.user])

    assert ev.etablissement == a.etablissement
    assert ev.diplome == a.diplome and ev.niveau == "PREMIERE"
    assert ev.contexte == "Un magasin de sport."
    assert ev.auteur == a.enseignant.user and ev.scenario == scenario
    assert ev.annee.debut == 2026
    assert set(ev.enseignants.all()) == {a.enseignant.user, a.enseignant2.user}
    assert set(ev.taches.all()) == set(ref["taches"][:1])
    assert set(ev.criteres.all()) == set(ref["criteres"][:3])
    copies = list(ev.ressources.order_by("ordre"))
    assert [r.type for r in copies] == ["FICHIER", "LIEN"]
    assert copies[0].fichier.name != fichier.fichier.name
    assert copies[0].fichier.name.startswith(f"evaluations/{a.etablissement.pk}/{ev.pk}/")
    with copies[0].fichier.open("rb") as f:
        assert f.read() == PDF
    assert copies[0].nom_fichier == "fiche.pdf"
    assert copies[1].url == "https://www.exemple.fr/magasin"
    entree = AuditLog.objects.get(action="evaluation.creation")
    assert entree.objet_id == str(ev.pk) and entree.acteur == a.enseignant.user


def test_modifier_puis_supprimer_le_scenario_ne_change_pas_l_evaluation(
    personas, django_capture_on_commit_callbacks
):
    from scenarios import services as scenarios_services

    a = personas.a
    ref = mini_referentiel(a.diplome)
    scenario = scenario_de(a, contexte="Contexte initial")
    scenario.taches.set(ref["taches"])
    scenario.criteres.set(ref["criteres"])
    ressource_fichier_scenario(scenario)
    ev = _creer(scenario, a.enseignant.user)
    copie = ev.ressources.get()

    scenario.titre, scenario.contexte = "Autre titre", "Autre contexte"
    scenario.save()
    scenario.taches.clear()
    scenario.criteres.set(ref["criteres"][:1])
    with django_capture_on_commit_callbacks(execute=True):
        for r in scenario.ressources.all():
            scenarios_services.supprimer_ressource(r, par=a.enseignant.user)
    ev.refresh_from_db()
    assert ev.titre == "Vente conseil" and ev.contexte == "Contexte initial"
    assert ev.taches.count() == 2 and ev.criteres.count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        scenarios_services.supprimer_scenario(scenario, par=a.enseignant.user)
    ev.refresh_from_db()
    assert ev.scenario is None
    assert ev.taches.count() == 2 and ev.criteres.count() == 4
    copie.refresh_from_db()
    assert copie.fichier.storage.exists(copie.fichier.name)
    with copie.fichier.open("rb") as f:
        assert f.read() == PDF
    assert not Ressource.objects.exists()


def test_creer_auteur_toujours_evaluateur_et_annee_de_la_date(personas):
    a = personas.a
    ev = _creer(
        scenario_de(a),
        a.ddfpt.user,
        date=datetime.date(2026, 3, 2),
        enseignants=[a.enseignant.user],
    )
    assert set(ev.enseignants.all()) == {a.ddfpt.user, a.enseignant.user}
    assert ev.annee == AnneeScolaire.objects.get(debut=2025)
    assert ev.afficher_tableau_de_bord is True and ev.nature == "INT"


@pytest.mark.parametrize(
    "champs,message",
    [
        ({"nature": Nature.ENTREPRISE}, "réservé aux bilans entreprise"),
        ({"nature": "X"}, "Intermédiaire ou Complexe"),
        ({"titre": "x" * 256}, "255"),
        ({"titre": "  "}, "obligatoire"),
        ({"date": None}, "date"),
    ],
)
def test_creer_refuse_les_donnees_invalides(personas, champs, message):
    with pytest.raises(ValidationError) as exc:
        _creer(scenario_de(personas.a), personas.a.enseignant.user, **champs)
    assert message in " ".join(exc.value.messages)
    assert not Evaluation.objects.exists()


def test_creer_refuse_un_enseignant_qui_ne_gere_pas_le_diplome(personas):
    a, b = personas.a, personas.b
    scenario = scenario_de(a)
    for intrus in (b.enseignant.user, a.chef.user, a.apprenant.user):
        with pytest.raises(ValidationError):
            _creer(scenario, a.enseignant.user, enseignants=[intrus])
    # enseignant2 manages the diplôme too; an inactive teacher no longer does.
    a.enseignant2.active = False
    a.enseignant2.save()
    with pytest.raises(ValidationError):
        _creer(scenario, a.enseignant.user, enseignants=[a.enseignant2.user])
    assert not Evaluation.objects.exists()


def test_creer_reserve_aux_enseignants_et_ddfpt(personas):
    a = personas.a
    for intrus in (a.chef.user, a.apprenant.user, personas.b.enseignant.user):
        with pytest.raises(PermissionDenied):
            _creer(scenario_de(a), intrus)


# --- who may modify --------------------------------------------------------------------------


def test_peut_modifier_table_de_verite(personas):
    a, b = personas.a, personas.b
    ev = evaluation_de(a, enseignants=[a.enseignant.user])
    attendu = {
        "ddfpt": True,
        "chef": False,
        "enseignant": True,
        "enseignant2": False,
        "tuteur": False,
        "apprenant": False,
        "apprenti": False,
    }
    for nom, ok in attendu.items():
        assert perms.peut(a.membership(nom), perms.SAISIR_EVALUATIONS, ev) is ok, nom
    assert perms.peut(b.ddfpt, perms.SAISIR_EVALUATIONS, ev) is False
    assert perms.peut(None, perms.SAISIR_EVALUATIONS, ev) is False
    ev.enseignants.add(a.enseignant2.user)
    ev = Evaluation.objects.prefetch_related("enseignants").get(pk=ev.pk)
    assert perms.peut(a.enseignant2, perms.SAISIR_EVALUATIONS, ev) is True
    # evaluating teachers modify, only the author and the DDFPT delete
    assert perms.peut(a.enseignant2, perms.SUPPRIMER_EVALUATIONS, ev) is False
    assert perms.peut(a.enseignant, perms.SUPPRIMER_EVALUATIONS, ev) is True
    assert perms.peut(a.ddfpt, perms.SUPPRIMER_EVALUATIONS, ev) is True
    a.enseignant.active = False
    assert perms.peut(a.enseignant, perms.SAISIR_EVALUATIONS, ev) is False


def test_un_autre_enseignant_ne_modifie_pas(personas):
    a = personas.a
    ev = evaluation_de(a)
    with pytest.raises(PermissionDenied):
        services.modifier_contexte(ev, par=a.enseignant2.user, contexte="x", secteurs="")
    with pytest.raises(PermissionDenied):
        services.supprimer_evaluation(ev, par=a.chef.user)


# --- informations, visibility toggle ---------------------------------------------------------


def test_modifier_informations_et_affichage_tableau_de_bord(personas):
    a = personas.a
    ev = evaluation_de(a)
    services.modifier_informations(
        ev,
        par=a.ddfpt.user,
        titre="Nouveau titre",
        date=datetime.date(2025, 11, 3),
        nature=Nature.COMPLEXE,
        enseignants=[a.enseignant2.user],
        afficher_tableau_de_bord=False,
    )
    ev.refresh_from_db()
    assert ev.titre == "Nouveau titre" and ev.nature == "C"
    assert ev.annee.debut == 2025
    assert ev.afficher_tableau_de_bord is False
    # the author stays an evaluating teacher
    assert set(ev.enseignants.all()) == {a.enseignant.user, a.enseignant2.user}
    services.modifier_informations(
        ev,
        par=a.enseignant.user,
        titre=ev.titre,
        date=ev.date,
        nature=ev.nature,
        enseignants=[],
        afficher_tableau_de_bord=True,
    )
    ev.refresh_from_db()
    assert ev.afficher_tableau_de_bord is True


def test_modifier_informations_refuse_la_nature_entreprise(personas):
    a = personas.a
    ev = evaluation_de(a)
    with pytest.raises(ValidationError):
        services.modifier_informations(
            ev,
            par=a.enseignant.user,
            titre="t",
            date=ev.date,
            nature=Nature.ENTREPRISE,
            enseignants=[],
            afficher_tableau_de_bord=True,
        )
    ev.refresh_from_db()
    assert ev.nature == "INT"


# --- learners --------------------------------------------------------------------------------


def test_choisir_apprenants(personas):
    a, b = personas.a, personas.b
    ev = evaluation_de(a)
    changement = services.choisir_apprenants(
        ev, [a.apprenant.apprenant, a.apprenti.apprenant.pk], par=a.enseignant.user
    )
    assert sorted(changement.ajoutes) == sorted([a.apprenant.apprenant.pk, a.apprenti.apprenant.pk])
    assert ev.participants.count() == 2
    # a learner of another establishment, or of another niveau, is refused
    autre_niveau = ApprenantFactory(
        etablissement=a.etablissement,
        division=DivisionFactory(
            etablissement=a.etablissement, diplome=a.diplome, niveau="TERMINALE"
        ),
    )
    for intrus in (b.apprenant.apprenant.pk, autre_niveau.pk):
        with pytest.raises(ValidationError):
            services.choisir_apprenants(
                ev, [a.apprenant.apprenant.pk, intrus], par=a.enseignant.user
            )
    assert ev.participants.count() == 2
    services.choisir_apprenants(ev, [a.apprenti.apprenant.pk], par=a.enseignant.user)
    assert list(ev.participants.values_list("apprenant_id", flat=True)) == [a.apprenti.apprenant.pk]
    assert not AuditLog.objects.filter(action="evaluation.apprenants_retires").exists()


def test_retirer_un_apprenant_avec_resultats_demande_confirmation(personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a, criteres=ref["criteres"])
    eleve = a.apprenant.apprenant
    ParticipantFactory(evaluation=ev, apprenant=eleve)
    ResultatFactory(evaluation=ev, apprenant=eleve, critere=ref["criteres"][0])
    ResultatFactory(evaluation=ev, apprenant=eleve, critere=ref["criteres"][1], niveau="NE")

    with pytest.raises(services.ConfirmationRequise) as exc:
        services.choisir_apprenants(ev, [], par=a.enseignant.user)
    assert "2 résultats" in exc.value.details[0]
    assert ev.participants.count() == 1 and Resultat.objects.count() == 2

    changement = services.choisir_apprenants(ev, [], par=a.enseignant.user, confirme=True)
    assert changement.resultats_supprimes == 2
    assert not ev.participants.exists() and not Resultat.objects.exists()
    entree = AuditLog.objects.get(action="evaluation.apprenants_retires")
    assert entree.avant["apprenants"][str(eleve.pk)]["resultats"] == 2
    assert entree.acteur == a.enseignant.user


# --- liaison ---------------------------------------------------------------------------------


def test_basculer_tache_et_critere(personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a)
    assert services.basculer_tache(ev, ref["taches"][0].pk, par=a.enseignant.user) is True
    assert services.basculer_critere(ev, ref["criteres"][0].pk, par=a.enseignant.user) is True
    assert list(ev.taches.all()) == [ref["taches"][0]]
    assert list(ev.criteres.all()) == [ref["criteres"][0]]
    assert services.basculer_tache(ev, ref["taches"][0].pk, par=a.enseignant.user) is False
    assert services.basculer_critere(ev, ref["criteres"][0].pk, par=a.enseignant.user) is False
    assert not ev.taches.exists() and not ev.criteres.exists()
    autre = mini_referentiel(a.diplome2)
    with pytest.raises(ValidationError):
        services.basculer_critere(ev, autre["criteres"][0].pk, par=a.enseignant.user)
    with pytest.raises(ValidationError):
        services.basculer_tache(ev, autre["taches"][0].pk, par=a.enseignant.user)


def test_retirer_un_critere_avec_resultats_demande_confirmation(personas):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    critere = ref["criteres"][0]
    ev = evaluation_de(a, criteres=[critere])
    ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
    ResultatFactory(evaluation=ev, apprenant=a.apprenant.apprenant, critere=critere)

    with pytest.raises(services.ConfirmationRequise):
        services.basculer_critere(ev, critere.pk, par=a.enseignant.user)
    assert ev.criteres.count() == 1 and Resultat.objects.count() == 1

    services.basculer_critere(ev, critere.pk, par=a.enseignant.user, confirme=True)
    assert not ev.criteres.exists() and not Resultat.objects.exists()
    entree = AuditLog.objects.get(action="evaluation.critere_retire")
    assert entree.avant == {"critere": critere.pk, "code": critere.code, "resultats": 1}


# --- resources -------------------------------------------------------------------------------


def test_ressources_fichier_et_lien(personas, django_capture_on_commit_callbacks):
    a = personas.a
    ev = evaluation_de(a)
    r = services.ajouter_fichier(
        ev,
        titre="",
        fichier=SimpleUploadedFile("sujet.pdf", PDF, "application/pdf"),
        par=a.enseignant.user,
    )
    assert r.titre == "sujet.pdf" and r.content_type == "application/pdf"
    assert r.fichier.storage.exists(r.fichier.name)
    lien = services.ajouter_lien(
        ev, titre="Site", url="https://www.exemple.fr", par=a.enseignant.user
    )
    assert lien.ordre == r.ordre + 1
    for mauvais in ("javascript:alert(1)", "ftp://exemple.fr/x", ""):
        with pytest.raises(ValidationError):
            services.ajouter_lien(ev, titre="", url=mauvais, par=a.enseignant.user)
    with pytest.raises(ValidationError):
        services.ajouter_fichier(
            ev,
            titre="",
            fichier=SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/pdf"),
            par=a.enseignant.user,
        )
    with pytest.raises(ValidationError):  # renamed file: content does not match
        services.ajouter_fichier(
            ev,
            titre="",
            fichier=SimpleUploadedFile("faux.pdf", b"pas un pdf", "application/pdf"),
            par=a.enseignant.user,
        )
    gros = SimpleUploadedFile("gros.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.ajouter_fichier(ev, titre="", fichier=gros, par=a.enseignant.user)
    assert "10 Mo" in exc.value.messages[0]
    nom = r.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_ressource(r, par=a.enseignant.user)
    assert not r.fichier.storage.exists(nom)
    assert ev.ressources.count() == 1


def test_nombre_de_ressources_limite(personas):
    a = personas.a
    ev = evaluation_de(a)
    RessourceEvaluation.objects.bulk_create(
        [
            RessourceEvaluation(evaluation=ev, type="LIEN", titre=f"L{i}", url="https://x.fr")
            for i in range(services.RESSOURCES_MAX)
        ]
    )
    with pytest.raises(ValidationError):
        services.ajouter_lien(ev, titre="", url="https://exemple.fr", par=a.enseignant.user)


# --- deletion --------------------------------------------------------------------------------


def test_supprimer_evaluation(personas, django_capture_on_commit_callbacks):
    a = personas.a
    ev = evaluation_de(a, enseignants=[a.enseignant.user, a.enseignant2.user])
    r = RessourceEvaluationFactory(evaluation=ev)
    nom = r.fichier.name
    with pytest.raises(PermissionDenied):  # an evaluating teacher who is not the author
        services.supprimer_evaluation(ev, par=a.enseignant2.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_evaluation(ev, par=a.enseignant.user)
    assert not Evaluation.objects.exists()
    assert not r.fichier.storage.exists(nom)
    entree = AuditLog.objects.get(action="evaluation.suppression")
    assert entree.avant["titre"] == ev.titre


# --- locks -----------------------------------------------------------------------------------


def test_verrouiller_et_deverrouiller(personas):
    a = personas.a
    ev1, ev2 = evaluation_de(a), evaluation_de(a)
    assert (
        services.verrouiller_evaluations(
            [ev1, ev2.pk], par=a.ddfpt.user, motif="Bilan du 1er trimestre validé"
        )
        == 2
    )
    assert ev1.verrouillee is True
    assert Evaluation.objects.filter(verrouillee=True).count() == 2
    # already locked: nothing changes, no new audit entry
    assert services.verrouiller_evaluations([ev1], par=a.ddfpt.user, motif="encore") == 0
    entrees = AuditLog.objects.filter(action="evaluation.verrouillage")
    assert entrees.count() == 2
    assert entrees.first().apres["motif"] == "Bilan du 1er trimestre validé"
    assert services.deverrouiller_evaluations([ev1], par=a.ddfpt.user, motif="Erreur") == 1
    ev1.refresh_from_db()
    ev2.refresh_from_db()
    assert ev1.verrouillee is False and ev2.verrouillee is True
    entree = AuditLog.objects.get(action="evaluation.deverrouillage")
    assert entree.apres == {"verrouillee": False, "motif": "Erreur"}
    assert entree.acteur == a.ddfpt.user


def test_exiger_modifiable():
    services.exiger_modifiable(Evaluation(verrouillee=False))
    with pytest.raises(ValidationError) as exc:
        services.exiger_modifiable(Evaluation(verrouillee=True))
    assert exc.value.messages == [
        "Cette évaluation est prise en compte dans un bilan intermédiaire validé : elle ne "
        "peut plus être modifiée. Le DDFPT peut déverrouiller le bilan."
    ]


ECRITURES = {
    "informations": lambda ev, par, ref: services.modifier_informations(
        ev,
        par=par,
        titre="t",
        date=ev.date,
        nature="C",
        enseignants=[],
        afficher_tableau_de_bord=False,
    ),
    "contexte": lambda ev, par, ref: services.modifier_contexte(
        ev, par=par, contexte="x", secteurs="y"
    ),
    "apprenants": lambda ev, par, ref: services.choisir_apprenants(ev, [], par=par, confirme=True),
    "tache": lambda ev, par, ref: services.basculer_tache(ev, ref["taches"][1].pk, par=par),
    "critere": lambda ev, par, ref: services.basculer_critere(
        ev, ref["criteres"][0].pk, par=par, confirme=True
    ),
    "fichier": lambda ev, par, ref: services.ajouter_fichier(
        ev, titre="", fichier=SimpleUploadedFile("a.pdf", PDF), par=par
    ),
    "lien": lambda ev, par, ref: services.ajouter_lien(
        ev, titre="", url="https://exemple.fr", par=par
    ),
    "supprimer_ressource": lambda ev, par, ref: services.supprimer_ressource(
        ev.ressources.get(), par=par
    ),
    "supprimer": lambda ev, par, ref: services.supprimer_evaluation(ev, par=par),
}


@pytest.mark.parametrize("ecriture", sorted(ECRITURES))
def test_toute_ecriture_refusee_quand_verrouillee(personas, ecriture):
    a = personas.a
    ref = mini_referentiel(a.diplome)
    ev = evaluation_de(a, criteres=ref["criteres"][:1], taches=ref["taches"][:1])
    ParticipantFactory(evaluation=ev, apprenant=a.apprenant.apprenant)
    ResultatFactory(evaluation=ev, apprenant=a.apprenant.apprenant, critere=ref["criteres"][0])
    RessourceEvaluationFactory(evaluation=ev)
    services.verrouiller_evaluations([ev], par=a.ddfpt.user, motif="bilan validé")
    avant = (ev.titre, ev.contexte, ev.nature)
    for par in (a.enseignant.user, a.ddfpt.user):
        with pytest.raises(ValidationError) as exc:
            ECRITURES[ecriture](ev, par, ref)
        assert services.MESSAGE_VERROUILLEE in exc.value.messages
    ev.refresh_from_db()
    assert (ev.titre, ev.contexte, ev.nature) == avant
    assert ev.taches.count() == 1 and ev.criteres.count() == 1
    assert Participant.objects.count() == 1 and Resultat.objects.count() == 1
    assert ev.ressources.count() == 1


def test_enseignants_possibles(personas):
    a = personas.a
    possibles = set(services.enseignants_possibles(a.etablissement, a.diplome))
    assert possibles == {a.ddfpt.user, a.enseignant.user, a.enseignant2.user}
    assert set(services.enseignants_possibles(a.etablissement, a.diplome2)) == {
        a.ddfpt.user,
        a.enseignant2.user,
    }
    assert all(
        m.role in (Role.ENSEIGNANT, Role.DDFPT)
        for m in a.etablissement.memberships.filter(user__in=possibles)
    )


def test_factory_simple(db):
    ev = EvaluationFactory()
    assert list(ev.enseignants.all()) == [ev.auteur]
