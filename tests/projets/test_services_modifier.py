"""Changing a projet after its creation, archiving and deleting it (projets.services): the
creation's rules, stages added / changed / removed, a learner with data kept in the team,
rights of the projet's teachers and the DDFPT only, audit before → after."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cpro.erreurs import Interdit
from cpro.models import AuditLog
from projets import services
from projets.models import EntreeCarnet, Etape, Projet
from sauvegarde import journal
from tests.projets import factories as pj

pytestmark = pytest.mark.django_db

D = datetime.date(2025, 9, 15)


def _ligne(etape, **kw):
    ligne = {
        "id": etape.pk,
        "titre": etape.titre,
        "date_debut": etape.date_debut,
        "date_fin": etape.date_fin,
        "livrables": etape.livrables,
        "supprimer": False,
    }
    ligne.update(kw)
    return ligne


def _modifier(projet, par, **kw):
    args = {
        "par": par,
        "titre": projet.titre,
        "description": projet.description,
        "divisions": list(projet.divisions.all()),
        "apprenants": list(projet.apprenants.all()),
        "enseignants": list(projet.enseignants.all()),
        "etapes": [_ligne(e) for e in projet.etapes.all()],
    }
    args.update(kw)
    return services.modifier_projet(projet, **args)


def test_modifier_titre_equipe_et_etapes(personas):
    a = personas.a
    projet = pj.projet(a, etapes=3)
    e1, e2, e3 = projet.etapes.all()
    nouvelle = {
        "id": None,
        "titre": "Présentation",
        "date_debut": e3.date_fin + datetime.timedelta(days=1),
        "date_fin": e3.date_fin + datetime.timedelta(days=5),
        "livrables": "Oral de 10 minutes",
    }
    _modifier(
        projet,
        a.enseignant.user,
        titre="Boutique solidaire",
        apprenants=[a.apprenant.apprenant, a.apprenti.apprenant],
        enseignants=[a.enseignant.user, a.enseignant2.user],
        etapes=[
            _ligne(e1, livrables="Cahier des charges signé"),
            _ligne(e2, supprimer=True),
            _ligne(e3),
            {"titre": "", "date_debut": None, "date_fin": None},  # blank row: ignored
            nouvelle,
        ],
    )
    projet.refresh_from_db()
    assert projet.titre == "Boutique solidaire"
    assert set(projet.apprenants.all()) == {a.apprenant.apprenant, a.apprenti.apprenant}
    assert set(projet.enseignants.all()) == {a.enseignant.user, a.enseignant2.user}
    etapes = list(projet.etapes.all())
    # Kept stages keep their row (updated in place), the removed one is gone, the new one last.
    assert [e.pk for e in etapes[:2]] == [e1.pk, e3.pk]
    assert not Etape.objects.filter(pk=e2.pk).exists()
    assert [(e.ordre, e.titre) for e in etapes] == [
        (1, e1.titre),
        (2, e3.titre),
        (3, "Présentation"),
    ]
    assert etapes[0].livrables == "Cahier des charges signé"
    log = AuditLog.objects.get(action="projets.modifier")
    assert log.acteur == a.enseignant.user and log.objet_id == str(projet.pk)
    # Only what changed, before → after, by name (readable after an establishment's move).
    assert set(log.avant) == set(log.apres) == {"titre", "apprenants", "enseignants", "etapes"}
    assert log.avant["titre"] != log.apres["titre"] == "Boutique solidaire"
    assert a.apprenti.apprenant.membership.user.nom_complet in log.apres["apprenants"]
    assert len(log.avant["etapes"]) == 3 and len(log.apres["etapes"]) == 3
    assert any("Oral de 10 minutes" in e for e in log.apres["etapes"])
    assert not journal.cles_entieres_non_declarees({"avant": log.avant, "apres": log.apres})


def test_modifier_sans_changement_n_ecrit_pas_de_journal(personas):
    a = personas.a
    projet = pj.projet(a)
    _modifier(projet, a.ddfpt.user)
    assert not AuditLog.objects.filter(action="projets.modifier").exists()


def test_modifier_regles_de_la_creation(personas):
    a, b = personas.a, personas.b
    projet = pj.projet(a, etapes=2)
    e1, e2 = projet.etapes.all()
    with pytest.raises(ValidationError) as exc:
        _modifier(
            projet,
            a.enseignant.user,
            titre="x" * 201,
            divisions=[a.division],
            apprenants=[b.apprenant.apprenant],
            enseignants=[a.tuteur.user],
            etapes=[_ligne(e1), _ligne(e2, date_fin=e2.date_debut - datetime.timedelta(days=1))],
        )
    erreurs = exc.value.message_dict
    assert set(erreurs) == {"titre", "apprenants", "enseignants", "etapes"}
    assert "précède" in erreurs["etapes"][0]
    projet.refresh_from_db()
    assert projet.titre != "x" * 201 and projet.etapes.count() == 2  # nothing written
    assert not AuditLog.objects.filter(action="projets.modifier").exists()


@pytest.mark.parametrize(
    "etapes, message",
    [
        # The second stage starts before the first: not chronological.
        (
            [
                {"titre": "Réalisation", "date_debut": D, "date_fin": D},
                {
                    "titre": "Démarrage",
                    "date_debut": D - datetime.timedelta(days=10),
                    "date_fin": D - datetime.timedelta(days=5),
                },
            ],
            "ordre chronologique",
        ),
        # Two stages with exactly the same dates.
        (
            [
                {"titre": "Démarrage", "date_debut": D, "date_fin": D},
                {"titre": "Réalisation", "date_debut": D, "date_fin": D},
            ],
            "exactement ces dates",
        ),
        ([], "au moins une étape"),
    ],
)
def test_modifier_etapes_chronologiques_et_uniques(personas, etapes, message):
    a = personas.a
    projet = pj.projet(a, etapes=2)
    with pytest.raises(ValidationError) as exc:
        _modifier(projet, a.enseignant.user, etapes=etapes)
    assert message in exc.value.message_dict["etapes"][0]
    assert projet.etapes.count() == 2


def test_modifier_refuse_une_etape_d_un_autre_projet(personas):
    a = personas.a
    projet, autre = pj.projet(a, etapes=1), pj.projet(a, etapes=1)
    etrangere = autre.etapes.get()
    with pytest.raises(ValidationError) as exc:
        _modifier(projet, a.enseignant.user, etapes=[_ligne(etrangere, titre="Détournée")])
    assert "n'appartient pas à ce projet" in exc.value.message_dict["etapes"][0]
    assert Etape.objects.get(pk=etrangere.pk).titre != "Détournée"
    # The same stage twice (a forged form) is refused too.
    propre = projet.etapes.get()
    with pytest.raises(ValidationError) as exc:
        _modifier(projet, a.enseignant.user, etapes=[_ligne(propre), _ligne(propre)])
    assert "n'appartient pas à ce projet" in exc.value.message_dict["etapes"][0]


def test_retirer_un_apprenant_sans_donnees(personas):
    a = personas.a
    eleve, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    projet = pj.projet(a, apprenants=[eleve, apprenti])
    pj.entree(projet, eleve)  # the learner who stays has data: no matter
    _modifier(projet, a.enseignant.user, apprenants=[eleve])
    assert list(projet.apprenants.all()) == [eleve]


@pytest.mark.parametrize("donnee", ["entree", "commentaire", "evaluation"])
def test_retirer_un_apprenant_avec_donnees_est_refuse(personas, donnee):
    a = personas.a
    eleve, apprenti = a.apprenant.apprenant, a.apprenti.apprenant
    projet = pj.projet(a, apprenants=[eleve, apprenti])
    if donnee == "entree":
        pj.entree(projet, apprenti)
        pj.entree(projet, apprenti)
        attendu = "2 entrées de carnet de bord"
    elif donnee == "commentaire":
        pj.commentaire(projet, apprenti, a.enseignant.user)
        attendu = "1 commentaire"
    else:
        pj.evaluation(projet, apprenti)
        attendu = "1 évaluation annuelle"
    with pytest.raises(ValidationError) as exc:
        _modifier(projet, a.enseignant.user, titre="Autre titre", apprenants=[eleve])
    message = exc.value.message_dict["apprenants"][0]
    assert apprenti.membership.user.nom_complet in message and attendu in message
    assert "laissez-le dans l'équipe" in message and "archivez le projet" in message
    projet.refresh_from_db()
    assert set(projet.apprenants.all()) == {eleve, apprenti}
    assert projet.titre != "Autre titre"  # nothing written at all


def test_modifier_droits(personas):
    a, b = personas.a, personas.b
    projet = pj.projet(a)  # teacher: a.enseignant
    for m in (a.enseignant2, a.chef, a.apprenant, a.tuteur, b.ddfpt, b.enseignant):
        with pytest.raises(Interdit):
            _modifier(projet, m.user, titre="Pris")
        with pytest.raises(Interdit):
            services.archiver_projet(projet, par=m.user)
        with pytest.raises(Interdit):
            services.supprimer_projet(projet, par=m.user)
    projet.refresh_from_db()
    assert projet.titre != "Pris" and not projet.archive
    # The DDFPT may, without being one of its teachers.
    _modifier(projet, a.ddfpt.user, titre="Repris par le DDFPT")
    assert Projet.objects.get(pk=projet.pk).titre == "Repris par le DDFPT"


def test_archiver_rend_le_projet_en_lecture_seule(personas):
    a = personas.a
    eleve = a.apprenant.apprenant
    projet = pj.projet(a)
    services.archiver_projet(projet, par=a.enseignant.user)
    projet.refresh_from_db()
    assert projet.archive and projet.archive_le is not None
    services.archiver_projet(projet, par=a.enseignant.user)  # already archived: no new entry
    assert AuditLog.objects.filter(action="projets.archiver").count() == 1
    for action in (
        lambda: _modifier(projet, a.enseignant.user, titre="Non"),
        lambda: services.commenter(projet, eleve, par=a.enseignant.user, texte="Non"),
        lambda: services.enregistrer_evaluation(
            projet, eleve, par=a.enseignant.user, appreciation="Non", note="12"
        ),
        lambda: services.ajouter_entree(
            projet, eleve, par=eleve.membership.user, date=D, texte="Non"
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            action()
        assert exc.value.code == "archive"
    assert not EntreeCarnet.objects.exists()
    services.archiver_projet(projet, par=a.ddfpt.user, archive=False)
    projet.refresh_from_db()
    assert not projet.archive and projet.archive_le is None
    assert AuditLog.objects.filter(action="projets.desarchiver").count() == 1
    services.commenter(projet, eleve, par=a.enseignant.user, texte="De nouveau ouvert.")


def test_supprimer_un_projet_sans_donnees(personas):
    a = personas.a
    projet = pj.projet(a, titre="Créé par erreur")
    pk = projet.pk
    services.supprimer_projet(projet, par=a.enseignant.user)
    assert not Projet.objects.filter(pk=pk).exists()
    assert not Etape.objects.filter(projet_id=pk).exists()
    log = AuditLog.objects.get(action="projets.supprimer")
    assert log.objet_id == str(pk) and log.avant["titre"] == "Créé par erreur"


def test_supprimer_un_projet_avec_donnees_est_refuse(personas):
    a = personas.a
    projet = pj.projet(a)
    pj.commentaire(projet, a.apprenant.apprenant, a.enseignant.user)
    with pytest.raises(ValidationError) as exc:
        services.supprimer_projet(projet, par=a.enseignant.user)
    assert exc.value.code == "donnees" and "Archivez-le" in exc.value.messages[0]
    assert Projet.objects.filter(pk=projet.pk).exists()
    assert not AuditLog.objects.filter(action="projets.supprimer").exists()
