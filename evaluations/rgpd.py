"""Learner data of the évaluations module (cpro.rgpd): participations and résultats per
criterion, kept at erasure (school record) under the pseudonym."""

from cpro.rgpd import (
    DonneesApprenant,
    HorsDonneesApprenant,
    Regle,
    Sort,
    declarer,
    personne,
)
from evaluations.models import Participant, Resultat


@declarer
class DonneesEvaluations(DonneesApprenant):
    identifiant = "evaluations"
    ordre = 10
    modeles = {
        "evaluations.Participant": Regle(
            "evaluations[] (commentaire de l'enseignant)", Sort.CONSERVE, "dossier scolaire"
        ),
        "evaluations.Resultat": Regle(
            "evaluations[].resultats (un par critère)", Sort.CONSERVE, "dossier scolaire"
        ),
        "evaluations.AgregatSuggestion": Regle(
            "evaluations[].resultats (les agrégats en sont des sommes, recalculables)",
            Sort.CONSERVE,
            "dossier scolaire : somme pondérée des résultats par compétence et niveau, conservée "
            "avec les résultats dont elle est calculée",
        ),
        "evaluations.Evaluation": HorsDonneesApprenant(
            "l'évaluation est le travail de l'enseignant ; ce qui concerne l'apprenant est sa "
            "participation et ses résultats (titre, date, nature et auteur exportés comme "
            "contexte de evaluations[])"
        ),
        "evaluations.RessourceEvaluation": HorsDonneesApprenant(
            "ressource pédagogique déposée par un enseignant sur une évaluation"
        ),
    }

    def exporter(self, apprenant):
        # Participations and résultats (one per criterion), grouped per évaluation.
        evaluations = {}
        for p in Participant.objects.filter(apprenant=apprenant).select_related(
            "evaluation__diplome", "evaluation__annee", "evaluation__auteur"
        ):
            evaluations[p.evaluation_id] = {
                "evaluation": p.evaluation,
                "commentaire": p.commentaire,
            }
        resultats = (
            Resultat.objects.filter(apprenant=apprenant)
            .select_related(
                "evaluation__diplome",
                "evaluation__annee",
                "evaluation__auteur",
                "critere__competence",
                "modifie_par",
            )
            .order_by(
                "evaluation__date", "evaluation_id", "critere__competence__ordre", "critere__ordre"
            )
        )
        par_evaluation: dict[int, list] = {}
        for r in resultats:
            evaluations.setdefault(r.evaluation_id, {"evaluation": r.evaluation, "commentaire": ""})
            par_evaluation.setdefault(r.evaluation_id, []).append(
                {
                    "critere": r.critere.code,
                    "intitule": r.critere.intitule,
                    "competence": r.critere.competence.code,
                    "niveau": r.niveau,
                    "saisi_par": personne(r.modifie_par),
                    "modifie_le": r.modifie_le,
                }
            )
        liste = []
        for ev_id, item in sorted(
            evaluations.items(), key=lambda kv: (kv[1]["evaluation"].date, kv[0])
        ):
            ev = item["evaluation"]
            liste.append(
                {
                    "id": ev.pk,
                    "titre": ev.titre,
                    "date": ev.date,
                    "nature": ev.nature,
                    "nature_libelle": ev.get_nature_display(),
                    "diplome": ev.diplome.code,
                    "annee": ev.annee.libelle,
                    "niveau": ev.niveau,
                    "auteur": personne(ev.auteur),
                    "commentaire": item["commentaire"],
                    "resultats": par_evaluation.get(ev_id, []),
                }
            )
        return {"evaluations": liste}

    def conserves(self, apprenant):
        return {"resultats": Resultat.objects.filter(apprenant=apprenant).count()}
