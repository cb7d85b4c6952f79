"""Learner data of the PFMP module (cpro.rgpd): affectations, portfolios (journal de bord,
fiches activités), bilans entreprise, tutor links and the book.

Erasure deletes what the learner wrote about themself and their contacts (journal de bord,
fiches activités, portfolio texts, tutor links with the tutors' e-mail addresses, the book with
its files and comments, the comments they wrote); the affectations and bilans entreprise stay
in the school record. Retention: the book media (files and rows) of learners who left more
than `settings.RGPD_RETENTION_JOURS` days ago.
"""

from django.db.models import Prefetch, Q

from cpro.rgpd import (
    DonneesApprenant,
    FichierExport,
    HorsDonneesApprenant,
    Regle,
    Retention,
    Sort,
    codes,
    declarer,
    personne,
)
from pfmp.models import (
    Affectation,
    CommentairePublication,
    FicheActivite,
    LienTuteur,
    MediaPublication,
    Portfolio,
    Publication,
    SemaineJournal,
)


def chemin_media(media: MediaPublication) -> str:
    """The media file's name inside the export archive."""
    base = media.fichier.name.rsplit("/", 1)[-1] if media.fichier else "fichier"
    return f"medias/{media.publication_id}-{media.pk}-{base}"


@declarer
class DonneesPfmp(DonneesApprenant):
    identifiant = "pfmp"
    ordre = 20
    modeles = {
        "pfmp.Affectation": Regle(
            "pfmp[] (période, entreprise, tuteur, référent)",
            Sort.CONSERVE,
            "dossier scolaire",
        ),
        "pfmp.Portfolio": Regle(
            "pfmp[].portfolio",
            Sort.PSEUDONYMISE,
            "présentation de l'entreprise et bilan personnel vidés",
        ),
        "pfmp.SemaineJournal": Regle("pfmp[].portfolio.journal_de_bord", Sort.SUPPRIME),
        "pfmp.FicheActivite": Regle("pfmp[].portfolio.fiches_activites", Sort.SUPPRIME),
        "pfmp.BilanEntreprise": Regle(
            "pfmp[].bilan_entreprise", Sort.CONSERVE, "avec ses résultats (dossier scolaire)"
        ),
        "pfmp.LienTuteur": Regle(
            "pfmp[].liens_tuteur", Sort.SUPPRIME, "avec l'adresse e-mail du tuteur"
        ),
        "pfmp.Publication": Regle("book[]", Sort.SUPPRIME),
        "pfmp.MediaPublication": Regle(
            "book[].medias + fichiers medias/ du ZIP", Sort.SUPPRIME, "fichiers compris"
        ),
        "pfmp.CommentairePublication": Regle(
            "book[].commentaires, commentaires_ecrits",
            Sort.SUPPRIME,
            "sur ses publications ou écrits par l'apprenant",
        ),
        "pfmp.Periode": HorsDonneesApprenant(
            "période de PFMP d'une division, créée par un enseignant ; exportée comme "
            "contexte de l'affectation (pfmp[].periode)"
        ),
        "pfmp.AnnexePedagogique": HorsDonneesApprenant(
            "document pédagogique écrit par un enseignant pour une période"
        ),
    }

    # export

    def exporter(self, apprenant):
        user_id = apprenant.membership.user_id
        return {
            "pfmp": [_affectation(a) for a in _affectations(apprenant)],
            "book": [_publication(p) for p in _publications(apprenant)],
            "commentaires_ecrits": [
                {"publication": c.publication.titre, "texte": c.texte, "cree_le": c.cree_le}
                for c in CommentairePublication.objects.filter(auteur_id=user_id)
                .exclude(publication__apprenant=apprenant)
                .select_related("publication")
            ],
        }

    def fichiers(self, apprenant):
        medias = MediaPublication.objects.filter(publication__apprenant=apprenant).order_by(
            "publication_id", "pk"
        )
        return [FichierExport(chemin_media(m), m.fichier) for m in medias]

    def objets(self, apprenant):
        return [
            Affectation.objects.filter(apprenant=apprenant),
            Portfolio.objects.filter(affectation__apprenant=apprenant),
            FicheActivite.objects.filter(portfolio__affectation__apprenant=apprenant),
            Publication.objects.filter(apprenant=apprenant),
        ]

    # erasure

    def a_supprimer(self, apprenant, effacement):
        return {
            "publications": Publication.objects.filter(apprenant=apprenant),
            "medias": MediaPublication.objects.filter(publication__apprenant=apprenant),
            "commentaires": CommentairePublication.objects.filter(
                Q(publication__apprenant=apprenant) | Q(auteur_id=apprenant.membership.user_id)
            ),
            "semaines": SemaineJournal.objects.filter(portfolio__affectation__apprenant=apprenant),
            "fiches": FicheActivite.objects.filter(portfolio__affectation__apprenant=apprenant),
            "liens_tuteur": LienTuteur.objects.filter(affectation__apprenant=apprenant),
        }

    def conserves(self, apprenant):
        return {"affectations": Affectation.objects.filter(apprenant=apprenant).count()}

    def effacer(self, apprenant, effacement, lignes):
        medias = list(lignes["medias"].values_list("fichier", flat=True))
        for nom in ("commentaires", "medias", "publications", "semaines", "fiches"):
            lignes[nom].delete()
        Portfolio.objects.filter(affectation__apprenant=apprenant).update(
            presentation_entreprise="", bilan_personnel=""
        )
        lignes["liens_tuteur"].delete()
        effacement.supprimer_fichiers(
            medias, storage=MediaPublication._meta.get_field("fichier").storage
        )

    # retention

    def retention(self, apprenants):
        return Retention(
            lignes=MediaPublication.objects.filter(publication__apprenant__in=apprenants),
            vers_apprenant="publication__apprenant",
            champ_fichier="fichier",
            champ_taille="taille",
        )


