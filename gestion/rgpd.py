"""RGPD: a learner's data exported (right of access), erased once they left (right to
erasure), and the retention of what is kept after they left.

**A learner who has left** is a learner whose account in the establishment is deactivated
(`Membership.active` false). `Apprenant.date_sortie` records the day the DDFPT deactivated it
(`marquer_sortie`); the retention period runs from that date.

**Erasure rule** (`effacer_apprenant`). The establishment keeps the learner's school and
certification record, under a pseudonymised identity, because it must be able to justify a
certification and the school record (CCF grids are examination documents; the LSL livret was
transmitted); everything the learner wrote about themself, their contacts and their identity is
removed:

- *deleted*: the book (publications, their photos and videos — files included — and their
  comments), the comments the learner wrote, the journal de bord (weeks) and the fiches
  activités of every portfolio, the portfolio texts (présentation de l'entreprise, bilan
  personnel), the tutor links (tutors' e-mail addresses), the bilans intermédiaires still in
  draft (not validated, not used by a livret), the export files about the learner or requested
  by them, the account's e-mail addresses, sessions, groups and per-object permissions;
- *anonymised*: the account (username `efface-<id>`, name « Apprenant effacé n°<learner id> »,
  no e-mail, unusable password, inactive, last login forgotten), the learner profile (INE,
  ELEVE_ID and birth date cleared) and the audit log (the learner's name, username, e-mail,
  INE and ELEVE_ID are replaced in every entry of the establishment; the identity fields of
  entries about their profile or account are replaced by « [effacé] »);
- *kept as they are* (now attached to the pseudonym): évaluations taken (participations,
  teachers' comments, résultats per criterion), PFMP affectations (période, entreprise, tutor,
  référent) and bilans entreprise with their résultats, validated bilans intermédiaires,
  attestations, CCF grids (levels, proposed note, commission's comment and members) with the
  candidate number, the LSL livret and the LSL exports already produced, the division and the
  statut.

A learner still active, already erased, or whose account also belongs to another
establishment (the account is shared: erasing it would change the other establishment's data)
is refused with a French message. Everything happens in one transaction; files are deleted
only once it commits.

**Retention** (`appliquer_retention`, command `manage.py appliquer_retention`): expired export
files are purged, and the book media (files and rows) of learners who left more than
`settings.RGPD_RETENTION_JOURS` days ago are removed.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from cpro.audit import journaliser
from cpro.formulaires import supprimer_fichiers_apres_commit
from cpro.models import Apprenant, AuditLog, Etablissement, ExportJob, Membership
from cpro.sessions import terminer_sessions

User = get_user_model()

KIND_EXPORT = "rgpd_apprenant"
ACTION_EFFACER = "apprenant.effacer"
NOM_EFFACE = "Apprenant effacé"
EFFACE = "[effacé]"
# Identity fields of the audit entries about a learner's profile or account
# (gestion.services.etat_apprenant / etat_compte).
CHAMPS_IDENTITE = ("nom", "prenom", "email", "identifiant", "ine", "eleve_id", "date_naissance")


# --- leaving ---------------------------------------------------------------------------------


def marquer_sortie(membership: Membership, date: datetime.date | None = None) -> None:
    """Record the day a learner left (their account is deactivated); the first date is kept.

    To be called by `gestion.services.desactiver_compte`, inside its transaction.
    Writes: Apprenant.date_sortie (learners only; nothing for other roles)."""
    apprenant = Apprenant.objects.filter(membership=membership).first()
    if apprenant is not None and apprenant.date_sortie is None:
        apprenant.date_sortie = date or timezone.localdate()
        apprenant.save(update_fields=["date_sortie"])


def annuler_sortie(membership: Membership) -> None:
    """Forget the date of leaving of a learner whose account is reactivated.

    To be called by `gestion.services.reactiver_compte`, inside its transaction."""
    Apprenant.objects.filter(membership=membership, date_sortie__isnull=False).update(
        date_sortie=None
    )


def est_efface(apprenant: Apprenant) -> bool:
    return AuditLog.objects.filter(
        action=ACTION_EFFACER, objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk)
    ).exists()


def motif_refus_effacement(apprenant: Apprenant) -> str | None:
    """Why this learner's data cannot be erased (French), or None when it can."""
    membership = apprenant.membership
    if membership.active:
        return (
            "Cet apprenant a un compte actif : ses données ne peuvent être effacées qu'après "
            "son départ. Désactivez d'abord son compte."
        )
    if est_efface(apprenant):
        return "Les données de cet apprenant ont déjà été effacées."
    if Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists():
        return (
            "Ce compte est aussi rattaché à un autre établissement : ses données ne peuvent pas "
            "être effacées depuis celui-ci."
        )
    return None


