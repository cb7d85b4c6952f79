import hashlib
import json
import os
import tarfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from cpro.models import ExportJob, User
from sauvegarde import archive, bases, inventaire, services
from sauvegarde.tasks import sauvegarder_instance
from tests.sauvegarde.outils import manifeste, membres

pytestmark = pytest.mark.django_db(transaction=True)


def _job(personas, fichier):
    side = personas.a
    return ExportJob.objects.create(
        etablissement=side.etablissement,
        demandeur=side.membership("ddfpt").user,
        kind="test",
        expire_le=timezone.now(),
        file=fichier,
    )


def test_sauvegarder_writes_a_checked_archive_with_manifest(personas, media, dossier_sauvegardes):
    (media / "exports").mkdir()
    (media / "exports" / "bilan.pdf").write_bytes(b"%PDF-1.7 bilan")
    (media / "orphelin.txt").write_bytes(b"sans ligne en base")
    os.symlink("/etc/hostname", media / "lien")
    _job(personas, "exports/bilan.pdf")
    _job(personas, "exports/disparu.pdf")
    out = StringIO()

    call_command("sauvegarder", stdout=out)

    archives = list(dossier_sauvegardes.iterdir())
    assert len(archives) == 1 and archives[0].name.startswith("cpro-sauvegarde-")
    assert archives[0].name.endswith(".tar.gz")
    contenu = membres(archives[0])
    noms = [info.name for info, _ in contenu]
    moteur = bases.moteur(connection.settings_dict)
    assert noms[0] == "cpro-sauvegarde.json" and noms[-1] == "manifeste.json"
    assert json.loads(contenu[0][1]) == {"format": "cpro-sauvegarde", "version": 1}
    assert set(noms[1:-1]) == {
        archive.FICHIER_BASE[moteur],
        "media/exports/bilan.pdf",
        "media/orphelin.txt",
    }
    m = manifeste(archives[0])
    assert m["moteur"] == moteur and m["version"] == 1
    for info, octets in contenu[1:-1]:
        assert m["fichiers"][info.name] == {
            "sha256": hashlib.sha256(octets).hexdigest(),
            "taille": len(octets),
        }
    with connection.cursor() as cur:
        assert m["tables"] == inventaire.compter_lignes(cur, moteur)
    assert m["tables"]["cpro_user"] == User.objects.count() > 0
    assert m["tables"]["cpro_exportjob"] == 2
    assert "0001_initial" in m["migrations"]["cpro"]
    assert m["medias"] == {
        "orphelins": ["orphelin.txt"],
        "manquants": ["exports/disparu.pdf"],
        "ignores": ["lien"],
    }
    texte = out.getvalue()
    assert f"Sauvegarde écrite : {archives[0]}" in texte
    assert f"{len(m['tables'])} tables" in texte and "fichiers : 2" in texte
    assert "exports/disparu.pdf" in texte and "orphelin.txt" in texte and "lien" in texte


def test_failed_backup_leaves_no_file_and_keeps_older_archives(
    db, media, dossier_sauvegardes, monkeypatch
):
    dossier_sauvegardes.mkdir()
    ancienne = dossier_sauvegardes / "cpro-sauvegarde-20200101-000000.tar.gz"
    ancienne.write_bytes(b"ancienne")

    def panne(self, manifeste):
        raise OSError("disque plein")

    monkeypatch.setattr(archive.EcrivainArchive, "terminer", panne)
    with pytest.raises(OSError):
        services.sauvegarder(conserver=1)
    assert [p.name for p in dossier_sauvegardes.iterdir()] == [ancienne.name]


def test_retention_keeps_the_n_most_recent_of_our_archives_only(tmp_path):
    noms = [f"cpro-sauvegarde-2026010{j}-120000.tar.gz" for j in range(1, 6)]
    for nom in [*noms, "notes.txt", "cpro-sauvegarde-bidon.tar.gz"]:
        (tmp_path / nom).write_bytes(b"x")

    supprimees = services.appliquer_conservation(tmp_path, 2)

    assert sorted(p.name for p in supprimees) == noms[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*noms[3:], "notes.txt", "cpro-sauvegarde-bidon.tar.gz"]
    )


def test_backup_applies_retention_after_writing(db, media, dossier_sauvegardes):
    dossier_sauvegardes.mkdir()
    for j in (1, 2, 3):
        (dossier_sauvegardes / f"cpro-sauvegarde-2020010{j}-000000.tar.gz").write_bytes(b"x")
    out = StringIO()

    call_command("sauvegarder", "--conserver", "2", stdout=out)

    restantes = sorted(p.name for p in dossier_sauvegardes.iterdir())
    assert len(restantes) == 2
    assert restantes[0] == "cpro-sauvegarde-20200103-000000.tar.gz"
    assert "Ancienne sauvegarde supprimée : cpro-sauvegarde-20200101-000000.tar.gz" in (
        out.getvalue()
    )


def test_backup_into_dest_and_refuses_keeping_zero(db, media, tmp_path):
    with pytest.raises(CommandError, match="au moins une sauvegarde"):
        call_command("sauvegarder", "--dest", str(tmp_path / "x"), "--conserver", "0")
    call_command("sauvegarder", "--dest", str(tmp_path / "ailleurs"), stdout=StringIO())
    assert len(list((tmp_path / "ailleurs").glob("cpro-sauvegarde-*.tar.gz"))) == 1


def test_daily_beat_task_backs_up(db, media, dossier_sauvegardes, settings):
    entree = settings.CELERY_BEAT_SCHEDULE["sauvegarder-instance"]
    assert entree == {"task": "sauvegarde.tasks.sauvegarder_instance", "schedule": 86400.0}
    assert sauvegarder_instance.name == entree["task"]

    chemin = sauvegarder_instance()

    assert [str(p) for p in dossier_sauvegardes.iterdir()] == [chemin]
    with tarfile.open(chemin, "r:gz") as tar:
        assert tar.getnames()[-1] == "manifeste.json"
