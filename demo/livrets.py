"""Demo data of the livrets: the demo apprentices' livrets d'apprentissage for the year.

For every apprentice's période already begun: a visit (or an entretien, a call) by the
référent during the période; for every période ended: the teacher's and the maître
d'apprentissage's observations (by account, or through a signed link when the company's
maître d'apprentissage has no account) and both « pris connaissance ». One apprentice is left
« en retard » (no teacher observation, no visit on his last ended période) so that the list
shows both statuses. Built through the services (rules, audit). Idempotent: nothing is
written twice (an existing observation, visit or acknowledgement is kept).
"""

import datetime

from django.utils import timezone

from cpro.models import Statut
from demo.socle import DemoContext
from livrets import services
from livrets.models import Auteur, Observation, PriseConnaissance, Visite
from pfmp.models import Affectation
from pfmp.services_portfolio import lien_depuis_token

OBSERVATIONS_MAITRE = (
    "Apprenti ponctuel et impliqué. Il prend des initiatives au rayon et s'adresse aux clients "
    "avec aisance. À travailler : l'anticipation des réassorts.",
    "Bonne intégration dans l'équipe. Les consignes sont respectées ; il doit encore gagner en "
    "autonomie sur l'encaissement et la gestion des litiges.",
    "Progrès nets depuis la dernière période : accueil soigné, argumentation plus précise. "
    "Reste à fiabiliser le suivi des commandes clients.",
)
OBSERVATIONS_PROF = (
    "Les activités réalisées correspondent à l'annexe pédagogique. Les fiches activités sont "
    "complètes ; le journal de bord gagnerait à être rempli chaque semaine.",
    "Période cohérente avec la formation au lycée. L'apprenti relie bien les situations vécues "
    "en entreprise aux compétences travaillées en cours.",
)
VISITES = (
    (
        Visite.Nature.VISITE,
        "Visite sur le lieu de travail avec le maître d'apprentissage : "
        "poste et missions conformes, bonne entente, aucun point bloquant.",
    ),
    (
        Visite.Nature.APPEL,
        "Appel au maître d'apprentissage : l'apprenti progresse, point à "
        "refaire à la fin de la période sur l'autonomie en caisse.",
    ),
    (
        Visite.Nature.ENTRETIEN,
        "Entretien au lycée avec l'apprenti : il se sent bien dans "
        "l'entreprise, souhaite découvrir la gestion des stocks.",
    ),
)


def construire(ctx: DemoContext, aujourd_hui: datetime.date | None = None) -> None:
    aujourd_hui = aujourd_hui or timezone.localdate()
    affectations = list(
        Affectation.objects.filter(
            periode__etablissement=ctx.etablissement,
            periode__annee=ctx.annee,
            apprenant__statut=Statut.APPRENTI,
            archivee=False,
            periode__date_debut__lte=aujourd_hui,
            referent__isnull=False,
        )
        .select_related("periode__annee", "periode__etablissement", "apprenant", "tuteur__user")
        .order_by("apprenant_id", "periode__date_debut", "pk")
    )
    terminees = [a for a in affectations if a.periode.date_fin < aujourd_hui]
    # The apprentice left « en retard »: the last one with an ended période.
    en_retard = terminees[-1].apprenant_id if terminees else None
    dernieres = {a.apprenant_id: a.pk for a in terminees}
    for index, affectation in enumerate(affectations):
        retard = affectation.apprenant_id == en_retard and dernieres[en_retard] == affectation.pk
        if not retard:
            _visite(affectation, index, aujourd_hui)
        if affectation.periode.date_fin < aujourd_hui:
            _observations(affectation, index, sans_professeur=retard)


def _visite(affectation: Affectation, index: int, aujourd_hui: datetime.date) -> None:
    if Visite.objects.filter(affectation=affectation).exists():
        return
    nature, compte_rendu = VISITES[index % len(VISITES)]
    date = min(affectation.periode.date_debut + datetime.timedelta(days=7), aujourd_hui)
    services.ajouter_visite(
        affectation,
        par=affectation.referent,
        date=date,
        nature=nature,
        compte_rendu=compte_rendu,
    )


def _observations(affectation: Affectation, index: int, *, sans_professeur: bool) -> None:
    faites = set(
        Observation.objects.filter(affectation=affectation).values_list("auteur", flat=True)
    )
    lien = None
    if Auteur.MAITRE not in faites:
        texte = OBSERVATIONS_MAITRE[index % len(OBSERVATIONS_MAITRE)]
        if affectation.tuteur_id:
            services.observer(
                affectation, auteur=Auteur.MAITRE, texte=texte, par=affectation.tuteur.user
            )
        else:  # a maître d'apprentissage without an account: his signed link
            url = services.creer_lien_maitre(affectation, par=affectation.referent, duree_jours=90)
            lien, _valide = lien_depuis_token(url.rstrip("/").rsplit("/", 1)[1])
            services.observer(affectation, auteur=Auteur.MAITRE, texte=texte, lien=lien)
    if sans_professeur:
        return
    if Auteur.ENSEIGNANT not in faites:
        services.observer(
            affectation,
            auteur=Auteur.ENSEIGNANT,
            texte=OBSERVATIONS_PROF[index % len(OBSERVATIONS_PROF)],
            par=affectation.referent,
        )
    signees = set(
        PriseConnaissance.objects.filter(affectation=affectation).values_list("qui", flat=True)
    )
    if PriseConnaissance.Qui.APPRENTI not in signees:
        services.prendre_connaissance(
            affectation,
            qui=PriseConnaissance.Qui.APPRENTI,
            par=affectation.apprenant.membership.user,
        )
    if PriseConnaissance.Qui.MAITRE not in signees and affectation.tuteur_id:
        services.prendre_connaissance(
            affectation, qui=PriseConnaissance.Qui.MAITRE, par=affectation.tuteur.user
        )
    elif PriseConnaissance.Qui.MAITRE not in signees and lien is not None:
        services.prendre_connaissance(affectation, qui=PriseConnaissance.Qui.MAITRE, lien=lien)
