import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from cpro.models import ExportJob
from sauvegarde import archive, bases, inventaire, services
from sauvegarde.erreurs import ArchiveInvalide
from tests.sauvegarde.outils import manifeste, membres, reecrire, version_changee

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive_valide(personas, media, dossier_sauvegardes):
    (media / "exports").mkdir()
    (media / "exports" / "bilan.pdf").write_bytes(b"%PDF-1.7 bilan")
    side = personas.a
    ExportJob.objects.create(
        etablissement=side.etablissement,
        demandeur=side.membership("ddfpt").user,
        kind="test",
        expire_le=timezone.now(),
        file="exports/bilan.pdf",
    )
    return services.sauvegarder().archive


def _restaurer(archive_path, cible, *extra):
    out = StringIO()
    call_command(
        "restaurer",
        str(archive_path),
        "--database-url",
        cible.url,
        "--media-root",
        str(cible.media_root),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _rien_ecrit(cible, avant):
    assert not cible.base_existe()
    assert not cible.media_root.exists()
    assert cible.restes() == avant


def test_restore_into_an_empty_target(archive_valide, cible):
    m = manifeste(archive_valide)

    texte = _restaurer(archive_valide, cible)

    assert f"Restauration terminée depuis {archive_valide.name}." in texte
    assert f"{len(m['tables'])} tables, {sum(m['tables'].values())} lignes." in texte
    assert "Fichiers : 1 (0,0 Mo)" in texte and "Aucune migration en attente." in texte
    assert (cible.media_root / "exports" / "bilan.pdf").read_bytes() == b"%PDF-1.7 bilan"
    assert sorted(p.name for p in cible.media_root.iterdir()) == ["exports"]
    with bases.connexion_temporaire(cible.reglages) as conn, conn.cursor() as cur:
        assert inventaire.compter_lignes(cur, cible.moteur) == m["tables"]
    if cible.moteur == bases.SQLITE:
        assert cible.restes() == ["cpro.sqlite3"]
    else:
        assert cible.restes() == [cible.reglages["NAME"]]


def test_verify_only_writes_nothing(archive_valide, cible):
    avant = cible.restes()
    texte = _restaurer(archive_valide, cible, "--verifier")
    assert "Archive intacte" in texte and "Rien n'a été écrit." in texte
    _rien_ecrit(cible, avant)


def test_refuses_a_non_empty_database(archive_valide, cible):
    _restaurer(archive_valide, cible)
    fichier = cible.media_root / "exports" / "bilan.pdf"
    fichier.unlink()
    fichier.parent.rmdir()
    with pytest.raises(CommandError, match="La base cible .* n'est pas vide"):
        _restaurer(archive_valide, cible)
    assert list(cible.media_root.iterdir()) == []


def test_refuses_a_non_empty_media_root(archive_valide, cible):
    avant = cible.restes()
    cible.media_root.mkdir()
    (cible.media_root / "deja-la.txt").write_text("x")
    with pytest.raises(CommandError, match="n'est pas vide"):
        _restaurer(archive_valide, cible)
    assert not cible.base_existe()
    assert [p.name for p in cible.media_root.iterdir()] == ["deja-la.txt"]
    assert cible.restes() == avant


def _modifier(archive_valide, tmp_path, transformer):
    hostile = tmp_path / "hostile.tar.gz"
    return reecrire(archive_valide, hostile, transformer(membres(archive_valide)))


def _tronquer(archive_valide, tmp_path):
    octets = archive_valide.read_bytes()
    chemin = tmp_path / "tronquee.tar.gz"
    chemin.write_bytes(octets[: len(octets) // 2])
    return chemin


def _alterer(ms):
    return [
        (info, b"%PDF-1.7 faux" if info.name == "media/exports/bilan.pdf" else data)
        for info, data in ms
    ]


def _renommer(nouveau):
    def transformer(ms):
        resultat = []
        for info, data in ms:
            if info.name == "media/exports/bilan.pdf":
                info.name = nouveau
            resultat.append((info, data))
        return resultat

    return transformer


def _lien(ms):
    lien = tarfile.TarInfo("media/lien")
    lien.type = tarfile.SYMTYPE
    lien.linkname = "/etc/passwd"
    return [*ms[:-1], (lien, b""), ms[-1]]


def _sans_manifeste(ms):
    return ms[:-1]


def _en_trop(ms):
    return [*ms[:-1], (tarfile.TarInfo("media/ajout.txt"), b"ajout"), ms[-1]]


VERSION_REFUSEE = "Version d'archive non prise en charge"

HOSTILES = {
    "tronquee": (None, "tronquée, altérée ou n'est pas une sauvegarde Cpro"),
    "somme_alteree": (_alterer, "Somme de contrôle SHA-256 incorrecte"),
    "remontee": (_renommer("media/../../evil.txt"), "Nom de fichier dangereux"),
    "absolu": (_renommer("/tmp/evil.txt"), "Nom de fichier dangereux"),
    "remontee_interne": (_renommer("media/a/../../../evil.txt"), "Nom de fichier dangereux"),
    "lien": (_lien, "lien, dossier ou fichier spécial"),
    "version_entete": (
        version_changee("cpro-sauvegarde.json"),
        "Version d'archive non prise en charge",
    ),
    "version_manifeste": (
        version_changee("manifeste.json"),
        "Version d'archive non prise en charge",
    ),
    "sans_manifeste": (_sans_manifeste, "son manifeste est absent"),
    "fichier_en_trop": (_en_trop, "ne correspond pas à son manifeste"),
}


@pytest.mark.parametrize("cas", list(HOSTILES))
def test_hostile_archive_is_refused_with_nothing_written(archive_valide, cible, tmp_path, cas):
    transformer, message = HOSTILES[cas]
    if transformer is None:
        hostile = _tronquer(archive_valide, tmp_path)
    else:
        hostile = _modifier(archive_valide, tmp_path, transformer)
    avant = cible.restes()

    with pytest.raises(CommandError, match=message):
        _restaurer(hostile, cible)

    _rien_ecrit(cible, avant)
    assert not list(Path("/tmp").glob("evil.txt"))
    assert not list(tmp_path.rglob("evil.txt"))


def test_not_an_archive_is_refused(cible, tmp_path, db):
    faux = tmp_path / "faux.tar.gz"
    faux.write_bytes(b"ceci n'est pas une archive")
    with pytest.raises(CommandError, match="n'est pas une sauvegarde Cpro"):
        _restaurer(faux, cible)
    with pytest.raises(CommandError, match="Archive introuvable"):
        _restaurer(tmp_path / "absente.tar.gz", cible)


def test_row_counts_differing_from_the_manifest_cancel_everything(archive_valide, cible, tmp_path):
    def gonfler(ms):
        info, data = ms[-1]
        contenu = json.loads(data)
        contenu["tables"]["cpro_exportjob"] += 1
        return [*ms[:-1], (info, json.dumps(contenu).encode())]

    hostile = _modifier(archive_valide, tmp_path, gonfler)
    avant = cible.restes()
    message = r"ne correspond pas au manifeste \(tables : cpro_exportjob"
    with pytest.raises(CommandError, match=message):
        _restaurer(hostile, cible)
    _rien_ecrit(cible, avant)


def test_engine_mismatch_is_refused(archive_valide, cible, tmp_path):
    autre = bases.POSTGRESQL if cible.moteur == bases.SQLITE else bases.SQLITE

    def changer(ms):
        resultat = []
        for info, data in ms:
            if info.name.startswith("base/"):
                info.name = archive.FICHIER_BASE[autre]
            if info.name == "manifeste.json":
                contenu = json.loads(data)
                contenu["moteur"] = autre
                contenu["fichiers"] = {
                    (archive.FICHIER_BASE[autre] if k.startswith("base/") else k): v
                    for k, v in contenu["fichiers"].items()
                }
                data = json.dumps(contenu).encode()
            resultat.append((info, data))
        return resultat

    hostile = _modifier(archive_valide, tmp_path, changer)
    avant = cible.restes()
    with pytest.raises(CommandError, match=f"une base {autre} et la cible est {cible.moteur}"):
        _restaurer(hostile, cible)
    _rien_ecrit(cible, avant)


def test_failure_before_the_swap_leaves_nothing(archive_valide, cible, monkeypatch):
    avant = cible.restes()

    def panne(*args, **kwargs):
        raise ArchiveInvalide("panne simulée")

    monkeypatch.setattr(services, "_verifier_et_migrer", panne)
    with pytest.raises(CommandError, match="panne simulée"):
        _restaurer(archive_valide, cible)
    _rien_ecrit(cible, avant)


def _migration_reversible():
    """(app, migration to go back to, name of the leaf undone): a leaf migration with no
    RunPython/RunSQL, so it can be unapplied and re-applied quickly."""
    from django.db.migrations import operations
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    for app, nom in sorted(loader.graph.leaf_nodes()):
        migration = loader.get_migration(app, nom)
        parents = [p for p in loader.graph.node_map[(app, nom)].parents if p.key[0] == app]
        if parents and not any(
            isinstance(op, (operations.RunPython, operations.RunSQL)) for op in migration.operations
        ):
            return app, parents[0].key[1], nom
    raise AssertionError("aucune migration réversible")


def _archive_avec_migration_en_attente(archive_valide, autre_cible, tmp_path):
    """The valid archive restored aside, one leaf migration unapplied there, then archived
    again: restoring it must apply that migration."""
    _restaurer(archive_valide, autre_cible)
    app, retour, feuille = _migration_reversible()
    reglages = autre_cible.reglages
    with bases.connexion_temporaire(reglages) as conn:
        call_command("migrate", app, retour, database=conn.alias, verbosity=0)
        with conn.cursor() as cur:
            tables = inventaire.compter_lignes(cur, autre_cible.moteur)
            migrations = inventaire.migrations_appliquees(cur)
    if autre_cible.moteur == bases.SQLITE:
        fichier = Path(reglages["NAME"])
    else:
        fichier = tmp_path / "base.dump"
        bases.pg_dump(reglages, fichier)
    chemin = tmp_path / "en-attente.tar.gz"
    with open(chemin, "xb") as sortie:
        ecrivain = archive.EcrivainArchive(sortie)
        ecrivain.ajouter_fichier(archive.FICHIER_BASE[autre_cible.moteur], fichier)
        ecrivain.terminer(
            {
                "cree_le": timezone.now().isoformat(),
                "moteur": autre_cible.moteur,
                "migrations": migrations,
                "tables": tables,
                "medias": {"orphelins": [], "manquants": [], "ignores": []},
            }
        )
    return chemin, f"{app}.{feuille}"


def test_pending_migrations_are_applied_after_restore(archive_valide, cible, autre_cible, tmp_path):
    en_attente, migration = _archive_avec_migration_en_attente(
        archive_valide, autre_cible, tmp_path
    )

    texte = _restaurer(en_attente, cible)

    assert f"Migrations appliquées après restauration : 1 ({migration})." in texte
    app, nom = migration.split(".")
    with bases.connexion_temporaire(cible.reglages) as conn, conn.cursor() as cur:
        assert nom in inventaire.migrations_appliquees(cur)[app]
