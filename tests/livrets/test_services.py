"""Services of the livrets: observations, visits, acknowledgements, signed link, PDF request."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpro.models import AuditLog, Statut
from livrets import services
from livrets.models import Auteur, Livret, Observation, PriseConnaissance, Visite
from pfmp.models import LienTuteur
from pfmp.services_portfolio import lien_depuis_token, revoquer_lien
from tests.livrets import factories as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def aff(personas):
    return lf.affectation(personas.a)


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


# --- observations -----------------------------------------------------------------------------


def test_observation_du_professeur_cree_le_livret_et_journalise(personas, aff):
    prof = personas.a.enseignant.user
    obs = services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="  Bon début.  ", par=prof)
    livret = Livret.objects.get()
    assert (livret.apprenant, livret.annee, livret.etablissement) == (
        aff.apprenant,
        aff.periode.annee,
        personas.a.etablissement,
    )
    assert (obs.texte, obs.redigee_par, obs.auteur) == ("Bon début.", prof, Auteur.ENSEIGNANT)
    services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="Très bon début.", par=prof)
    assert Observation.objects.get().texte == "Très bon début."
    logs = AuditLog.objects.filter(action="livret.observation").order_by("pk")
    assert [log.avant for log in logs] == [{}, {"texte": "Bon début."}]
    assert logs.last().apres["texte"] == "Très bon début."


def test_observation_du_maitre_par_compte(personas, aff):
    services.observer(aff, auteur=Auteur.MAITRE, texte="Ponctuel.", par=personas.a.tuteur.user)
    assert Observation.objects.get().auteur == Auteur.MAITRE


@pytest.mark.parametrize("qui", ["chef", "tuteur", "apprenti", "apprenant"])
def test_observation_du_professeur_refusee_aux_autres(personas, aff, qui):
    with pytest.raises(PermissionDenied):
        services.observer(
            aff, auteur=Auteur.ENSEIGNANT, texte="x", par=personas.a.membership(qui).user
        )
    assert not Observation.objects.exists()


@pytest.mark.parametrize("qui", ["enseignant", "apprenti"])
def test_observation_du_maitre_refusee_aux_autres(personas, aff, qui):
    with pytest.raises(PermissionDenied):
        services.observer(aff, auteur=Auteur.MAITRE, texte="x", par=personas.a.membership(qui).user)


def test_maitre_d_une_autre_periode_refuse(personas):
    aff = lf.affectation(personas.a, tuteur=personas.a.autre_tuteur)
    with pytest.raises(PermissionDenied):
        services.observer(aff, auteur=Auteur.MAITRE, texte="x", par=personas.a.tuteur.user)


def test_professeur_d_un_autre_etablissement_refuse(personas, aff):
    with pytest.raises(PermissionDenied):
        services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="x", par=personas.b.enseignant.user)


@pytest.mark.parametrize(
    ("texte", "code"), [("   ", "requis"), ("x" * (services.TEXTE_MAX + 1), "longueur")]
)
def test_observation_texte_valide(personas, aff, texte, code):
    with pytest.raises(ValidationError) as exc:
        services.observer(
            aff, auteur=Auteur.ENSEIGNANT, texte=texte, par=personas.a.enseignant.user
        )
    assert exc.value.code == code
    assert not Livret.objects.exists()


def test_pas_de_livret_pour_un_scolaire(personas):
    aff = lf.affectation(personas.a, apprenant=personas.a.apprenant.apprenant)
    assert aff.apprenant.statut == Statut.SCOLAIRE
    with pytest.raises(ValidationError) as exc:
        services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="x", par=personas.a.enseignant.user)
    assert exc.value.code == "scolaire"


def test_periode_archivee_close(personas):
    aff = lf.affectation(personas.a, archivee=True)
    with pytest.raises(ValidationError) as exc:
        services.observer(aff, auteur=Auteur.MAITRE, texte="x", par=personas.a.tuteur.user)
    assert exc.value.code == "archivee"


# --- visits -----------------------------------------------------------------------------------


def test_visite_enregistree_et_journalisee(personas, aff):
    prof = personas.a.enseignant.user
    jour = aff.periode.date_debut + datetime.timedelta(days=3)
    visite = services.ajouter_visite(
        aff, par=prof, date=jour, nature="VISITE", compte_rendu="Poste de travail vu."
    )
    assert (visite.livret.apprenant, visite.affectation, visite.par) == (aff.apprenant, aff, prof)
    log = AuditLog.objects.get(action="livret.visite")
    assert log.apres["date"] == jour.isoformat() and log.apres["nature"] == "VISITE"


@pytest.mark.parametrize(
    ("decalage", "nature", "compte_rendu", "champ"),
    [
        (1, "VISITE", "ok", "date"),  # tomorrow: not done yet
        (-400, "VISITE", "ok", "date"),  # another school year
        (0, "COURRIER", "ok", "nature"),
    ],
)
def test_visite_invalide(personas, aff, decalage, nature, compte_rendu, champ):
    jour = timezone.localdate() + datetime.timedelta(days=decalage)
    with pytest.raises(ValidationError) as exc:
        services.ajouter_visite(
            aff,
            par=personas.a.enseignant.user,
            date=jour,
            nature=nature,
            compte_rendu=compte_rendu,
        )
    assert champ in exc.value.message_dict
    assert not Visite.objects.exists()


def test_visite_sans_compte_rendu(personas, aff):
    with pytest.raises(ValidationError):
        services.ajouter_visite(
            aff,
            par=personas.a.enseignant.user,
            date=aff.periode.date_debut,
            nature="APPEL",
            compte_rendu=" ",
        )


def test_visite_refusee_au_chef_et_au_maitre(personas, aff):
    for qui in ("chef", "tuteur"):
        with pytest.raises(PermissionDenied):
            services.ajouter_visite(
                aff,
                par=personas.a.membership(qui).user,
                date=aff.periode.date_debut,
                nature="APPEL",
                compte_rendu="x",
            )


# --- acknowledgements -------------------------------------------------------------------------


def test_prise_de_connaissance_exige_une_observation(personas, aff):
    with pytest.raises(ValidationError) as exc:
        services.prendre_connaissance(
            aff, qui=PriseConnaissance.Qui.APPRENTI, par=personas.a.apprenti.user
        )
    assert exc.value.code == "vide"
    assert not PriseConnaissance.objects.exists()


def test_prises_de_connaissance_maitre_et_apprenti(personas, aff):
    services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="Bien.", par=personas.a.enseignant.user)
    pm = services.prendre_connaissance(
        aff, qui=PriseConnaissance.Qui.MAITRE, par=personas.a.tuteur.user
    )
    pa = services.prendre_connaissance(
        aff, qui=PriseConnaissance.Qui.APPRENTI, par=personas.a.apprenti.user
    )
    again = services.prendre_connaissance(
        aff, qui=PriseConnaissance.Qui.APPRENTI, par=personas.a.apprenti.user
    )
    assert again.pk == pa.pk and again.le == pa.le  # the first date stays
    assert {pm.qui, pa.qui} == {"MAITRE", "APPRENTI"}
    assert AuditLog.objects.filter(action="livret.pris_connaissance").count() == 2


@pytest.mark.parametrize(
    ("qui", "persona"),
    [
        ("APPRENTI", "apprenant"),
        ("APPRENTI", "tuteur"),
        ("MAITRE", "apprenti"),
        ("MAITRE", "ddfpt"),
    ],
)
def test_prise_de_connaissance_refusee(personas, aff, qui, persona):
    services.observer(aff, auteur=Auteur.ENSEIGNANT, texte="Bien.", par=personas.a.enseignant.user)
    with pytest.raises(PermissionDenied):
        services.prendre_connaissance(aff, qui=qui, par=personas.a.membership(persona).user)


# --- signed link (pfmp's LienTuteur) ----------------------------------------------------------


def test_lien_du_maitre_est_un_lien_tuteur_pfmp(personas, aff):
    url = services.creer_lien_maitre(
        aff, par=personas.a.enseignant.user, email="ma@example.org", duree_jours=10
    )
    assert f"/{personas.a.etablissement.slug}/livrets/acces/" in url
    lien, valide = lien_depuis_token(_token(url))
    assert valide and lien.affectation == aff and lien.email == "ma@example.org"
    assert AuditLog.objects.filter(action="lien_tuteur.creer").count() == 1

    services.observer(aff, auteur=Auteur.MAITRE, texte="Par lien.", lien=lien)
    obs = Observation.objects.get()
    assert obs.lien == lien and obs.redigee_par is None
    services.prendre_connaissance(aff, qui=PriseConnaissance.Qui.MAITRE, lien=lien)

    revoquer_lien(lien, par=personas.a.enseignant.user)
    lien.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.observer(aff, auteur=Auteur.MAITRE, texte="Encore.", lien=lien)
    assert exc.value.code == "lien"


def test_lien_d_une_autre_periode_refuse(personas, aff):
    autre = lf.affectation(personas.a)
    url = services.creer_lien_maitre(autre, par=personas.a.enseignant.user)
    lien, _ = lien_depuis_token(_token(url))
    with pytest.raises(ValidationError):
        services.observer(aff, auteur=Auteur.MAITRE, texte="x", lien=lien)


def test_lien_reserve_aux_professeurs(personas, aff):
    with pytest.raises(PermissionDenied):
        services.creer_lien_maitre(aff, par=personas.a.chef.user)
    assert not LienTuteur.objects.exists()


# --- PDF request ------------------------------------------------------------------------------


def test_demande_de_pdf(personas, aff):
    apprenti = aff.apprenant
    job = services.demander_pdf(apprenti, aff.periode.annee, par=personas.a.chef.user, equipe=True)
    assert job.kind == services.KIND_EQUIPE
    assert job.params == {"apprenant": apprenti.pk, "annee": aff.periode.annee.debut}
    own = services.demander_pdf(
        apprenti, aff.periode.annee, par=personas.a.apprenti.user, equipe=False
    )
    assert own.kind == services.KIND_APPRENTI
    with pytest.raises(PermissionDenied):
        services.demander_pdf(
            apprenti, aff.periode.annee, par=personas.a.apprenant.user, equipe=False
        )
