"""Pages of the espace de stockage: the journey by HTTP, downloads, attaching, query counts."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stockage.models import Dossier, Fichier
from tests.access import connecter
from tests.stockage.outils import PDF, dossier_dans, espace_de, espace_partage, fichier_dans

pytestmark = pytest.mark.usefixtures("media_temporaire")


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


def texte(response) -> str:
    return html.unescape(response.content.decode())


def test_mon_espace_upload_rename_move_download(client, personas):
    connecter(client, personas, "enseignant")
    page = client.get(url(personas, "stockage:espace"))
    assert page.status_code == 200
    assert "0 Mo utilisés sur 500 Mo" in texte(page)
    assert "Cet espace est vide." in texte(page)
    espace = espace_de(personas.a.enseignant)

    r = client.post(url(personas, "stockage:dossier_creer", pk=espace.pk), {"nom": "Séquence 1"})
    dossier = Dossier.objects.get(nom="Séquence 1")
    assert r.status_code == 302 and r["Location"] == url(personas, "stockage:espace")

    r = client.post(
        url(personas, "stockage:deposer", pk=espace.pk),
        {"fichier": SimpleUploadedFile("consignes.pdf", PDF)},
    )
    f = Fichier.objects.get()
    assert r.status_code == 302 and f.dossier is None
    r = client.post(url(personas, "stockage:fichier_renommer", pk=f.pk), {"nom": "Consignes"})
    r = client.post(url(personas, "stockage:fichier_deplacer", pk=f.pk), {"dossier": dossier.pk})
    assert r["Location"] == url(personas, "stockage:dossier", pk=dossier.pk)
    f.refresh_from_db()
    assert (f.nom, f.dossier) == ("Consignes.pdf", dossier)

    page = texte(client.get(r["Location"]))
    assert "Consignes.pdf" in page and "Le fichier « Consignes.pdf » est rangé" in page

    reponse = client.get(url(personas, "stockage:telecharger", pk=f.pk))
    assert b"".join(reponse.streaming_content) == PDF
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert 'filename="Consignes.pdf"' in reponse["Content-Disposition"]
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Type"] == "application/pdf"


def test_upload_error_is_shown_and_nothing_stored(client, personas):
    connecter(client, personas, "enseignant")
    espace = espace_de(personas.a.enseignant)
    r = client.post(
        url(personas, "stockage:deposer", pk=espace.pk),
        {"fichier": SimpleUploadedFile("a.pdf", b"<html><script>x</script></html>")},
        follow=True,
    )
    assert "ne correspond pas à son extension .pdf" in texte(r)
    assert not Fichier.objects.exists()


def test_upload_into_a_folder_of_another_space_is_404(client, personas):
    connecter(client, personas, "enseignant")
    autre = dossier_dans(espace_de(personas.a.enseignant2), personas.a.enseignant2)
    espace = espace_de(personas.a.enseignant)
    r = client.post(
        url(personas, "stockage:deposer", pk=espace.pk),
        {"fichier": SimpleUploadedFile("a.pdf", PDF), "dossier": autre.pk},
    )
    assert r.status_code == 404
    assert not Fichier.objects.exists()


def test_chef_reads_a_shared_space_without_write_forms(client, personas):
    espace = espace_partage(personas.a)
    fichier_dans(espace, personas.a.enseignant, "progression.pdf")
    connecter(client, personas, "chef")
    page = texte(client.get(url(personas, "stockage:partage", pk=espace.pk)))
    assert "progression.pdf" in page and "lecture seule" in page
    assert "Déposer un fichier" not in page
    r = client.post(
        url(personas, "stockage:deposer", pk=espace.pk),
        {"fichier": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert r.status_code == 403


def test_folder_deletion_confirms_then_deletes(client, personas):
    m = personas.a.enseignant
    d = dossier_dans(espace_de(m), m, "Archives")
    fichier_dans(espace_de(m), m, "vieux.pdf", dossier=d)
    connecter(client, personas, "enseignant")
    cible = url(personas, "stockage:dossier_supprimer", pk=d.pk)
    page = texte(client.get(cible))
    assert "Fichier « vieux.pdf »" in page and "n'est pas vide" in page
    assert client.post(cible).status_code == 200  # not confirmed: the list again
    assert Dossier.objects.filter(pk=d.pk).exists()
    r = client.post(cible, {"confirme": "on"})
    assert r.status_code == 302
    assert not Dossier.objects.exists() and not Fichier.objects.exists()


def test_folder_deletion_other_establishment_is_404(client, personas):
    m = personas.a.enseignant
    d = dossier_dans(espace_de(m), m, "Archives")
    connecter(client, personas, "enseignant_autre_etab")
    r = client.post(
        reverse(
            "stockage:dossier_supprimer",
            kwargs={"etab": personas.b.etablissement.slug, "pk": d.pk},
        ),
        {"confirme": "on"},
    )
    assert r.status_code == 404
    assert Dossier.objects.filter(pk=d.pk).exists()


def test_joindre_from_the_file_then_download_from_the_scenario(client, personas):
    from tests.evaluations.factories import evaluation_de
    from tests.scenarios.factories import scenario_de

    scenario = scenario_de(personas.a, titre="Accueillir un client")
    evaluation_de(personas.a, titre="Évaluation verrouillée", verrouillee=True)
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m, "grille.pdf")
    connecter(client, personas, "enseignant")
    page = texte(client.get(url(personas, "stockage:joindre", pk=f.pk)))
    assert "Accueillir un client" in page
    assert "Évaluation verrouillée" not in page  # a locked one is not offered
    r = client.post(
        url(personas, "stockage:joindre", pk=f.pk),
        {"cible": f"scenario:{scenario.pk}", "titre": "Grille"},
    )
    assert r["Location"] == url(personas, "scenarios:ressources", pk=scenario.pk)
    ressource = scenario.ressources.get()
    assert ressource.titre == "Grille"
    onglet = texte(client.get(r["Location"]))
    assert "Grille" in onglet and "Depuis mon espace de stockage" in onglet
    telecharge = client.get(url(personas, "scenarios:ressource", pk=scenario.pk, rpk=ressource.pk))
    assert b"".join(telecharge.streaming_content) == PDF


def test_joindre_to_a_locked_evaluation_shows_the_lock(client, personas):
    from tests.evaluations.factories import evaluation_de

    evaluation = evaluation_de(personas.a, verrouillee=True)
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m)
    connecter(client, personas, "enseignant")
    r = client.post(
        url(personas, "stockage:joindre", pk=f.pk), {"cible": f"evaluation:{evaluation.pk}"}
    )
    assert r.status_code == 200
    assert "bilan intermédiaire validé" in texte(r)
    assert not evaluation.ressources.exists()


def test_joindre_to_someone_elses_scenario_is_403(client, personas):
    from tests.scenarios.factories import scenario_de

    scenario = scenario_de(personas.a, membership=personas.a.enseignant2)
    m = personas.a.enseignant
    f = fichier_dans(espace_de(m), m)
    connecter(client, personas, "enseignant")
    r = client.post(
        url(personas, "stockage:joindre", pk=f.pk), {"cible": f"scenario:{scenario.pk}"}
    )
    assert r.status_code == 403
    assert not scenario.ressources.exists()


def test_choisir_from_the_evaluation_resources_tab(client, personas):
    from tests.evaluations.factories import evaluation_de

    evaluation = evaluation_de(personas.a)
    f = fichier_dans(espace_partage(personas.a), personas.a.enseignant2, "affiche.pdf")
    prive = fichier_dans(espace_de(personas.a.enseignant2), personas.a.enseignant2, "perso.pdf")
    connecter(client, personas, "enseignant")
    onglet = texte(client.get(url(personas, "evaluations:ressources", pk=evaluation.pk)))
    lien = url(personas, "stockage:choisir", cible="evaluation", pk=evaluation.pk)
    assert f'href="{lien}"' in onglet
    page = texte(client.get(lien))
    assert "affiche.pdf" in page and "perso.pdf" not in page
    # someone else's personal file: 404, nothing attached
    assert client.post(lien, {"fichier": prive.pk}).status_code == 404
    r = client.post(lien, {"fichier": f.pk})
    assert r["Location"] == url(personas, "evaluations:ressources", pk=evaluation.pk)
    assert evaluation.ressources.get().nom_fichier == "affiche.pdf"


def _remplir(personas, n):
    m = personas.a.enseignant
    espace = espace_de(m)
    for i in range(n):
        d = dossier_dans(espace, m, f"Dossier {i}")
        dossier_dans(espace, m, f"Sous-dossier {i}", parent=d)
        fichier_dans(espace, m, f"fichier {i}.pdf")
        fichier_dans(espace_partage(personas.a), m, f"partage {i}.pdf")


REQUETES_ESPACE = 9
REQUETES_PARTAGES = 9
REQUETES_CHOISIR = 10


@pytest.mark.parametrize("volume", [1, 6])
def test_mon_espace_query_count_is_constant(client, personas, volume, django_assert_num_queries):
    _remplir(personas, volume)
    connecter(client, personas, "enseignant")
    page_url = url(personas, "stockage:espace")
    client.get(page_url)
    with django_assert_num_queries(REQUETES_ESPACE):
        response = client.get(page_url)
    assert texte(response).count('class="stockage-ligne-dossier"') == volume


@pytest.mark.parametrize("volume", [1, 6])
def test_partages_query_count_is_constant(client, personas, volume, django_assert_num_queries):
    _remplir(personas, volume)
    connecter(client, personas, "ddfpt")
    page_url = url(personas, "stockage:partages")
    client.get(page_url)
    with django_assert_num_queries(REQUETES_PARTAGES):
        response = client.get(page_url)
    assert f"{volume} fichier" in texte(response)


@pytest.mark.parametrize("volume", [1, 6])
def test_choisir_query_count_is_constant(client, personas, volume, django_assert_num_queries):
    from tests.scenarios.factories import scenario_de

    _remplir(personas, volume)
    scenario = scenario_de(personas.a)
    connecter(client, personas, "enseignant")
    page_url = url(personas, "stockage:choisir", cible="scenario", pk=scenario.pk)
    client.get(page_url)
    with django_assert_num_queries(REQUETES_CHOISIR):
        response = client.get(page_url)
    assert texte(response).count('name="fichier"') == 2 * volume
