"""Access matrix of the Suivi de projet (chef-d'œuvre).

The projet is establishment A's, its team A's scolaire learner (`apprenant`), its teacher A's
`enseignant`; A's `tuteur` follows that learner through a PFMP affectation (read only). The
apprentice (`apprenti`) is outside the team: where the learner permission lets him reach the
accessor, he gets 404. Staff read every record; teachers and the DDFPT comment and assess; only
the learner writes his carnet de bord; the PDF goes through the export pipeline (302) for every
reader of the record (staff, the learner, his tutor); only the projet's teachers and the DDFPT
change, archive or delete it.
"""

from django.core.files.base import ContentFile

from tests.access import STAFF, Access
from tests.projets import factories as pj

ENSEIGNANTS = frozenset({"ddfpt", "enseignant", "enseignant2"})
LECTEURS = STAFF | {"apprenant", "tuteur"}
APPRENANTS = frozenset({"apprenant", "apprenti"})
AUTRE_APPRENANT = {"apprenti": 404}
# Changing, archiving, deleting: the projet's teachers (A's `enseignant`) and the DDFPT; a
# teacher outside its teaching team (`enseignant2`) → 403.
ENCADRANTS = frozenset({"ddfpt", "enseignant"})


def _projet(p):
    return {"pk": pj.de_persona(p).pk}


def _dossier(p):
    return {"pk": pj.de_persona(p).pk, "apprenant": p.a.apprenant.apprenant.pk}


def _entree(p):
    projet = pj.de_persona(p)
    e = pj.entree(projet, p.a.apprenant.apprenant, nom_fichier="notes.txt")
    e.content_type = "text/plain; charset=utf-8"
    e.fichier.save("notes.txt", ContentFile(b"Notes de seance"), save=True)
    return {"pk": e.pk}


ACCESS = [
    Access("projets:suivi"),
    Access("projets:projet_creer", allowed=ENSEIGNANTS),
    Access("projets:projet", kwargs=_projet),
    Access("projets:dossier", kwargs=_dossier, allowed=LECTEURS, overrides=AUTRE_APPRENANT),
    Access(
        "projets:entree_ajouter",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"date": "01/09/2025", "texte": "Première séance."},
        allowed=frozenset({"apprenant"}),
        ok=302,
        overrides=AUTRE_APPRENANT,
    ),
    Access(
        "projets:commenter",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"texte": "Bien."},
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access(
        "projets:evaluer",
        kwargs=_dossier,
        method="POST",
        data=lambda p: {"appreciation": "Investi.", "note": "14,5", "valider": "on"},
        allowed=ENSEIGNANTS,
        ok=302,
    ),
    Access(
        "projets:dossier_pdf",
        kwargs=_dossier,
        method="POST",
        allowed=LECTEURS,
        ok=302,
        overrides=AUTRE_APPRENANT,
    ),
    Access("projets:projet_modifier", kwargs=_projet, allowed=ENCADRANTS),
    Access(
        "projets:projet_archiver",
        kwargs=_projet,
        method="POST",
        data=lambda p: {"archive": "1"},
        allowed=ENCADRANTS,
        ok=302,
    ),
    Access("projets:projet_supprimer", kwargs=_projet, method="POST", allowed=ENCADRANTS, ok=302),
    Access(
        "projets:entree_fichier",
        kwargs=_entree,
        allowed=LECTEURS,
        overrides=AUTRE_APPRENANT,
    ),
    Access("projets:mon_projet", allowed=APPRENANTS),
    Access("projets:tuteur", allowed=frozenset({"tuteur"})),
]
