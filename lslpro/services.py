"""LSL Pro: every write and every rule of the livret and of the périodicité.

Rules enforced here (never only in a form):
- who writes a livret: an active ENSEIGNANT/DDFPT of the learner's establishment (SAISIR_LSL);
  who sets the périodicité: the DDFPT or the chef (PARAMETRER_LSL);
- only learners under statut scolaire have a livret (apprentices are not subject to the LSL);
  the learner must be in a current-year division of Première or Terminale;
- no entry before the périodicité (trimestre / semestre) of the learner's diplôme and niveau is
  set for the year, nor before a bilan of the year is validated (``raison_indisponible``);
- year levels on the one scale (NE, 1..4, or empty = not positioned yet), for the diplôme's LSL
  competences only;
- a period (T1..T3 / S1..S2 per the périodicité) goes with the note of a validated bilan of the
  year that has a note; a period is used once; periods follow the chronology of the bilans
  (a later bilan cannot get an earlier period);
- appreciation ≤ 300 characters, PFMP synthesis ≤ 1000, chef-d'œuvre appreciation ≤ 300;
  PFMP weeks 0..52; chef-d'œuvre note 0..20 with at most two decimals;
- teachers are active ENSEIGNANT/DDFPT of the establishment (or a free name + first name);
- the périodicité of a diplôme/niveau cannot change while livrets of the year use its periods.
- chef-d'œuvre « repris du suivi de projet »: the validated yearly assessment of the projets
  module (projets.queries.evaluation_lsl) is read, never copied behind the teacher's back: an
  empty section is pre-filled on the form, « Reprendre du suivi de projet » copies it into the
  livret (audited like any save), and `ecart_projet` tells the page when the livret differs.

Every write is atomic, validated before anything is written, and audited (before/after).
Completeness (what the export needs) is lslpro.completude.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from bilans.services_bilans import normaliser_note
from cpro import perms
from cpro.audit import journaliser
from cpro.erreurs import Interdit
from cpro.maitrise import Maitrise
from cpro.models import AnneeScolaire, Apprenant, Statut
from lslpro import queries
from lslpro.models import (
    APPRECIATION_MAX,
    CHEF_OEUVRE_MAX,
    PFMP_SYNTHESE_MAX,
    EnseignantLivret,
    Livret,
    NiveauLivret,
    NoteLivret,
    Periodicite,
)
from projets import queries as projets_queries
from referentiels.models import Niveau

PFMP_SEMAINES_MAX = 52
NOM_MAX = 65  # national schema: nom ≤ 65, prénom ≤ 50
PRENOM_MAX = 50
PFMP_ENSEIGNANT_MAX = 120

MESSAGE_DROIT = (
    "Seuls les enseignants et le DDFPT de l'établissement saisissent le livret scolaire."
)
MESSAGE_DROIT_PERIODICITE = (
    "Seuls le chef d'établissement et le DDFPT définissent la périodicité du livret scolaire."
)
MESSAGE_APPRENTI = (
    "Les apprentis ne sont pas soumis au livret scolaire du lycée professionnel : seuls les "
    "élèves sous statut scolaire ont un livret."
)
MESSAGE_SANS_DIVISION = (
    "Cet élève n'est inscrit dans aucune division de l'année en cours : le livret de l'année "
    "ne peut pas être saisi."
)
MESSAGE_SECONDE = (
    "Le livret scolaire du lycée professionnel concerne les classes de première et de "
    "terminale : aucune saisie n'est prévue en seconde."
)
MESSAGE_SANS_BILAN = (
    "Aucun bilan intermédiaire n'a été validé cette année pour cet élève : la saisie du livret "
    "sera possible dès qu'un bilan de l'année sera validé (module « Éditer les bilans »)."
)


def message_sorti(apprenant) -> str:
    date = f" le {apprenant.date_sortie:%d/%m/%Y}" if apprenant.date_sortie else ""
    return (
        f"Élève sorti de l'établissement{date} : il n'est plus concerné par le livret scolaire "
        "de l'année (ni exporté, ni compté dans les statistiques de la division)."
    )


def message_sans_periodicite(diplome, niveau) -> str:
    return (
        f"La périodicité (trimestre ou semestre) de {diplome.intitule_court} en "
        f"{Niveau(niveau).label.lower()} n'a pas encore été définie par le chef d'établissement "
        "ou le DDFPT : aucune saisie n'est possible tant qu'elle n'est pas positionnée "
        "(LSL Pro ▸ Périodicité)."
    )


# --- who may do what --------------------------------------------------------------------------


def _exiger(par, etablissement_id, perm: str, message: str) -> None:
    if not perms.peut(perms.membership_de(par, etablissement_id), perm):
        raise Interdit(message)


# --- the gate ---------------------------------------------------------------------------------


_INCONNU = object()


def raison_indisponible(
    apprenant: Apprenant, annee: AnneeScolaire, *, periodicite=_INCONNU, a_un_bilan=None
) -> str:
    """Why the learner's livret of `annee` cannot be entered ("" when it can). Callers that
    already know the périodicité (None: not set) or whether the learner has a validated bilan
    of the year pass them (no query then)."""
    if apprenant.statut != Statut.SCOLAIRE:
        return MESSAGE_APPRENTI
    division = apprenant.division
    if division is None or division.annee_id != annee.pk:
        return MESSAGE_SANS_DIVISION
    if division.niveau not in queries.NIVEAUX_LSL:
        return MESSAGE_SECONDE
    if periodicite is _INCONNU:
        periodicite = queries.periodicite_pour(
            apprenant.etablissement_id, annee, division.diplome_id, division.niveau
        )
    if periodicite is None:
        return message_sans_periodicite(division.diplome, division.niveau)
    if a_un_bilan is None:
        a_un_bilan = bool(queries.ids_avec_bilan_annee([apprenant.pk], division.diplome_id, annee))
    if not a_un_bilan:
        return MESSAGE_SANS_BILAN
    return ""


def verifier_saisie_possible(apprenant: Apprenant, annee: AnneeScolaire) -> Periodicite:
    """The périodicité of the learner's livret, or ValidationError with the reason."""
    division = apprenant.division
    periodicite = None
    if division is not None:
        periodicite = queries.periodicite_pour(
            apprenant.etablissement_id, annee, division.diplome_id, division.niveau
        )
    raison = raison_indisponible(apprenant, annee, periodicite=periodicite)
    if raison:
        raise ValidationError(raison)
    return periodicite


