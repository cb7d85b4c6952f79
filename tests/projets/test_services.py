"""Rules of projets.services: limits enforced in the services, actors checked, audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cpro.erreurs import Interdit
from cpro.models import AuditLog
from projets import services
from projets.models import EntreeCarnet, EvaluationAnnuelle, Projet
from tests.projets import factories as pj

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _etapes():
    d = datetime.date(2025, 9, 15)
    return [
        {"titre": "Démarrage", "date_debut": d, "date_fin": d + datetime.timedelta(days=30)},
        {"titre": "", "date_debut": None, "date_fin": None, "livrables": ""},  # empty row
        {
            "titre": "Réalisation",
            "date_debut": d + datetime.timedelta(days=31),
            "date_fin": d + datetime.timedelta(days=120),
            "livrables": "Prototype",
        },
    ]


def _creer(a, **kw):
    args = {
        "par": a.enseignant.user,
        "titre": "Boutique éphémère",
        "description": "Projet collectif",
        "divisions": [a.division],
        "apprenants": [a.apprenant.apprenant, a.apprenti.apprenant],
        "enseignants": [a.enseignant.user, a.ddfpt.user],
        "etapes": _etapes(),
    }
    args.update(kw)
    return services.creer_projet(a.etablissement, **args)


def test_creer_projet(personas):
    a = personas.a
    projet = _creer(a)
    assert projet.etablissement == a.etablissement
    assert [e.titre for e in projet.etapes.all()] == ["Démarrage", "Réalisation"]
    assert [e.ordre for e in projet.etapes.all()] == [1, 2]
    assert projet.etapes.get(ordre=2).livrables == "Prototype"
    assert set(projet.apprenants.all()) == {a.apprenant.apprenant, a.apprenti.apprenant}
    log = AuditLog.objects.get(action="projets.creer")
    assert log.acteur == a.enseignant.user and log.objet_id == str(projet.pk)


def test_creer_projet_refus_groupes(personas):
    a, b = personas.a, personas.b
    with pytest.raises(ValidationError) as exc:
        _creer(
            a,
            titre=" ",
            divisions=[b.division],
            apprenants=[b.apprenant.apprenant],
            enseignants=[a.tuteur.user],
            etapes=[
                {
                    "titre": "Démarrage",
                    "date_debut": datetime.date(2025, 10, 1),
                    "date_fin": datetime.date(2025, 9, 1),
                }
            ],
        )
    erreurs = exc.value.message_dict
    assert set(erreurs) == {"titre", "divisions", "apprenants", "enseignants", "etapes"}
    assert "précède" in erreurs["etapes"][0]
    assert not Projet.objects.exists()


def test_creer_projet_sans_etape_ni_equipe(personas):
    a = personas.a
    with pytest.raises(ValidationError) as exc:
        _creer(a, apprenants=[], etapes=[])
    assert set(exc.value.message_dict) == {"apprenants", "etapes"}


def test_creer_projet_roles(personas):
    a = personas.a
    for m in (a.chef, a.apprenant, a.tuteur, personas.b.enseignant):
        with pytest.raises(Interdit):
            _creer(a, par=m.user)
    assert not Projet.objects.exists()


def test_entree_du_carnet_par_l_apprenant(personas, media_temporaire):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    fichier = SimpleUploadedFile("cahier.pdf", PDF, content_type="application/pdf")
    entree = services.ajouter_entree(
        projet,
        eleve,
        par=a.apprenant.user,
        date=timezone.localdate(),
        texte="  Choix du thème.  ",
        fichier=fichier,
        url="https://exemple.fr/planche",
    )
    assert entree.texte == "Choix du thème."
    assert entree.nom_fichier == "cahier.pdf" and entree.content_type == "application/pdf"
    assert entree.fichier.name.startswith(f"projets/{a.etablissement.pk}/{projet.pk}/")
    assert "cahier" not in entree.fichier.name  # random stored name


def test_entree_refus(personas):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    demain = timezone.localdate() + datetime.timedelta(days=1)
    faux = SimpleUploadedFile("notes.pdf", b"<html>pas un pdf</html>")
    with pytest.raises(ValidationError) as exc:
        services.ajouter_entree(
            projet,
            eleve,
            par=a.apprenant.user,
            date=demain,
            texte="x" * 5001,
            fichier=faux,
            url="javascript:alert(1)",
        )
    assert set(exc.value.message_dict) == {"date", "texte", "fichier", "url"}
    # someone else's carnet, a teacher, a learner outside the team
    for user in (a.apprenti.user, a.enseignant.user):
        with pytest.raises(Interdit):
            services.ajouter_entree(projet, eleve, par=user, date=timezone.localdate(), texte="x")
    hors_equipe = pj.projet(a, apprenants=[a.apprenti.apprenant])
    with pytest.raises(Interdit):
        services.ajouter_entree(
            hors_equipe, eleve, par=a.apprenant.user, date=timezone.localdate(), texte="x"
        )
    assert not EntreeCarnet.objects.exists()


def test_entrees_limitees(personas, settings, monkeypatch):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    monkeypatch.setattr(services, "ENTREES_MAX", 2)
    for _ in range(2):
        pj.entree(projet, eleve)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_entree(
            projet, eleve, par=a.apprenant.user, date=timezone.localdate(), texte="x"
        )
    assert "2 entrées" in exc.value.message_dict["texte"][0]


def test_commenter(personas):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    c = services.commenter(projet, eleve, par=a.enseignant2.user, texte=" Bonne recherche. ")
    assert c.texte == "Bonne recherche." and c.auteur == a.enseignant2.user
    with pytest.raises(ValidationError):
        services.commenter(projet, eleve, par=a.enseignant.user, texte="x" * 2001)
    with pytest.raises(Interdit):
        services.commenter(projet, eleve, par=a.chef.user, texte="Bien.")
    with pytest.raises(Interdit):
        services.commenter(projet, a.apprenti.apprenant, par=a.enseignant.user, texte="Bien.")
    with pytest.raises(Interdit):
        services.commenter(projet, eleve, par=personas.b.enseignant.user, texte="Bien.")


@pytest.mark.parametrize(
    ("appreciation", "note", "champ"),
    [
        ("x" * 301, "12", "appreciation"),
        ("Bien.", "20,5", "note"),
        ("Bien.", "-1", "note"),
        ("Bien.", "12,345", "note"),
        ("Bien.", "douze", "note"),
    ],
)
def test_evaluation_limites(personas, appreciation, note, champ):
    a = personas.a
    projet = pj.projet(a)
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_evaluation(
            projet,
            a.apprenant.apprenant,
            par=a.enseignant.user,
            appreciation=appreciation,
            note=note,
        )
    assert champ in exc.value.message_dict
    assert not EvaluationAnnuelle.objects.exists()


def test_evaluation_300_caracteres_acceptes(personas):
    a = personas.a
    projet = pj.projet(a)
    ev = services.enregistrer_evaluation(
        projet, a.apprenant.apprenant, par=a.enseignant.user, appreciation="é" * 300, note="20"
    )
    assert len(ev.appreciation) == 300 and ev.note == Decimal("20.00")


def test_evaluation_validation_et_audit(personas):
    a = personas.a
    projet = pj.projet(a)
    eleve = a.apprenant.apprenant
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_evaluation(
            projet, eleve, par=a.enseignant.user, appreciation="", note="12", valider=True
        )
    assert "appreciation" in exc.value.message_dict
    ev = services.enregistrer_evaluation(
        projet, eleve, par=a.enseignant.user, appreciation="Sérieux.", note="12,5"
    )
    assert not ev.validee and ev.note == Decimal("12.50")
    ev = services.enregistrer_evaluation(
        projet, eleve, par=a.ddfpt.user, appreciation="Très sérieux.", note="13", valider=True
    )
    assert ev.validee and ev.validee_le is not None
    assert EvaluationAnnuelle.objects.count() == 1
    logs = list(AuditLog.objects.filter(action__startswith="projets.evaluation").order_by("pk"))
    assert [log.action for log in logs] == [
        "projets.evaluation.enregistrer",
        "projets.evaluation.enregistrer",
        "projets.evaluation.valider",
    ]
    assert logs[1].avant == {"appreciation": "Sérieux.", "note": "12.50", "validee": False}
    assert logs[1].apres["note"] == "13.00" and logs[1].apres["validee"] is True
    # nothing changed: no new entry
    services.enregistrer_evaluation(
        projet, eleve, par=a.ddfpt.user, appreciation="Très sérieux.", note="13", valider=True
    )
    assert AuditLog.objects.filter(action__startswith="projets.evaluation").count() == 3
    with pytest.raises(Interdit):
        services.enregistrer_evaluation(
            projet, eleve, par=a.chef.user, appreciation="Bien.", note="10"
        )