def _affectations(apprenant):
    return (
        Affectation.objects.filter(apprenant=apprenant)
        .select_related(
            "periode__annee",
            "entreprise",
            "tuteur__user",
            "referent",
            "portfolio",
            "bilan_entreprise__evaluation",
            "bilan_entreprise__valide_par",
        )
        .prefetch_related(
            "portfolio__semaines__taches",
            "portfolio__fiches__taches",
            "portfolio__fiches__commentee_par",
            "liens_tuteur",
        )
        .order_by("periode__date_debut", "pk")
    )


def _affectation(a: Affectation) -> dict:
    portfolio = getattr(a, "portfolio", None)
    bilan = getattr(a, "bilan_entreprise", None)
    e = a.entreprise
    return {
        "periode": {
            "titre": a.periode.titre,
            "annee": a.periode.annee.libelle,
            "date_debut": a.periode.date_debut,
            "date_fin": a.periode.date_fin,
        },
        "entreprise": {
            "nom": e.nom,
            "adresse": e.adresse,
            "code_postal": e.code_postal,
            "ville": e.ville,
            "secteur": e.secteur,
        }
        if e
        else None,
        "tuteur": personne(a.tuteur.user) if a.tuteur_id else "",
        "referent": personne(a.referent),
        "archivee": a.archivee,
        "portfolio": _portfolio(portfolio) if portfolio else None,
        "bilan_entreprise": {
            "evaluation": bilan.evaluation_id,
            "appreciation": bilan.appreciation,
            "statut": bilan.statut,
            "valide_le": bilan.valide_le,
            "valide_par": personne(bilan.valide_par),
            "tuteur": bilan.tuteur_nom,
        }
        if bilan
        else None,
        "liens_tuteur": [
            {
                "email": lien.email,
                "cree_le": lien.cree_le,
                "expire_le": lien.expire_le,
                "revoque_le": lien.revoque_le,
                "utilise_le": lien.utilise_le,
            }
            for lien in a.liens_tuteur.all()
        ],
    }


def _portfolio(portfolio: Portfolio) -> dict:
    return {
        "presentation_entreprise": portfolio.presentation_entreprise,
        "bilan_personnel": portfolio.bilan_personnel,
        "journal_de_bord": [
            {
                "semaine": s.numero,
                "date_debut": s.date_debut,
                "date_fin": s.date_fin,
                "activites": s.activites,
                "taches": codes(s.taches.all()),
            }
            for s in portfolio.semaines.all()
        ],
        "fiches_activites": [
            {
                "numero": f.numero,
                "date_debut": f.date_debut,
                "date_fin": f.date_fin,
                "titre": f.titre,
                "contexte": f.contexte,
                "realisation": f.realisation,
                "resultat": f.resultat,
                "difficultes": f.difficultes,
                "taches": codes(f.taches.all()),
                "statut": f.statut,
                "soumise_le": f.soumise_le,
                "commentaire": f.commentaire,
                "commentee_par": personne(f.commentee_par),
                "commentee_le": f.commentee_le,
            }
            for f in portfolio.fiches.all()
        ],
    }


def _publications(apprenant):
    return (
        Publication.objects.filter(apprenant=apprenant)
        .order_by("date", "pk")
        .prefetch_related(
            "medias",
            "taches",
            "competences",
            Prefetch(
                "commentaires",
                queryset=CommentairePublication.objects.select_related("auteur").order_by(
                    "cree_le"
                ),
            ),
        )
    )


def _publication(pub: Publication) -> dict:
    return {
        "titre": pub.titre,
        "description": pub.description,
        "situation": pub.situation,
        "lieu": pub.lieu,
        "date": pub.date,
        "taches": codes(pub.taches.all()),
        "competences": codes(pub.competences.all()),
        "mise_en_avant": pub.mise_en_avant,
        "cree_le": pub.cree_le,
        "medias": [
            {
                "type": m.type,
                "legende": m.legende,
                "content_type": m.content_type,
                "taille": m.taille,
                "fichier": chemin_media(m),
            }
            for m in pub.medias.all()
        ],
        "commentaires": [
            {"auteur": personne(c.auteur), "texte": c.texte, "cree_le": c.cree_le}
            for c in pub.commentaires.all()
        ],
    }
