"""Test data of the projets module, built with the ORM (independent of the services)."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from cpro.models import AnneeScolaire
from projets.models import (
    CommentaireProjet,
    EntreeCarnet,
    Etape,
    EvaluationAnnuelle,
    Projet,
)

_seq = itertools.count(1)


def projet(side, apprenants=None, *, etapes=4, titre=None) -> Projet:
    """A projet of establishment `side` on its division, with `side.apprenant` (default) as
    team, `side.enseignant` as teacher and `etapes` stages around today (the first finished,
    the second in progress, the others to come)."""
    k = next(_seq)
    p = Projet.objects.create(
        etablissement=side.etablissement,
        annee=AnneeScolaire.courante(),
        titre=titre or f"Chef-d'œuvre {k} : boutique éphémère",
        description="Concevoir et animer une boutique éphémère.",
        cree_par=side.enseignant.user,
    )
    p.divisions.set([side.division])
    p.apprenants.set(apprenants if apprenants is not None else [side.apprenant.apprenant])
    p.enseignants.set([side.enseignant.user])
    today = timezone.localdate()
    noms = ["Démarrage", "Réalisation", "Finalisation", "Présentation", "Bilan", "Suite"]
    for i in range(etapes):
        debut = today + datetime.timedelta(days=30 * (i - 1) - 10)
        Etape.objects.create(
            projet=p,
            ordre=i + 1,
            titre=noms[i % len(noms)],
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=20),
            livrables="Cahier des charges",
        )
    return p


def de_persona(p) -> Projet:
    """The projet of establishment A's scolaire learner (cached on the personas: one per
    test); A's tutor follows that learner through a PFMP affectation."""
    if not hasattr(p, "_projet"):
        from tests.pfmp import portfolio_factories as pf

        pf.de_persona(p)
        p._projet = projet(p.a)
    return p._projet


def entree(projet_, apprenant, **kwargs) -> EntreeCarnet:
    return EntreeCarnet.objects.create(
        projet=projet_,
        apprenant=apprenant,
        auteur=apprenant.membership.user,
        date=kwargs.pop("date", timezone.localdate()),
        texte=kwargs.pop("texte", "Recherche des fournisseurs."),
        **kwargs,
    )


def commentaire(projet_, apprenant, auteur, texte="Bon démarrage.") -> CommentaireProjet:
    return CommentaireProjet.objects.create(
        projet=projet_, apprenant=apprenant, auteur=auteur, texte=texte
    )


def evaluation(projet_, apprenant, *, validee=True, note="14.5", appreciation=None):
    return EvaluationAnnuelle.objects.create(
        projet=projet_,
        apprenant=apprenant,
        annee=AnneeScolaire.courante(),
        appreciation=appreciation or "Investi et rigoureux dans la conduite du projet.",
        note=Decimal(note) if note is not None else None,
        validee=validee,
        validee_le=timezone.now() if validee else None,
    )


def eleves(side, n) -> list:
    """`n` new scolaire learners of `side`'s division (with their accounts)."""
    from cpro.models import Role, Statut
    from tests.factories import ApprenantFactory, MembershipFactory, UserFactory

    k = next(_seq)
    resultat = []
    for i in range(n):
        user = UserFactory(username=f"{side.etablissement.slug}-eleve-pj{k}-{i}")
        m = MembershipFactory(user=user, etablissement=side.etablissement, role=Role.APPRENANT)
        resultat.append(
            ApprenantFactory(
                etablissement=side.etablissement,
                membership=m,
                division=side.division,
                statut=Statut.SCOLAIRE,
            )
        )
    return resultat
