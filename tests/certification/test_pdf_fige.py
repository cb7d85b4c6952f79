"""A locked grid keeps its printed content: the PDF is stored when the grid is locked and every
later download (PDF, ZIP) serves those bytes, whatever the référentiel becomes."""

import copy
import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from certification import exporters, services
from certification.exporters import GrilleCcfPdf, GrillesCcfZip
from certification.models import GrilleCandidat
from cpro.models import AuditLog, ExportJob
from cpro.pipeline_exports import ExportError
from referentiels.services import charger_referentiel
from tests.certification.grilles_factories import completer, grille_candidat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_temporaire")]

FIXTURE_MCV_A = Path(settings.BASE_DIR) / "fixtures" / "referentiels" / "mcv-a.json"


@pytest.fixture
def side(personas):
    etab = personas.a.etablissement
    etab.academie = "Lyon"
    etab.save()
    return personas.a


@pytest.fixture
def prof(side):
    return side.enseignant.user


@pytest.fixture
def e31(referentiels_charges, side):
    """A complete MCV-A E31 grid of the persona learner, not locked yet."""
    return completer(grille_candidat(side, "E31"), side)


def _texte(data: bytes) -> str:
    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages
    )


def _job(side, kind, params):
    return ExportJob.objects.create(
        etablissement=side.etablissement,
        demandeur=side.enseignant.user,
        kind=kind,
        params=params,
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )


def _pdf(side, gc) -> bytes:
    return GrilleCcfPdf(_job(side, "grille_ccf_pdf", {"grille_candidat": gc.pk})).render(
        lambda p: None
    )[2]


def _zip(side, gc) -> dict[str, bytes]:
    job = _job(
        side,
        "grilles_ccf_zip",
        {"division": gc.apprenant.division_id, "epreuve": gc.grille_id, "session": gc.session},
    )
    data = GrillesCcfZip(job).render(lambda p: None)[2]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _reimporter_mcv_a(*, critere: str, intitule: str, niveaux: list[str]):
    """Import MCV-A again through the référentiel loader with one criterion renamed and the
    E31 level labels changed."""
    data = copy.deepcopy(json.loads(FIXTURE_MCV_A.read_text(encoding="utf-8")))
    trouve = False
    for groupe in data["groupes"]:
        for competence in groupe.get("competences", []):
            for c in competence.get("criteres", []):
                if c["code"] == critere:
                    c["intitule"] = intitule
                    trouve = True
    assert trouve
    for grille in data["grilles_ccf"]:
        if grille["epreuve"] == "E31":
            grille["niveaux"] = niveaux
    charger_referentiel(data)