# --- export (right of access) ----------------------------------------------------------------


def demander_export(apprenant: Apprenant, *, par) -> ExportJob:
    """Queue the export of everything Cpro holds about a learner (ZIP: donnees.json,
    donnees.pdf, book media) — gestion.exporters.DonneesApprenant.

    Writes: one ExportJob (task queued on commit). Audit: `apprenant.exporter_donnees`."""
    from cpro.services import lancer_export

    with transaction.atomic():
        job = lancer_export(
            etablissement=apprenant.etablissement,
            par=par,
            kind=KIND_EXPORT,
            params={"apprenant": apprenant.pk},
        )
        journaliser(
            "apprenant.exporter_donnees",
            par=par,
            etablissement=apprenant.etablissement,
            objet=apprenant,
        )
    return job


def _personne(user) -> str:
    return str(user) if user is not None else ""


def _codes(items) -> list[str]:
    return [i.code for i in items]


def _filtre_journal(apprenant: Apprenant) -> Q:
    """Audit entries about the learner: their profile, account, user, the objects that belong
    to them, and what they did themself."""
    from bilans.models import Attestation, BilanIntermediaire
    from certification.models import GrilleCandidat
    from lslpro.models import Livret
    from pfmp.models import Affectation, FicheActivite, Portfolio, Publication

    q = Q(objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk))
    q |= Q(objet_type=Membership._meta.label, objet_id=str(apprenant.membership_id))
    q |= Q(objet_type=User._meta.label, objet_id=str(apprenant.membership.user_id))
    q |= Q(acteur_id=apprenant.membership.user_id)
    proprietes = [
        (Affectation, Affectation.objects.filter(apprenant=apprenant)),
        (Portfolio, Portfolio.objects.filter(affectation__apprenant=apprenant)),
        (FicheActivite, FicheActivite.objects.filter(portfolio__affectation__apprenant=apprenant)),
        (Publication, Publication.objects.filter(apprenant=apprenant)),
        (BilanIntermediaire, BilanIntermediaire.objects.filter(apprenant=apprenant)),
        (Attestation, Attestation.objects.filter(apprenant=apprenant)),
        (GrilleCandidat, GrilleCandidat.objects.filter(apprenant=apprenant)),
        (Livret, Livret.objects.filter(apprenant=apprenant)),
    ]
    for model, qs in proprietes:
        ids = [str(pk) for pk in qs.values_list("pk", flat=True)]
        if ids:
            q |= Q(objet_type=model._meta.label, objet_id__in=ids)
    return q


