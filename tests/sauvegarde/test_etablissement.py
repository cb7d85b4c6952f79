"""Moving one establishment: `exporter_etablissement lp-demo` → import into an empty second
instance (a SQLite file, or a scratch PostgreSQL database `cpro_etab_<hex>` when the tests run
on PostgreSQL) → same rows per model and same content (keys aside), same stored files, same
LSL XML and CCF grid PDF text; a missing référentiel, importing twice or a taken account are
refused, and a failure half-way leaves nothing."""

from io import StringIO

import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from cpro.models import Apprenant, AuditLog, Etablissement, ExportJob
from pfmp.models import MediaPublication, Publication
from sauvegarde import bases, etablissement, inventaire, journal
from sauvegarde.etablissement import ImportRefuse
from tests.sauvegarde.outils import (
    base_par_defaut,
    donnees,
    empreintes_etablissement,
    fichiers,
    manifeste,
    membres,
    pdf_grille_texte,
    reecrire,
    version_changee,
    xml_lsl,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _demo(monkeypatch, media):
    # The demo's locked grids render their frozen PDFs: a stand-in keeps the test short (the
    # files are still stored, moved and compared byte for byte); one grid is rendered for real.
    with monkeypatch.context() as m:
        m.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: b"%PDF-1.7\n% fige\n")
        call_command("charger_referentiels", verbosity=0, stdout=StringIO())
        call_command("creer_demo", stdout=StringIO())
    publication = Publication.objects.filter(apprenant__etablissement__slug="lp-demo").first()
    media_book = MediaPublication(publication=publication, type="PHOTO", content_type="image/png")
    media_book.fichier.save("photo.png", ContentFile(b"\x89PNG fausse"), save=True)


def _importer(archive, cible):
    return etablissement.importer(archive, using=cible.alias, media_root=cible.media_root)