# --- the livret -------------------------------------------------------------------------------


@dataclass
class Saisie:
    """What the livret form sends. `niveaux`: LSL competence id → level ("" = not positioned);
    `periodes`: bilan id → period ("" = none); teachers: user ids, plus free (nom, prénom)."""

    niveaux: dict = field(default_factory=dict)
    periodes: dict = field(default_factory=dict)
    appreciation: str = ""
    enseignants: list = field(default_factory=list)
    enseignants_autres: list = field(default_factory=list)
    pfmp_active: bool = False
    pfmp_synthese: str = ""
    pfmp_enseignant: str = ""
    pfmp_semaines: int | None = None
    pfmp_etranger: bool = False
    chef_oeuvre_actif: bool = False
    chef_oeuvre_appreciation: str = ""
    chef_oeuvre_enseignants: list = field(default_factory=list)
    chef_oeuvre_autres: list = field(default_factory=list)
    chef_oeuvre_note: object = None
    recopie: bool = False  # replace the year levels by the last bilan's
    copier_constat: bool = False  # chef-d'œuvre appreciation ← last bilan's constats (≤ 300)
    reprendre_projet: bool = False  # chef-d'œuvre ← the Suivi de projet's validated assessment


def _texte(erreurs: dict, champ: str, libelle: str, texte, maximum: int) -> str:
    texte = (texte or "").strip().replace("\r\n", "\n")
    if len(texte) > maximum:
        erreurs[champ] = (
            f"{libelle} ne peut pas dépasser {maximum} caractères ({len(texte)} saisis)."
        )
    return texte


