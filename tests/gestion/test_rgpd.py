"""RGPD: export of a learner's data (ZIP: JSON + PDF + book media), erasure of a learner who
left (what is deleted, what is kept under a pseudonym), retention command."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bilans.models import Attestation, BilanIntermediaire
from certification.models import GrilleCandidat, NiveauCritere
from cpro import rgpd as cpro_rgpd
from cpro.audit import journaliser
from cpro.models import Apprenant, AuditLog, ExportJob, Membership, Role
from evaluations.models import Nature, Participant, Resultat
from gestion import rgpd
from gestion.services import desactiver_compte, modifier_apprenant
from lslpro.models import Livret, NiveauLivret, NoteLivret
from pfmp.models import (
    BilanEntreprise,
    CommentairePublication,
    FicheActivite,
    LienTuteur,
    MediaPublication,
    Portfolio,
    Publication,
    SemaineJournal,
)
from pfmp.rgpd import chemin_media
from tests.bilans import bilans_factories as bf
from tests.certification import grilles_factories as gcf
from tests.factories import EtablissementFactory, MembershipFactory
from tests.lslpro import lsl_factories as lf
from tests.personas import login
from tests.pfmp import portfolio_factories as pf
from tests.pfmp.book_factories import PublicationFactory, commentaire, media_photo

pytestmark = pytest.mark.usefixtures("media_temporaire")


# --- data in every module --------------------------------------------------------------------


def _remplir(side, apprenant, *, prefixe: str) -> dict:
    """Data about `apprenant` in every module; returns the objects the tests look at."""
    criteres = bf.referentiel(side)
    ev = bf.evaluation(
        side,
        {(apprenant, criteres[0]): "3", (apprenant, criteres[1]): "NE"},
        titre=f"{prefixe} Accueil du client",
        participants=[apprenant],
    )
    Participant.objects.filter(evaluation=ev, apprenant=apprenant).update(
        commentaire=f"{prefixe} bonne écoute"
    )
    aff = pf.affectation(
        pf.periode(side, titre=f"{prefixe} PFMP vente"),
        apprenant,
        tuteur=side.tuteur,
        referent=side.enseignant.user,
        entreprise=pf.entreprise(side, nom=f"{prefixe} Boutique"),
    )
    Portfolio.objects.filter(affectation=aff).update(
        presentation_entreprise=f"{prefixe} une boutique de sport",
        bilan_personnel=f"{prefixe} j'ai progressé",
    )
    SemaineJournal.objects.filter(portfolio__affectation=aff, numero=1).update(
        activites=f"{prefixe} mise en rayon"
    )
    pf.remplir_fiche(pf.fiche(aff), titre=f"{prefixe} Conseil client")
    ev_e = bf.evaluation(
        side,
        {(apprenant, criteres[2]): "4"},
        nature=Nature.ENTREPRISE,
        titre=f"{prefixe} BE",
        participants=[apprenant],
    )
    BilanEntreprise.objects.create(
        affectation=aff, evaluation=ev_e, appreciation=f"{prefixe} sérieux", tuteur_nom="M. Tuteur"
    )
    LienTuteur.objects.create(
        affectation=aff,
        secret_hash=f"{prefixe}-hash",
        email=f"{prefixe.lower()}-tuteur@entreprise.fr",
        expire_le=timezone.now() + datetime.timedelta(days=30),
    )
    pub = PublicationFactory(apprenant=apprenant, titre=f"{prefixe} Vitrine de Noël")
    media = media_photo(pub, legende=f"{prefixe} la vitrine")
    commentaire(pub, side.enseignant.user, texte=f"{prefixe} très réussi")
    valide = bf.bilan_valide(
        side, apprenant=apprenant, note=Decimal("13.5"), constats=f"{prefixe} constats"
    )
    brouillon = bf.bilan(
        side, apprenant=apprenant, date=bf.DATE + datetime.timedelta(days=30), conseils="x"
    )
    attestation = Attestation.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        bilan=valide,
        diplome=side.diplome,
        date=bf.DATE,
    )
    attestation.competences.set([criteres[0].competence])
    grille = gcf.grille_candidat(side, apprenant=apprenant)
    gcf.completer(grille, side)
    livret = Livret.objects.create(
        etablissement=side.etablissement,
        apprenant=apprenant,
        annee=lf.annee(),
        diplome=side.diplome,
        appreciation=f"{prefixe} élève investi",
    )
    (lsl,) = lf.competences_lsl(side, n=1)
    NiveauLivret.objects.create(livret=livret, competence=lsl, niveau="3")
    NoteLivret.objects.create(livret=livret, bilan=valide, periode="T1")
    return {
        "evaluation": ev,
        "criteres": criteres,
        "affectation": aff,
        "publication": pub,
        "media": media,
        "bilan_valide": valide,
        "brouillon": brouillon,
        "grille": grille,
        "livret": livret,
    }


@pytest.fixture
def dossier(personas):
    side = personas.a
    apprenant = side.apprenant.apprenant
    apprenant.date_naissance = datetime.date(2008, 4, 12)
    apprenant.numero_candidat = "02512345678"
    apprenant.save()
    user = apprenant.user
    user.last_name, user.first_name, user.email = "Durandal", "Élodie", "elodie.d@exemple.fr"
    user.save()
    modifier_apprenant(
        apprenant, par=side.ddfpt.user, **{**_etat_form(apprenant), "numero_candidat": "0251234"}
    )
    objets = _remplir(side, apprenant, prefixe="MOI")
    autre = _remplir(side, side.apprenti.apprenant, prefixe="AUTRE")
    return {"apprenant": apprenant, "autre": autre, **objets}


def _etat_form(apprenant):
    user = apprenant.user
    return {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "ine": apprenant.ine,
        "eleve_id": apprenant.eleve_id,
        "date_naissance": apprenant.date_naissance,
        "statut": apprenant.statut,
        "division": apprenant.division,
        "numero_candidat": apprenant.numero_candidat,
    }


# --- export ----------------------------------------------------------------------------------


def _exporter(client, personas, apprenant, capture) -> ExportJob:
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse("gestion:rgpd_exporter", kwargs={"etab": "lp-a", "pk": apprenant.pk})
    with capture(execute=True):
        response = client.post(url)
    job = ExportJob.objects.get(kind=rgpd.KIND_EXPORT)
    assert response["Location"] == f"/lp-a/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.TERMINE, job.error
    return job


def test_export_contains_every_module(
    client, personas, dossier, django_capture_on_commit_callbacks
):
    apprenant = dossier["apprenant"]
    job = _exporter(client, personas, apprenant, django_capture_on_commit_callbacks)
    assert job.filename.endswith(".zip") and job.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(job.file.read()))
    noms = set(archive.namelist())
    media = dossier["media"]
    chemin = chemin_media(media)
    assert {"donnees.json", "donnees.pdf", chemin} == noms
    with media.fichier.open("rb") as f:
        assert archive.read(chemin) == f.read()

    d = json.loads(archive.read("donnees.json"))
    assert set(d) >= {
        "identite",
        "compte",
        "divisions",
        "evaluations",
        "pfmp",
        "book",
        "bilans",
        "attestations",
        "certification",
        "lsl",
        "journal",
    }
    assert d["identite"]["nom"] == "Durandal" and d["identite"]["prenom"] == "Élodie"
    assert d["identite"]["date_naissance"] == "2008-04-12"
    assert d["identite"]["ine"] == apprenant.ine and d["identite"]["numero_candidat"] == "0251234"
    assert d["compte"]["email"] == "elodie.d@exemple.fr"
    assert d["compte"]["identifiant"] == apprenant.user.username
    assert d["divisions"][0]["nom"] == apprenant.division.nom

    crit = dossier["criteres"]
    (ev,) = [e for e in d["evaluations"] if e["titre"] == "MOI Accueil du client"]
    assert ev["commentaire"] == "MOI bonne écoute"
    assert [(r["critere"], r["niveau"]) for r in ev["resultats"]] == [
        (crit[0].code, "3"),
        (crit[1].code, "NE"),
    ]
    (be,) = [e for e in d["evaluations"] if e["titre"] == "MOI BE"]
    assert be["nature"] == "E" and be["resultats"][0]["critere"] == crit[2].code

    (pfmp,) = d["pfmp"]
    assert pfmp["periode"]["titre"] == "MOI PFMP vente"
    assert pfmp["entreprise"]["nom"] == "MOI Boutique"
    assert pfmp["portfolio"]["presentation_entreprise"] == "MOI une boutique de sport"
    assert pfmp["portfolio"]["journal_de_bord"][0]["activites"] == "MOI mise en rayon"
    assert pfmp["portfolio"]["fiches_activites"][0]["titre"] == "MOI Conseil client"
    assert pfmp["bilan_entreprise"]["appreciation"] == "MOI sérieux"
    assert pfmp["liens_tuteur"][0]["email"] == "moi-tuteur@entreprise.fr"

    (pub,) = d["book"]
    assert pub["titre"] == "MOI Vitrine de Noël"
    assert pub["medias"][0]["fichier"] == chemin and pub["medias"][0]["legende"] == "MOI la vitrine"
    assert pub["commentaires"][0]["texte"] == "MOI très réussi"

    assert {b["statut"] for b in d["bilans"]} == {"VALIDE", "BROUILLON"}
    (valide,) = [b for b in d["bilans"] if b["statut"] == "VALIDE"]
    assert valide["note"] == "13.50" and valide["constats"] == "MOI constats"
    assert d["attestations"][0]["competences"] == [crit[0].competence.code]
    (grille,) = d["certification"]
    assert grille["epreuve"] == "E31" and grille["note_proposee"] == "14.50"
    assert (
        len(grille["niveaux"])
        == NiveauCritere.objects.filter(grille_candidat=dossier["grille"]).count()
    )
    assert {m["nom"] for m in grille["commission"]} == {
        personas.a.enseignant.user.last_name,
        personas.a.enseignant2.user.last_name,
    }
    (livret,) = d["lsl"]
    assert livret["appreciation"] == "MOI élève investi"
    assert livret["niveaux"][0]["niveau"] == "3" and livret["notes"][0]["periode"] == "T1"
    actions = {e["action"] for e in d["journal"]}
    assert "apprenant.modifier" in actions

    # Nothing of the other learner.
    texte_json = archive.read("donnees.json").decode()
    assert "AUTRE" not in texte_json
    assert personas.a.apprenti.user.username not in texte_json

    pdf = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(archive.read("donnees.pdf"))).pages
    )
    for attendu in (
        "DURANDAL Élodie",
        "12/04/2008",
        "MOI Accueil du client",
        "MOI PFMP vente",
        "MOI Vitrine de Noël",
        "MOI élève investi",
        "E31",
        crit[0].code,
    ):
        assert attendu in pdf, attendu
    assert "AUTRE" not in pdf

    entree = AuditLog.objects.get(action="apprenant.exporter_donnees")
    assert entree.objet_id == str(apprenant.pk) and entree.acteur == personas.a.ddfpt.user


def test_export_is_refused_when_the_requester_lost_the_right(personas):
    job = rgpd.demander_export(personas.a.apprenant.apprenant, par=personas.a.enseignant.user)
    from cpro.services import executer_export

    executer_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.ECHEC
    assert "profil ne permet pas" in job.error


def test_export_of_another_establishment_learner_is_404(client, personas):
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse(
        "gestion:rgpd_exporter", kwargs={"etab": "lp-a", "pk": personas.b.apprenant.apprenant.pk}
    )
    assert client.post(url).status_code == 404
    assert not ExportJob.objects.exists()


def test_detail_page_shows_the_buttons(client, personas):
    apprenant = personas.a.apprenant.apprenant
    login(client, personas.a.ddfpt, personas.a.diplome)
    url = reverse("gestion:apprenant_modifier", kwargs={"etab": "lp-a", "pk": apprenant.pk})
    effacer = reverse("gestion:rgpd_effacer", kwargs={"etab": "lp-a", "pk": apprenant.pk})
    page = client.get(url).content.decode()
    assert "Exporter les données (RGPD)" in page
    assert effacer not in page and "désactivez d'abord son compte" in page
    desactiver_compte(apprenant.membership, par=personas.a.ddfpt.user)
    page = client.get(url).content.decode()
    assert effacer in page


# --- erasure ---------------------------------------------------------------------------------


def _effacer_url(apprenant):
    return reverse("gestion:rgpd_effacer", kwargs={"etab": "lp-a", "pk": apprenant.pk})


def _parti(personas, apprenant):
    desactiver_compte(apprenant.membership, par=personas.a.ddfpt.user)
    rgpd.marquer_sortie(apprenant.membership)
    apprenant.refresh_from_db()
    return apprenant


def test_erasure_deletes_anonymises_and_keeps(
    client, personas, dossier, django_capture_on_commit_callbacks
):
    apprenant = dossier["apprenant"]
    user = apprenant.user
    ancien = {"nom": user.last_name, "email": user.email, "ine": apprenant.ine}
    ancien_eleve_id = apprenant.eleve_id
    _parti(personas, apprenant)
    # A session still stored for the learner (deactivation ends those open at that time).
    client_apprenant = login(type(client)(), apprenant.membership)
    session_apprenant = client_apprenant.session.session_key
    assert Session.objects.filter(session_key=session_apprenant).exists()
    # A comment the learner wrote on another learner's publication.
    commentaire(dossier["autre"]["publication"], user, texte="MOI bravo")
    fichier = dossier["media"].fichier.name
    storage = dossier["media"].fichier.storage
    assert storage.exists(fichier)
    ancien_export = rgpd.demander_export(apprenant, par=personas.a.ddfpt.user)
    ancien_export.file.save("ancien.zip", ContentFile(b"zip"), save=True)
    fichier_export = ancien_export.file.name

    login(client, personas.a.ddfpt, personas.a.diplome)
    page = client.get(_effacer_url(apprenant)).content.decode()
    assert "Ce qui est supprimé" in page and "Ce qui est conservé" in page
    assert "1 publication" in page and "1 lien tuteur" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_effacer_url(apprenant), {"confirmation": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/lp-a/gestion/apprenants/{apprenant.pk}/"

    # Deleted.
    assert not Publication.objects.filter(apprenant=apprenant).exists()
    assert not MediaPublication.objects.filter(publication__apprenant=apprenant).exists()
    assert not CommentairePublication.objects.filter(auteur=user).exists()
    assert not storage.exists(fichier)
    aff = dossier["affectation"]
    assert not SemaineJournal.objects.filter(portfolio__affectation=aff).exists()
    assert not FicheActivite.objects.filter(portfolio__affectation=aff).exists()
    assert Portfolio.objects.filter(
        affectation=aff, presentation_entreprise="", bilan_personnel=""
    ).exists()
    assert not LienTuteur.objects.filter(affectation=aff).exists()
    assert not BilanIntermediaire.objects.filter(pk=dossier["brouillon"].pk).exists()
    assert not ExportJob.objects.filter(pk=ancien_export.pk).exists()
    assert not ancien_export.file.storage.exists(fichier_export)
    assert not Session.objects.filter(session_key=session_apprenant).exists()
    assert client_apprenant.get("/lp-a/accueil/").status_code == 302

    # Anonymised.
    user.refresh_from_db()
    apprenant.refresh_from_db()
    assert user.username == f"efface-{user.pk}"
    assert user.last_name == "Apprenant effacé" and user.email == ""
    assert not user.has_usable_password() and not user.is_active
    assert (apprenant.ine, apprenant.eleve_id, apprenant.date_naissance) == ("", "", None)
    assert str(apprenant) == f"APPRENANT EFFACÉ n°{apprenant.pk}"

    # Kept (certification and school record).
    assert apprenant.numero_candidat == "0251234"
    assert Resultat.objects.filter(apprenant=apprenant).count() == 3
    assert Participant.objects.filter(apprenant=apprenant).exclude(commentaire="").exists()
    assert BilanEntreprise.objects.filter(affectation=aff).exists()
    assert BilanIntermediaire.objects.filter(pk=dossier["bilan_valide"].pk).exists()
    assert Attestation.objects.filter(apprenant=apprenant).exists()
    gc = GrilleCandidat.objects.get(pk=dossier["grille"].pk)
    assert gc.note_proposee == Decimal("14.5") and gc.niveaux.exists() and gc.membres.exists()
    assert NoteLivret.objects.filter(livret=dossier["livret"]).exists()
    assert Livret.objects.get(pk=dossier["livret"].pk).appreciation == "MOI élève investi"

    # The other learner is untouched.
    autre = dossier["autre"]
    assert Publication.objects.filter(pk=autre["publication"].pk).exists()
    assert autre["media"].fichier.storage.exists(autre["media"].fichier.name)
    assert LienTuteur.objects.filter(affectation=autre["affectation"]).exists()

    # The audit log no longer holds the erased identity.
    entree = AuditLog.objects.get(action=rgpd.ACTION_EFFACER)
    assert entree.acteur == personas.a.ddfpt.user
    assert entree.apres["publications"] == 1 and entree.apres["liens_tuteur"] == 1
    for e in AuditLog.objects.all():
        texte = json.dumps([e.objet_repr, e.avant, e.apres], ensure_ascii=False)
        for valeur in (ancien["nom"], ancien["email"], ancien["ine"], ancien_eleve_id):
            assert valeur not in texte, (e.action, texte)
    modif = AuditLog.objects.get(action="apprenant.modifier")
    assert modif.apres["nom"] == rgpd.EFFACE
    assert modif.apres["numero_candidat"] == "0251234"


def test_erasure_reprints_the_locked_ccf_grid_under_the_pseudonym(
    personas, django_capture_on_commit_callbacks
):
    """The CCF grid is kept (examination document), and so is the PDF stored when it was
    locked; that file named the learner (file name and content): erasure prints it again
    from the kept grid under the pseudonym and deletes the old file once it commits."""
    from certification.services import verrouiller_grille

    side = personas.a
    side.etablissement.academie = "Lyon"
    side.etablissement.save()
    apprenant = side.apprenant.apprenant
    user = apprenant.user
    user.last_name, user.first_name = "Durandal", "Élodie"
    user.save()
    gc = gcf.completer(gcf.grille_candidat(side, apprenant=apprenant), side)
    with django_capture_on_commit_callbacks(execute=True):
        verrouiller_grille(gc, par=side.enseignant.user)
    gc.refresh_from_db()
    ancien = gc.pdf_fige.name
    assert "DURANDAL" in ancien and "DURANDAL" in _texte_pdf(gc.pdf_fige.read())
    _parti(personas, apprenant)

    with django_capture_on_commit_callbacks(execute=True):
        bilan = rgpd.effacer_apprenant(apprenant, par=side.ddfpt.user)

    gc.refresh_from_db()
    assert gc.est_verrouillee and gc.note_proposee == Decimal("14.5")
    assert gc.pdf_fige.name != ancien and not gc.pdf_fige.storage.exists(ancien)
    assert "DURANDAL" not in gc.pdf_fige.name and "APPRENANT-EFFACE" in gc.pdf_fige.name
    texte = _texte_pdf(gc.pdf_fige.read())
    assert "DURANDAL" not in texte.upper() and "Élodie" not in texte
    assert "APPRENANT EFFACÉ" in texte and apprenant.numero_candidat in texte
    assert bilan["pdf_ccf_reimprimes"] == 1
    assert AuditLog.objects.get(action=rgpd.ACTION_EFFACER).apres["pdf_ccf_reimprimes"] == 1


def _texte_pdf(data: bytes) -> str:
    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages
    )


def test_name_in_other_entries_is_replaced(personas):
    apprenant = _parti(personas, personas.a.apprenant.apprenant)
    nom = str(apprenant)
    journaliser(
        "evaluation.apprenants_retires",
        par=personas.a.enseignant.user,
        etablissement=personas.a.etablissement,
        objet=personas.a.division,
        avant={"apprenants": {str(apprenant.pk): {"nom": nom, "resultats": 2}}},
    )
    rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)
    entree = AuditLog.objects.get(action="evaluation.apprenants_retires")
    assert entree.avant["apprenants"][str(apprenant.pk)] == {
        "nom": f"APPRENANT EFFACÉ n°{apprenant.pk}",
        "resultats": 2,
    }


def test_active_learner_is_refused(client, personas, dossier):
    apprenant = dossier["apprenant"]
    login(client, personas.a.ddfpt, personas.a.diplome)
    page = client.get(_effacer_url(apprenant)).content.decode()
    assert "compte actif" in page and "Effacer définitivement" not in page
    response = client.post(_effacer_url(apprenant), {"confirmation": "on"})
    assert response.status_code == 200
    assert "Désactivez d&#x27;abord son compte" in response.content.decode()
    assert Publication.objects.filter(apprenant=apprenant).exists()
    assert not AuditLog.objects.filter(action=rgpd.ACTION_EFFACER).exists()
    with pytest.raises(ValidationError, match="compte actif"):
        rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)


def test_confirmation_is_required(client, personas, dossier):
    apprenant = _parti(personas, dossier["apprenant"])
    login(client, personas.a.ddfpt, personas.a.diplome)
    response = client.post(_effacer_url(apprenant), {})
    assert "Cochez la case" in response.content.decode()
    assert Publication.objects.filter(apprenant=apprenant).exists()


def test_erasure_twice_and_shared_account_are_refused(personas):
    apprenant = _parti(personas, personas.a.apprenant.apprenant)
    rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)
    with pytest.raises(ValidationError, match="déjà été effacées"):
        rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)

    apprenti = _parti(personas, personas.a.apprenti.apprenant)
    MembershipFactory(user=apprenti.user, etablissement=EtablissementFactory(), role=Role.APPRENANT)
    with pytest.raises(ValidationError, match="autre établissement"):
        rgpd.effacer_apprenant(apprenti, par=personas.a.ddfpt.user)


def test_erasure_is_atomic(personas, dossier, monkeypatch, django_capture_on_commit_callbacks):
    apprenant = _parti(personas, dossier["apprenant"])
    nom = apprenant.user.last_name
    fichier = dossier["media"].fichier

    def panne(*args, **kwargs):
        raise RuntimeError("panne au milieu")

    # The account is pseudonymised after every deletion and the audit log rewrite.
    monkeypatch.setattr(cpro_rgpd, "_anonymiser_compte", panne)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            rgpd.effacer_apprenant(apprenant, par=personas.a.ddfpt.user)
    assert callbacks == []
    assert Publication.objects.filter(apprenant=apprenant).count() == 1
    assert CommentairePublication.objects.filter(publication__apprenant=apprenant).exists()
    assert fichier.storage.exists(fichier.name)
    assert SemaineJournal.objects.filter(portfolio__affectation__apprenant=apprenant).exists()
    assert LienTuteur.objects.filter(affectation__apprenant=apprenant).exists()
    assert BilanIntermediaire.objects.filter(pk=dossier["brouillon"].pk).exists()
    assert Apprenant.objects.get(pk=apprenant.pk).user.last_name == nom
    assert AuditLog.objects.get(action="apprenant.modifier").apres["nom"] == nom
    assert not AuditLog.objects.filter(action=rgpd.ACTION_EFFACER).exists()


def test_erasure_page_access(client, personas):
    apprenant = _parti(personas, personas.a.apprenant.apprenant)
    autre = personas.b.apprenant.apprenant
    login(client, personas.a.ddfpt, personas.a.diplome)
    url_b = reverse("gestion:rgpd_effacer", kwargs={"etab": "lp-a", "pk": autre.pk})
    assert client.get(url_b).status_code == 404
    assert client.post(url_b, {"confirmation": "on"}).status_code == 404
    for role in ("chef", "enseignant"):
        login(client, personas.a.membership(role), personas.a.diplome)
        assert client.post(_effacer_url(apprenant), {"confirmation": "on"}).status_code == 403
    apprenant.refresh_from_db()
    assert apprenant.ine != ""


# --- date of leaving -------------------------------------------------------------------------


def test_marquer_et_annuler_sortie(personas):
    m = personas.a.apprenant
    rgpd.marquer_sortie(m, datetime.date(2026, 7, 4))
    rgpd.marquer_sortie(m, datetime.date(2026, 9, 1))  # the first date is kept
    assert Apprenant.objects.get(membership=m).date_sortie == datetime.date(2026, 7, 4)
    rgpd.annuler_sortie(m)
    assert Apprenant.objects.get(membership=m).date_sortie is None
    rgpd.marquer_sortie(personas.a.enseignant)  # not a learner: nothing happens


# --- retention -------------------------------------------------------------------------------


def _sorti_depuis(apprenant, jours: int):
    Membership.objects.filter(pk=apprenant.membership_id).update(active=False)
    apprenant.date_sortie = timezone.localdate() - datetime.timedelta(days=jours)
    apprenant.save(update_fields=["date_sortie"])
    pub = PublicationFactory(apprenant=apprenant)
    return media_photo(pub)


def test_retention_command(personas, settings, django_capture_on_commit_callbacks):
    settings.RGPD_RETENTION_JOURS = 365
    ancien = _sorti_depuis(personas.a.apprenant.apprenant, 400)
    recent = _sorti_depuis(personas.a.apprenti.apprenant, 30)
    # Still active (reactivated): never purged, whatever its date.
    actif = media_photo(PublicationFactory(apprenant=personas.b.apprenant.apprenant))
    Apprenant.objects.filter(pk=personas.b.apprenant.apprenant.pk).update(
        date_sortie=datetime.date(2000, 1, 1)
    )
    expire = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.ddfpt.user,
        kind="journal_csv",
        expire_le=timezone.now() - datetime.timedelta(hours=1),
    )
    expire.file.save("journal.csv", ContentFile(b"a;b"), save=True)
    garde = ExportJob.objects.create(
        etablissement=personas.a.etablissement,
        demandeur=personas.a.ddfpt.user,
        kind="journal_csv",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )

    sortie = io.StringIO()
    call_command("appliquer_retention", "--dry-run", stdout=sortie)
    texte = sortie.getvalue()
    assert "Simulation" in texte
    assert "Exports expirés à supprimer : 1." in texte
    assert "Médias du book à supprimer : 1 (" in texte and "pour 1 apprenant sorti." in texte
    assert MediaPublication.objects.count() == 3 and ExportJob.objects.count() == 2
    assert ancien.fichier.storage.exists(ancien.fichier.name)

    sortie = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("appliquer_retention", stdout=sortie)
    texte = sortie.getvalue()
    assert "Exports expirés supprimés : 1." in texte
    assert "Médias du book supprimés : 1 (" in texte
    assert not MediaPublication.objects.filter(pk=ancien.pk).exists()
    assert not ancien.fichier.storage.exists(ancien.fichier.name)
    assert Publication.objects.filter(apprenant=personas.a.apprenant.apprenant).exists()
    for media in (recent, actif):
        assert MediaPublication.objects.filter(pk=media.pk).exists()
        assert media.fichier.storage.exists(media.fichier.name)
    assert list(ExportJob.objects.all()) == [garde]
    entree = AuditLog.objects.get(action="rgpd.retention")
    assert entree.etablissement == personas.a.etablissement
    assert entree.apres["medias"] == 1 and entree.acteur is None

    # A shorter period (option) reaches the recent leaver too.
    call_command("appliquer_retention", "--jours", "10", stdout=io.StringIO())
    assert not MediaPublication.objects.filter(pk=recent.pk).exists()
    assert MediaPublication.objects.filter(pk=actif.pk).exists()


def test_migration_dates_earlier_deactivations(personas):
    """Learners deactivated before date_sortie existed get the day of their deactivation."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cpro.migrations.0002_apprenant_date_sortie")
    apprenant = personas.a.apprenant.apprenant
    desactiver_compte(apprenant.membership, par=personas.a.ddfpt.user)
    AuditLog.objects.filter(action="compte.desactiver").update(
        cree_le=timezone.make_aware(datetime.datetime(2024, 6, 30, 23, 30))
    )
    Apprenant.objects.update(date_sortie=None)
    migration.dater_les_sorties(apps, None)
    assert Apprenant.objects.get(pk=apprenant.pk).date_sortie == datetime.date(2024, 6, 30)
    assert Apprenant.objects.get(pk=personas.a.apprenti.apprenant.pk).date_sortie is None