def test_lp_demo_moves_to_another_instance_with_everything(
    media, dossier_sauvegardes, seconde_instance, monkeypatch, tmp_path
):
    _demo(monkeypatch, media)
    # Every integer the demo's services write in the audit JSON is declared as an id
    # (renumbered by the move) or as a number (sauvegarde.journal).
    non_declarees = {
        (log.action, chemin)
        for log in AuditLog.objects.filter(etablissement__slug="lp-demo")
        for chemin in journal.cles_entieres_non_declarees({"avant": log.avant, "apres": log.apres})
    }
    assert not non_declarees, sorted(non_declarees)
    sortie = StringIO()
    call_command("exporter_etablissement", "lp-demo", stdout=sortie)
    (archive,) = dossier_sauvegardes.glob("cpro-etablissement-lp-demo-*.tar.gz")
    m = manifeste(archive)
    assert f"Export écrit : {archive}" in sortie.getvalue()
    assert m["etablissement"]["slug"] == "lp-demo" and m["referentiels"]
    assert (
        m["modeles"]["cpro.apprenant"]
        == Apprenant.objects.filter(etablissement__slug="lp-demo").count()
    )
    for label in ("evaluations.resultat", "bilans.bilanintermediaire", "lslpro.livret"):
        assert m["modeles"][label] > 0, label
    assert m["modeles"]["certification.grillecandidat"] > 0
    cible = seconde_instance
    vide = cible.comptes()

    # The target lacks the référentiels: refused, nothing written.
    with pytest.raises(ImportRefuse, match=r"Référentiel\(s\) absent\(s\) .* charger_referentiels"):
        _importer(archive, cible)
    assert cible.comptes() == vide and list(cible.media_root.iterdir()) == []
    with base_par_defaut(cible.conn):
        call_command("charger_referentiels", verbosity=0, stdout=StringIO())
    avant = cible.comptes()

    # A failure after the rows and files are written rolls everything back.
    placer = etablissement._placer_fichiers

    def panne(*args, **kwargs):
        placer(*args, **kwargs)
        raise OSError("disque plein")

    with monkeypatch.context() as mp:
        mp.setattr(etablissement, "_placer_fichiers", panne)
        with pytest.raises(OSError, match="disque plein"):
            _importer(archive, cible)
    assert cible.comptes() == avant and list(cible.media_root.iterdir()) == []

    resultat = _importer(archive, cible)

    assert resultat.etablissement.slug == "lp-demo"
    assert resultat.comptes == {k: v for k, v in m["modeles"].items() if v}
    # Same content per model, keys aside: the target exported again gives the same rows.
    retour = etablissement.exporter(
        "lp-demo", dest=tmp_path / "retour", using=cible.alias, media_root=cible.media_root
    ).archive
    m_retour = manifeste(retour)
    # One more entry in the moved journal: the import itself; the source journals the export.
    assert m_retour["modeles"] == {
        **m["modeles"],
        "cpro.auditlog": m["modeles"]["cpro.auditlog"] + 1,
    }
    assert AuditLog.objects.filter(
        etablissement__slug="lp-demo", action="etablissement.export", acteur=None
    ).exists()
    assert m_retour["referentiels"] == m["referentiels"]
    assert m_retour["hors_perimetre"] == m["hors_perimetre"]
    source = empreintes_etablissement(archive)
    deplace = empreintes_etablissement(retour, sauf_actions={"etablissement.import"})
    assert sorted(label for label in source if source[label] != deplace.get(label)) == []
    # Same files byte for byte (frozen CCF PDFs, book media, exports).
    noms = {n.removeprefix("media/") for n in m["fichiers"] if n.startswith("media/")}
    assert noms and fichiers(cible.media_root) == {
        n: h for n, h in fichiers(media).items() if n in noms
    }

    # The establishment's own référentiel (its transversal competences) moved with it.
    def transversal():
        from referentiels.models import Critere

        return sorted(
            Critere.objects.filter(competence__diplome__etablissement__slug="lp-demo").values_list(
                "competence__diplome__code", "competence__code", "code", "intitule", "actif"
            )
        )

    propres = transversal()
    assert propres and m["referentiels_propres"]
    assert all(r["code"].startswith("TRANSV-") for r in m["referentiels_propres"])
    assert not any(r["code"].startswith("TRANSV-") for r in m["referentiels"])
    with base_par_defaut(cible.conn):
        assert transversal() == propres
    # Same LSL XML and same CCF grid PDF text, built from each database.
    xml_source, grille_source = xml_lsl("lp-demo"), pdf_grille_texte("lp-demo")
    with base_par_defaut(cible.conn):
        assert xml_lsl("lp-demo") == xml_source
        assert pdf_grille_texte("lp-demo") == grille_source

    # Importing twice is refused; so are accounts that exist on the target, never merged.
    with pytest.raises(ImportRefuse, match="existe déjà sur cette instance"):
        _importer(archive, cible)
    Etablissement.objects.using(cible.alias).filter(slug="lp-demo").update(
        slug="lp-ailleurs", uai="0999999Z"
    )
    avant = cible.comptes()
    with pytest.raises(ImportRefuse, match=r"compte\(s\) existe\(nt\) déjà .* jamais fusionnés"):
        _importer(archive, cible)
    assert cible.comptes() == avant


# --- small archive (personas): commands and hostile archives --------------------------------


@pytest.fixture
def archive_a(personas, media, dossier_sauvegardes):
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
    return etablissement.exporter(side.etablissement.slug).archive


def _etat(media):
    with connection.cursor() as cur:
        return inventaire.compter_lignes(cur, bases.moteur(connection.settings_dict)), fichiers(
            media
        )


def test_commands_export_and_refuse_an_existing_establishment(personas, media, tmp_path):
    slug = personas.a.etablissement.slug
    sortie = StringIO()
    call_command("exporter_etablissement", slug, "--dest", str(tmp_path), stdout=sortie)
    (archive,) = tmp_path.glob(f"cpro-etablissement-{slug}-*.tar.gz")
    assert f"Export écrit : {archive}" in sortie.getvalue()
    assert "Référentiels nécessaires sur l'instance cible" in sortie.getvalue()
    avant = _etat(media)
    with pytest.raises(CommandError, match="existe déjà sur cette instance"):
        call_command("importer_etablissement", str(archive))
    assert _etat(media) == avant
    with pytest.raises(CommandError, match="Aucun établissement n'a l'adresse « inconnu »"):
        call_command("exporter_etablissement", "inconnu", "--dest", str(tmp_path))