def _verifier_niveaux(erreurs: dict, niveaux: dict, competences) -> dict[int, str]:
    connues = {c.pk for c in competences}
    valides = set(Maitrise.values)
    resultat = {}
    for cid, niveau in (niveaux or {}).items():
        try:
            cid = int(cid)
        except (TypeError, ValueError):
            cid = None
        if cid not in connues:
            erreurs["niveaux"] = "Compétence inconnue pour le livret de ce diplôme."
            continue
        niveau = str(niveau or "")
        if niveau and niveau not in valides:
            erreurs["niveaux"] = f"Niveau inconnu « {niveau} » : choisissez NE, 1, 2, 3 ou 4."
            continue
        resultat[cid] = niveau
    return resultat


def _verifier_periodes(
    erreurs: dict, periodes: dict, bilans_annee: list, periodicite: Periodicite
) -> dict[int, str]:
    """bilan id → period after every rule: known period, bilan of the year with a note,
    a period once, chronology of the bilans."""
    par_id = {b.pk: b for b in bilans_annee}
    ordre = periodicite.periodes
    choisies: dict[int, str] = {}
    messages = []
    for bid, periode in (periodes or {}).items():
        periode = (periode or "").strip().upper()
        if not periode:
            continue
        try:
            bilan = par_id.get(int(bid))
        except (TypeError, ValueError):
            bilan = None
        if bilan is None:
            messages.append(
                "Ce bilan n'est pas un bilan validé de l'année de cet élève : il ne peut pas "
                "recevoir de période."
            )
            continue
        if periode not in ordre:
            messages.append(
                f"Période « {periode} » inconnue : la périodicité est "
                f"{periodicite.get_type_display().lower()} ({', '.join(ordre)})."
            )
            continue
        if bilan.note is None:
            messages.append(
                f"Le bilan du {bilan.date:%d/%m/%Y} n'a pas de note : seule une note peut être "
                "associée à une période."
            )
            continue
        choisies[bilan.pk] = periode
    vues: dict = {}
    for b in bilans_annee:
        periode = choisies.get(b.pk)
        if periode is None:
            continue
        if periode in vues:
            messages.append(
                f"La période {periode} est associée à plusieurs notes (bilans du "
                f"{vues[periode].date:%d/%m/%Y} et du {b.date:%d/%m/%Y}) : une période ne peut "
                "être utilisée qu'une fois."
            )
        vues.setdefault(periode, b)
    precedent = None
    for b in bilans_annee:  # date order
        periode = choisies.get(b.pk)
        if periode is None:
            continue
        if precedent is not None and ordre.index(periode) < ordre.index(precedent[1]):
            messages.append(
                f"Les périodes doivent suivre la chronologie des bilans : le bilan du "
                f"{b.date:%d/%m/%Y} ne peut pas être associé à {periode}, antérieure à "
                f"{precedent[1]} du bilan du {precedent[0].date:%d/%m/%Y}."
            )
        precedent = (b, periode)
    if messages:
        erreurs["periodes"] = messages
    return choisies


def _verifier_enseignants(
    erreurs: dict, champ: str, user_ids, autres, etablissement_id
) -> list[tuple]:
    """[(user or None, nom, prénom)] in the order given, without duplicates."""
    ids = []
    for uid in user_ids or []:
        try:
            uid = int(uid)
        except (TypeError, ValueError):
            erreurs[champ] = "Enseignant inconnu dans cet établissement."
            continue
        if uid not in ids:
            ids.append(uid)
    memberships = {
        m.user_id: m
        for m in queries.enseignants_etablissement(etablissement_id).filter(user_id__in=ids)
    }
    if set(ids) - set(memberships):
        erreurs[champ] = "Enseignant inconnu dans cet établissement."
    resultat = [
        (memberships[u].user, memberships[u].user.last_name, memberships[u].user.first_name)
        for u in ids
        if u in memberships
    ]
    for nom, prenom in autres or []:
        nom, prenom = (nom or "").strip(), (prenom or "").strip()
        if not nom and not prenom:
            continue
        if not nom or not prenom:
            erreurs[champ] = "Indiquez le nom et le prénom de l'enseignant."
            continue
        if len(nom) > NOM_MAX or len(prenom) > PRENOM_MAX:
            erreurs[champ] = (
                f"Le nom est limité à {NOM_MAX} caractères et le prénom à {PRENOM_MAX}."
            )
            continue
        resultat.append((None, nom, prenom))
    return resultat


