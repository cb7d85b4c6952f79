"""Services of the journal de bord and the fiches activités."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpro.models import AuditLog
from pfmp import services_portfolio as services
from pfmp.models import FicheActivite
from tests.pfmp import portfolio_factories as pf


@pytest.fixture
def aff(personas):
    return pf.de_persona(personas)


def _eleve(personas):
    return personas.a.apprenant.user


# --- journal de bord --------------------------------------------------------------------------


def test_learner_writes_presentation_and_bilan_personnel(personas, aff):
    services.modifier_presentation(aff.portfolio, par=_eleve(personas), texte="  Une boutique ")
    services.modifier_bilan_personnel(aff.portfolio, par=_eleve(personas), texte="Bilan.")
    aff.portfolio.refresh_from_db()
    assert aff.portfolio.presentation_entreprise == "Une boutique"
    assert aff.portfolio.bilan_personnel == "Bilan."


def test_texts_are_limited_to_5000_characters(personas, aff):
    services.modifier_presentation(aff.portfolio, par=_eleve(personas), texte="x" * 5000)
    with pytest.raises(ValidationError, match="dépasse 5000 caractères"):
        services.modifier_bilan_personnel(aff.portfolio, par=_eleve(personas), texte="x" * 5001)


@pytest.mark.parametrize("qui", ["enseignant", "tuteur", "apprenti", "ddfpt"])
def test_only_the_learner_writes_the_journal(personas, aff, qui):
    with pytest.raises(PermissionDenied):
        services.modifier_presentation(
            aff.portfolio, par=personas.a.membership(qui).user, texte="Intrus"
        )


def test_week_records_activities_and_tasks_of_the_periode(personas, aff):
    semaine = aff.portfolio.semaines.get(numero=1)
    prevues = list(aff.periode.taches.all())
    services.modifier_semaine(
        semaine, par=_eleve(personas), activites="Inventaire", taches=[prevues[0].pk]
    )
    semaine.refresh_from_db()
    assert semaine.activites == "Inventaire"
    assert list(semaine.taches.all()) == [prevues[0]]


def test_week_refuses_a_task_outside_the_periode(personas, aff):
    autre = pf.taches(personas.a.diplome, 1)[0]
    semaine = aff.portfolio.semaines.get(numero=1)
    with pytest.raises(ValidationError, match="activités prévues"):
        services.modifier_semaine(semaine, par=_eleve(personas), activites="", taches=[autre.pk])
    assert not semaine.taches.exists()


def test_without_planned_tasks_every_task_of_the_diplome_is_offered(personas):
    periode = pf.periode(personas.a, taches_prevues=[])
    tache = pf.taches(personas.a.diplome, 1)[0]
    assert tache in list(services.taches_proposees(periode))


def test_archived_affectation_refuses_writes(personas):
    aff = pf.affectation(pf.periode(personas.a), personas.a.apprenant.apprenant, archivee=True)
    with pytest.raises(ValidationError, match="archivé"):
        services.modifier_presentation(aff.portfolio, par=_eleve(personas), texte="x")


# --- fiches activités -------------------------------------------------------------------------


def test_fiche_workflow_draft_submitted_revised_validated(personas, aff):
    eleve, prof = _eleve(personas), personas.a.enseignant2.user
    fiche = pf.fiche(aff)
    services.enregistrer_fiche(
        fiche, par=eleve, titre="Vente", realisation="J'ai vendu.", taches=[]
    )
    services.soumettre_fiche(fiche, par=eleve)
    assert fiche.statut == FicheActivite.Statut.SOUMISE and fiche.soumise_le

    with pytest.raises(ValidationError, match="soumise ou validée"):
        services.enregistrer_fiche(fiche, par=eleve, titre="Autre", realisation="x")

    # Any teacher of the establishment may answer (enseignant2 is not the référent).
    services.commenter_fiche(
        fiche, par=prof, commentaire="Précise le contexte.", decision="a_revoir"
    )
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.A_REVOIR
    assert fiche.commentee_par == prof

    services.enregistrer_fiche(
        fiche, par=eleve, titre="Vente", contexte="Samedi", realisation="J'ai vendu."
    )
    services.soumettre_fiche(fiche, par=eleve)
    services.commenter_fiche(fiche, par=prof, commentaire="Bien.", decision="valider")
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.VALIDEE
    with pytest.raises(ValidationError):
        services.enregistrer_fiche(fiche, par=eleve, titre="Changer", realisation="x")
    with pytest.raises(ValidationError):
        services.soumettre_fiche(fiche, par=eleve)

    actions = list(
        AuditLog.objects.filter(objet_id=str(fiche.pk), objet_type="pfmp.FicheActivite")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "fiche_activite.soumettre",
        "fiche_activite.commenter",
        "fiche_activite.soumettre",
        "fiche_activite.commenter",
    ]


def test_empty_fiche_cannot_be_submitted(personas, aff):
    fiche = pf.fiche(aff)
    with pytest.raises(ValidationError, match="Complétez l'activité"):
        services.soumettre_fiche(fiche, par=_eleve(personas))
    services.enregistrer_fiche(fiche, par=_eleve(personas), titre="Vente")
    with pytest.raises(ValidationError, match="ce que j'ai fait"):
        services.soumettre_fiche(fiche, par=_eleve(personas))
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.BROUILLON


def test_comment_refusals(personas, aff):
    fiche = pf.fiche(aff)
    prof = personas.a.enseignant.user
    with pytest.raises(ValidationError, match="soumise"):
        services.commenter_fiche(fiche, par=prof, commentaire="x", decision="valider")
    pf.remplir_fiche(fiche, statut=FicheActivite.Statut.SOUMISE)
    with pytest.raises(ValidationError, match="Expliquez"):
        services.commenter_fiche(fiche, par=prof, commentaire="", decision="a_revoir")
    with pytest.raises(ValidationError):
        services.commenter_fiche(fiche, par=prof, commentaire="x", decision="effacer")
    for intrus in ("chef", "tuteur", "apprenant"):
        with pytest.raises(PermissionDenied):
            services.commenter_fiche(
                fiche, par=personas.a.membership(intrus).user, commentaire="x", decision="valider"
            )
    # A teacher of another establishment.
    with pytest.raises(PermissionDenied):
        services.commenter_fiche(
            fiche, par=personas.b.enseignant.user, commentaire="x", decision="valider"
        )
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.SOUMISE


def test_fiche_limits(personas, aff):
    fiche = pf.fiche(aff)
    with pytest.raises(ValidationError, match="dépasse 255"):
        services.enregistrer_fiche(fiche, par=_eleve(personas), titre="t" * 256)
    with pytest.raises(ValidationError, match="dépasse 5000"):
        services.enregistrer_fiche(fiche, par=_eleve(personas), difficultes="d" * 5001)