def test_export_keeps_only_the_establishment_and_its_members(archive_a, personas):
    lignes = donnees(archive_a)
    etabs = [ligne["c"]["slug"] for ligne in lignes if ligne["m"] == "cpro.etablissement"]
    assert etabs == [personas.a.etablissement.slug]
    membres_a = set(personas.a.etablissement.memberships.values_list("user__username", flat=True))
    comptes = {ligne["c"]["username"] for ligne in lignes if ligne["m"] == "cpro.user"}
    assert comptes == membres_a
    assert {n for n in manifeste(archive_a)["fichiers"]} == {
        "donnees.jsonl",
        "media/exports/bilan.pdf",
    }


def _alterer_donnees(ms):
    return [
        (info, data.replace(b"{", b"{ ", 1) if info.name == "donnees.jsonl" else data)
        for info, data in ms
    ]


def _renommer(nouveau):
    def transformer(ms):
        for info, _ in ms:
            if info.name == "media/exports/bilan.pdf":
                info.name = nouveau
        return ms

    return transformer


HOSTILES = {
    "tronquee": (None, "tronquée, altérée ou n'est pas un export d'établissement Cpro"),
    "somme_alteree": (_alterer_donnees, "Somme de contrôle SHA-256 incorrecte"),
    "remontee": (_renommer("media/../../evil.txt"), "Nom de fichier dangereux"),
    "absolu": (_renommer("/tmp/evil.txt"), "Nom de fichier dangereux"),
    "version_entete": (version_changee("cpro-etablissement.json"), "Version d'archive non prise"),
    "version_manifeste": (version_changee("manifeste.json"), "Version d'archive non prise"),
}


@pytest.mark.parametrize("cas", list(HOSTILES))
def test_hostile_establishment_archive_is_refused_with_nothing_written(
    archive_a, media, tmp_path, cas
):
    transformer, message = HOSTILES[cas]
    if transformer is None:
        octets = archive_a.read_bytes()
        hostile = tmp_path / "tronquee.tar.gz"
        hostile.write_bytes(octets[: len(octets) // 2])
    else:
        hostile = reecrire(archive_a, tmp_path / "hostile.tar.gz", transformer(membres(archive_a)))
    # The establishment is removed first: only the archive's defects can refuse the import.
    Etablissement.objects.filter(pk=archive_a_etab(archive_a)).delete()
    avant = _etat(media)

    with pytest.raises(CommandError, match=message):
        call_command("importer_etablissement", str(hostile))

    assert _etat(media) == avant
    assert not list(tmp_path.rglob("evil.txt")) and not list(media.rglob("evil.txt"))


def archive_a_etab(archive) -> int:
    (ligne,) = [ligne for ligne in donnees(archive) if ligne["m"] == "cpro.etablissement"]
    return ligne["k"]


def test_keys_towards_another_establishment_are_emptied_and_counted(personas, media, tmp_path):
    a, b = personas.a, personas.b
    AuditLog.objects.create(
        etablissement=a.etablissement, acteur=b.membership("ddfpt").user, action="test.croise"
    )

    archive = etablissement.exporter(a.etablissement.slug, dest=tmp_path).archive

    (ligne,) = [
        ligne
        for ligne in donnees(archive)
        if ligne["m"] == "cpro.auditlog" and ligne["c"]["action"] == "test.croise"
    ]
    assert ligne["c"]["acteur"] is None
    assert manifeste(archive)["hors_perimetre"] == {"cpro.auditlog.acteur": 1}
    usernames_b = set(b.etablissement.memberships.values_list("user__username", flat=True))
    assert (
        not {ligne["c"]["username"] for ligne in donnees(archive) if ligne["m"] == "cpro.user"}
        & usernames_b
    )