def resume(livret: Livret | None) -> dict:
    """A JSON-able summary of the livret for the audit log (before/after)."""
    if livret is None or livret.pk is None:
        return {}
    enseignants = defaultdict(list)
    for e in livret.enseignants.all():
        enseignants[e.role].append(f"{e.nom.upper()} {e.prenom}".strip())
    return {
        "niveaux": {n.competence.code: n.niveau for n in livret.niveaux.all()},
        "periodes": {
            n.periode: f"{n.bilan.date:%d/%m/%Y} ({n.bilan.note})" for n in livret.notes.all()
        },
        "appreciation": livret.appreciation,
        "enseignants": enseignants.get(EnseignantLivret.Role.APPRECIATION, []),
        "pfmp": {
            "active": livret.pfmp_active,
            "synthese": livret.pfmp_synthese,
            "enseignant": livret.pfmp_enseignant,
            "semaines": livret.pfmp_semaines,
            "etranger": livret.pfmp_etranger,
        },
        "chef_oeuvre": {
            "actif": livret.chef_oeuvre_actif,
            "appreciation": livret.chef_oeuvre_appreciation,
            "enseignants": enseignants.get(EnseignantLivret.Role.CHEF_OEUVRE, []),
            "note": str(livret.chef_oeuvre_note) if livret.chef_oeuvre_note is not None else "",
        },
    }


def niveaux_recopie(apprenant: Apprenant, annee: AnneeScolaire) -> dict[int, str]:
    """« Recopie »: the levels per LSL competence of the learner's last validated bilan of the
    year (what the highlighted column receives)."""
    diplome = apprenant.division.diplome
    return queries.page_livret(apprenant, diplome, annee).recopie


def ecart_projet(livret: Livret | None, evaluation) -> str:
    """How the livret's chef-d'œuvre section stands against the Suivi de projet's validated
    assessment: "" (no assessment), "identique", "absent" (section still empty) or "different"."""
    if evaluation is None:
        return ""
    if livret is None or (not livret.chef_oeuvre_appreciation and livret.chef_oeuvre_note is None):
        return "absent"
    if (
        livret.chef_oeuvre_appreciation.strip() == evaluation.appreciation.strip()
        and livret.chef_oeuvre_note == evaluation.note
    ):
        return "identique"
    return "different"


def constat_a_copier(bilan) -> str:
    """« Copier le constat du bilan »: its constats, cut to the chef-d'œuvre limit."""
    return (bilan.constats or "").strip()[:CHEF_OEUVRE_MAX] if bilan else ""


