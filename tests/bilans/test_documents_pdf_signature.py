"""The bilan PDF prints its school year and a signature area (teachers, date, signature)."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bilans.exporters import BilanPdf, BilansDivisionPdf
from bilans.models import BilanIntermediaire
from cpro.models import ExportJob
from tests.bilans import documents_factories as df

pytestmark = pytest.mark.django_db


def rendre(personas, kind, params) -> str:
    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind=kind,
        params=params,
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    exporter = BilanPdf if kind == "bilan_pdf" else BilansDivisionPdf
    _, _, data = exporter(job).render(lambda p: None)
    pdf = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def nom(user):
    return f"{user.first_name} {user.last_name}"


def test_bilan_pdf_annee_scolaire_et_signatures(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    valide_le = timezone.make_aware(datetime.datetime(2026, 11, 12, 10, 0))
    bilan = df.bilan(
        personas.a, niveaux={c1: "3"}, date=datetime.date(2026, 10, 5), valide_le=valide_le
    )
    BilanIntermediaire.objects.filter(pk=bilan.pk).update(valide_par=personas.a.enseignant2.user)
    texte = rendre(personas, "bilan_pdf", {"bilan": bilan.pk})
    assert "Année scolaire 2026-2027" in texte
    assert "Signatures Enseignants Date Signature" in texte
    assert f"{nom(personas.a.enseignant.user)} 12/11/2026" in texte
    assert f"{nom(personas.a.enseignant2.user)} 12/11/2026" in texte
    assert "Chef d'établissement" not in texte  # the guide asks it for attestations only


def test_bilan_pdf_brouillon_date_a_remplir(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2027, 3, 2), valide=False)
    texte = rendre(personas, "bilan_pdf", {"bilan": bilan.pk})
    assert "Année scolaire 2026-2027" in texte
    assert "Brouillon (non validé)" in texte
    assert "Signatures Enseignant(e) Date Signature" in texte
    assert f"{nom(personas.a.enseignant.user)} …… / …… / …………" in texte


def test_bilan_pdf_annee_du_bilan_pas_de_la_date_du_jour(personas):
    """The year printed is the bilan's, even when printed a year later."""
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2024, 6, 20))
    texte = rendre(personas, "bilan_pdf", {"bilan": bilan.pk})
    assert "Année scolaire 2023-2024" in texte and "2024-2025" not in texte


def test_impression_division_une_zone_de_signature_par_apprenant(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    eleves = df.apprenants(personas.a, 2)
    for eleve in eleves:
        df.bilan(personas.a, eleve, niveaux={c1: "3"}, date=datetime.date(2026, 9, 20))
    texte = rendre(
        personas,
        "bilans_division_pdf",
        {"division": personas.a.division.pk, "diplome": personas.a.diplome.pk, "valides": True},
    )
    assert texte.count("Année scolaire 2026-2027") == 2
    assert texte.count("Signatures Enseignant") == 2


def test_bilan_pdf_marque_la_convention_et_les_libelles_a_verifier(personas, referentiels_charges):
    """The bilan PDF is formative: C1.0 stays (teachers follow it) but is marked as the
    application's convention, never as a competence of the référentiel."""
    from referentiels.models import Competence

    competences = list(Competence.objects.filter(diplome=personas.a.diplome))
    bilan = df.bilan(personas.a, niveaux={c: "3" for c in competences})
    texte = rendre(personas, "bilan_pdf", {"bilan": bilan.pk})
    assert "C1.0 Communication (critère transversal des grilles E31/E32) (convention)" in texte
    assert "(convention) Convention de l'application, pas une compétence du référentiel" in texte
    assert "C2.2 Mettre en œuvre le ou les services associés *" in texte
    assert "C1.1 Assurer la veille commerciale *" not in texte
    assert "* Libellé repris du référentiel sans confirmation" in texte


def test_bilan_pdf_sans_mention_si_tout_est_verifie(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    texte = rendre(personas, "bilan_pdf", {"bilan": df.bilan(personas.a, niveaux={c1: "3"}).pk})
    assert "(convention)" not in texte and "Libellé repris" not in texte
