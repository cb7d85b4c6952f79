"""Attestations are official documents: only from a validated bilan, never an application
convention as a competence (MCV C1.0), reconstructed criteria never printed as official, labels
that are not verified marked with a mention (issue « Documents officiels fiables »)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bilans import queries_documents
from bilans import services_documents as services
from bilans.exporters import AttestationPdf
from bilans.models import Attestation, BilanIntermediaire, Positionnement
from cpro.models import AuditLog, ExportJob
from referentiels.models import Competence, Confiance, Critere
from tests.bilans import documents_factories as df

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


def texte_pdf(data: bytes) -> str:
    pdf = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def rendre_attestation(personas, attestation) -> str:
    job = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.enseignant.user,
        kind="attestation_pdf",
        params={"attestation": attestation.pk},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    _, _, data = AttestationPdf(job).render(lambda p: None)
    return texte_pdf(data)


def rien_ecrit():
    assert not Attestation.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="attestation.").exists()
    assert not ExportJob.objects.exists()


# --- a draft is refused -----------------------------------------------------------------------


def test_service_refuse_un_bilan_brouillon(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(
        personas.a, niveaux={c1: "4"}, validees=[c1], valide=False, date=datetime.date(2026, 10, 5)
    )
    with pytest.raises(services.BilanNonValide) as exc:
        services.generer_attestation(bilan, par=personas.a.enseignant.user)
    assert exc.value.code == "bilan_non_valide"
    assert exc.value.messages == [
        "Le bilan du 05/10/2026 est encore un brouillon : validez-le avant de générer une "
        "attestation de compétences."
    ]
    rien_ecrit()


def test_service_relit_le_statut_sous_verrou(personas):
    """The instance in hand says « validé » but the DDFPT has just unlocked it: refused."""
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={c1: "4"}, validees=[c1])
    BilanIntermediaire.objects.filter(pk=bilan.pk).update(
        statut=BilanIntermediaire.Statut.BROUILLON, valide_le=None
    )
    assert bilan.est_valide
    with pytest.raises(services.BilanNonValide):
        services.generer_attestation(bilan, par=personas.a.enseignant.user)
    rien_ecrit()


def test_vue_generer_refuse_un_brouillon_sans_rien_ecrire(
    as_persona, personas, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={c1: "4"}, validees=[c1], valide=False)
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas, "bilans:attestation_generer", pk=bilan.pk))
    assert response.status_code == 302
    assert response["Location"] == url(personas, "bilans:attestation_competences", pk=bilan.pk)
    page = client.get(response["Location"]).content.decode()
    assert "encore un brouillon : validez-le avant de générer" in page
    rien_ecrit()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))


def test_page_brouillon_ne_propose_pas_la_generation(as_persona, personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    brouillon = df.bilan(personas.a, niveaux={c1: "4"}, validees=[c1], valide=False)
    client = as_persona("enseignant")
    html = client.get(url(personas, "bilans:attestation_competences", pk=brouillon.pk))
    html = html.content.decode()
    assert "Ce bilan est un brouillon." in html
    assert "Générer l'attestation (" not in html
    assert url(personas, "bilans:attestation_generer", pk=brouillon.pk) not in html

    valide = df.bilan(personas.a, personas.a.apprenti.apprenant, niveaux={c1: "4"}, validees=[c1])
    html = client.get(url(personas, "bilans:attestation_competences", pk=valide.pk))
    html = html.content.decode()
    assert "Ce bilan est un brouillon." not in html
    assert "Générer l'attestation (1 compétence)" in html


def test_lien_attestation_seulement_sur_un_bilan_valide(as_persona, personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    apprenant = personas.a.apprenant.apprenant
    brouillon = df.bilan(personas.a, niveaux={c1: "3"}, valide=False)
    valide = df.bilan(personas.a, niveaux={c1: "3"}, date=datetime.date(2026, 1, 5))
    client = as_persona("enseignant")
    page = reverse("bilans:bilans", kwargs={"etab": personas.a.etablissement.slug})

    html = client.get(page, {"apprenant": apprenant.pk, "bilan": brouillon.pk}).content.decode()
    assert url(personas, "bilans:attestation_competences", pk=brouillon.pk) not in html
    assert "Attestation : validez d'abord ce bilan." in html

    html = client.get(page, {"apprenant": apprenant.pk, "bilan": valide.pk}).content.decode()
    assert url(personas, "bilans:attestation_competences", pk=valide.pk) in html


# --- conventions --------------------------------------------------------------------------------


def _convention(diplome):
    (c,) = df.referentiel(diplome, competences=1)
    c.convention = True
    c.intitule = "Communication (critère transversal des grilles E31/E32)"
    c.save()
    return c


def test_convention_jamais_validable_ni_attestee(personas):
    convention = _convention(personas.a.diplome)
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    # A row checked before the rule existed stays in the database: still never attested.
    bilan = df.bilan(personas.a, niveaux={convention: "4", c1: "4"}, validees=[convention, c1])
    par = personas.a.enseignant.user
    with pytest.raises(services.ValidationError) as exc:
        services.valider_competences(bilan, [convention.pk, c1.pk], par=par)
    assert exc.value.code == "convention"
    assert convention.code in exc.value.messages[0]
    attestation = services.generer_attestation(bilan, par=par)
    assert list(attestation.competences.values_list("code", flat=True)) == [c1.code]
    assert AuditLog.objects.get(action="attestation.creation").apres["competences"] == [c1.code]
    # Unchecking through the service clears the legacy box of the convention too.
    services.valider_competences(bilan, [c1.pk], par=par)
    assert not Positionnement.objects.get(bilan=bilan, competence=convention).competence_validee


def test_page_ne_propose_pas_la_convention(as_persona, personas):
    convention = _convention(personas.a.diplome)
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={convention: "4", c1: "4"})
    client = as_persona("enseignant")
    page = url(personas, "bilans:attestation_competences", pk=bilan.pk)
    html = client.get(page).content.decode()
    assert f'value="{c1.pk}"' in html
    assert f'value="{convention.pk}"' not in html and "Communication (critère" not in html
    response = client.post(page, {"competences": [convention.pk]})
    assert response.status_code == 200  # not a choice of the form
    assert not Positionnement.objects.filter(bilan=bilan, competence_validee=True).exists()


def test_pdf_d_une_ancienne_attestation_omet_la_convention(personas):
    """An attestation stored with C1.0 before the fix prints without it."""
    convention = _convention(personas.a.diplome)
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={convention: "4", c1: "4"})
    attestation = df.attestation(personas.a, bilan, [convention, c1])
    texte = rendre_attestation(personas, attestation)
    assert c1.code in texte
    assert convention.code not in texte and "Communication (critère transversal" not in texte


# --- provenance on the attestation ------------------------------------------------------------


def test_pdf_marque_les_libelles_a_verifier_et_omet_les_criteres_reconstruits(personas):
    c1, c2, c3 = df.referentiel(personas.a.diplome, competences=3, criteres=2)
    Competence.objects.filter(pk=c2.pk).update(confiance=Confiance.MOYENNE)
    Competence.objects.filter(pk=c3.pk).update(confiance=Confiance.BASSE)
    reconstruit = c1.criteres.order_by("ordre")[1]
    reconstruit.intitule = "Critère inventé pour le test"
    reconstruit.confiance = Confiance.BASSE
    reconstruit.save()
    Critere.objects.filter(competence=c3).update(confiance=Confiance.BASSE)
    bilan = df.bilan(personas.a, niveaux={c1: "4", c2: "4", c3: "4"})
    texte = rendre_attestation(personas, df.attestation(personas.a, bilan, [c1, c2, c3]))

    assert "Critère inventé pour le test" not in texte
    assert c1.criteres.order_by("ordre")[0].intitule in texte
    assert f"{c2.intitule} *" in texte and f"{c3.intitule} **" in texte
    assert f"{c1.intitule} *" not in texte
    assert "Critères d'évaluation non reproduits (non attestés par le texte officiel)" in texte
    assert "* Libellé repris du référentiel avec une confiance moyenne" in texte
    assert "** Libellé reconstruit, non attesté par le texte officiel" in texte
    assert (
        "3 critères d'évaluation reconstruits, non attestés par le texte officiel du "
        "référentiel, ne sont pas reproduits sur cette attestation" in texte
    )


def test_pdf_sans_mention_quand_tout_est_verifie(personas):
    (c1,) = df.referentiel(personas.a.diplome, competences=1)
    bilan = df.bilan(personas.a, niveaux={c1: "4"})
    texte = rendre_attestation(personas, df.attestation(personas.a, bilan, [c1]))
    assert "Mentions" not in texte and "*" not in texte
    assert f"bilan intermédiaire validé du {bilan.date:%d/%m/%Y}" in texte


def test_attestation_sur_le_vrai_referentiel(
    as_persona, personas, referentiels_charges, django_capture_on_commit_callbacks
):
    """End to end on MCV A as loaded by charger_referentiels: every competence positioned and
    checked (C1.0 checked before the fix): the PDF never lists C1.0 and no reconstructed
    criterion."""
    diplome = personas.a.diplome
    competences = list(Competence.objects.filter(diplome=diplome))
    c10 = Competence.objects.get(diplome=diplome, code="C1.0")
    assert c10.convention
    bilan = df.bilan(
        personas.a, niveaux={c: "4" for c in competences}, validees=competences, note=None
    )
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(personas, "bilans:attestation_generer", pk=bilan.pk))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.TERMINE, job.error
    download = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    texte = texte_pdf(b"".join(download.streaming_content))

    assert "C1.0" not in texte and "Communication (critère transversal" not in texte
    assert "Adaptation de la communication verbale" not in texte  # C1.0's criterion
    reconstruits = Critere.objects.filter(
        competence__diplome=diplome, confiance=Confiance.BASSE
    ).values_list("intitule", flat=True)
    assert len(reconstruits) == 26
    for intitule in reconstruits:
        assert " ".join(intitule.split()) not in texte, intitule
    assert "Qualité du questionnement, de l'écoute et de la reformulation" in texte  # C1.2-1
    assert "C1.2 Réaliser la vente dans un cadre omnicanal" in texte
    # C2.2's label has a medium confidence: marked, with its mention.
    assert "Mettre en œuvre le ou les services associés *" in texte
    assert "26 critères d'évaluation reconstruits" in texte
    attestation = Attestation.objects.get()
    assert "C1.0" not in set(attestation.competences.values_list("code", flat=True))
    assert attestation.competences.count() == len(competences) - 1


def test_page_marque_la_provenance(as_persona, personas, referentiels_charges):
    diplome = personas.a.diplome
    competences = list(Competence.objects.filter(diplome=diplome))
    bilan = df.bilan(personas.a, niveaux={c: "3" for c in competences})
    html = (
        as_persona("enseignant")
        .get(url(personas, "bilans:attestation_competences", pk=bilan.pk))
        .content.decode()
    )
    assert 'href="/static/cpro/css/provenance.css"' in html
    reconstruit = Critere.objects.get(competence__diplome=diplome, code="C1.2-4")
    ident = f"prov-critere-{reconstruit.pk}"
    assert f'aria-describedby="{ident}"' in html
    assert f'role="tooltip" id="{ident}"' in html
    assert "à vérifier · reconstruit" in html and "(non imprimé sur l'attestation)" in html
    assert "from memory" in html  # its source, in the tooltip
    c22 = Competence.objects.get(diplome=diplome, code="C2.2")
    assert f'aria-describedby="prov-competence-{c22.pk}"' in html
    attestee = Critere.objects.get(competence__diplome=diplome, code="C1.2-1")
    assert f"prov-critere-{attestee.pk}" not in html  # verified: no marker
    assert "style=" not in html.split("<main", 1)[-1]  # CSP: no inline style


def test_page_requetes_epinglees(as_persona, personas, django_assert_num_queries):
    petit = df.referentiel(personas.a.diplome, competences=1)
    b1 = df.bilan(personas.a, niveaux={c: "3" for c in petit})
    grand = df.referentiel(personas.a.diplome, competences=12, criteres=4)
    b2 = df.bilan(personas.a, personas.a.apprenti.apprenant, niveaux={c: "3" for c in grand})
    client = as_persona("enseignant")
    client.get(url(personas, "bilans:attestation_competences", pk=b1.pk))  # warm the session
    for bilan in (b1, b2):
        # Session, user, membership, diplômes, bilan, positionnements, criteria, history…
        with django_assert_num_queries(9):
            assert (
                client.get(url(personas, "bilans:attestation_competences", pk=bilan.pk))
            ).status_code == 200


def test_attestation_complete_requetes_epinglees(personas, django_assert_num_queries):
    c1, c2 = df.referentiel(personas.a.diplome, competences=2, criteres=3)
    bilan = df.bilan(personas.a, niveaux={c1: "4", c2: "4"})
    petite = df.attestation(personas.a, bilan, [c1])
    grande = df.attestation(
        personas.a, bilan, [c1, c2, *df.referentiel(personas.a.diplome, competences=8)]
    )
    for attestation in (petite, grande):
        # Attestation (+ learner, diplôme, bilan…), competences, their criteria.
        with django_assert_num_queries(3):
            a = queries_documents.attestation_complete(personas.a.etablissement, attestation.pk)
            assert a.contenu.lignes and a.bilan.est_valide
