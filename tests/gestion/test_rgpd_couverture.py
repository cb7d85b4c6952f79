"""Every model holding learner data is claimed by a module's `<app>/rgpd.py` (cpro.rgpd).

A model "holds learner data" when a path of foreign keys, one-to-one or many-to-many fields
(at most MAX_SAUTS hops, followed forwards) leads from it to `Apprenant` or to the user model.
Django, allauth, guardian and Celery internals are skipped: they are not ours to declare
(cpro's declaration still claims the allauth models it erases). A claim is a `Regle` (export
and erasure) or a `HorsDonneesApprenant` with its reason."""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from cpro import rgpd
from cpro.models import Apprenant, User

MAX_SAUTS = 4
CIBLES = (Apprenant, User)
INTERNES = ("django.", "allauth", "guardian", "django_celery")
# Third-party models cpro's declaration erases (they may be absent: guardian is optional).
TIERS = {"account", "mfa", "guardian"}


def chemin_vers_apprenant(modele, *, max_sauts: int = MAX_SAUTS) -> list[str] | None:
    """The shortest path of field names from `modele` to a learner or a user (`[]` for the
    learner and user models themselves), or None."""
    if modele in CIBLES:
        return []
    vus = {modele}
    niveau = [(modele, [])]
    for _ in range(max_sauts):
        suivant = []
        for courant, chemin in niveau:
            for f in courant._meta.get_fields():
                # Forward links only: foreign keys, one-to-ones and many-to-manys.
                if not f.is_relation or f.auto_created or f.related_model is None:
                    continue
                if not (f.concrete or f.many_to_many):
                    continue
                cible = f.related_model
                if cible in vus:
                    continue
                vers = [*chemin, f"{courant.__name__}.{f.name}"]
                if cible in CIBLES:
                    return vers
                vus.add(cible)
                suivant.append((cible, vers))
        niveau = suivant
    return None


def modeles_du_projet():
    return [m for m in apps.get_models() if not m._meta.app_config.name.startswith(INTERNES)]


def non_revendiques(modeles, revendications) -> list[str]:
    """`label (path)` of every model with a path to a learner or a user that no declaration
    claims."""
    manquants = []
    for modele in modeles:
        chemin = chemin_vers_apprenant(modele)
        if chemin is not None and modele._meta.label not in revendications:
            manquants.append(f"{modele._meta.label} ({' → '.join(chemin) or 'cible'})")
    return manquants


# --- the real project ------------------------------------------------------------------------


def test_every_model_with_a_path_to_a_learner_or_user_is_claimed():
    manquants = non_revendiques(modeles_du_projet(), rgpd.revendications())
    assert not manquants, (
        "Modèles liés à un apprenant ou à un utilisateur sans règle RGPD (déclarez-les dans "
        f"<app>/rgpd.py) : {', '.join(manquants)}"
    )


def test_the_walk_finds_what_it_should():
    """The walk is not vacuous: the models known to hold learner data are found, through
    their path, and a référentiel model is not."""
    from certification.models import NiveauCritere
    from pfmp.models import SemaineJournal
    from referentiels.models import Critere

    attendus = {m._meta.label for m in modeles_du_projet() if chemin_vers_apprenant(m) is not None}
    assert {
        "cpro.Apprenant",
        "cpro.User",
        "cpro.Membership",
        "evaluations.Resultat",
        "pfmp.MediaPublication",
        "pfmp.SemaineJournal",
        "certification.NiveauCritere",
        "lslpro.NoteLivret",
        "scenarios.Scenario",
    } <= attendus
    assert chemin_vers_apprenant(SemaineJournal) == [
        "SemaineJournal.portfolio",
        "Portfolio.affectation",
        "Affectation.apprenant",
    ]
    assert chemin_vers_apprenant(NiveauCritere) == [
        "NiveauCritere.grille_candidat",
        "GrilleCandidat.apprenant",
    ]
    assert chemin_vers_apprenant(Critere) is None
    assert "referentiels.Critere" not in attendus