def donnees_apprenant(apprenant: Apprenant) -> dict:
    """Everything Cpro holds about a learner, as a JSON-able structure (dates and decimals are
    serialised by `json_donnees`). Runs in the export worker."""
    from bilans.models import Attestation, BilanIntermediaire, Positionnement
    from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
    from evaluations.models import Participant, Resultat
    from lslpro.models import Livret
    from pfmp.models import Affectation, CommentairePublication, Publication

    apprenant = Apprenant.objects.select_related(
        "membership__user", "etablissement", "division__annee", "division__diplome"
    ).get(pk=apprenant.pk)
    user = apprenant.membership.user
    division = apprenant.division

    # Évaluations: participations and résultats (one per criterion), grouped per évaluation.
    evaluations = {}
    for p in Participant.objects.filter(apprenant=apprenant).select_related(
        "evaluation__diplome", "evaluation__annee", "evaluation__auteur"
    ):
        evaluations[p.evaluation_id] = {"evaluation": p.evaluation, "commentaire": p.commentaire}
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
                "saisi_par": _personne(r.modifie_par),
                "modifie_le": r.modifie_le,
            }
        )
    liste_evaluations = []
    for ev_id, item in sorted(
        evaluations.items(), key=lambda kv: (kv[1]["evaluation"].date, kv[0])
    ):
        ev = item["evaluation"]
        liste_evaluations.append(
            {
                "id": ev.pk,
                "titre": ev.titre,
                "date": ev.date,
                "nature": ev.nature,
                "nature_libelle": ev.get_nature_display(),
                "diplome": ev.diplome.code,
                "annee": ev.annee.libelle,
                "niveau": ev.niveau,
                "auteur": _personne(ev.auteur),
                "commentaire": item["commentaire"],
                "resultats": par_evaluation.get(ev_id, []),
            }
        )

    # PFMP.
    affectations = (
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
    pfmp = []
    for a in affectations:
        portfolio = getattr(a, "portfolio", None)
        bilan = getattr(a, "bilan_entreprise", None)
        e = a.entreprise
        pfmp.append(
            {
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
                "tuteur": _personne(a.tuteur.user) if a.tuteur_id else "",
                "referent": _personne(a.referent),
                "archivee": a.archivee,
                "portfolio": {
                    "presentation_entreprise": portfolio.presentation_entreprise,
                    "bilan_personnel": portfolio.bilan_personnel,
                    "journal_de_bord": [
                        {
                            "semaine": s.numero,
                            "date_debut": s.date_debut,
                            "date_fin": s.date_fin,
                            "activites": s.activites,
                            "taches": _codes(s.taches.all()),
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
                            "taches": _codes(f.taches.all()),
                            "statut": f.statut,
                            "soumise_le": f.soumise_le,
                            "commentaire": f.commentaire,
                            "commentee_par": _personne(f.commentee_par),
                            "commentee_le": f.commentee_le,
                        }
                        for f in portfolio.fiches.all()
                    ],
                }
                if portfolio
                else None,
                "bilan_entreprise": {
                    "evaluation": bilan.evaluation_id,
                    "appreciation": bilan.appreciation,
                    "statut": bilan.statut,
                    "valide_le": bilan.valide_le,
                    "valide_par": _personne(bilan.valide_par),
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
        )

    # Book.
    book = []
    publications = (
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
    for pub in publications:
        book.append(
            {
                "titre": pub.titre,
                "description": pub.description,
                "situation": pub.situation,
                "lieu": pub.lieu,
                "date": pub.date,
                "taches": _codes(pub.taches.all()),
                "competences": _codes(pub.competences.all()),
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
                    {"auteur": _personne(c.auteur), "texte": c.texte, "cree_le": c.cree_le}
                    for c in pub.commentaires.all()
                ],
            }
        )
    commentaires_ecrits = [
        {"publication": c.publication.titre, "texte": c.texte, "cree_le": c.cree_le}
        for c in CommentairePublication.objects.filter(auteur=user)
        .exclude(publication__apprenant=apprenant)
        .select_related("publication")
    ]

    # Bilans intermédiaires and attestations.
    bilans = [
        {
            "date": b.date,
            "diplome": b.diplome.code,
            "annee": b.annee.libelle,
            "auteur": _personne(b.auteur),
            "statut": b.statut,
            "valide_le": b.valide_le,
            "valide_par": _personne(b.valide_par),
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
        for b in BilanIntermediaire.objects.filter(apprenant=apprenant)
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
    ]
    attestations = [
        {
            "date": a.date,
            "diplome": a.diplome.code,
            "competences": sorted(_codes(a.competences.all())),
            "creee_par": _personne(a.creee_par),
            "signee_le": a.signee_le,
            "signee_par": _personne(a.signee_par),
        }
        for a in Attestation.objects.filter(apprenant=apprenant)
        .select_related("diplome", "creee_par", "signee_par")
        .prefetch_related("competences")
        .order_by("date", "pk")
    ]

    # Certification (CCF grids).
    certification = [
        {
            "epreuve": g.grille.epreuve,
            "titre": g.grille.titre,
            "session": g.session,
            "dates_situations": g.dates_situations,
            "note_proposee": g.note_proposee,
            "commentaire": g.commentaire,
            "statut": g.statut,
            "verrouillee_le": g.verrouillee_le,
            "niveaux": [{"critere": n.critere.code, "niveau": n.niveau} for n in g.niveaux.all()],
            "commission": [
                {"nom": m.nom, "prenom": m.prenom, "qualite": m.qualite} for m in g.membres.all()
            ],
        }
        for g in GrilleCandidat.objects.filter(apprenant=apprenant)
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
    ]

    # LSL livret.
    lsl = [
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
                {"role": e.role, "nom": e.nom, "prenom": e.prenom} for e in lv.enseignants.all()
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
        for lv in Livret.objects.filter(apprenant=apprenant)
        .select_related("annee", "diplome")
        .prefetch_related("niveaux__competence", "notes__bilan", "enseignants")
        .order_by("annee__debut")
    ]

    journal = [
        {
            "date": e.cree_le,
            "acteur": _personne(e.acteur),
            "action": e.action,
            "objet": e.objet_repr,
            "avant": e.avant,
            "apres": e.apres,
        }
        for e in AuditLog.objects.filter(etablissement=apprenant.etablissement)
        .filter(_filtre_journal(apprenant))
        .select_related("acteur")
        .order_by("cree_le", "pk")
    ]

    return {
        "format": "cpro-rgpd-apprenant/1",
        "genere_le": timezone.now(),
        "etablissement": {"uai": apprenant.etablissement.uai, "nom": apprenant.etablissement.nom},
        "identite": {
            "nom": user.last_name,
            "prenom": user.first_name,
            "date_naissance": apprenant.date_naissance,
            "ine": apprenant.ine,
            "eleve_id": apprenant.eleve_id,
            "statut": apprenant.statut,
            "numero_candidat": apprenant.numero_candidat,
            "date_sortie": apprenant.date_sortie,
        },
        "compte": {
            "identifiant": user.username,
            "email": user.email,
            "compte_actif": apprenant.membership.active,
            "cree_le": apprenant.membership.cree_le,
            "derniere_connexion": user.last_login,
        },
        "divisions": [
            {
                "nom": division.nom,
                "annee": division.annee.libelle,
                "diplome": division.diplome.code,
                "diplome_intitule": division.diplome.intitule,
                "niveau": division.niveau,
                "niveau_libelle": division.get_niveau_display(),
            }
        ]
        if division
        else [],
        "evaluations": liste_evaluations,
        "pfmp": pfmp,
        "book": book,
        "commentaires_ecrits": commentaires_ecrits,
        "bilans": bilans,
        "attestations": attestations,
        "certification": certification,
        "lsl": lsl,
        "journal": journal,
    }


def chemin_media(media) -> str:
    """The media file's name inside the export archive."""
    base = media.fichier.name.rsplit("/", 1)[-1] if media.fichier else "fichier"
    return f"medias/{media.publication_id}-{media.pk}-{base}"


def json_donnees(donnees: dict) -> bytes:
    return json.dumps(donnees, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


# --- erasure ---------------------------------------------------------------------------------


@dataclass
class ApercuEffacement:
    """What an erasure would delete (counts), for the confirmation page."""

    publications: int = 0
    medias: int = 0
    commentaires: int = 0
    semaines: int = 0
    fiches: int = 0
    liens_tuteur: int = 0
    bilans_brouillon: int = 0
    exports: int = 0
    conserves: dict = field(default_factory=dict)

    def comme_dict(self) -> dict:
        return {
            "publications": self.publications,
            "medias": self.medias,
            "commentaires": self.commentaires,
            "semaines": self.semaines,
            "fiches": self.fiches,
            "liens_tuteur": self.liens_tuteur,
            "bilans_brouillon": self.bilans_brouillon,
            "exports": self.exports,
        }


def _querysets_effacement(apprenant: Apprenant) -> dict:
    from bilans.models import BilanIntermediaire
    from lslpro.models import NoteLivret
    from pfmp.models import (
        CommentairePublication,
        FicheActivite,
        LienTuteur,
        MediaPublication,
        Publication,
        SemaineJournal,
    )

    user_id = apprenant.membership.user_id
    return {
        "publications": Publication.objects.filter(apprenant=apprenant),
        "medias": MediaPublication.objects.filter(publication__apprenant=apprenant),
        "commentaires": CommentairePublication.objects.filter(
            Q(publication__apprenant=apprenant) | Q(auteur_id=user_id)
        ),
        "semaines": SemaineJournal.objects.filter(portfolio__affectation__apprenant=apprenant),
        "fiches": FicheActivite.objects.filter(portfolio__affectation__apprenant=apprenant),
        "liens_tuteur": LienTuteur.objects.filter(affectation__apprenant=apprenant),
        "bilans_brouillon": BilanIntermediaire.objects.filter(
            apprenant=apprenant, statut=BilanIntermediaire.Statut.BROUILLON
        ).exclude(pk__in=NoteLivret.objects.values("bilan_id")),
        "exports": ExportJob.objects.filter(
            Q(demandeur_id=user_id) | Q(params__apprenant=apprenant.pk),
            etablissement=apprenant.etablissement,
        ),
    }


def apercu_effacement(apprenant: Apprenant) -> ApercuEffacement:
    from bilans.models import Attestation, BilanIntermediaire
    from certification.models import GrilleCandidat
    from evaluations.models import Resultat
    from lslpro.models import Livret
    from pfmp.models import Affectation

    apercu = ApercuEffacement(
        **{nom: qs.count() for nom, qs in _querysets_effacement(apprenant).items()}
    )
    apercu.conserves = {
        "resultats": Resultat.objects.filter(apprenant=apprenant).count(),
        "affectations": Affectation.objects.filter(apprenant=apprenant).count(),
        "bilans_valides": BilanIntermediaire.objects.filter(apprenant=apprenant)
        .exclude(statut=BilanIntermediaire.Statut.BROUILLON)
        .count(),
        "attestations": Attestation.objects.filter(apprenant=apprenant).count(),
        "grilles_ccf": GrilleCandidat.objects.filter(apprenant=apprenant).count(),
        "livrets": Livret.objects.filter(apprenant=apprenant).count(),
    }
    return apercu


def _jetons_identite(apprenant: Apprenant) -> list[str]:
    """The strings that identify the learner in free text, longest first."""
    user = apprenant.membership.user
    nom, prenom = user.last_name.strip(), user.first_name.strip()
    jetons = {
        str(user),
        f"{prenom} {nom}",
        f"{nom} {prenom}",
        user.username,
        user.email,
        apprenant.ine,
        apprenant.eleve_id,
    }
    return sorted((j.strip() for j in jetons if len(j.strip()) >= 3), key=len, reverse=True)


def _remplacer(valeur, motif: re.Pattern, remplacement: str):
    if isinstance(valeur, str):
        return motif.sub(remplacement, valeur)
    if isinstance(valeur, list):
        return [_remplacer(v, motif, remplacement) for v in valeur]
    if isinstance(valeur, dict):
        return {k: _remplacer(v, motif, remplacement) for k, v in valeur.items()}
    return valeur


def _masquer_identite(valeur):
    if isinstance(valeur, dict):
        return {
            k: (EFFACE if k in CHAMPS_IDENTITE and v else _masquer_identite(v))
            for k, v in valeur.items()
        }
    if isinstance(valeur, list):
        return [_masquer_identite(v) for v in valeur]
    return valeur


def _expurger_journal(apprenant: Apprenant, pseudonyme: str) -> int:
    """Remove the learner's identity from the establishment's audit log; returns how many
    entries changed. Candidates are found in the database (the JSON is searched as text, in
    its stored form: raw on PostgreSQL, \\u-escaped on SQLite), then rewritten in Python."""
    jetons = _jetons_identite(apprenant)
    if not jetons:
        return 0
    motif = re.compile("|".join(re.escape(j) for j in jetons), re.IGNORECASE)
    sur_lui = Q(objet_type=Apprenant._meta.label, objet_id=str(apprenant.pk)) | Q(
        objet_type=Membership._meta.label, objet_id=str(apprenant.membership_id)
    )
    candidats = sur_lui
    for jeton in jetons:
        formes = {jeton, jeton.upper()}
        for forme in formes | {json.dumps(f)[1:-1] for f in formes}:
            candidats |= (
                Q(objet_repr__icontains=forme)
                | Q(avant_texte__icontains=forme)
                | Q(apres_texte__icontains=forme)
            )
    entrees = (
        AuditLog.objects.filter(etablissement=apprenant.etablissement)
        .annotate(
            avant_texte=Cast("avant", output_field=TextField()),
            apres_texte=Cast("apres", output_field=TextField()),
        )
        .filter(candidats)
    )
    sur_lui_cles = {
        (Apprenant._meta.label, str(apprenant.pk)),
        (Membership._meta.label, str(apprenant.membership_id)),
    }
    modifiees = []
    for entree in entrees:
        avant, apres = entree.avant, entree.apres
        if (entree.objet_type, entree.objet_id) in sur_lui_cles:
            avant, apres = _masquer_identite(avant), _masquer_identite(apres)
        avant = _remplacer(avant, motif, pseudonyme)
        apres = _remplacer(apres, motif, pseudonyme)
        repr_ = motif.sub(pseudonyme, entree.objet_repr)[:255]
        if (avant, apres, repr_) != (entree.avant, entree.apres, entree.objet_repr):
            entree.avant, entree.apres, entree.objet_repr = avant, apres, repr_
            modifiees.append(entree)
    AuditLog.objects.bulk_update(modifiees, ["avant", "apres", "objet_repr"], batch_size=500)
    return len(modifiees)


def _anonymiser_compte(apprenant: Apprenant) -> str:
    """Pseudonymise the account and the profile; returns the pseudonym shown from now on."""
    from allauth.account.models import EmailAddress
    from guardian.models import UserObjectPermission

    user = apprenant.membership.user
    user.username = f"efface-{user.pk}"
    user.last_name = NOM_EFFACE
    user.first_name = f"n°{apprenant.pk}"
    user.email = ""
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    UserObjectPermission.objects.filter(user=user).delete()
    apprenant.ine = ""
    apprenant.eleve_id = ""
    apprenant.date_naissance = None
    apprenant.save(update_fields=["ine", "eleve_id", "date_naissance"])
    return str(user)


def effacer_apprenant(apprenant: Apprenant, *, par) -> dict:
    """Erase the personal data of a learner who left, keeping their school and certification
    record under a pseudonym (the rule is in this module's docstring).

    Writes, in one transaction: deletions and anonymisation listed above; the learner's row is
    locked so that two erasures cannot run together. Files (book media, export files) and
    sessions are deleted once the transaction commits. Audit: `apprenant.effacer` with the
    counts only (no erased personal data). Returns the counts of what was deleted."""
    from pfmp.models import MediaPublication, Portfolio

    motif = motif_refus_effacement(apprenant)
    if motif:
        raise ValidationError(motif)
    with transaction.atomic():
        apprenant = (
            Apprenant.objects.select_for_update()
            .select_related("membership__user", "etablissement")
            .get(pk=apprenant.pk)
        )
        motif = motif_refus_effacement(apprenant)
        if motif:
            raise ValidationError(motif)
        user = apprenant.membership.user
        querysets = _querysets_effacement(apprenant)
        bilan = apercu_effacement(apprenant).comme_dict()

        medias = list(querysets["medias"].values_list("fichier", flat=True))
        exports = list(querysets["exports"].exclude(file="").values_list("file", flat=True))
        querysets["commentaires"].delete()
        querysets["medias"].delete()
        querysets["publications"].delete()
        querysets["semaines"].delete()
        querysets["fiches"].delete()
        Portfolio.objects.filter(affectation__apprenant=apprenant).update(
            presentation_entreprise="", bilan_personnel=""
        )
        querysets["liens_tuteur"].delete()
        querysets["bilans_brouillon"].delete()
        querysets["exports"].delete()

        pseudonyme = f"{NOM_EFFACE.upper()} n°{apprenant.pk}"
        bilan["journal_expurge"] = _expurger_journal(apprenant, pseudonyme)
        pseudonyme = _anonymiser_compte(apprenant)

        journaliser(
            ACTION_EFFACER,
            par=par,
            etablissement=apprenant.etablissement,
            objet=apprenant,
            apres=bilan,
        )
        supprimer_fichiers_apres_commit(
            *medias, storage=MediaPublication._meta.get_field("fichier").storage
        )
        supprimer_fichiers_apres_commit(*exports, storage=ExportJob._meta.get_field("file").storage)
        # Deactivation already ended them; a session opened since (another browser) too.
        transaction.on_commit(lambda: terminer_sessions(user))
    bilan["pseudonyme"] = pseudonyme
    return bilan


# --- retention -------------------------------------------------------------------------------


@dataclass
class BilanRetention:
    jours: int
    limite: datetime.date
    simulation: bool
    exports: int = 0
    apprenants: int = 0
    medias: int = 0
    octets: int = 0


def apprenants_hors_delai(limite: datetime.date):
    """Learners who left before `limite` (account still inactive)."""
    return Apprenant.objects.filter(date_sortie__lt=limite, membership__active=False)


def appliquer_retention(
    *,
    maintenant: datetime.datetime | None = None,
    jours: int | None = None,
    simulation: bool = False,
) -> BilanRetention:
    """Apply the retention periods.

    - expired export files: `cpro.services.purger_exports_expires` (files and rows);
    - book media of learners who left more than `jours` days ago (default
      `settings.RGPD_RETENTION_JOURS`): rows deleted in one transaction per establishment,
      files deleted once it commits; audit `rgpd.retention` per establishment (counts only).

    With `simulation`, nothing is written: the counts say what would be removed."""
    from cpro.services import purger_exports_expires
    from pfmp.models import MediaPublication

    maintenant = maintenant or timezone.now()
    jours = settings.RGPD_RETENTION_JOURS if jours is None else jours
    if jours < 0:
        raise ValueError("La durée de conservation doit être positive.")
    limite = timezone.localdate(maintenant) - datetime.timedelta(days=jours)
    bilan = BilanRetention(jours=jours, limite=limite, simulation=simulation)

    if simulation:
        bilan.exports = ExportJob.objects.filter(expire_le__lt=maintenant).count()
    else:
        bilan.exports = purger_exports_expires(maintenant)

    medias = MediaPublication.objects.filter(
        publication__apprenant__in=apprenants_hors_delai(limite)
    )
    par_etablissement = (
        medias.values("publication__apprenant__etablissement")
        .annotate(
            n=Count("pk"),
            octets=Sum("taille"),
            apprenants=Count("publication__apprenant", distinct=True),
        )
        .order_by("publication__apprenant__etablissement")
    )
    storage = MediaPublication._meta.get_field("fichier").storage
    for ligne in par_etablissement:
        bilan.medias += ligne["n"]
        bilan.octets += ligne["octets"] or 0
        bilan.apprenants += ligne["apprenants"]
        if simulation:
            continue
        etab_id = ligne["publication__apprenant__etablissement"]
        with transaction.atomic():
            a_supprimer = medias.filter(publication__apprenant__etablissement_id=etab_id)
            noms = list(a_supprimer.values_list("fichier", flat=True))
            a_supprimer.delete()
            journaliser(
                "rgpd.retention",
                par=None,
                etablissement=Etablissement.objects.get(pk=etab_id),
                apres={
                    "medias": ligne["n"],
                    "apprenants": ligne["apprenants"],
                    "sortis_avant": limite.isoformat(),
                },
            )
            supprimer_fichiers_apres_commit(*noms, storage=storage)
    return bilan
