"""Learner data of LSL Pro (cpro.rgpd): the livret scolaire, kept at erasure (it was
transmitted) with the bilans it cites."""

from cpro.rgpd import (
    DonneesApprenant,
    HorsDonneesApprenant,
    Regle,
    Sort,
    declarer,
)
from lslpro.models import Livret, NoteLivret


@declarer
class DonneesLsl(DonneesApprenant):
    identifiant = "lslpro"
    ordre = 50
    modeles = {
        "lslpro.Livret": Regle("lsl[]", Sort.CONSERVE, "livret transmis (dossier scolaire)"),
        "lslpro.NiveauLivret": Regle("lsl[].niveaux", Sort.CONSERVE, "suit son livret"),
        "lslpro.NoteLivret": Regle(
            "lsl[].notes",
            Sort.CONSERVE,
            "suit son livret ; garde le bilan cité, même en brouillon",
        ),
        "lslpro.EnseignantLivret": Regle("lsl[].enseignants", Sort.CONSERVE, "suit son livret"),
        "lslpro.ExportLSL": Regle(
            "non exporté (trace d'un export d'établissement)",
            Sort.CONSERVE,
            "exports LSL déjà produits : empreintes indexées par ELEVE_ID, sans nom",
        ),
        "lslpro.CodeMatiereLSL": HorsDonneesApprenant(
            "paramètre de l'établissement, saisi par la direction"
        ),
    }

    def exporter(self, apprenant):
        livrets = (
            Livret.objects.filter(apprenant=apprenant)
            .select_related("annee", "diplome")
            .prefetch_related("niveaux__competence", "notes__bilan", "enseignants")
            .order_by("annee__debut")
        )
        return {
            "lsl": [
                {
                    "annee": lv.annee.libelle,
                    "diplome": lv.diplome.code,
                    "appreciation": lv.appreciation,
                    "niveaux": [
                        {"competence": n.competence.code, "niveau": n.niveau}
                        for n in sorted(lv.niveaux.all(), key=lambda n: n.competence.code)
                    ],
                    "notes": [
                        {"periode": n.periode, "note": n.bilan.note}
                        for n in sorted(lv.notes.all(), key=lambda n: n.periode)
                    ],
                    "enseignants": [
                        {"role": e.role, "nom": e.nom, "prenom": e.prenom}
                        for e in lv.enseignants.all()
                    ],
                    "pfmp": {
                        "active": lv.pfmp_active,
                        "synthese": lv.pfmp_synthese,
                        "enseignant": lv.pfmp_enseignant,
                        "semaines": lv.pfmp_semaines,
                        "etranger": lv.pfmp_etranger,
                    },
                    "chef_oeuvre": {
                        "actif": lv.chef_oeuvre_actif,
                        "appreciation": lv.chef_oeuvre_appreciation,
                        "note": lv.chef_oeuvre_note,
                    },
                }
                for lv in livrets
            ]
        }

    def objets(self, apprenant):
        return [Livret.objects.filter(apprenant=apprenant)]

    def gardes(self, apprenant):
        # As before the registry: any bilan cited by a livret note is kept.
        return {"bilans.BilanIntermediaire": NoteLivret.objects.values("bilan_id")}

    def conserves(self, apprenant):
        return {"livrets": Livret.objects.filter(apprenant=apprenant).count()}
