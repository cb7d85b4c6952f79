"""Services of the espace de stockage: checks, quota, names, moves, deletion, attaching."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from cpro.erreurs import Interdit, Verrouille
from cpro.models import AuditLog
from scenarios.fiche import ConfirmationRequise
from stockage import services
from stockage.models import Dossier, Fichier
from tests.stockage.outils import (
    PDF,
    PNG,
    dossier_dans,
    espace_de,
    espace_partage,
    fichier_dans,
    pdf,
)

pytestmark = pytest.mark.usefixtures("media_temporaire")
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def test_en_mo_decimal_comma():
    assert services.en_mo(500 * 1024 * 1024) == "500 Mo"
    assert services.en_mo(int(123.4 * 1024 * 1024)) == "123,4 Mo"
    assert services.en_mo(0) == "0 Mo"
    assert services.en_mo(80) == "0,1 Mo"


def test_deposer_stores_privately_with_fingerprint_and_audit(personas):
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m, "Consignes séance 1.pdf")
    f.refresh_from_db()
    assert f.nom == "Consignes séance 1.pdf"
    assert f.taille == len(PDF)
    assert f.content_type == "application/pdf"
    assert f.sha256 == hashlib.sha256(PDF).hexdigest()
    assert f.depose_par == m.user
    assert f.fichier.name.startswith(f"stockage/{m.etablissement_id}/")
    assert "Consignes" not in f.fichier.name  # stored under a random name
    with default_storage.open(f.fichier.name, "rb") as stocke:
        assert stocke.read() == PDF
    assert AuditLog.objects.filter(action="stockage.depot", objet_id=str(f.pk)).exists()


def test_deposer_same_name_gets_a_number(personas):
    m = personas.a.enseignant
    espace = espace_de(m)
    fichier_dans(espace, m, "a.pdf")
    assert fichier_dans(espace, m, "a.pdf").nom == "a (2).pdf"
    assert fichier_dans(espace, m, "A.pdf").nom == "A (3).pdf"


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("a.pdf", HTML, "ne correspond pas à son extension .pdf"),
        ("a.exe", PDF, "n'est pas accepté"),
        ("a.png", PDF, "ne correspond pas à son extension .png"),
    ],
)
def test_deposer_same_checks_as_resources(personas, nom, contenu, message):
    m = personas.a.enseignant
    with pytest.raises(ValidationError) as exc:
        services.deposer(espace_de(m), dossier=None, fichier=pdf(nom, contenu), par=m.user)
    assert message in " ".join(exc.value.messages)
    assert not Fichier.objects.exists()


def test_deposer_too_big_is_refused(personas):
    m = personas.a.enseignant
    gros = pdf("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="taille maximale de 10 Mo"):
        services.deposer(espace_de(m), dossier=None, fichier=gros, par=m.user)


def test_quota_counts_every_space_of_the_uploader(personas, settings):
    settings.STOCKAGE_QUOTA_OCTETS = 2 * len(PDF)
    m = personas.a.enseignant
    fichier_dans(espace_de(m), m, "1.pdf")
    fichier_dans(espace_partage(personas.a), m, "2.pdf")  # the shared one counts for him too
    with pytest.raises(ValidationError) as exc:
        fichier_dans(espace_de(m), m, "3.pdf")
    assert "Quota dépassé" in exc.value.messages[0]
    assert Fichier.objects.count() == 2
    # a colleague's quota is his own
    fichier_dans(espace_partage(personas.a), personas.a.enseignant2, "3.pdf")


def test_quota_message_in_french(personas, settings):
    settings.STOCKAGE_QUOTA_OCTETS = 500 * 1024 * 1024
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m)
    Fichier.objects.filter(pk=f.pk).update(taille=int(499.9 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        fichier_dans(espace_de(m), m, "b.pdf", contenu=PDF + b"x" * 200_000)
    assert exc.value.messages[0].startswith(
        "Quota dépassé : 499,9 Mo utilisés sur 500 Mo, et ce fichier fait 0,2 Mo."
    )


def test_renommer_fichier_keeps_the_extension(personas):
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m, "a.pdf")
    assert services.renommer_fichier(f, nom="Consignes", par=m.user).nom == "Consignes.pdf"
    assert services.renommer_fichier(f, nom="x.docx", par=m.user).nom == "x.docx.pdf"
    assert services.renommer_fichier(f, nom="Fiche.PDF", par=m.user).nom == "Fiche.PDF"
    assert AuditLog.objects.filter(action="stockage.renommage").count() == 3


@pytest.mark.parametrize("nom", ["", "   ", "a/b", "..", "x" * 121])
def test_invalid_names_are_refused(personas, nom):
    m = personas.a.enseignant
    with pytest.raises(ValidationError):
        dossier_dans(espace_de(m), m, nom)


def test_names_unique_among_siblings_case_ignored(personas):
    m = personas.a.enseignant
    espace = espace_de(m)
    parent = dossier_dans(espace, m, "Séquences")
    dossier_dans(espace, m, "Cours")
    dossier_dans(espace, m, "Cours", parent=parent)  # another folder: fine
    with pytest.raises(ValidationError, match="existe déjà"):
        dossier_dans(espace, m, "cours")
    a = fichier_dans(espace, m, "a.pdf")
    fichier_dans(espace, m, "b.pdf")
    with pytest.raises(ValidationError, match="existe déjà"):
        services.renommer_fichier(a, nom="B.pdf", par=m.user)


def test_deplacer_dossier_no_cycle_and_same_space_only(personas):
    m = personas.a.enseignant
    espace = espace_de(m)
    a = dossier_dans(espace, m, "A")
    b = dossier_dans(espace, m, "B", parent=a)
    c = dossier_dans(espace, m, "C", parent=b)
    for cible in (a, b, c):
        with pytest.raises(ValidationError, match="lui-même"):
            services.deplacer_dossier(a, parent=cible, par=m.user)
    ailleurs = dossier_dans(espace_de(personas.a.enseignant2), personas.a.enseignant2, "X")
    with pytest.raises(ValidationError, match="même espace"):
        services.deplacer_dossier(c, parent=ailleurs, par=m.user)
    services.deplacer_dossier(c, parent=None, par=m.user)
    assert Dossier.objects.get(pk=c.pk).parent is None


def test_deplacer_fichier_same_space_only(personas):
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m)
    partage = dossier_dans(espace_partage(personas.a), m, "Équipe")
    with pytest.raises(ValidationError, match="même espace"):
        services.deplacer_fichier(f, dossier=partage, par=m.user)
    d = dossier_dans(espace_de(m), m, "Cours")
    services.deplacer_fichier(f, dossier=d, par=m.user)
    assert Fichier.objects.get(pk=f.pk).dossier == d
    assert AuditLog.objects.filter(action="stockage.deplacement").exists()


def test_supprimer_dossier_asks_then_deletes_everything(
    personas, django_capture_on_commit_callbacks
):
    m = personas.a.enseignant
    espace = espace_de(m)
    a = dossier_dans(espace, m, "A")
    b = dossier_dans(espace, m, "B", parent=a)
    f1 = fichier_dans(espace, m, "1.pdf", dossier=a)
    f2 = fichier_dans(espace, m, "2.pdf", dossier=b)
    garde = fichier_dans(espace, m, "3.pdf")
    with pytest.raises(ConfirmationRequise) as demande:
        services.supprimer_dossier(a, par=m.user)
    assert demande.value.details[0] == "Dossier « B »"
    assert {d.split(" (")[0] for d in demande.value.details[1:]} == {
        "Fichier « 1.pdf »",
        "Fichier « 2.pdf »",
    }
    assert Dossier.objects.count() == 2
    noms = [f1.fichier.name, f2.fichier.name]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.supprimer_dossier(a, par=m.user, confirme=True) == 2
    assert list(Fichier.objects.all()) == [garde]
    assert not Dossier.objects.exists()
    assert not any(default_storage.exists(n) for n in noms)
    assert default_storage.exists(garde.fichier.name)
    entree = AuditLog.objects.get(action="stockage.suppression")
    assert entree.avant["fichiers"] == ["1.pdf", "2.pdf"]


def test_empty_folder_goes_without_confirmation(personas):
    m = personas.a.enseignant
    d = dossier_dans(espace_de(m), m)
    assert services.supprimer_dossier(d, par=m.user) == 0
    assert not Dossier.objects.exists()


def test_personal_space_is_its_owner_only(personas):
    espace = espace_de(personas.a.enseignant)
    for autre in ("ddfpt", "chef", "enseignant2"):
        with pytest.raises(Interdit):
            fichier_dans(espace, personas.a.membership(autre))


def test_shared_space_chef_reads_only_ddfpt_administers(personas):
    side = personas.a
    espace = espace_partage(side)
    f = fichier_dans(espace, side.enseignant)
    with pytest.raises(Interdit):
        fichier_dans(espace, side.chef)
    with pytest.raises(Interdit):
        services.supprimer_fichier(f, par=side.chef.user)
    services.exiger_lecture(f, side.chef.user)
    services.renommer_fichier(f, nom="Par le DDFPT", par=side.ddfpt.user)
    services.supprimer_fichier(f, par=side.ddfpt.user)


def test_shared_space_only_for_the_diplome_teachers(personas):
    side = personas.a
    espace2 = espace_partage(side, side.diplome2)
    # `enseignant` manages only diplome, `enseignant2` both.
    with pytest.raises(Interdit):
        fichier_dans(espace2, side.enseignant)
    fichier_dans(espace2, side.enseignant2)
    ids = {e.diplome_id for e in services.espaces_partages(side.enseignant)}
    assert ids == {side.diplome.pk}


def test_joindre_copies_the_bytes_into_a_scenario(personas, django_capture_on_commit_callbacks):
    from tests.scenarios.factories import scenario_de

    m = personas.a.enseignant
    scenario = scenario_de(personas.a)
    f = fichier_dans(espace_de(m), m, "Fiche élève.pdf")
    ressource = services.joindre(f, cible=scenario, par=m.user, titre="")
    assert ressource.titre == "Fiche élève.pdf"
    assert ressource.nom_fichier == "Fiche élève.pdf"
    assert ressource.fichier.name != f.fichier.name  # a copy, not a shared blob
    with django_capture_on_commit_callbacks(execute=True):
        services.supprimer_fichier(f, par=m.user)
    with ressource.fichier.open("rb") as copie:
        assert copie.read() == PDF
    assert AuditLog.objects.filter(action="stockage.jonction").exists()


def test_joindre_from_a_shared_space_into_an_evaluation(personas):
    from tests.evaluations.factories import evaluation_de

    side = personas.a
    evaluation = evaluation_de(side)
    f = fichier_dans(espace_partage(side), side.enseignant2, "image.png", contenu=PNG)
    r = services.joindre(f, cible=evaluation, par=side.enseignant.user, titre="Affiche")
    assert r.titre == "Affiche"
    assert evaluation.ressources.get() == r


def test_joindre_respects_the_target_rights_and_lock(personas):
    from tests.evaluations.factories import evaluation_de
    from tests.scenarios.factories import scenario_de

    side = personas.a
    f = fichier_dans(espace_partage(side), side.enseignant2)
    with pytest.raises(PermissionDenied):  # enseignant2 is not the author
        services.joindre(f, cible=scenario_de(side), par=side.enseignant2.user)
    verrouillee = evaluation_de(side, verrouillee=True)
    with pytest.raises(Verrouille):
        services.joindre(f, cible=verrouillee, par=side.enseignant.user)
    assert not verrouillee.ressources.exists()
    # someone else's personal file cannot be attached
    prive = fichier_dans(espace_de(side.enseignant2), side.enseignant2, "p.pdf")
    with pytest.raises(Interdit):
        services.joindre(prive, cible=scenario_de(side), par=side.enseignant.user)


def test_joindre_refuses_an_altered_file(personas):
    from tests.scenarios.factories import scenario_de

    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m)
    Fichier.objects.filter(pk=f.pk).update(sha256="0" * 64)
    f.refresh_from_db()
    with pytest.raises(ValidationError, match="altéré"):
        services.joindre(f, cible=scenario_de(personas.a), par=m.user)


def test_audit_entries_carry_no_undeclared_ids(personas):
    """The establishment backup renumbers the ids of the audit log it knows
    (sauvegarde.journal): the stockage entries write names, or declared ids only."""
    from sauvegarde.journal import cles_entieres_non_declarees
    from tests.scenarios.factories import scenario_de

    m = personas.a.enseignant
    espace = espace_de(m)
    d = dossier_dans(espace, m, "A")
    f = fichier_dans(espace, m, dossier=d)
    services.deplacer_fichier(f, dossier=None, par=m.user)
    services.deplacer_dossier(dossier_dans(espace, m, "B"), parent=d, par=m.user)
    services.joindre(f, cible=scenario_de(personas.a), par=m.user)
    services.supprimer_fichier(f, par=m.user)
    services.supprimer_dossier(d, par=m.user, confirme=True)
    entrees = AuditLog.objects.filter(action__startswith="stockage.")
    assert entrees.count() == 8
    for e in entrees:
        assert not cles_entieres_non_declarees({"avant": e.avant, "apres": e.apres}), e.action
