"""Book apprenant pages: learner journey, visibility, comments, media serving, export end to
end (job → task → PDF opened with pypdf), query counts pinned."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cpro.models import AuditLog, ExportJob
from pfmp.models import CommentairePublication, MediaPublication, Publication
from tests.evaluations.factories import mini_referentiel
from tests.factories import ApprenantFactory, DivisionFactory
from tests.pfmp.book_factories import (
    MP4,
    PublicationFactory,
    activer_book,
    commentaire,
    exif_avec_gps,
    media_photo,
    media_video,
    photo_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_temporaire")]


@pytest.fixture(autouse=True)
def book_actif(personas):
    activer_book(personas.a)
    activer_book(personas.b)


@pytest.fixture
def eleve(personas):
    return personas.a.apprenant.apprenant


def url(personas, name, side="a", **kw):
    return reverse(name, kwargs={"etab": getattr(personas, side).etablissement.slug, **kw})


def hier():
    return (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")


# --- learner journey -------------------------------------------------------------------------


def test_publier_depuis_le_telephone(as_persona, personas, eleve):
    ref = mini_referentiel(personas.a.diplome)
    client = as_persona("apprenant")
    page = client.get(url(personas, "pfmp:book_publier")).content.decode()
    # No `capture`: on a phone the picker offers the camera AND the gallery.
    assert 'accept="image/*,video/*"' in page and " capture" not in page and " multiple" in page
    assert ref["taches"][0].code in page and ref["groupe"].code in page
    response = client.post(
        url(personas, "pfmp:book_publier"),
        {
            "titre": "Vente d'un vélo électrique",
            "description": "J'ai découvert les besoins du client.",
            "situation": "ENTREPRISE",
            "lieu": "Cycles Martin",
            "date": hier(),
            "taches": [ref["taches"][0].pk],
            "competences": [c.pk for c in ref["competences"]],
            "mise_en_avant": "on",
            "fichiers": [
                upload("IMG_1.jpg", photo_bytes(exif=exif_avec_gps())),
                upload("clip.mp4", MP4),
            ],
        },
    )
    pub = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "pfmp:book_publication", pk=pub.pk)
    assert pub.apprenant == eleve and pub.mise_en_avant and pub.situation == "ENTREPRISE"
    assert pub.date == timezone.localdate() - datetime.timedelta(days=1)
    assert pub.taches.count() == 1 and pub.competences.count() == 2
    assert sorted(pub.medias.values_list("type", flat=True)) == ["PHOTO", "VIDEO"]
    page = client.get(response["Location"]).content.decode()
    assert "Vente d&#x27;un vélo électrique" in page and "Cycles Martin" in page


def test_publier_refus_affiche_les_erreurs_et_n_ecrit_rien(as_persona, personas):
    client = as_persona("apprenant")
    futur = (timezone.localdate() + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    response = client.post(
        url(personas, "pfmp:book_publier"),
        {
            "titre": "Test",
            "situation": "ETABLISSEMENT",
            "date": futur,
            "fichiers": [upload("faux.jpg", b"MZ\x90\x00 pas une image")],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "La date ne peut pas être dans le futur." in page
    assert not Publication.objects.exists()
    response = client.post(
        url(personas, "pfmp:book_publier"),
        {
            "titre": "Test",
            "situation": "ETABLISSEMENT",
            "date": hier(),
            "fichiers": [upload("faux.jpg", b"MZ\x90\x00 pas une image")],
        },
    )
    assert "ne correspond pas à une photo .jpg" in response.content.decode()
    assert not Publication.objects.exists() and not MediaPublication.objects.exists()


def test_mon_book_mises_en_avant_d_abord(as_persona, personas, eleve):
    aujourd_hui = timezone.localdate()
    PublicationFactory(apprenant=eleve, titre="Ancienne", date=aujourd_hui - datetime.timedelta(30))
    PublicationFactory(apprenant=eleve, titre="Récente", date=aujourd_hui)
    PublicationFactory(
        apprenant=eleve,
        titre="Ma réussite",
        date=aujourd_hui - datetime.timedelta(60),
        mise_en_avant=True,
    )
    PublicationFactory(apprenant=personas.a.apprenti.apprenant, titre="Celle de l'apprenti")
    page = as_persona("apprenant").get(url(personas, "pfmp:mon_book")).content.decode()
    assert page.index("Ma réussite") < page.index("Récente") < page.index("Ancienne")
    assert "Celle de l" not in page
    assert (aujourd_hui - datetime.timedelta(60)).strftime("%d/%m/%Y") in page


def test_modifier_et_supprimer(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve, titre="Avant")
    client = as_persona("apprenant")
    page = client.get(url(personas, "pfmp:book_modifier", pk=pub.pk)).content.decode()
    assert 'value="Avant"' in page
    response = client.post(
        url(personas, "pfmp:book_modifier", pk=pub.pk),
        {"titre": "Après", "situation": "EXTERIEUR", "date": hier(), "lieu": "Salon"},
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert (pub.titre, pub.situation, pub.lieu) == ("Après", "EXTERIEUR", "Salon")
    assert client.get(url(personas, "pfmp:book_supprimer", pk=pub.pk)).status_code == 200
    response = client.post(url(personas, "pfmp:book_supprimer", pk=pub.pk))
    assert response["Location"] == url(personas, "pfmp:mon_book")
    assert not Publication.objects.exists()
    assert AuditLog.objects.filter(action="book.publication_supprimee", objet_repr="Après").exists()


def test_mise_en_avant_plafonnee_message(as_persona, personas, eleve, settings):
    settings.BOOK_MISES_EN_AVANT_MAX = 1
    PublicationFactory(apprenant=eleve, mise_en_avant=True)
    response = as_persona("apprenant").post(
        url(personas, "pfmp:book_publier"),
        {"titre": "Encore", "situation": "ETABLISSEMENT", "date": hier(), "mise_en_avant": "on"},
    )
    assert "Vous avez déjà 1 publications mises en avant" in response.content.decode()
    assert Publication.objects.count() == 1


def test_ajouter_et_retirer_des_medias(as_persona, personas, eleve, settings):
    settings.BOOK_MEDIAS_MAX = 2
    pub = PublicationFactory(apprenant=eleve)
    client = as_persona("apprenant")
    page_url = url(personas, "pfmp:book_medias", pk=pub.pk)
    response = client.post(
        page_url, {"fichiers": [upload("a.png", photo_bytes("PNG"))], "legende": "Ma vitrine"}
    )
    assert response.status_code == 302
    assert pub.medias.get().legende == "Ma vitrine"
    response = client.post(
        page_url,
        {"fichiers": [upload("b.png", photo_bytes("PNG")), upload("c.png", photo_bytes("PNG"))]},
    )
    assert "au plus 2 photos ou vidéos" in response.content.decode()
    client.post(page_url, {"fichiers": [upload("b.png", photo_bytes("PNG"))]})
    page = client.get(page_url).content.decode()
    assert "Cette publication compte déjà 2 photos ou vidéos" in page
    media = pub.medias.first()
    response = client.post(url(personas, "pfmp:book_media_supprimer", pk=media.pk))
    assert response["Location"] == page_url
    assert pub.medias.count() == 1


def test_televersement_trop_gros_refuse(as_persona, personas, eleve, settings):
    settings.BOOK_PHOTO_TAILLE_MAX = 200
    pub = PublicationFactory(apprenant=eleve)
    response = as_persona("apprenant").post(
        url(personas, "pfmp:book_medias", pk=pub.pk),
        {"fichiers": [upload("grande.jpg", photo_bytes(size=(200, 200)))]},
    )
    assert "dépasse la taille maximale" in response.content.decode()
    assert not MediaPublication.objects.exists()


# --- visibility ------------------------------------------------------------------------------


def test_un_apprenant_ne_voit_pas_le_book_d_un_autre(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    media = media_photo(pub)
    client = as_persona("apprenti")
    for name, kw in [
        ("pfmp:book_publication", {"pk": pub.pk}),
        ("pfmp:book_modifier", {"pk": pub.pk}),
        ("pfmp:book_medias", {"pk": pub.pk}),
        ("pfmp:book_media", {"pk": media.pk}),
    ]:
        assert client.get(url(personas, name, **kw)).status_code == 404, name
    assert client.post(url(personas, "pfmp:book_supprimer", pk=pub.pk)).status_code == 404
    assert client.get(url(personas, "pfmp:book_apprenant", apprenant=eleve.pk)).status_code == 403
    assert Publication.objects.exists()


def test_objets_d_un_autre_etablissement_404(as_persona, personas):
    pub_b = PublicationFactory(apprenant=personas.b.apprenant.apprenant)
    media_b = media_photo(pub_b)
    client = as_persona("ddfpt")
    assert client.get(url(personas, "pfmp:book_publication", pk=pub_b.pk)).status_code == 404
    assert client.get(url(personas, "pfmp:book_media", pk=media_b.pk)).status_code == 404
    assert (
        client.get(
            url(personas, "pfmp:book_apprenant", apprenant=personas.b.apprenant.apprenant.pk)
        ).status_code
        == 404
    )
    response = client.post(url(personas, "pfmp:book_commenter", pk=pub_b.pk), {"texte": "x"})
    assert response.status_code == 404
    # and through B's address, A's DDFPT has no account at all
    assert client.get(url(personas, "pfmp:books", side="b")).status_code == 404


def test_tuteur_403(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    client = as_persona("tuteur")
    assert client.get(url(personas, "pfmp:book_publication", pk=pub.pk)).status_code == 403
    assert client.get(url(personas, "pfmp:books")).status_code == 403


def test_equipe_voit_le_book_en_lecture(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve, titre="Vente au salon")
    commentaire(pub, personas.a.enseignant.user, "Pense à la reformulation.")
    for persona in ("chef", "enseignant", "ddfpt"):
        client = as_persona(persona)
        page = client.get(url(personas, "pfmp:book_apprenant", apprenant=eleve.pk)).content.decode()
        assert "Vente au salon" in page
        assert url(personas, "pfmp:book_modifier", pk=pub.pk) not in page
        detail = client.get(url(personas, "pfmp:book_publication", pk=pub.pk)).content.decode()
        assert "Pense à la reformulation." in detail
        assert (url(personas, "pfmp:book_commenter", pk=pub.pk) in detail) == (persona != "chef")


def test_learner_of_another_diplome_hidden_from_team(as_persona, personas):
    division = DivisionFactory(
        etablissement=personas.a.etablissement, diplome=personas.a.diplome2, nom="1MCVB"
    )
    autre = ApprenantFactory(etablissement=personas.a.etablissement, division=division)
    client = as_persona("enseignant")  # manages diplome only
    assert client.get(url(personas, "pfmp:book_apprenant", apprenant=autre.pk)).status_code == 404


# --- comments --------------------------------------------------------------------------------


def test_enseignant_commente_l_apprenant_lit(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    response = as_persona("enseignant").post(
        url(personas, "pfmp:book_commenter", pk=pub.pk), {"texte": "Bravo, très bon accueil."}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#commentaires")
    c = CommentairePublication.objects.get()
    assert c.auteur == personas.a.enseignant.user
    assert AuditLog.objects.filter(action="book.commentaire_ajoute").count() == 1
    client = as_persona("apprenant")
    assert (
        "Bravo, très bon accueil."
        in client.get(url(personas, "pfmp:book_publication", pk=pub.pk)).content.decode()
    )
    assert "1 commentaire" in client.get(url(personas, "pfmp:mon_book")).content.decode()


def test_chef_ne_commente_pas(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    response = as_persona("chef").post(
        url(personas, "pfmp:book_commenter", pk=pub.pk), {"texte": "Bien"}
    )
    assert response.status_code == 403
    assert not CommentairePublication.objects.exists()


def test_commentaire_trop_long(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    response = as_persona("ddfpt").post(
        url(personas, "pfmp:book_commenter", pk=pub.pk), {"texte": "x" * 1001}
    )
    assert response.status_code == 200
    assert "1000 caractères" in response.content.decode()
    assert not CommentairePublication.objects.exists()


# --- media serving ---------------------------------------------------------------------------


def test_media_servi_avec_son_type_et_nosniff(as_persona, personas, eleve):
    pub = PublicationFactory(apprenant=eleve)
    photo, video = media_photo(pub), media_video(pub)
    for persona in ("apprenant", "enseignant"):
        client = as_persona(persona)
        response = client.get(url(personas, "pfmp:book_media", pk=photo.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response = client.get(url(personas, "pfmp:book_media", pk=video.pk), HTTP_RANGE="bytes=4-11")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert b"".join(response.streaming_content) == MP4[4:12]


# --- export ----------------------------------------------------------------------------------


def _texte_pdf(data: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def _pdf(job) -> bytes:
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    with job.file.open("rb") as f:
        return f.read()


def test_export_apprenant_de_bout_en_bout(
    as_persona, personas, eleve, django_capture_on_commit_callbacks
):
    ref = mini_referentiel(personas.a.diplome)
    p1 = PublicationFactory(
        apprenant=eleve, titre="Vitrine de printemps", mise_en_avant=True, lieu="Boutique Fleurs"
    )
    p1.taches.set(ref["taches"][:1])
    p1.competences.set(ref["competences"][:1])
    media_photo(p1, legende="La vitrine terminée")
    media_video(p1, legende="Présentation orale")
    p2 = PublicationFactory(apprenant=eleve, titre="Inventaire du rayon", situation="ETABLISSEMENT")
    PublicationFactory(apprenant=personas.a.apprenti.apprenant, titre="Pas dans ce book")
    client = as_persona("apprenant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "pfmp:book_exporter"))
    job = ExportJob.objects.get()
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == "book_pdf" and job.params == {"apprenant": eleve.pk, "mises_en_avant": False}
    pages, texte = _texte_pdf(_pdf(job))
    assert pages == 3  # cover + one page per publication
    nom = eleve.user.nom_complet
    for attendu in (
        nom,
        personas.a.division.nom,
        "Vitrine de printemps",
        p1.date.strftime("%d/%m/%Y"),
        "En entreprise",
        "Boutique Fleurs",
        ref["taches"][0].code,
        ref["competences"][0].code,
        "Présentation orale (MP4",
        "Inventaire du rayon",
        "En établissement",
    ):
        assert attendu in texte, attendu
    assert "Pas dans ce book" not in texte
    assert p2.titre in texte
    download = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert download.status_code == 200


def test_export_mises_en_avant_et_photo_integree(
    as_persona, personas, eleve, django_capture_on_commit_callbacks
):
    p = PublicationFactory(apprenant=eleve, titre="Mon meilleur salon", mise_en_avant=True)
    media_photo(p)
    PublicationFactory(apprenant=eleve, titre="Ordinaire")
    with django_capture_on_commit_callbacks(execute=True):
        as_persona("apprenant").post(url(personas, "pfmp:book_exporter"), {"mises_en_avant": "on"})
    data = _pdf(ExportJob.objects.get())
    pages, texte = _texte_pdf(data)
    assert pages == 2 and "Mon meilleur salon" in texte and "Ordinaire" not in texte
    from pypdf import PdfReader

    images = PdfReader(io.BytesIO(data)).pages[1].images
    assert len(images) == 1
    assert Image.open(io.BytesIO(images[0].data)).size == (40, 30)


def test_export_par_l_equipe(as_persona, personas, eleve, django_capture_on_commit_callbacks):
    PublicationFactory(apprenant=eleve, titre="Accueil téléphonique")
    client = as_persona("chef")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(personas, "pfmp:book_exporter", apprenant=eleve.pk))
    job = ExportJob.objects.get()
    assert job.kind == "book_pdf_equipe"
    pages, texte = _texte_pdf(_pdf(job))
    assert pages == 2 and "Accueil téléphonique" in texte
    # the learner cannot read the team's export job, and vice versa
    apprenant = as_persona("apprenant")
    assert apprenant.get(url(personas, "etab:export_etat", job_id=job.pk)).status_code == 403


def test_export_revalide_au_rendu(personas, eleve, django_capture_on_commit_callbacks):
    from cpro import services

    PublicationFactory(apprenant=eleve)
    with django_capture_on_commit_callbacks(execute=True):
        # a learner asking for someone else's book through a forged job
        job = services.lancer_export(
            etablissement=personas.a.etablissement,
            par=personas.a.apprenti.user,
            kind="book_pdf",
            params={"apprenant": eleve.pk, "mises_en_avant": False},
        )
        vide = services.lancer_export(
            etablissement=personas.a.etablissement,
            par=personas.a.apprenti.user,
            kind="book_pdf",
            params={"apprenant": personas.a.apprenti.apprenant.pk, "mises_en_avant": False},
        )
        autre = services.lancer_export(
            etablissement=personas.a.etablissement,
            par=personas.a.ddfpt.user,
            kind="book_pdf_equipe",
            params={"apprenant": personas.b.apprenant.apprenant.pk, "mises_en_avant": False},
        )
    for j, message in (
        (job, "votre propre book"),
        (vide, "Le book est vide"),
        (autre, "n'existe pas ou plus dans votre établissement"),
    ):
        j.refresh_from_db()
        assert j.status == ExportJob.Status.ECHEC and message in j.error


# --- query counts ----------------------------------------------------------------------------

REQUETES_MON_BOOK = 11
REQUETES_BOOKS = 7


def _remplir(eleve, n, enseignant):
    ref_pubs = []
    for i in range(n):
        p = PublicationFactory(apprenant=eleve, mise_en_avant=i == 0)
        media_photo(p)
        commentaire(p, enseignant)
        ref_pubs.append(p)
    return ref_pubs


@pytest.mark.parametrize("volume", [1, 6])
def test_mon_book_nombre_de_requetes_constant(
    as_persona, personas, eleve, volume, django_assert_num_queries
):
    ref = mini_referentiel(personas.a.diplome)
    for p in _remplir(eleve, volume, personas.a.enseignant.user):
        p.taches.set(ref["taches"])
        p.competences.set(ref["competences"])
    client = as_persona("apprenant")
    page_url = url(personas, "pfmp:mon_book")
    client.get(page_url)
    with django_assert_num_queries(REQUETES_MON_BOOK):
        response = client.get(page_url)
    assert response.content.decode().count('class="book-publication') == volume


@pytest.mark.parametrize("volume", [1, 8])
def test_books_nombre_de_requetes_constant(as_persona, personas, volume, django_assert_num_queries):
    for _ in range(volume):
        a = ApprenantFactory(etablissement=personas.a.etablissement, division=personas.a.division)
        PublicationFactory.create_batch(2, apprenant=a)
    client = as_persona("enseignant")
    page_url = url(personas, "pfmp:books")
    client.get(page_url)
    with django_assert_num_queries(REQUETES_BOOKS):
        response = client.get(page_url + f"?division={personas.a.division.pk}")
    page = response.content.decode()
    assert page.count(">2</td>") == volume  # each new learner shows its two publications