def test_deactivation_dates_the_departure_and_reactivation_forgets_it(personas):
    from gestion.services import reactiver_compte

    apprenant = personas.a.apprenant.apprenant
    ddfpt = personas.a.ddfpt.user
    desactiver_compte(apprenant.membership, par=ddfpt)
    apprenant.refresh_from_db()
    assert apprenant.date_sortie == timezone.localdate()
    reactiver_compte(apprenant.membership, par=ddfpt)
    apprenant.refresh_from_db()
    assert apprenant.date_sortie is None
    # A teacher has no learner profile: deactivating them writes no date anywhere.
    desactiver_compte(personas.a.enseignant2, par=ddfpt)
    assert not Apprenant.objects.filter(date_sortie__isnull=False).exists()


def test_an_erased_learner_cannot_be_reactivated(personas):
    from gestion.services import reactiver_compte

    apprenant = personas.a.apprenant.apprenant
    ddfpt = personas.a.ddfpt.user
    desactiver_compte(apprenant.membership, par=ddfpt)
    rgpd.effacer_apprenant(apprenant, par=ddfpt)
    membership = Membership.objects.get(pk=apprenant.membership_id)
    with pytest.raises(ValidationError, match="effacées"):
        reactiver_compte(membership, par=ddfpt)
    membership.refresh_from_db()
    assert not membership.active


def test_retention_runs_daily_from_beat(personas, settings):
    """The beat entry exists and its task applies the same retention as the command."""
    from gestion import tasks

    taches = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert taches["gestion.tasks.appliquer_retention"] == 86400.0
    settings.RGPD_RETENTION_JOURS = 365
    media = _sorti_depuis(personas.a.apprenant.apprenant, 400)
    garde = _sorti_depuis(personas.a.apprenti.apprenant, 30)
    assert tasks.appliquer_retention() == 1
    assert not type(media).objects.filter(pk=media.pk).exists()
    assert type(garde).objects.filter(pk=garde.pk).exists()
