"""Learner data of the certification module (cpro.rgpd): the CCF grids of the candidate.

The grids are examination documents: erasure keeps them (levels, proposed note, commission's
comment and members, candidate number) under the pseudonym. A locked grid also keeps the PDF
printed when it was locked (`GrilleCandidat.pdf_fige`), whose name and content carry the
learner's name: erasure prints it again from the kept grid, now under the pseudonym
(`E31_<numéro>_APPRENANT-EFFACE_n<id>.pdf`), and deletes the old file once it commits, so no
kept file still names the learner. The levels, note, comment, members and lock date printed
are those of the kept grid; only the identity changes (and the wording of the référentiel,
if it was imported again since the lock).
"""

from django.db.models import Prefetch

from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
from certification.services_documents import figer_pdf
from cpro.rgpd import DonneesApprenant, Regle, Sort, declarer


@declarer
class DonneesCertification(DonneesApprenant):
    identifiant = "certification"
    ordre = 40
    modeles = {
        "certification.GrilleCandidat": Regle(
            "certification[]",
            Sort.PSEUDONYMISE,
            "grille conservée (examen) ; PDF figé d'une grille verrouillée réimprimé sous le "
            "pseudonyme, l'ancien fichier supprimé",
        ),
        "certification.NiveauCritere": Regle(
            "certification[].niveaux", Sort.CONSERVE, "suit sa grille"
        ),
        "certification.MembreCommission": Regle(
            "certification[].commission", Sort.CONSERVE, "suit sa grille"
        ),
    }

    def exporter(self, apprenant):
        grilles = (
            GrilleCandidat.objects.filter(apprenant=apprenant)
            .select_related("grille")
            .prefetch_related(
                Prefetch(
                    "niveaux",
                    queryset=NiveauCritere.objects.select_related("critere").order_by(
                        "critere__competence__ordre", "critere__ordre"
                    ),
                ),
                Prefetch("membres", queryset=MembreCommission.objects.order_by("ordre", "pk")),
            )
            .order_by("session", "grille__epreuve")
        )
        return {
            "certification": [
                {
                    "epreuve": g.grille.epreuve,
                    "titre": g.grille.titre,
                    "session": g.session,
                    "dates_situations": g.dates_situations,
                    "note_proposee": g.note_proposee,
                    "commentaire": g.commentaire,
                    "statut": g.statut,
                    "verrouillee_le": g.verrouillee_le,
                    "niveaux": [
                        {"critere": n.critere.code, "niveau": n.niveau} for n in g.niveaux.all()
                    ],
                    "commission": [
                        {"nom": m.nom, "prenom": m.prenom, "qualite": m.qualite}
                        for m in g.membres.all()
                    ],
                }
                for g in grilles
            ]
        }

    def objets(self, apprenant):
        return [GrilleCandidat.objects.filter(apprenant=apprenant)]

    def conserves(self, apprenant):
        return {"grilles_ccf": GrilleCandidat.objects.filter(apprenant=apprenant).count()}

    def pseudonymiser(self, apprenant, effacement):
        # Runs after the account's pseudonymisation: the new PDF prints the pseudonym.
        figees = GrilleCandidat.objects.filter(
            apprenant=apprenant, statut=GrilleCandidat.Statut.VERROUILLEE
        ).exclude(pdf_fige="")
        n = 0
        for gc in figees.select_related("etablissement"):
            figer_pdf(gc)  # stores the new file; the old one is deleted after commit
            n += 1
        if n:
            effacement.compte["pdf_ccf_reimprimes"] = n
