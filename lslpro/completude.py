"""Completeness of a livret: what the national LSL needs before a learner can be exported.

Rules (guide enseignant, section 10 « À savoir », checked against the national import schema
lslpro/schemas/import-lsl-v1.0.xsd):

1. **Degré de maîtrise de chaque compétence attendue**: every CompetenceLSL of the livret's
   diplôme has a year level (the highlighted column). ``NE`` (non évalué) *counts as positioned*:
   it is an explicit choice of the team and the schema accepts it (``CodeNiveauCompetence``);
   a competence left empty is missing.
2. **Note moyenne pour une période et la période choisie**: at least one note of a bilan of the
   year is associated with a period (T1..T3 / S1..S2). Only bilans with a note can get a period
   (services), so this also covers "the note".
3. **Au moins un enseignant** for the spécialité (role APPRECIATION).
4. **Appréciation générale**: the guide lists it as optional, but the schema's ``annuelle``
   element is required and may not be empty (``Appreciation``, minLength 1): an export without it
   would be rejected, so it is required here.
5. **PFMP**, only when the part is activated (``pfmp_active``): the synthesis AND the teacher's
   name. The number of weeks and « à l'étranger » are optional.
6. **Chef-d'œuvre**, only when the part is activated: the appreciation AND at least one teacher
   (role CHEF_OEUVRE). The annual note is optional.

The percentage weighs each rule equally; rule 1 gives partial credit (positioned competences /
competences). A learner without a livret is at 0 % with every rule missing.

Stable API used by the XML export: ``manques(livret) -> list[str]`` (empty list = exportable).
It reads ``livret.niveaux``, ``notes``, ``enseignants`` and ``diplome.competences_lsl``; with
``queries.livrets_annee`` they are all prefetched (no query per livret).
"""

from dataclasses import dataclass, field

from lslpro.models import EnseignantLivret, Livret

LIBELLE_NIVEAUX = "Degré de maîtrise de l'année pour chaque compétence attendue"
LIBELLE_NOTE = "Note moyenne d'un bilan de l'année associée à une période"
LIBELLE_ENSEIGNANT = "Au moins un enseignant pour la spécialité"
LIBELLE_APPRECIATION = "Appréciation générale"
LIBELLE_PFMP_SYNTHESE = "PFMP : synthèse"
LIBELLE_PFMP_ENSEIGNANT = "PFMP : nom de l'enseignant"
LIBELLE_CHEF_OEUVRE_APPRECIATION = "Chef-d'œuvre : appréciation"
LIBELLE_CHEF_OEUVRE_ENSEIGNANT = "Chef-d'œuvre : au moins un enseignant"


@dataclass
class Completude:
    pourcentage: int
    manques: list[str] = field(default_factory=list)

    @property
    def complet(self) -> bool:
        return not self.manques


def evaluer_donnees(
    *,
    nb_competences: int,
    nb_positionnees: int,
    nb_notes: int,
    appreciation: str,
    roles_enseignants: set[str],
    pfmp_active: bool = False,
    pfmp_synthese: str = "",
    pfmp_enseignant: str = "",
    chef_oeuvre_actif: bool = False,
    chef_oeuvre_appreciation: str = "",
) -> Completude:
    """The rules above on plain values (shared by a saved livret and a learner without one)."""
    regles: list[tuple[str, float]] = []
    if nb_competences:
        credit = min(nb_positionnees, nb_competences) / nb_competences
        libelle = LIBELLE_NIVEAUX
        if 0 < nb_positionnees < nb_competences:
            libelle += f" ({nb_competences - nb_positionnees} sur {nb_competences} à positionner)"
        regles.append((libelle, credit))
    regles.append((LIBELLE_NOTE, 1.0 if nb_notes else 0.0))
    regles.append((LIBELLE_APPRECIATION, 1.0 if (appreciation or "").strip() else 0.0))
    appreciation_role = EnseignantLivret.Role.APPRECIATION
    regles.append((LIBELLE_ENSEIGNANT, 1.0 if appreciation_role in roles_enseignants else 0.0))
    if pfmp_active:
        regles.append((LIBELLE_PFMP_SYNTHESE, 1.0 if (pfmp_synthese or "").strip() else 0.0))
        regles.append((LIBELLE_PFMP_ENSEIGNANT, 1.0 if (pfmp_enseignant or "").strip() else 0.0))
    if chef_oeuvre_actif:
        texte = (chef_oeuvre_appreciation or "").strip()
        regles.append((LIBELLE_CHEF_OEUVRE_APPRECIATION, 1.0 if texte else 0.0))
        role = EnseignantLivret.Role.CHEF_OEUVRE
        regles.append((LIBELLE_CHEF_OEUVRE_ENSEIGNANT, 1.0 if role in roles_enseignants else 0.0))
    total = sum(credit for _, credit in regles)
    manquants = [libelle for libelle, credit in regles if credit < 1.0]
    # Floor, so that 100 % is shown only when nothing is missing.
    pourcentage = int(100 * total / len(regles)) if manquants else 100
    return Completude(pourcentage, manquants)


def evaluer(livret: Livret | None, competences=None) -> Completude:
    """The completeness of `livret` (None: the learner has no livret yet). `competences`: the
    diplôme's CompetenceLSL (default ``livret.diplome.competences_lsl.all()``)."""
    if competences is None:
        competences = list(livret.diplome.competences_lsl.all()) if livret else []
    ids = {c.pk for c in competences}
    if livret is None:
        return evaluer_donnees(
            nb_competences=len(ids),
            nb_positionnees=0,
            nb_notes=0,
            appreciation="",
            roles_enseignants=set(),
        )
    positionnees = {n.competence_id for n in livret.niveaux.all() if n.niveau}
    return evaluer_donnees(
        nb_competences=len(ids),
        nb_positionnees=len(positionnees & ids),
        nb_notes=len(livret.notes.all()),
        appreciation=livret.appreciation,
        roles_enseignants={e.role for e in livret.enseignants.all()},
        pfmp_active=livret.pfmp_active,
        pfmp_synthese=livret.pfmp_synthese,
        pfmp_enseignant=livret.pfmp_enseignant,
        chef_oeuvre_actif=livret.chef_oeuvre_actif,
        chef_oeuvre_appreciation=livret.chef_oeuvre_appreciation,
    )


def manques(livret: Livret) -> list[str]:
    """French labels of what the export still needs for this livret (empty: exportable)."""
    return evaluer(livret).manques