def enregistrer_livret(
    apprenant: Apprenant, saisie: Saisie, *, par, annee: AnneeScolaire | None = None
) -> Livret:
    """Create or update the learner's livret of the year from `saisie`.

    Checks the writer (SAISIR_LSL in the learner's establishment), the gate
    (``verifier_saisie_possible``) and every rule of the module docstring; all errors are
    raised together (ValidationError with a dict) before anything is written. Then, atomically:
    the livret row (locked), its year levels, its period notes and its teachers are replaced;
    an audit entry « lsl.livret.enregistrer » records the summary before/after (none when
    nothing changed, e.g. moving to the next learner without editing).
    """
    annee = annee or queries.annee_courante()
    _exiger(par, apprenant.etablissement_id, perms.SAISIR_LSL, MESSAGE_DROIT)
    periodicite = verifier_saisie_possible(apprenant, annee)
    diplome = apprenant.division.diplome
    page = queries.page_livret(apprenant, diplome, annee, periodicite)

    erreurs: dict = {}
    niveaux = (
        page.recopie
        if saisie.recopie
        else _verifier_niveaux(erreurs, saisie.niveaux, page.competences)
    )
    periodes = _verifier_periodes(erreurs, saisie.periodes, page.bilans_annee, periodicite)
    appreciation = _texte(
        erreurs, "appreciation", "L'appréciation générale", saisie.appreciation, APPRECIATION_MAX
    )
    enseignants = _verifier_enseignants(
        erreurs,
        "enseignants",
        saisie.enseignants,
        saisie.enseignants_autres,
        apprenant.etablissement_id,
    )
    pfmp_synthese = _texte(
        erreurs, "pfmp_synthese", "La synthèse des PFMP", saisie.pfmp_synthese, PFMP_SYNTHESE_MAX
    )
    pfmp_enseignant = _texte(
        erreurs,
        "pfmp_enseignant",
        "Le nom de l'enseignant",
        saisie.pfmp_enseignant,
        PFMP_ENSEIGNANT_MAX,
    )
    semaines = saisie.pfmp_semaines
    if semaines in ("", None):
        semaines = None
    else:
        try:
            semaines = int(semaines)
        except (TypeError, ValueError):
            semaines = -1
        if not 0 <= semaines <= PFMP_SEMAINES_MAX:
            erreurs["pfmp_semaines"] = (
                f"Le nombre de semaines de PFMP est compris entre 0 et {PFMP_SEMAINES_MAX}."
            )
    chef_appreciation = (
        constat_a_copier(page.dernier_bilan)
        if saisie.copier_constat
        else saisie.chef_oeuvre_appreciation
    )
    chef_note_saisie = saisie.chef_oeuvre_note
    chef_enseignants_saisis = saisie.chef_oeuvre_enseignants
    if saisie.reprendre_projet:
        evaluation = projets_queries.evaluation_lsl(apprenant, annee)
        if evaluation is None:
            erreurs["chef_oeuvre_appreciation"] = (
                "Aucune évaluation validée du chef-d'œuvre n'existe cette année dans le suivi "
                "de projet."
            )
        else:
            chef_appreciation = evaluation.appreciation
            chef_note_saisie = evaluation.note
            if not chef_enseignants_saisis and not any(any(a) for a in saisie.chef_oeuvre_autres):
                chef_enseignants_saisis = list(
                    evaluation.projet.enseignants.values_list("pk", flat=True)
                )
    chef_appreciation = _texte(
        erreurs,
        "chef_oeuvre_appreciation",
        "L'appréciation du chef-d'œuvre",
        chef_appreciation,
        CHEF_OEUVRE_MAX,
    )
    chef_enseignants = _verifier_enseignants(
        erreurs,
        "chef_oeuvre_enseignants",
        chef_enseignants_saisis,
        saisie.chef_oeuvre_autres,
        apprenant.etablissement_id,
    )
    try:
        chef_note = normaliser_note(chef_note_saisie)
    except ValidationError as exc:
        erreurs["chef_oeuvre_note"] = exc.message_dict["note"]
        chef_note = None
    if erreurs:
        raise ValidationError(erreurs)

    with transaction.atomic():
        livret, _cree = Livret.objects.select_for_update().get_or_create(
            apprenant=apprenant,
            annee=annee,
            defaults={"etablissement_id": apprenant.etablissement_id, "diplome": diplome},
        )
        avant = resume(queries.livret_de(apprenant, annee)) if not _cree else {}
        livret.diplome = diplome
        livret.appreciation = appreciation
        livret.pfmp_active = bool(saisie.pfmp_active)
        livret.pfmp_synthese = pfmp_synthese
        livret.pfmp_enseignant = pfmp_enseignant
        livret.pfmp_semaines = semaines
        livret.pfmp_etranger = bool(saisie.pfmp_etranger)
        livret.chef_oeuvre_actif = bool(
            saisie.chef_oeuvre_actif or saisie.copier_constat or saisie.reprendre_projet
        )
        livret.chef_oeuvre_appreciation = chef_appreciation
        livret.chef_oeuvre_note = chef_note
        livret.modifie_par = par
        livret.save()
        livret.niveaux.all().delete()
        NiveauLivret.objects.bulk_create(
            NiveauLivret(livret=livret, competence_id=cid, niveau=niveau)
            for cid, niveau in niveaux.items()
            if niveau
        )
        livret.notes.all().delete()
        NoteLivret.objects.bulk_create(
            NoteLivret(livret=livret, bilan_id=bid, periode=periode)
            for bid, periode in periodes.items()
        )
        livret.enseignants.all().delete()
        EnseignantLivret.objects.bulk_create(
            [
                EnseignantLivret(livret=livret, role=role, user=user, nom=nom, prenom=prenom)
                for role, liste in (
                    (EnseignantLivret.Role.APPRECIATION, enseignants),
                    (EnseignantLivret.Role.CHEF_OEUVRE, chef_enseignants),
                )
                for user, nom, prenom in liste
            ]
        )
        apres = resume(queries.livret_de(apprenant, annee))
        if avant != apres:
            journaliser(
                "lsl.livret.enregistrer",
                par=par,
                etablissement=apprenant.etablissement,
                objet=livret,
                avant=avant,
                apres=apres,
            )
    return livret


