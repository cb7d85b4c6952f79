"""« Générer en PDF » and printing a division's bilans, end to end (job → task → PDF text)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bilans import queries_documents
from bilans.exporters import BilanPdf, BilansDivisionPdf
from cpro.models import ExportJob
from cpro.pipeline_exports import ExportError
from tests.bilans import documents_factories as df

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def texte_pdf(client, personas, job) -> str:
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def nb_pages(client, personas, job) -> int:
    response = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    return len(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)


def _job(personas, kind, params, side="a"):
    s = getattr(personas, side)
    return ExportJob.objects.create(
        etablissement=s.etablissement,
        demandeur=s.enseignant.user,
        kind=kind,
        params=params,
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )


def test_note_fr():
    from decimal import Decimal

    assert queries_documents.note_fr(Decimal("12.50")) == "12,5"
    assert queries_documents.note_fr(Decimal("14.00")) == "14"
    assert queries_documents.note_fr(Decimal("9.75")) == "9,75"
    assert queries_documents.note_fr(None) == ""
    assert queries_documents.note_api(Decimal("12.50")) == "12.5"
    assert queries_documents.note_api(None) is None


def test_bilan_pdf_de_bout_en_bout(as_persona, personas, django_capture_on_commit_callbacks):
    c1, c2, c3 = df.referentiel(personas.a.diplome)
    apprenant = personas.a.apprenant.apprenant
    df.bilan(personas.a, niveaux={c1: "1", c2: "2"}, date=datetime.date(2025, 1, 17), note="10")
    bilan = df.bilan(
        personas.a,
        niveaux={c1: "4", c2: "3", c3: "NE"},
        date=datetime.date(2025, 5, 17),
        note="12.5",
        constats="Beaucoup de sérieux et de motivation.",
        conseils="Continuez ainsi.",
    )
    client = as_persona("chef")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "bilans:bilan_pdf", pk=bilan.pk))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == "bilan_pdf" and job.params == {"bilan": bilan.pk}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.filename.endswith(".pdf")

    texte = texte_pdf(client, personas, job)
    user = apprenant.membership.user
    assert user.last_name.upper() in texte and user.first_name in texte
    assert "Lycée professionnel a" in texte
    assert personas.a.division.nom in texte
    assert personas.a.diplome.intitule in texte
    assert "17/05/2025" in texte and "17/01/2025" in texte  # one column per bilan
    assert "12,5 / 20" in texte
    assert "Beaucoup de sérieux et de motivation." in texte
    assert "Continuez ainsi." in texte
    assert c1.code in texte and c3.code in texte
    for symbole in ("++", "−−", "NE"):
        assert symbole in texte
    assert "Validé" in texte
    enseignant = personas.a.enseignant.user
    assert enseignant.last_name in texte


def test_bilan_pdf_historique_jusqu_a_ce_bilan(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    ancien = df.bilan(personas.a, niveaux={c1: "1"}, date=datetime.date(2025, 1, 10))
    brouillon = df.bilan(
        personas.a, niveaux={c1: "2"}, date=datetime.date(2025, 2, 10), valide=False
    )
    courant = df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2025, 3, 10))
    df.bilan(personas.a, niveaux={c1: "4"}, date=datetime.date(2025, 4, 10))  # later: not shown
    (doc,) = queries_documents.documents_bilans(personas.a.etablissement, [courant.pk])
    assert [b.pk for b in doc.colonnes] == [ancien.pk, courant.pk]
    assert brouillon.pk not in [b.pk for b in doc.colonnes]
    assert [r.symbole for r in doc.lignes[0].cellules] == ["−−", "+"]


def test_bilan_pdf_radar_optionnel(personas, monkeypatch):
    """With bilans.radar present, the SVG of the last two bilans is embedded; a failing or
    absent module only omits the chart."""
    import sys
    import types

    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    df.bilan(personas.a, niveaux={c1: "1"}, date=datetime.date(2025, 1, 10))
    courant = df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2025, 3, 10))
    appels = []

    def radar_svg(competences, series, *, ident):
        appels.append((competences, series, ident))
        return '<svg xmlns="http://www.w3.org/2000/svg" class="radar-test"></svg>'

    module = types.ModuleType("bilans.radar")
    module.radar_svg = radar_svg
    monkeypatch.setitem(sys.modules, "bilans.radar", module)
    (doc,) = queries_documents.documents_bilans(personas.a.etablissement, [courant.pk])
    assert "radar-test" in doc.radar
    assert appels == [
        (
            [(c1.code, c1.intitule)],
            [("10/01/2025", {c1.code: "1"}), ("10/03/2025", {c1.code: "3"})],
            f"radar-{courant.pk}",
        )
    ]

    module.radar_svg = lambda *a, **k: 1 / 0
    (doc,) = queries_documents.documents_bilans(personas.a.etablissement, [courant.pk])
    assert doc.radar == ""
    data = BilanPdf(_job(personas, "bilan_pdf", {"bilan": courant.pk})).render(lambda p: None)
    assert data[2].startswith(b"%PDF")


def test_bilan_pdf_un_seul_bilan_sans_radar(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    b = df.bilan(personas.a, niveaux={c1: "2"})
    (doc,) = queries_documents.documents_bilans(personas.a.etablissement, [b.pk])
    assert doc.radar == ""


def test_bilan_pdf_autre_etablissement_refuse(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    autre = df.bilan(personas.b, niveaux={c1: "2"})
    for params in ({"bilan": autre.pk}, {}, {"bilan": "x"}, {"bilan": True}):
        with pytest.raises(ExportError, match="n'existe pas"):
            BilanPdf(_job(personas, "bilan_pdf", params)).render(lambda p: None)


def test_bilan_pdf_vue(as_persona, personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    autre = df.bilan(personas.b, niveaux={c1: "2"})
    client = as_persona("enseignant")
    assert client.post(url(personas, "bilans:bilan_pdf", pk=autre.pk)).status_code == 404
    assert client.get(url(personas, "bilans:bilan_pdf", pk=autre.pk)).status_code == 405
    assert not ExportJob.objects.exists()
    a = df.bilan(personas.a, niveaux={c1: "2"})
    assert (
        as_persona("apprenant").post(url(personas, "bilans:bilan_pdf", pk=a.pk)).status_code == 403
    )


# --- printing a division -------------------------------------------------------------------


def test_impression_division_page(as_persona, personas):
    response = as_persona("enseignant").get(url(personas, "bilans:impression_division"))
    assert response.status_code == 200
    html = response.content.decode()
    assert personas.a.division.nom in html
    assert "Derniers bilans validés" in html
    assert "Derniers bilans (brouillons compris)" in html


def test_impression_division_de_bout_en_bout(
    as_persona, personas, django_capture_on_commit_callbacks
):
    c1, c2 = df.referentiel(personas.a.diplome, competences=2)
    eleves = df.apprenants(personas.a, 3)
    for i, eleve in enumerate(eleves):
        df.bilan(
            personas.a,
            eleve,
            niveaux={c1: "3", c2: "4"},
            note=f"1{i}.5",
            constats=f"Constat de l'élève {i}.",
            date=datetime.date(2025, 3, 1),
        )
    # an older validated bilan and a newer draft of the first learner
    df.bilan(
        personas.a,
        eleves[0],
        niveaux={c1: "1"},
        date=datetime.date(2025, 1, 1),
        constats="Ancien constat.",
    )
    df.bilan(
        personas.a,
        eleves[0],
        niveaux={c1: "2"},
        date=datetime.date(2025, 4, 1),
        valide=False,
        constats="Brouillon en cours.",
    )
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(personas, "bilans:impression_division"),
            {"division": personas.a.division.pk, "bilans": "valides"},
        )
    job = ExportJob.objects.get()
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.params == {
        "division": personas.a.division.pk,
        "diplome": personas.a.diplome.pk,
        "valides": True,
    }
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    texte = texte_pdf(client, personas, job)
    for i, eleve in enumerate(eleves):
        assert eleve.membership.user.last_name.upper() in texte
        assert f"1{i},5 / 20" in texte
        assert f"Constat de l'élève {i}." in texte
    assert "Brouillon en cours." not in texte
    assert "Ancien constat." not in texte  # only the latest bilan, its history as a column
    assert nb_pages(client, personas, job) >= 3  # a page break per learner

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(personas, "bilans:impression_division"),
            {"division": personas.a.division.pk, "bilans": "tous"},
        )
    job = ExportJob.objects.latest("cree_le")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert "Brouillon en cours." in texte_pdf(client, personas, job)


def test_impression_division_progression_par_apprenant(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    for eleve in df.apprenants(personas.a, 4):
        df.bilan(personas.a, eleve, niveaux={c1: "3"})
    job = _job(
        personas,
        "bilans_division_pdf",
        {"division": personas.a.division.pk, "diplome": personas.a.diplome.pk, "valides": True},
    )
    etapes = []
    filename, content_type, data = BilansDivisionPdf(job).render(etapes.append)
    assert data.startswith(b"%PDF") and content_type == "application/pdf"
    assert filename == f"bilans-{personas.a.division.nom.lower()}.pdf"
    sections = [p for p in etapes if 10 < p <= 80]
    assert len(sections) == 4  # one report per learner
    assert etapes == sorted(etapes)


def test_impression_division_sans_bilan_ou_autre_etablissement(personas):
    params = {"division": personas.a.division.pk, "diplome": personas.a.diplome.pk}
    with pytest.raises(ExportError, match="Aucun bilan validé"):
        BilansDivisionPdf(_job(personas, "bilans_division_pdf", params)).render(lambda p: None)
    autre = {"division": personas.b.division.pk, "diplome": personas.a.diplome.pk}
    with pytest.raises(ExportError, match="n'existe pas"):
        BilansDivisionPdf(_job(personas, "bilans_division_pdf", autre)).render(lambda p: None)


def test_impression_division_refuse_une_division_d_un_autre_etablissement(as_persona, personas):
    response = as_persona("enseignant").post(
        url(personas, "bilans:impression_division"),
        {"division": personas.b.division.pk, "bilans": "valides"},
    )
    assert response.status_code == 200
    assert "Choisissez une division de ce diplôme." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_documents_bilans_requetes_constantes(personas, django_assert_num_queries):
    c1, c2 = df.referentiel(personas.a.diplome, competences=2)
    un = df.bilan(personas.a, niveaux={c1: "3"})
    with django_assert_num_queries(5) as ctx:
        queries_documents.documents_bilans(personas.a.etablissement, [un.pk])
    n = len(ctx.captured_queries)
    pks = [
        df.bilan(personas.a, e, niveaux={c1: "2", c2: "3"}).pk for e in df.apprenants(personas.a, 8)
    ]
    with django_assert_num_queries(n):
        queries_documents.documents_bilans(personas.a.etablissement, [un.pk, *pks])


def test_bilan_pdf_avec_le_vrai_radar(personas):
    pytest.importorskip("bilans.radar")
    c1, c2, c3 = df.referentiel(personas.a.diplome, competences=3)
    df.bilan(personas.a, niveaux={c1: "1", c2: "2", c3: "3"}, date=datetime.date(2025, 1, 10))
    courant = df.bilan(
        personas.a, niveaux={c1: "3", c2: "4", c3: "4"}, date=datetime.date(2025, 3, 10)
    )
    (doc,) = queries_documents.documents_bilans(personas.a.etablissement, [courant.pk])
    assert doc.radar.startswith("<svg") and c1.code in doc.radar
    _, _, data = BilanPdf(_job(personas, "bilan_pdf", {"bilan": courant.pk})).render(lambda p: None)
    texte = " ".join((PdfReader(io.BytesIO(data)).pages[0].extract_text() or "").split())
    assert "Évolution sur les deux derniers bilans" in texte
