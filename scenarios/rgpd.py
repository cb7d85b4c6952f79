"""Learner data of the scénarios module (cpro.rgpd): none. Scénarios, their folders and
resources are the teaching team's work; their only path to a user is their author (a
teacher), so each is declared "not learner data"."""

from cpro.rgpd import DonneesApprenant, HorsDonneesApprenant, declarer


@declarer
class DonneesScenarios(DonneesApprenant):
    identifiant = "scenarios"
    ordre = 5
    modeles = {
        "scenarios.Scenario": HorsDonneesApprenant(
            "scénario pédagogique écrit par un enseignant ; aucun apprenant n'y figure"
        ),
        "scenarios.Dossier": HorsDonneesApprenant(
            "dossier de scénarios de l'équipe, créé par un enseignant"
        ),
        "scenarios.Ressource": HorsDonneesApprenant(
            "ressource pédagogique déposée par un enseignant sur un scénario"
        ),
    }