def test_claims_name_real_models_and_are_complete():
    projet = {m._meta.label for m in apps.get_models()}
    for label, (declaration, regle) in rgpd.revendications().items():
        app_label = label.split(".")[0]
        assert label in projet or app_label in TIERS, f"{declaration} revendique {label} (absent)"
        if isinstance(regle, rgpd.Regle):
            assert regle.export and isinstance(regle.sort, rgpd.Sort), label
        else:
            assert isinstance(regle, rgpd.HorsDonneesApprenant) and regle.motif.strip(), label


def test_every_module_app_is_discovered():
    """The declarations of every module are registered at start-up (autodiscover_modules)."""
    identifiants = {d.identifiant for d in rgpd.declarations()}
    assert {
        "cpro.compte",
        "cpro.journal",
        "scenarios",
        "evaluations",
        "pfmp",
        "bilans",
        "certification",
        "lslpro",
    } <= identifiants
    ordres = [d.identifiant for d in rgpd.declarations()]
    assert ordres[0] == "cpro.compte" and ordres[-1] == "cpro.journal"


# --- the check fails when it should ----------------------------------------------------------


@isolate_apps("gestion")
def _modeles_jetables():
    """Throwaway models (isolated registry: nothing leaks into the project's)."""

    class CarnetDeBord(models.Model):  # noqa: DJ008 — learner data, one hop
        apprenant = models.ForeignKey(Apprenant, on_delete=models.CASCADE)

        class Meta:
            app_label = "gestion"

    class PageCarnet(models.Model):  # noqa: DJ008 — learner data, two hops
        carnet = models.ForeignKey(CarnetDeBord, on_delete=models.CASCADE)

        class Meta:
            app_label = "gestion"

    class Favori(models.Model):  # noqa: DJ008 — a user's, through a many-to-many
        lecteurs = models.ManyToManyField(User)

        class Meta:
            app_label = "gestion"

    class Parametre(models.Model):  # noqa: DJ008 — no path: never reported
        valeur = models.CharField(max_length=10)

        class Meta:
            app_label = "gestion"

    return {m.__name__: m for m in (CarnetDeBord, PageCarnet, Favori, Parametre)}


JETABLES = _modeles_jetables()


@pytest.mark.parametrize("nom", ["CarnetDeBord", "PageCarnet", "Favori"])
def test_an_unclaimed_model_is_reported_by_name(nom):
    modele = JETABLES[nom]
    manquants = non_revendiques([*modeles_du_projet(), modele], rgpd.revendications())
    assert manquants == [f"gestion.{nom} ({' → '.join(chemin_vers_apprenant(modele))})"]
    revendique = {
        **rgpd.revendications(),
        f"gestion.{nom}": ("test", rgpd.Regle("x", rgpd.Sort.SUPPRIME)),
    }
    assert non_revendiques([*modeles_du_projet(), modele], revendique) == []


def test_a_model_without_path_is_not_reported():
    assert non_revendiques([JETABLES["Parametre"]], {}) == []


@pytest.mark.parametrize(
    "label", ["pfmp.SemaineJournal", "certification.GrilleCandidat", "cpro.AuditLog"]
)
def test_a_registry_missing_one_claim_reports_it(label):
    revendications = {k: v for k, v in rgpd.revendications().items() if k != label}
    manquants = non_revendiques(modeles_du_projet(), revendications)
    assert [m.split(" ")[0] for m in manquants] == [label]


# --- the declaration API refuses incomplete claims -------------------------------------------


def test_a_claim_needs_an_export_and_a_fate_or_a_reason():
    with pytest.raises(ValueError):
        rgpd.Regle("", rgpd.Sort.SUPPRIME)
    with pytest.raises(ValueError):
        rgpd.Regle("journal", "supprimer")
    with pytest.raises(ValueError):
        rgpd.HorsDonneesApprenant("  ")


def test_a_model_is_claimed_once(monkeypatch):
    monkeypatch.setattr(rgpd, "_REGISTRE", dict(rgpd._REGISTRE))

    class Doublon(rgpd.DonneesApprenant):
        identifiant = "doublon"
        modeles = {"pfmp.Publication": rgpd.Regle("book", rgpd.Sort.SUPPRIME)}

    with pytest.raises(ValueError, match="déjà revendiqué par pfmp"):
        rgpd.declarer(Doublon)
    assert "doublon" not in rgpd._REGISTRE
