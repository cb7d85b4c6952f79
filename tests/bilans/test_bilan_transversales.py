"""Transversal competences in the bilans intermédiaires (issue 17): positioned at creation from
the same suggestion, shown apart in the form, the bilan's detail and its PDF, validated and
locked like the others; never attested nor copied to the LSL; the class view shows the last
validated bilan's level; a bilan created before keeps working."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bilans import queries_bilans, queries_documents, services_bilans, services_documents
from bilans.exporters import BilanPdf
from bilans.models import Positionnement
from bilans.queries_transversales import vue_classe_transversale
from bilans.rgpd import DonneesBilans
from cpro.models import ExportJob
from evaluations.models import Evaluation, Nature
from referentiels.services_transversal import changer_activite
from tests.bilans import bilans_factories as bf
from tests.bilans import tableaux_factories as tf
from tests.bilans.test_bilan_formulaire import REQUETES_FORMULAIRE
from tests.referentiels import transversal as tt

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 1, 15)
LEGENDE = "Compétences transversales (référentiel de l'établissement)"


def url(personas, name, **kwargs):
    return reverse(f"bilans:{name}", kwargs={"etab": personas.a.etablissement.slug, **kwargs})


@pytest.fixture
def donnees(personas):
    """A's diploma référentiel (2 competences) and transversal one (AUT, EQU); an évaluation of
    the diploma with an official and a transversal résultat, and one of ANOTHER diploma (a
    workplace one) with transversal résultats only."""
    a = personas.a
    moi = a.apprenant.apprenant
    officiels = bf.referentiel(a)
    tt.referentiel(a)
    aut1, equ1 = tt.critere(a, "AUT.1"), tt.critere(a, "EQU.1")
    ev1 = tf.evaluation(
        a,
        date=datetime.date(2025, 11, 3),
        titre="Accueil client",
        resultats={(moi, officiels[0]): "3", (moi, aut1): "2"},
    )
    ev2 = tf.evaluation(
        a,
        date=datetime.date(2025, 12, 1),
        titre="Stage en entreprise",
        nature=Nature.ENTREPRISE,
        diplome=a.diplome2,
        resultats={(moi, aut1): "4", (moi, equ1): "3"},
    )
    return {"moi": moi, "officiels": officiels, "ev1": ev1, "ev2": ev2}


def _creer(personas, date=D):
    a = personas.a
    return services_bilans.creer_bilan(a.apprenant.apprenant, par=a.enseignant.user, date=date)


def _niveaux(bilan) -> dict[str, tuple[str, str]]:
    return {
        p.competence.code: (p.niveau, p.suggestion)
        for p in bilan.positionnements.select_related("competence")
    }


# --- services --------------------------------------------------------------------------------


def test_creation_positionne_les_transversales_actives(personas, donnees):
    bilan = _creer(personas)
    niveaux = _niveaux(bilan)
    officiels = {c.competence.code for c in donnees["officiels"]}
    assert set(niveaux) == officiels | {"AUT", "EQU"}
    # Same rule as everywhere: the recent workplace observation weighs more.
    exact = queries_bilans.suggestions(donnees["moi"], tt.referentiel(personas.a), D)
    assert niveaux["AUT"] == (exact[tt.competence(personas.a).pk].niveau,) * 2 == ("4", "4")
    assert niveaux["EQU"] == ("3", "3")
    # The évaluation of the other diploma is taken into account (it will be locked).
    assert set(bilan.evaluations.all()) == {donnees["ev1"], donnees["ev2"]}


def test_competence_desactivee_ou_referentiel_inactif(personas, donnees):
    a = personas.a
    changer_activite(tt.competence(a, "EQU"), actif=False, par=a.ddfpt.user)
    assert set(_niveaux(_creer(personas))) >= {"AUT"}
    assert "EQU" not in _niveaux(_creer(personas, datetime.date(2026, 1, 16)))
    referentiel = tt.referentiel(a)
    referentiel.actif = False
    referentiel.save(update_fields=["actif"])
    bilan = _creer(personas, datetime.date(2026, 1, 17))
    assert not {"AUT", "EQU"} & set(_niveaux(bilan))
    assert set(bilan.evaluations.all()) == {donnees["ev1"]}


def test_sans_referentiel_transversal_rien_ne_change(personas):
    a = personas.a
    officiels = bf.referentiel(a)
    bilan = _creer(personas)
    assert set(_niveaux(bilan)) == {c.competence.code for c in officiels}


def test_modifier_et_valider_verrouille_aussi_les_evaluations_transversales(personas, donnees):
    a = personas.a
    bilan = _creer(personas)
    aut = tt.competence(a, "AUT")
    with pytest.raises(ValidationError) as exc:
        services_bilans.modifier_bilan(
            bilan, par=a.enseignant.user, date=D, constats="", conseils="", note=None,
            niveaux={aut.pk: "7"},
        )  # fmt: skip
    assert "Niveau inconnu" in " ".join(exc.value.messages)
    assert Positionnement.objects.get(bilan=bilan, competence=aut).niveau == "4"
    services_bilans.modifier_bilan(
        bilan, par=a.enseignant.user, date=D, constats="", conseils="", note=None,
        niveaux={aut.pk: "3"},
    )  # fmt: skip
    assert Positionnement.objects.get(bilan=bilan, competence=aut).niveau == "3"
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    assert Evaluation.objects.get(pk=donnees["ev2"].pk).verrouillee
    assert Evaluation.objects.get(pk=donnees["ev1"].pk).verrouillee


def test_changer_la_date_garde_les_evaluations_transversales(personas, donnees):
    a = personas.a
    bilan = _creer(personas, datetime.date(2025, 11, 15))
    assert set(bilan.evaluations.all()) == {donnees["ev1"]}
    services_bilans.modifier_bilan(
        bilan, par=a.enseignant.user, date=D, constats="", conseils="", note=None, niveaux={}
    )
    assert set(bilan.evaluations.all()) == {donnees["ev1"], donnees["ev2"]}
    # The suggestion is refreshed for the new date, the teacher's level is kept.
    assert _niveaux(bilan)["AUT"] == ("2", "4")


def test_bilan_ancien_sans_transversales_reste_valide(client, personas, as_persona, donnees):
    a = personas.a
    ancien = bf.bilan(a, evaluations=[donnees["ev1"]])  # created before: diploma only
    as_persona("enseignant")
    html = client.get(url(personas, "bilan_modifier", pk=ancien.pk)).content.decode()
    assert LEGENDE not in html
    page = client.get(url(personas, "bilans"), {"apprenant": donnees["moi"].pk}).content.decode()
    assert "Compétences transversales" not in page
    services_bilans.modifier_bilan(
        ancien, par=a.enseignant.user, date=D, constats="", conseils="", note=None, niveaux={}
    )
    services_bilans.valider_bilan(ancien, par=a.enseignant.user)
    ancien.refresh_from_db()
    assert ancien.est_valide and not Evaluation.objects.get(pk=donnees["ev2"].pk).verrouillee


# --- pages -----------------------------------------------------------------------------------


def test_formulaire_fieldset_a_part_et_saisie(
    client, personas, as_persona, donnees, django_assert_num_queries
):
    a = personas.a
    bilan = _creer(personas)
    as_persona("enseignant")
    with django_assert_num_queries(REQUETES_FORMULAIRE):
        html = client.get(url(personas, "bilan_modifier", pk=bilan.pk)).content.decode()
    officiel, transversal = html.split(f"<legend>{LEGENDE}</legend>")
    assert "ce ne sont pas des compétences du référentiel officiel" in transversal
    aut, equ = tt.competence(a, "AUT"), tt.competence(a, "EQU")
    for c in (aut, equ):
        assert f'name="niveau_{c.pk}"' in transversal and f'name="niveau_{c.pk}"' not in officiel
        assert url(personas, "bilan_pourquoi", pk=bilan.pk, competence=c.pk) in transversal
    # « Pourquoi ? » of a transversal competence lists the other diploma's évaluation.
    fragment = client.get(
        url(personas, "bilan_pourquoi", pk=bilan.pk, competence=aut.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Stage en entreprise" in fragment and "Accueil client" in fragment
    data = {"date": "15/01/2026", "valider": "1"}
    data |= {f"niveau_{p.competence_id}": p.niveau for p in bilan.positionnements.all()}
    data[f"niveau_{equ.pk}"] = "1"
    r = client.post(url(personas, "bilan_modifier", pk=bilan.pk), data)
    assert r.status_code == 302
    bilan.refresh_from_db()
    assert bilan.est_valide and _niveaux(bilan)["EQU"] == ("1", "3")
    # The bilan's detail shows them apart.
    page = client.get(url(personas, "bilans"), {"apprenant": donnees["moi"].pk}).content.decode()
    section = page.split('id="bilan-transversales-titre"')[1].split("</section>")[0]
    assert "Autonomie" in section and "Travail en équipe" in section
    # … and the table competence × bilans keeps only the diploma's competences.
    tableau = page.split('class="tableau bilan-tableau"')[1].split("</table>")[0]
    assert "Autonomie" not in tableau and donnees["officiels"][0].competence.intitule in tableau


def test_vue_classe_transversale_montre_le_dernier_bilan_valide(personas, donnees):
    a = personas.a
    bilan = _creer(personas)
    aut = tt.competence(a, "AUT")
    services_bilans.modifier_bilan(
        bilan, par=a.enseignant.user, date=D, constats="", conseils="", note=None,
        niveaux={aut.pk: "1"},
    )  # fmt: skip
    reference = datetime.date(2026, 2, 1)
    avant = vue_classe_transversale(a.division, tt.referentiel(a), reference=reference)
    ligne = next(li for li in avant.lignes if li.apprenant == donnees["moi"])
    assert [(p.niveau, p.suggere) for p in ligne.positions] == [("4", True), ("3", True)]
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    apres = vue_classe_transversale(a.division, tt.referentiel(a), reference=reference)
    ligne = next(li for li in apres.lignes if li.apprenant == donnees["moi"])
    assert [(p.niveau, p.suggere, p.date) for p in ligne.positions] == [
        ("1", False, D),
        ("3", False, D),
    ]


# --- never official: attestations, LSL; RGPD ---------------------------------------------------


def test_attestation_sans_transversales(personas, donnees):
    a = personas.a
    bilan = _creer(personas)
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    lignes = queries_documents.competences_attestation(bilan)
    assert {li.competence.code for li in lignes} == {
        c.competence.code for c in donnees["officiels"]
    }
    aut = tt.competence(a, "AUT")
    with pytest.raises(ValidationError):
        services_documents.valider_competences(bilan, [aut.pk], par=a.enseignant.user)
    officiel = donnees["officiels"][0].competence
    services_documents.valider_competences(bilan, [officiel.pk], par=a.enseignant.user)
    # Even a transversal row checked by hand is never attested.
    Positionnement.objects.filter(bilan=bilan, competence=aut).update(competence_validee=True)
    attestation = services_documents.generer_attestation(bilan, par=a.enseignant.user)
    assert list(attestation.competences.values_list("code", flat=True)) == [officiel.code]


def test_lsl_sans_transversales(personas, donnees):
    from lslpro import queries as lsl_queries
    from tests.lslpro import lsl_factories as lf

    a = personas.a
    lsl = lf.competences_lsl(a, n=2)
    bilan = _creer(personas, lf.jour(40))
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    niveaux = lsl_queries.niveaux_lsl_des_bilans([bilan], lsl)[bilan.pk]
    assert set(niveaux) == {c.pk for c in lsl}
    lf.periodicite(a)
    page = lsl_queries.page_livret(donnees["moi"], a.diplome, lf.annee())
    assert set(page.recopie) == {c.pk for c in lsl}


def test_rgpd_exporte_les_positionnements_transversaux(personas, donnees):
    bilan = _creer(personas)
    export = DonneesBilans().exporter(donnees["moi"])
    codes = {p["competence"] for b in export["bilans"] for p in b["positionnements"]}
    assert {"AUT", "EQU"} <= codes and bilan.positionnements.count() == len(codes)


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_du_bilan_avec_section_transversale(
    personas, as_persona, donnees, django_capture_on_commit_callbacks
):
    bilan = _creer(personas)
    client = as_persona("enseignant")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(personas, "bilan_pdf", pk=bilan.pk))
    job = ExportJob.objects.get()
    assert job.kind == BilanPdf.kind and job.status == ExportJob.Status.TERMINE, job.error
    etab = personas.a.etablissement.slug
    r = client.get(reverse("etab:export_telecharger", kwargs={"etab": etab, "job_id": job.pk}))
    assert r.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(r.streaming_content)))
    texte = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Compétences transversales (référentiel de l'établissement)" in texte
    assert "AUT Autonomie" in texte and "EQU Travail en équipe" in texte
    assert "pas des compétences du référentiel officiel" in texte
    # The official table lists only the diploma's competences.
    officiel = texte.split("Positionnement par compétence")[1].split("Compétences transversales")[0]
    assert "Autonomie" not in officiel


def test_pronote_sans_transversales(personas, donnees):
    a = personas.a
    bilan = _creer(personas)
    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    jour = timezone.localdate()
    (json,) = queries_documents.bilans_pronote(a.etablissement, jour, jour)
    codes = {p["competence"] for p in json["positionnements"]}
    assert codes == {c.competence.code for c in donnees["officiels"]}
