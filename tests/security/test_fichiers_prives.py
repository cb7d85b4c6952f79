"""Exports and uploads are private: no URL serves MEDIA_ROOT, a stored file cannot be fetched
by guessing its path, downloads are attachments never sniffed, and uploads are checked by
their content, not their extension."""

import html
import importlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from tests.access import connecter
from tests.security.test_access_matrix import DECLARED

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
REFUS_PDF = "Le contenu du fichier ne correspond pas à son extension .pdf"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100


def _vues(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _vues(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_aucune_url_ne_sert_media_root():
    production = importlib.import_module("cpro.settings")
    assert production.MEDIA_URL is None
    servantes = [route for route, vue in _vues(get_resolver().url_patterns) if vue is serve]
    assert not servantes, f"URL servant des fichiers bruts : {servantes}"
    media = Path(settings.MEDIA_ROOT).resolve()
    statiques = [Path(d).resolve() for d in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)]
    assert not any(media == s or s in media.parents for s in statiques)


def _url_devinees(personas, nom: str) -> list[str]:
    slug = personas.a.etablissement.slug
    return [
        f"/media/{nom}",
        f"/{nom}",
        f"/{slug}/media/{nom}",
        f"/static/{nom}",
        f"{settings.MEDIA_URL}{nom}",  # the test settings' MEDIA_URL (live-server only)
    ]


def _deposer_ressource(client, personas, contenu: bytes, nom: str):
    from tests.scenarios.factories import scenario_de

    scenario = scenario_de(personas.a)
    connecter(client, personas, "enseignant")
    url = reverse(
        "scenarios:ressources", kwargs={"etab": personas.a.etablissement.slug, "pk": scenario.pk}
    )
    response = client.post(
        url, {"action": "fichier", "f-titre": "", "f-fichier": SimpleUploadedFile(nom, contenu)}
    )
    return scenario, response


@pytest.mark.usefixtures("media_temporaire")
def test_fichier_depose_introuvable_par_son_chemin(client, personas):
    scenario, response = _deposer_ressource(client, personas, PDF, "consignes.pdf")
    assert response.status_code == 302
    nom = scenario.ressources.get().fichier.name
    assert default_storage.exists(nom)
    for url in _url_devinees(personas, nom):
        assert client.get(url).status_code == 404, url


@pytest.mark.usefixtures("media_temporaire")
def test_export_introuvable_par_son_chemin(client, personas):
    from tests.cpro.access import _export

    job_id = _export(personas)["job_id"]
    from cpro.models import ExportJob

    nom = ExportJob.objects.get(pk=job_id).file.name
    assert default_storage.exists(nom)
    connecter(client, personas, "ddfpt")
    for url in _url_devinees(personas, nom):
        assert client.get(url).status_code == 404, url


TELECHARGEMENTS = (
    "scenarios:ressource",
    "evaluations:ressource",
    "etab:export_telecharger",
    "certification:recapitulatif_csv",
    "gestion:import_exemple",
)


def _obtenir(client, personas, access):
    persona = next(p for p in ("ddfpt", "enseignant", "apprenant") if access.expected(p) == 200)
    connecter(client, personas, persona)
    kwargs = access.kwargs(personas)
    url = reverse(access.name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})
    response = client.get(url, access.data(personas))
    assert response.status_code == 200, url
    return response


@pytest.mark.usefixtures("media_temporaire")
@pytest.mark.parametrize("name", TELECHARGEMENTS)
def test_telechargement_en_piece_jointe_jamais_devine(client, personas, name):
    (access,) = [a for a in DECLARED if a.name == name]
    response = _obtenir(client, personas, access)
    assert response["Content-Disposition"].startswith("attachment;"), name
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "text/html" not in response["Content-Type"]


@pytest.mark.usefixtures("media_temporaire")
def test_media_du_book_affiche_mais_jamais_devine(client, personas):
    """Book photos and videos are shown in the page (inline), with their checked type."""
    (access,) = [a for a in DECLARED if a.name == "pfmp:book_media"]
    response = _obtenir(client, personas, access)
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].split(";")[0] in ("image/png", "image/jpeg", "image/webp")


# --- uploads checked by content --------------------------------------------------------------


def _fichiers_stockes() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.usefixtures("media_temporaire")
@pytest.mark.parametrize("contenu", [HTML, ELF], ids=["html", "elf"])
def test_ressource_de_scenario_refusee_selon_son_contenu(client, personas, contenu):
    scenario, response = _deposer_ressource(client, personas, contenu, "consignes.pdf")
    assert response.status_code == 200
    assert "Le contenu du fichier ne correspond pas à son extension .pdf" in html.unescape(
        response.text
    )
    assert not scenario.ressources.exists()
    assert not _fichiers_stockes()


@pytest.mark.usefixtures("media_temporaire")
@pytest.mark.parametrize("contenu", [HTML, ELF], ids=["html", "elf"])
def test_ressource_d_evaluation_refusee_selon_son_contenu(client, personas, contenu):
    from tests.evaluations.factories import evaluation_de

    evaluation = evaluation_de(personas.a)
    connecter(client, personas, "enseignant")
    url = reverse(
        "evaluations:ressources",
        kwargs={"etab": personas.a.etablissement.slug, "pk": evaluation.pk},
    )
    response = client.post(
        url,
        {"action": "fichier", "f-titre": "", "f-fichier": SimpleUploadedFile("a.pdf", contenu)},
    )
    assert response.status_code == 200
    assert "Le contenu du fichier ne correspond pas à son extension .pdf" in html.unescape(
        response.text
    )
    assert not evaluation.ressources.exists()
    assert not _fichiers_stockes()


@pytest.mark.usefixtures("media_temporaire")
@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("rapport.pdf", PDF, "n'est pas accepté"),
        ("photo.jpg", HTML, "ne correspond pas à une photo .jpg"),
        ("photo.png", ELF, "ne correspond pas à une photo .png"),
        ("video.mp4", HTML, "ne correspond pas à une vidéo .mp4"),
        ("video.webm", ELF, "ne correspond pas à une vidéo .webm"),
    ],
    ids=["pdf", "html-jpg", "elf-png", "html-mp4", "elf-webm"],
)
def test_media_du_book_refuse_selon_son_contenu(client, personas, nom, contenu, message):
    from tests.pfmp.book_factories import PublicationFactory, activer_book

    activer_book(personas.a)
    publication = PublicationFactory(apprenant=personas.a.apprenant.apprenant)
    connecter(client, personas, "apprenant")
    url = reverse(
        "pfmp:book_medias", kwargs={"etab": personas.a.etablissement.slug, "pk": publication.pk}
    )
    response = client.post(url, {"fichiers": [SimpleUploadedFile(nom, contenu)], "legende": ""})
    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert not publication.medias.exists()
    assert not _fichiers_stockes()
