"""Learner data of the bilans module (cpro.rgpd): bilans intermédiaires and attestations.

Erasure deletes the bilans still in draft, except those a kept document of another module
points to (a livret's note: `gardes` of lslpro); validated bilans and attestations stay in the
school record under the pseudonym."""

from django.db.models import Prefetch

from bilans.models import Attestation, BilanIntermediaire, Positionnement
from cpro.rgpd import (
    DonneesApprenant,
    HorsDonneesApprenant,
    Regle,
    Sort,
    codes,
    declarer,
    personne,
)


@declarer
class DonneesBilans(DonneesApprenant):
    identifiant = "bilans"
    ordre = 30
    modeles = {
        "bilans.BilanIntermediaire": Regle(
            "bilans[]",
            Sort.CONSERVE,
            "validés (ou utilisés par un livret) conservés ; brouillons supprimés",
        ),
        "bilans.Positionnement": Regle("bilans[].positionnements", Sort.CONSERVE, "suit son bilan"),
        "bilans.Attestation": Regle("attestations[]", Sort.CONSERVE, "dossier scolaire"),
        "bilans.JetonPronote": HorsDonneesApprenant(
            "jeton d'accès de l'établissement à l'API PRONOTE, créé par la direction"
        ),
    }

    def exporter(self, apprenant):
        bilans = (
            BilanIntermediaire.objects.filter(apprenant=apprenant)
            .select_related("diplome", "annee", "auteur", "valide_par")
            .prefetch_related(
                Prefetch(
                    "positionnements",
                    queryset=Positionnement.objects.select_related("competence").order_by(
                        "competence__groupe__ordre", "competence__ordre"
                    ),
                ),
                "evaluations",
            )
            .order_by("date", "pk")
        )
        attestations = (
            Attestation.objects.filter(apprenant=apprenant)
            .select_related("diplome", "creee_par", "signee_par")
            .prefetch_related("competences")
            .order_by("date", "pk")
        )
        return {
            "bilans": [
                {
                    "date": b.date,
                    "diplome": b.diplome.code,
                    "annee": b.annee.libelle,
                    "auteur": personne(b.auteur),
                    "statut": b.statut,
                    "valide_le": b.valide_le,
                    "valide_par": personne(b.valide_par),
                    "note": b.note,
                    "constats": b.constats,
                    "conseils": b.conseils,
                    "positionnements": [
                        {
                            "competence": p.competence.code,
                            "niveau": p.niveau,
                            "competence_validee": p.competence_validee,
                        }
                        for p in b.positionnements.all()
                    ],
                    "evaluations": [ev.titre for ev in b.evaluations.all()],
                }
                for b in bilans
            ],
            "attestations": [
                {
                    "date": a.date,
                    "diplome": a.diplome.code,
                    "competences": sorted(codes(a.competences.all())),
                    "creee_par": personne(a.creee_par),
                    "signee_le": a.signee_le,
                    "signee_par": personne(a.signee_par),
                }
                for a in attestations
            ],
        }

    def objets(self, apprenant):
        return [
            BilanIntermediaire.objects.filter(apprenant=apprenant),
            Attestation.objects.filter(apprenant=apprenant),
        ]

    def a_supprimer(self, apprenant, effacement):
        brouillons = BilanIntermediaire.objects.filter(
            apprenant=apprenant, statut=BilanIntermediaire.Statut.BROUILLON
        )
        return {"bilans_brouillon": effacement.sauf_gardes(brouillons)}

    def conserves(self, apprenant):
        return {
            "bilans_valides": BilanIntermediaire.objects.filter(apprenant=apprenant)
            .exclude(statut=BilanIntermediaire.Statut.BROUILLON)
            .count(),
            "attestations": Attestation.objects.filter(apprenant=apprenant).count(),
        }