def test_lock_stores_the_pdf(e31, side, prof, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.verrouiller_grille(e31, par=prof)
    e31.refresh_from_db()
    assert e31.est_verrouillee
    assert e31.pdf_fige.name.startswith(f"certification/{e31.etablissement_id}/{e31.pk}/E31_")
    stocke = e31.pdf_fige.read()
    texte = _texte(stocke)
    assert "Grille verrouillée le" in texte and "Document de travail" not in texte
    assert _pdf(side, e31) == stocke


def test_download_after_reimport_serves_the_locked_bytes(
    e31, side, prof, django_capture_on_commit_callbacks
):
    """Lock → the référentiel changes a criterion's label and the level labels → the PDF and
    the ZIP still serve the bytes printed at lock time."""
    with django_capture_on_commit_callbacks(execute=True):
        services.verrouiller_grille(e31, par=prof)
    e31.refresh_from_db()
    stocke = e31.pdf_fige.read()
    avant = _texte(stocke)
    ancien = "Adaptation de la communication verbale et non verbale au contexte de la vente"
    assert ancien in avant and "Novice" in avant

    _reimporter_mcv_a(
        critere="C1.0-1",
        intitule="Libellé modifié par un import ultérieur",
        niveaux=["Insuffisant", "Fragile", "Satisfaisant", "Très bon"],
    )
    e31.grille.refresh_from_db()
    assert e31.grille.niveaux[0] == "Insuffisant"  # the référentiel did change

    telecharge = _pdf(side, e31)
    assert telecharge == stocke
    texte = _texte(telecharge)
    assert ancien in texte and "Novice" in texte
    assert "Libellé modifié" not in texte and "Insuffisant" not in texte
    assert list(_zip(side, e31).values()) == [stocke]

    # the same grid rendered now (what the download must not do) would differ
    from certification import queries_documents

    doc = queries_documents.documents_grilles(side.etablissement, [e31.pk])[0]
    assert "Libellé modifié" in _texte(exporters.pdf_grille(doc))


def test_lock_fails_without_its_pdf(e31, prof, monkeypatch):
    def panne(self, doc):
        raise OSError("police introuvable")

    monkeypatch.setattr(exporters.RenduGrilles, "pdf", panne)
    with pytest.raises(ValidationError) as exc:
        services.verrouiller_grille(e31, par=prof)
    assert exc.value.code == "pdf"
    assert not e31.est_verrouillee and not e31.pdf_fige  # the caller's object is not lying
    assert (
        "La grille n'a pas été verrouillée : son PDF n'a pas pu être produit."
        in (exc.value.messages[0])
    )
    gc = GrilleCandidat.objects.get(pk=e31.pk)
    assert gc.statut == GrilleCandidat.Statut.EN_COURS
    assert gc.verrouillee_le is None and not gc.pdf_fige
    assert not AuditLog.objects.filter(action="certification.verrouillage").exists()
    dossier = Path(settings.MEDIA_ROOT) / "certification" / str(gc.etablissement_id) / str(gc.pk)
    assert not dossier.exists() or not any(dossier.iterdir())


def test_lock_view_shows_the_french_message_when_the_pdf_fails(e31, side, as_persona, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr(
        exporters.RenduGrilles, "pdf", lambda self, doc: (_ for _ in ()).throw(RuntimeError())
    )
    client = as_persona("enseignant")
    adresse = reverse(
        "certification:grille_verrouiller", kwargs={"etab": side.etablissement.slug, "pk": e31.pk}
    )
    response = client.post(adresse, follow=True)
    assert "son PDF n&#x27;a pas pu être produit" in response.content.decode()
    e31.refresh_from_db()
    assert not e31.est_verrouillee


def test_unlock_deletes_the_pdf_and_relock_stores_a_new_one(
    e31, side, prof, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.verrouiller_grille(e31, par=prof)
    e31.refresh_from_db()
    premier = e31.pdf_fige.name
    chemin = Path(e31.pdf_fige.path)
    assert chemin.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.deverrouiller_grille(e31, par=side.ddfpt.user)
    e31.refresh_from_db()
    assert not e31.pdf_fige and not chemin.exists()
    # in progress again: the download renders a working document
    assert "Document de travail" in _texte(_pdf(side, e31))

    e31.commentaire = "Commentaire revu après déverrouillage."
    e31.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.verrouiller_grille(e31, par=prof)
    e31.refresh_from_db()
    assert e31.pdf_fige and Path(e31.pdf_fige.path).exists()
    assert "Commentaire revu après déverrouillage." in _texte(e31.pdf_fige.read())
    assert premier  # the first file is gone, the new one is served
    assert _pdf(side, e31) == Path(e31.pdf_fige.path).read_bytes()


def test_grid_locked_before_this_change_is_stored_at_first_download(e31, side, prof):
    """Existing data: a grid locked without a stored PDF is rendered once, at its first
    download, stored (audited) and served from then on."""
    e31.statut = GrilleCandidat.Statut.VERROUILLEE
    e31.verrouillee_le = timezone.now()
    e31.verrouillee_par = prof
    e31.save()
    assert not e31.pdf_fige
    premier = _pdf(side, e31)
    e31.refresh_from_db()
    assert e31.pdf_fige and Path(e31.pdf_fige.path).read_bytes() == premier
    entree = AuditLog.objects.get(action="certification.pdf_fige")
    assert entree.objet_id == str(e31.pk)
    _reimporter_mcv_a(critere="C1.0-1", intitule="Autre libellé", niveaux=["A", "B", "C", "D"])
    assert _pdf(side, e31) == premier
    assert AuditLog.objects.filter(action="certification.pdf_fige").count() == 1


def test_missing_stored_file_is_a_french_error_never_a_new_rendering(
    e31, side, prof, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.verrouiller_grille(e31, par=prof)
    e31.refresh_from_db()
    Path(e31.pdf_fige.path).unlink()
    with pytest.raises(ExportError, match="introuvable : le DDFPT doit la déverrouiller"):
        _pdf(side, e31)
