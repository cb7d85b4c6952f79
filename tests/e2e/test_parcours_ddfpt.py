"""Issue 9: the DDFPT's journey. Imports a SIECLE ElevesSansAdresses.xml through the preview
and the confirmation (choosing the new divisions' diplôme and niveau), sets the LSL
périodicité, and unlocks a validated bilan intermédiaire."""

import datetime
import re

import pytest
from django.utils import timezone

from bilans import services_bilans
from bilans.models import BilanIntermediaire
from cpro.models import AnneeScolaire, Apprenant, Division
from evaluations.models import Resultat
from lslpro.models import Periodicite
from referentiels.models import Critere
from tests.e2e.outils import choisir_diplome, confirmer, connecter
from tests.evaluations import grille_factories as gf
from tests.gestion.fichiers import siecle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _bilan_valide(a):
    """A validated bilan of the scolaire learner, taking one évaluation into account."""
    eleve, prof = a.apprenant.apprenant, a.enseignant.user
    date = max(
        timezone.localdate() - datetime.timedelta(days=1), AnneeScolaire.courante().date_debut
    )
    criteres = list(
        Critere.objects.filter(competence__diplome=a.diplome).order_by(
            "competence__ordre", "ordre"
        )[:2]
    )
    ev = gf.evaluation(
        a, titre="Vente additionnelle", participants=[eleve], criteres=criteres, date=date
    )
    for critere in criteres:
        Resultat.objects.create(evaluation=ev, apprenant=eleve, critere=critere, niveau="3")
    bilan = services_bilans.creer_bilan(eleve, par=prof, date=date)
    services_bilans.valider_bilan(bilan, par=prof)
    ev.refresh_from_db()
    assert ev.verrouillee
    return bilan, ev


def test_parcours_ddfpt(live_server, page, personas, referentiels_charges, csp_violations, capture):
    a = personas.a
    bilan, ev = _bilan_valide(a)
    base = f"{live_server.url}/lp-a"

    connecter(page, base, "a-ddfpt")
    page.wait_for_url(f"{base}/diplome/**")
    choisir_diplome(page, "Bac Pro MCV A")
    page.wait_for_url(f"{base}/accueil/")
    nav = page.get_by_role("navigation", name="Navigation principale")

    # SIECLE import: file → preview (nothing written yet) → divisions chosen → confirmation.
    nav.get_by_text("Administration").click()
    nav.get_by_role("link", name="Importer (SIECLE / CSV)").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "ElevesSansAdresses.xml", "mimeType": "text/xml", "buffer": siecle()}
    )
    page.get_by_role("button", name="Afficher l'aperçu").click()
    page.get_by_role("heading", name="Aperçu de l'import").wait_for()
    resume = page.locator("ul.bilan-import").inner_text()
    assert "3 apprenants à créer" in resume and "1 élève sans division, ignoré" in resume
    assert not Apprenant.objects.filter(eleve_id="501234").exists()
    page.get_by_label(re.compile(r"^1MCV \(2 apprenants\)")).select_option(
        label="Bac Pro MCV A – Première"
    )
    page.get_by_label(re.compile(r"^2MRC \(1 apprenant\)")).select_option(
        label="Ne pas importer cette division"
    )
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text(re.compile("Import terminé : 2 apprenant\\(s\\) créé\\(s\\)")).wait_for()
    division = Division.objects.get(etablissement=a.etablissement, nom="1MCV")
    assert (division.diplome, division.niveau) == (a.diplome, "PREMIERE")
    importes = Apprenant.objects.filter(division=division).order_by("eleve_id")
    assert [x.eleve_id for x in importes] == ["501234", "501235"]
    assert not Division.objects.filter(nom="2MRC").exists()
    assert page.get_by_text("LEFÈVRE", exact=False).first.is_visible()

    # LSL périodicité: trimestres for the MCV A Première.
    nav.get_by_text("LSL Pro").click()
    nav.get_by_role("link", name="Périodicité").click()
    page.get_by_label("Bac Pro MCV A – Première").select_option(label="Trimestre")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("La périodicité est enregistrée.").wait_for()
    per = Periodicite.objects.get(
        etablissement=a.etablissement, diplome=a.diplome, niveau="PREMIERE"
    )
    assert per.type == Periodicite.Type.TRIMESTRE and per.annee == AnneeScolaire.courante()
    assert page.get_by_label("Bac Pro MCV A – Première").input_value() == per.type

    # Unlock the learner's validated bilan (Éditer les bilans › Bilans intermédiaires).
    nav.get_by_text("Éditer les bilans").click()
    nav.get_by_role("link", name="Bilans intermédiaires").click()
    page.goto(f"{page.url.split('?')[0]}?division={a.division.pk}&apprenant={bilan.apprenant_id}")
    page.get_by_role("button", name="Déverrouiller le bilan").click()
    confirmer(page)
    page.get_by_text(re.compile("Le bilan est déverrouillé")).wait_for()
    assert page.locator(".bilan-detail .badge.brouillon").is_visible()
    bilan.refresh_from_db()
    ev.refresh_from_db()
    assert bilan.statut == BilanIntermediaire.Statut.BROUILLON and bilan.valide_le is None
    assert not ev.verrouillee
    capture(page, "parcours_ddfpt")
    assert csp_violations == []
