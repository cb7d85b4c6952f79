"""Attestations de compétences acquises: validated competences, creation (history),
signature by the chef, list and PDF."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from bilans import services_documents as services
from bilans.models import Attestation, Positionnement
from cpro.models import AuditLog, ExportJob
from tests.bilans import documents_factories as df

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


@pytest.fixture
def donnees(personas):
    competences = df.referentiel(personas.a.diplome, competences=3)
    bilan = df.bilan(personas.a, niveaux={c: "4" for c in competences})
    return bilan, competences


def validees(bilan):
    return set(
        Positionnement.objects.filter(bilan=bilan, competence_validee=True).values_list(
            "competence__code", flat=True
        )
    )


# --- services -------------------------------------------------------------------------------


def test_valider_competences(personas, donnees):
    bilan, (c1, c2, c3) = donnees
    par = personas.a.enseignant.user
    assert services.valider_competences(bilan, [c1.pk, c3.pk], par=par) == sorted(
        [c1.code, c3.code]
    )
    assert validees(bilan) == {c1.code, c3.code}
    services.valider_competences(bilan, [c2.pk], par=par)
    assert validees(bilan) == {c2.code}
    log = AuditLog.objects.filter(action="attestation.competences").latest("pk")
    assert log.avant == {"competences_validees": sorted([c1.code, c3.code])}
    assert log.apres == {"competences_validees": [c2.code]}
    assert log.acteur == par


def test_valider_competences_sur_bilan_valide_et_competence_etrangere(personas, donnees):
    bilan, (c1, _, _) = donnees
    assert bilan.est_valide  # allowed on a validated bilan: not a positioning change
    (autre,) = df.referentiel(personas.a.diplome, competences=1)
    with pytest.raises(ValidationError, match="ne fait pas partie de ce bilan"):
        services.valider_competences(bilan, [c1.pk, autre.pk], par=personas.a.enseignant.user)
    assert validees(bilan) == set()


def test_generer_attestation_refusee_sans_competence_validee(personas, donnees):
    bilan, _ = donnees
    with pytest.raises(ValidationError, match="Aucune compétence n'est validée"):
        services.generer_attestation(bilan, par=personas.a.enseignant.user)
    assert not Attestation.objects.exists()


def test_generer_attestation_historique(personas, donnees):
    bilan, (c1, c2, _) = donnees
    par = personas.a.enseignant.user
    services.valider_competences(bilan, [c1.pk], par=par)
    premiere = services.generer_attestation(bilan, par=par)
    services.valider_competences(bilan, [c1.pk, c2.pk], par=par)
    seconde = services.generer_attestation(bilan, par=par)
    assert set(premiere.competences.values_list("code", flat=True)) == {c1.code}
    assert set(seconde.competences.values_list("code", flat=True)) == {c1.code, c2.code}
    assert Attestation.objects.filter(apprenant=bilan.apprenant).count() == 2
    assert seconde.etablissement == personas.a.etablissement
    assert seconde.diplome == bilan.diplome and seconde.creee_par == par
    assert AuditLog.objects.filter(action="attestation.creation").count() == 2


def test_signer_attestation(personas, donnees):
    bilan, (c1, _, _) = donnees
    attestation = df.attestation(personas.a, bilan, [c1])
    services.signer_attestation(attestation, par=personas.a.chef.user)
    attestation.refresh_from_db()
    assert attestation.signee_le is not None and attestation.signee_par == personas.a.chef.user
    with pytest.raises(ValidationError, match="déjà signée"):
        services.signer_attestation(attestation, par=personas.a.chef.user)
    assert AuditLog.objects.filter(action="attestation.signature").count() == 1


# --- pages ----------------------------------------------------------------------------------


def test_page_competences(as_persona, personas, donnees):
    bilan, (c1, _, _) = donnees
    Positionnement.objects.filter(bilan=bilan, competence=c1).update(competence_validee=True)
    response = as_persona("enseignant").get(
        url(personas, "bilans:attestation_competences", pk=bilan.pk)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Compétence validée" in html
    assert c1.code in html and c1.criteres.first().intitule in html
    assert f'value="{c1.pk}" id="comp-{c1.pk}" checked' in html
    assert "Générer l'attestation (1 compétence)" in html


def test_enregistrer_puis_generer(
    as_persona, personas, donnees, django_capture_on_commit_callbacks
):
    bilan, (c1, c2, c3) = donnees
    client = as_persona("enseignant")
    page = url(personas, "bilans:attestation_competences", pk=bilan.pk)
    response = client.post(page, {"competences": [c1.pk, c3.pk]})
    assert response.status_code == 302 and response["Location"] == page
    assert validees(bilan) == {c1.code, c3.code}

    apprenant = personas.a.apprenant.apprenant
    apprenant.date_naissance = datetime.date(2008, 3, 14)
    apprenant.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "bilans:attestation_generer", pk=bilan.pk))
    attestation = Attestation.objects.get()
    job = ExportJob.objects.get()
    assert response["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    assert job.kind == "attestation_pdf" and job.params == {"attestation": attestation.pk}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error

    download = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    texte = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Attestation de compétences acquises" in texte
    assert "passeport pour l'emploi" in texte
    assert apprenant.membership.user.last_name.upper() in texte
    assert "14/03/2008" in texte and apprenant.ine in texte
    assert personas.a.diplome.intitule in texte
    assert c1.code in texte and c3.code in texte and c2.code not in texte
    assert c1.criteres.first().intitule in texte
    assert "Le chef d'établissement" in texte
    assert "Signée le" not in texte
    assert "Lycée professionnel a" in texte


def test_generer_sans_competence_message(as_persona, personas, donnees):
    bilan, _ = donnees
    client = as_persona("enseignant")
    response = client.post(url(personas, "bilans:attestation_generer", pk=bilan.pk), follow=True)
    assert "Aucune compétence n&#x27;est validée" in response.content.decode()
    assert not Attestation.objects.exists() and not ExportJob.objects.exists()


def test_attestation_signee_dans_le_pdf(personas, donnees):
    from django.utils import timezone

    from bilans.exporters import AttestationPdf
    from cpro.pipeline_exports import ExportError

    bilan, (c1, _, _) = donnees
    attestation = df.attestation(personas.a, bilan, [c1], signee=True)
    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.chef.user,
        kind="attestation_pdf",
        params={"attestation": attestation.pk},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    _, _, data = AttestationPdf(job).render(lambda p: None)
    texte = " ".join((PdfReader(io.BytesIO(data)).pages[0].extract_text() or "").split())
    chef = personas.a.chef.user
    assert (
        f"Signée le {timezone.localdate():%d/%m/%Y} par {chef.first_name} {chef.last_name}" in texte
    )

    job.etablissement = personas.b.etablissement
    with pytest.raises(ExportError, match="n'existe pas"):
        AttestationPdf(job).render(lambda p: None)


def test_liste_et_signature_par_le_chef(as_persona, personas, donnees):
    bilan, (c1, _, _) = donnees
    attestation = df.attestation(personas.a, bilan, [c1])
    chef = as_persona("chef")
    liste = chef.get(url(personas, "bilans:attestations")).content.decode()
    assert "Non signée" in liste and "Marquer signée" in liste
    response = chef.post(url(personas, "bilans:attestation_signer", pk=attestation.pk))
    assert response.status_code == 302
    attestation.refresh_from_db()
    assert attestation.signee_par == personas.a.chef.user
    liste = chef.get(url(personas, "bilans:attestations")).content.decode()
    assert "Signée" in liste and "Marquer signée" not in liste


def test_enseignant_ne_signe_pas(as_persona, personas, donnees):
    bilan, (c1, _, _) = donnees
    attestation = df.attestation(personas.a, bilan, [c1])
    client = as_persona("enseignant")
    assert "Marquer signée" not in client.get(url(personas, "bilans:attestations")).content.decode()
    response = client.post(url(personas, "bilans:attestation_signer", pk=attestation.pk))
    assert response.status_code == 403
    attestation.refresh_from_db()
    assert attestation.signee_le is None


def test_autre_etablissement_404(as_persona, personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan_b = df.bilan(personas.b, niveaux={c1: "4"}, validees=[c1])
    attestation_b = df.attestation(personas.b, bilan_b, [c1])
    client = as_persona("ddfpt")
    assert (
        client.get(url(personas, "bilans:attestation_competences", pk=bilan_b.pk)).status_code
        == 404
    )
    assert (
        client.post(url(personas, "bilans:attestation_generer", pk=bilan_b.pk)).status_code == 404
    )
    assert (
        client.post(url(personas, "bilans:attestation_pdf", pk=attestation_b.pk)).status_code == 404
    )
    chef = as_persona("chef")
    assert (
        chef.post(url(personas, "bilans:attestation_signer", pk=attestation_b.pk)).status_code
        == 404
    )
    assert Attestation.objects.count() == 1


def test_liste_filtre_division(as_persona, personas, donnees):
    from cpro.models import Division

    bilan, (c1, _, _) = donnees
    df.attestation(personas.a, bilan, [c1])
    autre_division = Division.objects.create(
        etablissement=personas.a.etablissement,
        annee=personas.a.division.annee,
        nom="TZZ",
        diplome=personas.a.diplome,
        niveau=personas.a.division.niveau,
    )
    (eleve,) = df.apprenants(personas.a, 1, division=autre_division)
    df.attestation(personas.a, df.bilan(personas.a, eleve, niveaux={c1: "4"}), [c1])
    client = as_persona("chef")
    page = client.get(url(personas, "bilans:attestations"), {"division": autre_division.pk})
    assert len(page.context["page"].object_list) == 1
    assert page.context["page"].object_list[0].apprenant == eleve
    assert len(client.get(url(personas, "bilans:attestations")).context["page"].object_list) == 2


def test_liste_requetes_constantes(as_persona, personas, donnees, django_assert_num_queries):
    bilan, (c1, _, _) = donnees
    df.attestation(personas.a, bilan, [c1], signee=True)
    client = as_persona("chef")
    page = url(personas, "bilans:attestations")
    client.get(page)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as un:
        assert client.get(page).status_code == 200
    for eleve in df.apprenants(personas.a, 20):
        df.attestation(
            personas.a, df.bilan(personas.a, eleve, niveaux={c1: "4"}), [c1], signee=True
        )
    with django_assert_num_queries(len(un.captured_queries)):
        response = client.get(page)
    assert len(response.context["page"].object_list) == 21


def test_page_competences_requetes_constantes(as_persona, personas, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    petit = df.referentiel(personas.a.diplome, competences=1)
    b1 = df.bilan(personas.a, niveaux={c: "3" for c in petit})
    grand = df.referentiel(personas.a.diplome, competences=12, criteres=4)
    b2 = df.bilan(personas.a, personas.a.apprenti.apprenant, niveaux={c: "3" for c in grand})
    client = as_persona("enseignant")
    client.get(url(personas, "bilans:attestation_competences", pk=b1.pk))
    with CaptureQueriesContext(connection) as un:
        client.get(url(personas, "bilans:attestation_competences", pk=b1.pk))
    with django_assert_num_queries(len(un.captured_queries)):
        client.get(url(personas, "bilans:attestation_competences", pk=b2.pk))
