"""The restore drill (run by CI on PostgreSQL, locally on SQLite): demo lycée built →
`sauvegarder` → `restaurer` into a fresh database and media root → same tables, same row
counts, same content hash for every table, same files byte for byte, and the same pages (their
text) for the same personas rendered from each database."""

import hashlib
from io import StringIO

import lxml.html
import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cpro.models import Membership, User
from pfmp.models import MediaPublication, Publication
from sauvegarde import bases, inventaire
from tests.sauvegarde.outils import base_par_defaut

pytestmark = pytest.mark.django_db(transaction=True)


def _fichiers(racine):
    return {
        p.relative_to(racine).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in racine.rglob("*")
        if p.is_file()
    }


# Pages of the demo lycée (under /lp-demo/) rendered for one persona of each role.
PAGES = (
    "accueil/",
    "espace-personnel/",
    "journal/",
    "scenarios/",
    "evaluations/",
    "bilans/intermediaires/",
    "certification/saisie/",
    "lsl/export/",
)


def _personas() -> list[str]:
    """One username per role of the demo lycée (first by username)."""
    par_role = {}
    for role, username in (
        Membership.objects.filter(etablissement__slug="lp-demo")
        .order_by("role", "user__username")
        .values_list("role", "user__username")
    ):
        par_role.setdefault(role, username)
    return sorted(par_role.values())


def _texte(reponse) -> str:
    contenu = reponse.content.decode()
    if not contenu.strip():
        return ""
    return " ".join(lxml.html.fromstring(contenu).text_content().split())


def _pages(usernames: list[str]) -> dict[tuple[str, str], tuple[int, str]]:
    """(status, visible text) of every page for every persona, from the default database."""
    rendu = {}
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for page in PAGES:
            reponse = client.get(f"/lp-demo/{page}", follow=True)
            rendu[(username, page)] = (reponse.status_code, _texte(reponse))
    return rendu


def test_restore_drill_gives_back_the_same_instance(media, dossier_sauvegardes, cible, monkeypatch):
    # With committed transactions the demo's locked CCF grids render their PDFs (weasyprint,
    # ~1 s each): a stand-in keeps the drill short; the files are still stored and restored.
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: b"%PDF-1.7\n% exercice\n"
    )
    call_command("charger_referentiels", verbosity=0, stdout=StringIO())
    call_command("creer_demo", stdout=StringIO())
    publication = Publication.objects.order_by("pk").first()
    assert publication is not None
    media_book = MediaPublication(publication=publication, type="PHOTO", content_type="image/png")
    media_book.fichier.save("photo.png", ContentFile(b"\x89PNG fausse"), save=True)
    (media / "orphelin.bin").write_bytes(b"\x00\x01")
    personas = _personas()
    assert len(personas) >= 4
    # Rendered before the snapshot: logging in writes sessions and last_login, which the
    # backup then holds like any other row.
    pages = _pages(personas)
    assert sum(1 for statut, _ in pages.values() if statut == 200) >= len(personas) * 3
    moteur = bases.moteur(connection.settings_dict)
    with connection.cursor() as cur:
        comptes = inventaire.compter_lignes(cur, moteur)
        empreintes = inventaire.empreintes_tables(cur, moteur)
    fichiers = _fichiers(media)
    assert comptes["pfmp_mediapublication"] >= 1 and len(fichiers) >= 2

    call_command("sauvegarder", stdout=StringIO())
    (archive_path,) = dossier_sauvegardes.glob("cpro-sauvegarde-*.tar.gz")
    sortie = StringIO()
    call_command(
        "restaurer",
        str(archive_path),
        "--database-url",
        cible.url,
        "--media-root",
        str(cible.media_root),
        stdout=sortie,
    )

    assert "Aucune migration en attente." in sortie.getvalue()
    with bases.connexion_temporaire(cible.reglages) as conn, conn.cursor() as cur:
        assert inventaire.compter_lignes(cur, moteur) == comptes
        restaurees = inventaire.empreintes_tables(cur, moteur)
    differentes = sorted(t for t in empreintes if restaurees.get(t) != empreintes[t])
    assert differentes == [] and restaurees.keys() == empreintes.keys()
    assert _fichiers(cible.media_root) == fichiers
    with bases.connexion_temporaire(cible.reglages) as conn, base_par_defaut(conn):
        restaurees_pages = _pages(personas)
    differentes = sorted(cle for cle in pages if restaurees_pages[cle] != pages[cle])
    assert differentes == []