# --- the périodicité --------------------------------------------------------------------------


def definir_periodicites(
    etablissement, choix: dict, *, par, annee: AnneeScolaire | None = None
) -> int:
    """Set the périodicité of each (diplôme id, niveau) of `choix` to "T", "S" or "" (unset).

    Only diplômes of the establishment and the levels Première / Terminale; a périodicité whose
    periods are used by livrets of the year cannot change (the periods would become invalid).
    Checked for every row before any write; atomic; one audit entry « lsl.periodicite » per
    change. Returns the number of changes.
    """
    annee = annee or queries.annee_courante()
    _exiger(par, etablissement.pk, perms.PARAMETRER_LSL, MESSAGE_DROIT_PERIODICITE)
    diplomes = {d.pk: d for d in etablissement.diplomes.all()}
    existantes = {
        (p.diplome_id, p.niveau): p
        for p in Periodicite.objects.filter(etablissement=etablissement, annee=annee)
    }
    erreurs = []
    changements = []
    for (diplome_id, niveau), valeur in choix.items():
        valeur = (valeur or "").strip().upper()
        diplome = diplomes.get(int(diplome_id)) if str(diplome_id).isdigit() else None
        if diplome is None or niveau not in queries.NIVEAUX_LSL:
            erreurs.append("Diplôme ou niveau inconnu pour cet établissement.")
            continue
        if valeur not in ("", *Periodicite.Type.values):
            erreurs.append("Choisissez « Trimestre » ou « Semestre ».")
            continue
        actuelle = existantes.get((diplome.pk, niveau))
        if (actuelle.type if actuelle else "") == valeur:
            continue
        if actuelle is not None:
            utilisees = NoteLivret.objects.filter(
                livret__etablissement=etablissement,
                livret__annee=annee,
                livret__diplome=diplome,
                livret__apprenant__division__niveau=niveau,
            ).count()
            if utilisees:
                erreurs.append(
                    f"La périodicité de {diplome.intitule_court} en "
                    f"{Niveau(niveau).label.lower()} ne peut plus changer : {utilisees} note(s) "
                    "de livrets de l'année sont déjà associées à ses périodes. Retirez d'abord "
                    "ces périodes des livrets."
                )
                continue
        changements.append((diplome, niveau, actuelle, valeur))
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        for diplome, niveau, actuelle, valeur in changements:
            avant = {"type": actuelle.type} if actuelle else {}
            if valeur:
                objet, _ = Periodicite.objects.update_or_create(
                    etablissement=etablissement,
                    annee=annee,
                    diplome=diplome,
                    niveau=niveau,
                    defaults={"type": valeur},
                )
            else:
                objet = Periodicite(
                    pk=actuelle.pk,
                    etablissement=etablissement,
                    annee=annee,
                    diplome=diplome,
                    niveau=niveau,
                    type=actuelle.type,
                )
                actuelle.delete()
            journaliser(
                "lsl.periodicite",
                par=par,
                etablissement=etablissement,
                objet=objet,
                avant={**avant, "diplome": diplome.intitule_court, "niveau": niveau},
                apres={
                    **({"type": valeur} if valeur else {}),
                    "diplome": diplome.intitule_court,
                    "niveau": niveau,
                    "annee": annee.libelle,
                },
            )
    return len(changements)
