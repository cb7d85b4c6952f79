"""Learner data of the stockage module (cpro.rgpd): none. The spaces, folders and files belong
to the teaching staff (a learner or a tutor has no access to the module).

A staff member who leaves: his membership is deactivated, never deleted, so his personal space
is kept but unreachable (an inactive membership has no permission) and comes back if he is
reactivated; what he dropped in a shared space stays with the team. His files go with the
establishment's backup (sauvegarde) like any other stored file."""

from cpro.rgpd import DonneesApprenant, HorsDonneesApprenant, declarer


@declarer
class DonneesStockage(DonneesApprenant):
    identifiant = "stockage"
    ordre = 7
    modeles = {
        "stockage.Espace": HorsDonneesApprenant(
            "espace de fichiers d'un membre de l'équipe pédagogique ou d'une équipe de diplôme"
        ),
        "stockage.Dossier": HorsDonneesApprenant(
            "dossier rangé par un membre de l'équipe pédagogique dans un espace de stockage"
        ),
        "stockage.Fichier": HorsDonneesApprenant(
            "fichier de travail déposé par un membre de l'équipe pédagogique"
        ),
    }
