"""Livret pages: list with statuses, livret page (content read from pfmp), the apprentice's and
the maître d'apprentissage's pages, the forms, the signed link, the PDF end to end, and the
query counts pinned (constant in the number of rows)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cpro.models import AnneeScolaire, ExportJob, Statut
from livrets import services
from livrets.models import Auteur, Observation, PriseConnaissance, Visite
from pfmp.models import FicheActivite, SemaineJournal
from pfmp.services_portfolio import revoquer_lien
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory
from tests.livrets import factories as lf

pytestmark = pytest.mark.django_db

# Pinned query counts (session, user, membership, diplôme… then the page's own queries).
REQUETES_LISTE = 11
REQUETES_LIVRET = 14
REQUETES_TUTEUR = 6


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


def _url_livret(personas, aff):
    return url(personas, "livrets:livret", annee=aff.periode.annee.debut, pk=aff.apprenant_id)


def _observer(personas, aff, *, maitre=True, enseignant=True):
    if maitre:
        services.observer(aff, auteur=Auteur.MAITRE, texte="Sérieux.", par=personas.a.tuteur.user)
    if enseignant:
        services.observer(
            aff, auteur=Auteur.ENSEIGNANT, texte="En progrès.", par=personas.a.enseignant.user
        )


def _apprenti(side, nom):
    user = UserFactory(username=f"apprenti-{nom}", last_name=nom, first_name="Test")
    return ApprenantFactory(
        etablissement=side.etablissement,
        membership=MembershipFactory(user=user, etablissement=side.etablissement, role="APPRENANT"),
        division=side.division,
        statut=Statut.APPRENTI,
    )


# --- the list ---------------------------------------------------------------------------------


def test_liste_montre_les_etats_et_les_raisons(as_persona, personas):
    side = personas.a
    en_retard = lf.affectation(side, titre="PFMP de novembre")
    _observer(personas, en_retard, enseignant=False)
    a_jour = lf.affectation(side, apprenant=_apprenti(side, "ZOLA"), titre="PFMP de décembre")
    _observer(personas, a_jour)
    lf.affectation(side, apprenant=side.apprenant.apprenant)  # scolaire: no livret
    response = as_persona("ddfpt").get(url(personas, "livrets:liste"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<tr>") == 3  # header + two apprentices, not the scolaire learner
    assert "ZOLA" in html and side.apprenti.user.last_name.upper() in html
    assert "En retard" in html and "À jour" in html
    assert (
        "« PFMP de novembre » terminée depuis plus de 15 jours sans observation du professeur"
        in (html.replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»"))
    )
    assert "1 livret en retard" in html


def test_liste_par_diplome_et_etat_vide(client, personas):
    from tests.personas import login

    side = personas.a
    login(client, side.enseignant2, side.diplome)
    html = client.get(url(personas, "livrets:liste")).content.decode()
    assert side.apprenti.user.last_name.upper() in html and "✓ À jour" in html
    login(client, side.enseignant2, side.diplome2)  # no apprentice prepares this diplôme
    html = client.get(url(personas, "livrets:liste")).content.decode()
    assert "Aucun apprenti n'est inscrit pour ce diplôme" in html


def test_liste_nombre_de_requetes_constant(as_persona, personas, django_assert_num_queries):
    side = personas.a
    _observer(personas, lf.affectation(side))
    client = as_persona("ddfpt")
    adresse = url(personas, "livrets:liste")
    client.get(adresse)  # warm the session and the current school year
    with django_assert_num_queries(REQUETES_LISTE):
        assert client.get(adresse).status_code == 200
    for i in range(8):
        aff = lf.affectation(side, apprenant=_apprenti(side, f"NOM{i}"))
        _observer(personas, aff)
        Visite.objects.create(
            livret=Observation.objects.filter(affectation=aff).first().livret,
            affectation=aff,
            date=aff.periode.date_debut,
            nature="APPEL",
            compte_rendu="x",
        )
    with django_assert_num_queries(REQUETES_LISTE):
        response = client.get(adresse)
    assert response.content.decode().count("<tr>") == 10


# --- one livret -------------------------------------------------------------------------------


def test_livret_montre_les_donnees_pfmp_sans_double_saisie(as_persona, personas):
    aff = lf.affectation(personas.a, titre="PFMP de printemps")
    FicheActivite.objects.filter(portfolio__affectation=aff, numero=1).update(
        titre="Réception des livraisons", statut="VALIDEE"
    )
    SemaineJournal.objects.filter(portfolio__affectation=aff, numero=2).update(
        activites="Inventaire du rayon frais"
    )
    _observer(personas, aff)
    for qui in ("enseignant", "chef", "tuteur", "apprenti"):
        html = as_persona(qui).get(_url_livret(personas, aff)).content.decode()
        for attendu in (
            "PFMP de printemps",
            "Réception des livraisons",
            "Inventaire du rayon frais",
            "Sérieux.",
            "En progrès.",
            aff.entreprise.nom,
        ):
            assert attendu in html, (qui, attendu)
    # who sees which form
    html_prof = as_persona("enseignant").get(_url_livret(personas, aff)).content.decode()
    assert (
        "Enregistrer le suivi" in html_prof and "Modifier l'observation du professeur" in html_prof
    )
    html_chef = as_persona("chef").get(_url_livret(personas, aff)).content.decode()
    assert "Enregistrer" not in html_chef
    html_ma = as_persona("tuteur").get(_url_livret(personas, aff)).content.decode()
    assert "Modifier mon observation" in html_ma and "Enregistrer le suivi" not in html_ma


def test_le_maitre_ne_voit_que_ses_periodes(as_persona, personas):
    side = personas.a
    sienne = lf.affectation(side, titre="Chez son maître")
    autre = lf.affectation(side, titre="Chez un autre", tuteur=side.autre_tuteur)
    html = as_persona("tuteur").get(_url_livret(personas, sienne)).content.decode()
    assert "Chez son maître" in html and "Chez un autre" not in html
    assert (
        as_persona("tuteur")
        .post(url(personas, "livrets:observation", pk=autre.pk), {"texte": "x"})
        .status_code
        == 404
    )


def test_livret_nombre_de_requetes_constant(as_persona, personas, django_assert_num_queries):
    side = personas.a
    aff = lf.affectation(side)
    _observer(personas, aff)
    client = as_persona("enseignant")
    adresse = _url_livret(personas, aff)
    client.get(adresse)
    with django_assert_num_queries(REQUETES_LIVRET):
        assert client.get(adresse).status_code == 200
    for i in range(5):
        debut = aff.periode.date_debut - datetime.timedelta(days=5 * (i + 1))
        autre = lf.affectation(side, debut=debut, jours=3)
        _observer(personas, autre)
        services.ajouter_visite(
            autre, par=side.enseignant.user, date=debut, nature="VISITE", compte_rendu="vu"
        )
    with django_assert_num_queries(REQUETES_LIVRET):
        response = client.get(adresse)
    assert response.content.decode().count('class="lv-periode"') == 6


def test_mon_livret(as_persona, personas):
    # « Mon livret » is the current school year's, whatever today's date.
    debut = max(AnneeScolaire.courante().date_debut, timezone.localdate() - datetime.timedelta(30))
    aff = lf.affectation(personas.a, titre="Ma période", debut=debut)
    html = as_persona("apprenti").get(url(personas, "livrets:mon_livret")).content.decode()
    assert "Ma période" in html and "Exporter le livret en PDF" in html
    response = as_persona("apprenant").get(url(personas, "livrets:mon_livret"))
    assert response.status_code == 200
    assert "réservé aux apprentis" in response.content.decode()
    assert aff.periode.titre not in response.content.decode()


def test_liste_du_maitre_nombre_de_requetes_constant(
    as_persona, personas, django_assert_num_queries
):
    side = personas.a
    lf.affectation(side, titre="Première période")
    client = as_persona("tuteur")
    adresse = url(personas, "livrets:tuteur")
    client.get(adresse)
    with django_assert_num_queries(REQUETES_TUTEUR):
        response = client.get(adresse)
    assert "Première période" in response.content.decode()
    assert "1 observation à écrire" in response.content.decode()
    for i in range(6):
        lf.affectation(side, apprenant=_apprenti(side, f"MA{i}"))
    with django_assert_num_queries(REQUETES_TUTEUR):
        response = client.get(adresse)
    assert response.content.decode().count('class="lv-carte"') == 7


# --- forms --------------------------------------------------------------------------------------


def test_parcours_des_formulaires(as_persona, personas):
    aff = lf.affectation(personas.a)
    retour = _url_livret(personas, aff) + f"#periode-{aff.pk}"
    r = as_persona("enseignant").post(
        url(personas, "livrets:observation", pk=aff.pk), {"texte": "Bonne intégration."}
    )
    assert r.status_code == 302 and r["Location"] == retour
    r = as_persona("enseignant").post(
        url(personas, "livrets:visite", pk=aff.pk),
        {"date": aff.periode.date_debut.isoformat(), "nature": "VISITE", "compte_rendu": "Vu."},
    )
    assert r.status_code == 302 and Visite.objects.get().nature == "VISITE"
    as_persona("tuteur").post(url(personas, "livrets:observation", pk=aff.pk), {"texte": "Motivé."})
    assert set(Observation.objects.values_list("auteur", flat=True)) == {"MAITRE", "ENSEIGNANT"}
    as_persona("tuteur").post(url(personas, "livrets:pris_connaissance", pk=aff.pk))
    as_persona("apprenti").post(url(personas, "livrets:pris_connaissance", pk=aff.pk))
    assert set(PriseConnaissance.objects.values_list("qui", flat=True)) == {"MAITRE", "APPRENTI"}


def test_erreurs_affichees_en_francais(as_persona, personas):
    aff = lf.affectation(personas.a)
    client = as_persona("enseignant")
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    r = client.post(
        url(personas, "livrets:visite", pk=aff.pk),
        {"date": demain, "nature": "VISITE", "compte_rendu": "x"},
        follow=True,
    )
    assert "ne peut pas être dans le futur" in r.content.decode()
    r = client.post(url(personas, "livrets:observation", pk=aff.pk), {"texte": ""}, follow=True)
    assert "Écrivez le texte." in r.content.decode()
    assert not Visite.objects.exists() and not Observation.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["livrets:observation", "livrets:visite", "livrets:pris_connaissance", "livrets:lien_creer"],
)
def test_get_sur_une_vue_post_405(as_persona, personas, name):
    aff = lf.affectation(personas.a)
    assert as_persona("enseignant").get(url(personas, name, pk=aff.pk)).status_code == 405


# --- the maître d'apprentissage's signed link -----------------------------------------------


def test_lien_signe_du_maitre(client, as_persona, personas):
    side = personas.a
    aff = lf.affectation(side, titre="Période liée")
    autre = lf.affectation(side, titre="Autre période")
    r = as_persona("enseignant").post(
        url(personas, "livrets:lien_creer", pk=aff.pk), {"duree_jours": "30"}, follow=True
    )
    texte = r.content.decode()
    debut = texte.index("/livrets/acces/")
    adresse = texte[debut : texte.index("/", debut + len("/livrets/acces/")) + 1]
    client.logout()
    r = client.get(f"/{side.etablissement.slug}{adresse}")
    page = url(personas, "livrets:lien", pk=aff.pk)
    assert r.status_code == 302 and r["Location"] == page
    html = client.get(page).content.decode()
    assert "Période liée" in html and "Autre période" not in html
    assert client.get(url(personas, "livrets:lien", pk=autre.pk)).status_code == 404
    client.post(page, {"action": "observation", "texte": "Très investi."})
    obs = Observation.objects.get()
    assert (obs.auteur, obs.texte, obs.lien.affectation) == (Auteur.MAITRE, "Très investi.", aff)
    client.post(page, {"action": "pris_connaissance"})
    assert PriseConnaissance.objects.get().qui == "MAITRE"
    revoquer_lien(obs.lien, par=side.enseignant.user)
    assert client.get(page).status_code == 410
    assert client.get(f"/{side.etablissement.slug}/livrets/acces/faux/").status_code == 404


# --- PDF through the export pipeline ----------------------------------------------------------


def test_pdf_de_bout_en_bout(as_persona, personas, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    side = personas.a
    aff = lf.affectation(side, titre="PFMP boulangerie")
    _observer(personas, aff)
    services.ajouter_visite(
        aff,
        par=side.enseignant.user,
        date=aff.periode.date_debut,
        nature="VISITE",
        compte_rendu="Rencontre avec le maître d'apprentissage.",
    )
    client = as_persona("ddfpt")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url(personas, "livrets:exporter", annee=aff.periode.annee.debut, pk=aff.apprenant_id)
        )
    job = ExportJob.objects.get()
    assert r["Location"] == url(personas, "etab:export_etat", job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.kind == "livret_apprentissage_pdf"
    telechargement = client.get(url(personas, "etab:export_telecharger", job_id=job.pk))
    assert telechargement.status_code == 200
    assert telechargement["Content-Type"] == "application/pdf"
    data = (
        b"".join(telechargement.streaming_content)
        if telechargement.streaming
        else telechargement.content
    )
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for attendu in (
        "Livret d'apprentissage",
        side.apprenti.user.last_name.upper(),
        "PFMP boulangerie",
        "Sérieux.",
        "En progrès.",
        "Rencontre avec le maître",
        aff.periode.date_debut.strftime("%d/%m/%Y"),
    ):
        assert attendu in texte, attendu


def test_pdf_de_l_apprenti(as_persona, personas, django_capture_on_commit_callbacks):
    aff = lf.affectation(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        as_persona("apprenti").post(
            url(personas, "livrets:exporter", annee=aff.periode.annee.debut, pk=aff.apprenant_id)
        )
    job = ExportJob.objects.get()
    job.refresh_from_db()
    assert job.kind == "livret_apprentissage_pdf_apprenti"
    assert job.status == ExportJob.Status.TERMINE, job.error


def test_un_apprenti_ne_voit_que_son_livret(client, personas):
    from tests.personas import login

    side = personas.a
    aff = lf.affectation(side)
    _observer(personas, aff)
    zola = _apprenti(side, "ZOLA")
    login(client, zola.membership)
    assert client.get(_url_livret(personas, aff)).status_code == 404
    assert client.post(url(personas, "livrets:pris_connaissance", pk=aff.pk)).status_code == 404
    adresse = url(personas, "livrets:exporter", annee=aff.periode.annee.debut, pk=aff.apprenant_id)
    assert client.post(adresse).status_code == 404
    assert not PriseConnaissance.objects.exists() and not ExportJob.objects.exists()
