"""Learner data of the projets module (cpro.rgpd): the projets of his team, his carnet de bord
(with its files), the teachers' comments on his work and his yearly assessments.

Erasure deletes what the learner wrote (carnet de bord entries, files included) and the
comments written about that work; the projet (his place in the team) and the yearly
assessments stay in the school record (they feed the livret scolaire), now attached to the
pseudonym. No retention rule: carnet files go with the learner's erasure.
"""

from cpro.rgpd import (
    DonneesApprenant,
    FichierExport,
    HorsDonneesApprenant,
    Regle,
    Sort,
    declarer,
    personne,
)
from projets.models import CommentaireProjet, EntreeCarnet, EvaluationAnnuelle, Projet


def chemin_fichier(entree: EntreeCarnet) -> str:
    """The entry's file name inside the export archive."""
    base = entree.fichier.name.rsplit("/", 1)[-1] if entree.fichier else "fichier"
    return f"projets/{entree.projet_id}-{entree.pk}-{base}"


@declarer
class DonneesProjets(DonneesApprenant):
    identifiant = "projets"
    ordre = 30
    modeles = {
        "projets.Projet": Regle(
            "projets[] (titre, description, étapes, équipe pédagogique)",
            Sort.CONSERVE,
            "dossier scolaire : l'apprenant reste dans l'équipe, sous pseudonyme",
        ),
        "projets.EntreeCarnet": Regle(
            "projets[].carnet_de_bord + fichiers projets/ du ZIP", Sort.SUPPRIME, "fichiers compris"
        ),
        "projets.CommentaireProjet": Regle("projets[].commentaires", Sort.SUPPRIME),
        "projets.EvaluationAnnuelle": Regle(
            "projets[].evaluations",
            Sort.CONSERVE,
            "dossier scolaire (reprise dans le livret scolaire)",
        ),
        "projets.Etape": HorsDonneesApprenant(
            "étape datée d'un projet, écrite par l'équipe pédagogique ; exportée comme "
            "contexte du projet (projets[].etapes)"
        ),
    }

    def exporter(self, apprenant):
        projets = (
            Projet.objects.filter(apprenants=apprenant)
            .select_related("annee")
            .prefetch_related("etapes", "enseignants")
            .order_by("annee__debut", "pk")
        )
        entrees = EntreeCarnet.objects.filter(apprenant=apprenant).order_by("date", "pk")
        commentaires = CommentaireProjet.objects.filter(apprenant=apprenant).select_related(
            "auteur"
        )
        evaluations = EvaluationAnnuelle.objects.filter(apprenant=apprenant).select_related("annee")
        return {
            "projets": [
                {
                    "titre": p.titre,
                    "annee": p.annee.libelle,
                    "description": p.description,
                    "enseignants": [personne(u) for u in p.enseignants.all()],
                    "etapes": [
                        {
                            "titre": e.titre,
                            "date_debut": e.date_debut,
                            "date_fin": e.date_fin,
                            "livrables": e.livrables,
                        }
                        for e in p.etapes.all()
                    ],
                    "carnet_de_bord": [
                        {
                            "date": e.date,
                            "texte": e.texte,
                            "fichier": chemin_fichier(e) if e.fichier else "",
                            "lien": e.url,
                        }
                        for e in entrees
                        if e.projet_id == p.pk
                    ],
                    "commentaires": [
                        {"auteur": personne(c.auteur), "texte": c.texte, "cree_le": c.cree_le}
                        for c in commentaires
                        if c.projet_id == p.pk
                    ],
                    "evaluations": [
                        {
                            "annee": e.annee.libelle,
                            "appreciation": e.appreciation,
                            "note": e.note,
                            "validee": e.validee,
                        }
                        for e in evaluations
                        if e.projet_id == p.pk
                    ],
                }
                for p in projets
            ]
        }

    def fichiers(self, apprenant):
        entrees = EntreeCarnet.objects.filter(apprenant=apprenant).exclude(fichier="")
        return [FichierExport(chemin_fichier(e), e.fichier) for e in entrees.order_by("pk")]

    def objets(self, apprenant):
        return [
            EntreeCarnet.objects.filter(apprenant=apprenant),
            EvaluationAnnuelle.objects.filter(apprenant=apprenant),
        ]

    def a_supprimer(self, apprenant, effacement):
        return {
            "entrees_carnet": EntreeCarnet.objects.filter(apprenant=apprenant),
            "commentaires_projet": CommentaireProjet.objects.filter(apprenant=apprenant),
        }

    def conserves(self, apprenant):
        return {
            "projets": Projet.objects.filter(apprenants=apprenant).count(),
            "evaluations_projet": EvaluationAnnuelle.objects.filter(apprenant=apprenant).count(),
        }

    def effacer(self, apprenant, effacement, lignes):
        fichiers = list(
            lignes["entrees_carnet"].exclude(fichier="").values_list("fichier", flat=True)
        )
        lignes["commentaires_projet"].delete()
        lignes["entrees_carnet"].delete()
        effacement.supprimer_fichiers(
            fichiers, storage=EntreeCarnet._meta.get_field("fichier").storage
        )
