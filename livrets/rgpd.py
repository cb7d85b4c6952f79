"""Learner data of the livrets module (cpro.rgpd): the apprentice's livrets d'apprentissage
with their observations, visits and acknowledgements.

All of it is the record of the apprentice's training between the lycée and the company (like
the bilans entreprise, pfmp): exported in full, kept at erasure (attached to the pseudonym).
It holds no file, so there is nothing for the retention period to remove. The périodes,
fiches and journal weeks a livret shows are pfmp's and follow pfmp's rules.
"""

from django.db.models import Prefetch

from cpro.rgpd import DonneesApprenant, Regle, Sort, declarer, personne
from livrets.models import Livret, Observation, PriseConnaissance, Visite

CONSERVE = "dossier de suivi de l'apprentissage (lycée et entreprise)"


@declarer
class DonneesLivrets(DonneesApprenant):
    identifiant = "livrets"
    ordre = 35
    modeles = {
        "livrets.Livret": Regle("livrets_apprentissage[]", Sort.CONSERVE, CONSERVE),
        "livrets.Observation": Regle(
            "livrets_apprentissage[].observations", Sort.CONSERVE, CONSERVE
        ),
        "livrets.Visite": Regle("livrets_apprentissage[].visites", Sort.CONSERVE, CONSERVE),
        "livrets.PriseConnaissance": Regle(
            "livrets_apprentissage[].pris_connaissance", Sort.CONSERVE, CONSERVE
        ),
    }

    def exporter(self, apprenant):
        livrets = (
            Livret.objects.filter(apprenant=apprenant)
            .select_related("annee")
            .prefetch_related(
                Prefetch(
                    "observations",
                    queryset=Observation.objects.select_related(
                        "affectation__periode", "redigee_par"
                    ),
                ),
                Prefetch(
                    "visites", queryset=Visite.objects.select_related("affectation__periode", "par")
                ),
                Prefetch(
                    "prises_connaissance",
                    queryset=PriseConnaissance.objects.select_related("affectation__periode"),
                ),
            )
            .order_by("annee__debut")
        )
        return {
            "livrets_apprentissage": [
                {
                    "annee": livret.annee.libelle,
                    "observations": [
                        {
                            "periode": o.affectation.periode.titre,
                            "auteur": o.get_auteur_display(),
                            "texte": o.texte,
                            "redigee_par": personne(o.redigee_par),
                            "par_lien": o.lien_id is not None,
                            "modifiee_le": o.modifiee_le,
                        }
                        for o in livret.observations.all()
                    ],
                    "visites": [
                        {
                            "periode": v.affectation.periode.titre if v.affectation else "",
                            "date": v.date,
                            "nature": v.get_nature_display(),
                            "compte_rendu": v.compte_rendu,
                            "par": personne(v.par),
                        }
                        for v in livret.visites.all()
                    ],
                    "pris_connaissance": [
                        {
                            "periode": pc.affectation.periode.titre,
                            "qui": pc.get_qui_display(),
                            "le": pc.le,
                        }
                        for pc in livret.prises_connaissance.all()
                    ],
                }
                for livret in livrets
            ]
        }

    def objets(self, apprenant):
        return [
            Livret.objects.filter(apprenant=apprenant),
            Observation.objects.filter(livret__apprenant=apprenant),
            Visite.objects.filter(livret__apprenant=apprenant),
            PriseConnaissance.objects.filter(livret__apprenant=apprenant),
        ]

    def conserves(self, apprenant):
        return {"livrets_apprentissage": Livret.objects.filter(apprenant=apprenant).count()}
