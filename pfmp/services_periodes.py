"""Annexes pédagogiques, périodes de formation en entreprise, entreprises and assignments.

Every function validates before writing (French `ValidationError`, keyed by form field where
one applies), writes inside `transaction.atomic()` and records an audit entry. Putting a
learner on a période generates their portfolio here — never in a signal: one Affectation, one
Portfolio, one SemaineJournal per calendar week overlapping the période and FicheActivite rows
(one per week for a scolaire, a single one for the whole période for an apprentice). Removing a
learner archives the affectation: what they wrote is never deleted.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cpro.audit import journaliser
from cpro.models import AnneeScolaire, Apprenant, Membership, Role
from pfmp.models import (
    Affectation,
    AnnexePedagogique,
    Entreprise,
    FicheActivite,
    Periode,
    Portfolio,
    SemaineJournal,
)
from referentiels.models import Competence

TITRE_MAX = 255
OBJECTIFS_MAX = 10_000
DUREE_MAX_SEMAINES = 26
ROLES_REFERENTS = (Role.ENSEIGNANT, Role.DDFPT)


# --- weeks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Semaine:
    numero: int
    lundi: datetime.date  # the calendar week's Monday: the key that survives a date change
    date_debut: datetime.date  # clipped to the période
    date_fin: datetime.date


def semaines_de(date_debut: datetime.date, date_fin: datetime.date) -> list[Semaine]:
    """The calendar weeks (Monday–Sunday) overlapping [date_debut, date_fin], numbered 1..n,
    their first and last days clipped to the période."""
    lundi = date_debut - datetime.timedelta(days=date_debut.weekday())
    semaines = []
    while lundi <= date_fin:
        dimanche = lundi + datetime.timedelta(days=6)
        semaines.append(
            Semaine(
                numero=len(semaines) + 1,
                lundi=lundi,
                date_debut=max(lundi, date_debut),
                date_fin=min(dimanche, date_fin),
            )
        )
        lundi += datetime.timedelta(days=7)
    return semaines


def _lundi(date: datetime.date) -> datetime.date:
    return date - datetime.timedelta(days=date.weekday())


def verifier_dates(date_debut, date_fin) -> None:
    """Both dates given, fin ≥ début, at most DUREE_MAX_SEMAINES weeks."""
    erreurs = {}
    if not date_debut:
        erreurs["date_debut"] = "La date de début est obligatoire."
    if not date_fin:
        erreurs["date_fin"] = "La date de fin est obligatoire."
    if erreurs:
        raise ValidationError(erreurs)
    if date_fin < date_debut:
        raise ValidationError(
            {"date_fin": "La date de fin doit être postérieure ou égale à la date de début."}
        )
    if (date_fin - date_debut).days + 1 > DUREE_MAX_SEMAINES * 7:
        raise ValidationError(
            {
                "date_fin": f"Une période de formation en entreprise ne peut pas dépasser "
                f"{DUREE_MAX_SEMAINES} semaines."
            }
        )


def _date_fr(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


# --- annexes pédagogiques --------------------------------------------------------------------


def _nettoyer_titre(titre: str) -> str:
    titre = (titre or "").strip()
    if not titre:
        raise ValidationError({"titre": "Le titre est obligatoire."})
    if len(titre) > TITRE_MAX:
        raise ValidationError({"titre": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères."})
    return titre


def _verifier_contenu(diplome, niveau, objectifs, taches, competences, criteres):
    """Check the niveau and that every référentiel item belongs to the diplôme. The competence
    of each chosen criterion is added to the competences (a criterion is evaluated within its
    competence). Returns (objectifs, taches, competences, criteres) as lists."""
    if niveau not in (diplome.niveaux or []):
        raise ValidationError({"niveau": "Ce niveau n'existe pas pour ce diplôme."})
    objectifs = (objectifs or "").strip()
    if len(objectifs) > OBJECTIFS_MAX:
        raise ValidationError(
            {"objectifs": f"Les objectifs ne peuvent pas dépasser {OBJECTIFS_MAX} caractères."}
        )
    taches, competences, criteres = list(taches), list(competences), list(criteres)
    if any(t.diplome_id != diplome.pk for t in taches):
        raise ValidationError({"taches": "Une tâche choisie n'appartient pas à ce diplôme."})
    if any(c.diplome_id != diplome.pk for c in competences):
        raise ValidationError(
            {"competences": "Une compétence choisie n'appartient pas à ce diplôme."}
        )
    ids_competences = {c.pk for c in competences}
    manquantes = {cr.competence_id for cr in criteres} - ids_competences
    if manquantes:
        competences += list(Competence.objects.filter(pk__in=manquantes))
    if any(c.diplome_id != diplome.pk for c in competences):
        raise ValidationError({"criteres": "Un critère choisi n'appartient pas à ce diplôme."})
    return objectifs, taches, competences, criteres


def _etat_annexe(annexe: AnnexePedagogique) -> dict:
    return {
        "titre": annexe.titre,
        "niveau": annexe.niveau,
        "objectifs": annexe.objectifs,
        "taches": sorted(t.code for t in annexe.taches.all()),
        "competences": sorted(c.code for c in annexe.competences.all()),
        "criteres": sorted(cr.code for cr in annexe.criteres.all()),
    }


def creer_annexe(
    etablissement,
    diplome,
    *,
    par,
    titre: str,
    niveau: str,
    objectifs: str = "",
    taches=(),
    competences=(),
    criteres=(),
) -> AnnexePedagogique:
    """Create an annexe pédagogique of the diplôme for one niveau.

    Writes: the AnnexePedagogique and its tasks, competences (plus those of the chosen
    criteria) and criteria. Audit: `pfmp.annexe.creer`.
    """
    titre = _nettoyer_titre(titre)
    objectifs, taches, competences, criteres = _verifier_contenu(
        diplome, niveau, objectifs, taches, competences, criteres
    )
    with transaction.atomic():
        annexe = AnnexePedagogique.objects.create(
            etablissement=etablissement,
            diplome=diplome,
            niveau=niveau,
            titre=titre,
            objectifs=objectifs,
            auteur=par if getattr(par, "pk", None) else None,
        )
        annexe.taches.set(taches)
        annexe.competences.set(competences)
        annexe.criteres.set(criteres)
        journaliser(
            "pfmp.annexe.creer",
            par=par,
            etablissement=etablissement,
            objet=annexe,
            apres=_etat_annexe(annexe),
        )
    return annexe


def modifier_annexe(
    annexe: AnnexePedagogique,
    *,
    par,
    titre: str,
    niveau: str,
    objectifs: str = "",
    taches=(),
    competences=(),
    criteres=(),
) -> AnnexePedagogique:
    """Change an annexe. Périodes already made from it keep their own copy (unchanged).

    Writes: the annexe and its three selections. Audit: `pfmp.annexe.modifier` before/after.
    """
    titre = _nettoyer_titre(titre)
    objectifs, taches, competences, criteres = _verifier_contenu(
        annexe.diplome, niveau, objectifs, taches, competences, criteres
    )
    with transaction.atomic():
        avant = _etat_annexe(annexe)
        annexe.titre, annexe.niveau, annexe.objectifs = titre, niveau, objectifs
        annexe.save()
        annexe.taches.set(taches)
        annexe.competences.set(competences)
        annexe.criteres.set(criteres)
        journaliser(
            "pfmp.annexe.modifier",
            par=par,
            etablissement=annexe.etablissement,
            objet=annexe,
            avant=avant,
            apres=_etat_annexe(annexe),
        )
    return annexe


@transaction.atomic
def supprimer_annexe(annexe: AnnexePedagogique, *, par) -> None:
    """Delete an annexe. Allowed even when périodes were made from it: they keep their copy
    (their `annexe` becomes empty). Audit: `pfmp.annexe.supprimer` with its last state."""
    avant = _etat_annexe(annexe)
    journaliser(
        "pfmp.annexe.supprimer",
        par=par,
        etablissement=annexe.etablissement,
        objet=annexe,
        avant=avant,
    )
    annexe.delete()


# --- périodes --------------------------------------------------------------------------------


def _verifier_apprenants(periode_ou_annexe, apprenants) -> list[Apprenant]:
    """Learners of the establishment in a division of the diplôme and niveau."""
    apprenants = list(dict.fromkeys(apprenants))
    etab_id = periode_ou_annexe.etablissement_id
    hors = [
        a
        for a in apprenants
        if a.etablissement_id != etab_id
        or a.division is None
        or a.division.diplome_id != periode_ou_annexe.diplome_id
        or a.division.niveau != periode_ou_annexe.niveau
    ]
    if hors:
        raise ValidationError(
            {
                "apprenants": "Ces apprenants ne sont pas dans une division de ce diplôme et de "
                "ce niveau : " + ", ".join(str(a) for a in hors) + "."
            }
        )
    return apprenants


def _portfolios(periode: Periode, affectations: list[Affectation]) -> None:
    """Generate the portfolio, its weeks and fiches of each affectation (bulk writes)."""
    semaines = semaines_de(periode.date_debut, periode.date_fin)
    portfolios = Portfolio.objects.bulk_create([Portfolio(affectation=a) for a in affectations])
    lignes, fiches = [], []
    for affectation, portfolio in zip(affectations, portfolios, strict=True):
        for s in semaines:
            lignes.append(
                SemaineJournal(
                    portfolio=portfolio,
                    numero=s.numero,
                    date_debut=s.date_debut,
                    date_fin=s.date_fin,
                )
            )
        if affectation.apprenant.est_apprenti:
            fiches.append(
                FicheActivite(
                    portfolio=portfolio,
                    numero=1,
                    date_debut=periode.date_debut,
                    date_fin=periode.date_fin,
                )
            )
        else:
            fiches += [
                FicheActivite(
                    portfolio=portfolio,
                    numero=s.numero,
                    date_debut=s.date_debut,
                    date_fin=s.date_fin,
                )
                for s in semaines
            ]
    SemaineJournal.objects.bulk_create(lignes)
    FicheActivite.objects.bulk_create(fiches)


def _ajouter(periode: Periode, apprenants: list[Apprenant]) -> tuple[list, list]:
    """Add or unarchive; returns (added, unarchived) learners."""
    existantes = {
        a.apprenant_id: a
        for a in Affectation.objects.filter(periode=periode, apprenant__in=apprenants)
        .select_related("portfolio")
        .order_by()
    }
    nouvelles, desarchivees, sans_portfolio = [], [], []
    for apprenant in apprenants:
        affectation = existantes.get(apprenant.pk)
        if affectation is None:
            nouvelles.append(Affectation(periode=periode, apprenant=apprenant))
            continue
        if affectation.archivee:
            affectation.archivee, affectation.archivee_le = False, None
            desarchivees.append(affectation)
        if not hasattr(affectation, "portfolio"):
            affectation.apprenant = apprenant
            sans_portfolio.append(affectation)
    creees = Affectation.objects.bulk_create(nouvelles)
    Affectation.objects.bulk_update(desarchivees, ["archivee", "archivee_le"])
    _portfolios(periode, creees + sans_portfolio)
    return [a.apprenant for a in creees], [a.apprenant for a in desarchivees]


def creer_periode(
    annexe: AnnexePedagogique,
    *,
    par,
    titre: str,
    date_debut: datetime.date,
    date_fin: datetime.date,
    apprenants,
) -> Periode:
    """Create a période from an annexe and put the learners on it.

    The période keeps a copy of the annexe (titre given, diplôme, niveau, objectifs, tasks,
    competences, criteria): editing or deleting the annexe later changes nothing. Its school
    year is the one of its first day. Writes: the Periode and, per learner, an Affectation and
    a Portfolio with its weeks and fiches. Audit: `pfmp.periode.creer` (dates, learners).
    """
    titre = _nettoyer_titre(titre)
    verifier_dates(date_debut, date_fin)
    apprenants = _verifier_apprenants(annexe, apprenants)
    with transaction.atomic():
        periode = Periode.objects.create(
            etablissement=annexe.etablissement,
            annexe=annexe,
            annee=AnneeScolaire.courante(date_debut),
            diplome=annexe.diplome,
            niveau=annexe.niveau,
            titre=titre,
            date_debut=date_debut,
            date_fin=date_fin,
            objectifs=annexe.objectifs,
            cree_par=par if getattr(par, "pk", None) else None,
        )
        periode.taches.set(annexe.taches.all())
        periode.competences.set(annexe.competences.all())
        periode.criteres.set(annexe.criteres.all())
        _ajouter(periode, apprenants)
        journaliser(
            "pfmp.periode.creer",
            par=par,
            etablissement=periode.etablissement,
            objet=periode,
            apres={
                "titre": titre,
                "annexe": annexe.titre,
                "date_debut": _date_fr(date_debut),
                "date_fin": _date_fr(date_fin),
                "apprenants": sorted(str(a) for a in apprenants),
            },
        )
    return periode


def ajouter_apprenants(periode: Periode, apprenants, *, par) -> int:
    """Put more learners on a période. A learner already on it is left as is; a learner who
    had been removed (archived affectation) gets the same affectation and portfolio back.

    Writes: Affectation + Portfolio + weeks + fiches per new learner; unarchives the others.
    Audit: `pfmp.periode.ajouter_apprenants`. Returns how many learners were (re)added.
    """
    apprenants = _verifier_apprenants(periode, apprenants)
    with transaction.atomic():
        ajoutes, desarchives = _ajouter(periode, apprenants)
        if ajoutes or desarchives:
            journaliser(
                "pfmp.periode.ajouter_apprenants",
                par=par,
                etablissement=periode.etablissement,
                objet=periode,
                apres={
                    "ajoutes": sorted(str(a) for a in ajoutes),
                    "reintegres": sorted(str(a) for a in desarchives),
                },
            )
    return len(ajoutes) + len(desarchives)


@transaction.atomic
def retirer_apprenant(affectation: Affectation, *, par) -> Affectation:
    """Remove a learner from a période: the affectation is archived, never deleted, so their
    journal, fiches and bilan stay. Audit: `pfmp.periode.retirer_apprenant`."""
    if affectation.archivee:
        return affectation
    affectation.archivee = True
    affectation.archivee_le = timezone.now()
    affectation.save(update_fields=["archivee", "archivee_le"])
    journaliser(
        "pfmp.periode.retirer_apprenant",
        par=par,
        etablissement=affectation.periode.etablissement,
        objet=affectation.periode,
        avant={"apprenant": str(affectation.apprenant)},
    )
    return affectation


def _semaine_a_du_contenu(semaine: SemaineJournal) -> bool:
    return bool(semaine.activites.strip()) or semaine.nb_taches > 0


def _fiche_a_du_contenu(fiche: FicheActivite) -> bool:
    textes = (fiche.titre, fiche.contexte, fiche.realisation, fiche.resultat, fiche.difficultes)
    return (
        any(t.strip() for t in textes)
        or fiche.nb_taches > 0
        or fiche.statut != FicheActivite.Statut.BROUILLON
        or bool(fiche.commentaire.strip())
    )


def modifier_periode(
    periode: Periode, *, par, titre: str, date_debut: datetime.date, date_fin: datetime.date
) -> Periode:
    """Change a période's title and dates, and every portfolio of it (archived ones too).

    Weeks are matched by calendar week: a week still in the période keeps its content and is
    renumbered/clipped; a week that falls out is deleted if empty — if any learner wrote in it
    (journal or fiche), the change is refused. New weeks get empty rows. A scolaire gets one
    fiche per week; an apprentice's single fiche follows the période's dates.
    Writes: the Periode (and its school year), weeks and fiches. Audit:
    `pfmp.periode.modifier` with the dates before/after.
    """
    titre = _nettoyer_titre(titre)
    verifier_dates(date_debut, date_fin)
    nouvelles = semaines_de(date_debut, date_fin)
    par_lundi = {s.lundi: s for s in nouvelles}
    portfolios = list(
        Portfolio.objects.filter(affectation__periode=periode).select_related(
            "affectation__apprenant"
        )
    )
    semaines = list(
        SemaineJournal.objects.filter(portfolio__affectation__periode=periode)
        .annotate(nb_taches=Count("taches"))
        .select_related("portfolio__affectation__apprenant__membership__user")
    )
    fiches = list(
        FicheActivite.objects.filter(portfolio__affectation__periode=periode)
        .annotate(nb_taches=Count("taches"))
        .select_related("portfolio__affectation__apprenant__membership__user")
    )
    apprentis = {p.pk for p in portfolios if p.affectation.apprenant.est_apprenti}

    # Validate first: nothing is written if a week with content would disappear.
    pertes = set()
    for s in semaines:
        if _lundi(s.date_debut) not in par_lundi and _semaine_a_du_contenu(s):
            pertes.add(str(s.portfolio.affectation.apprenant))
    for f in fiches:
        if f.portfolio_id in apprentis:
            continue
        if _lundi(f.date_debut) not in par_lundi and _fiche_a_du_contenu(f):
            pertes.add(str(f.portfolio.affectation.apprenant))
    if pertes:
        raise ValidationError(
            {
                "date_debut": "Ces dates retireraient des semaines déjà renseignées "
                "(journal de bord ou fiche activité) par : " + ", ".join(sorted(pertes)) + "."
            }
        )

    with transaction.atomic():
        avant = {
            "titre": periode.titre,
            "date_debut": _date_fr(periode.date_debut),
            "date_fin": _date_fr(periode.date_fin),
        }
        periode.titre, periode.date_debut, periode.date_fin = titre, date_debut, date_fin
        periode.annee = AnneeScolaire.courante(date_debut)
        periode.save()

        def ajuster(model, lignes, portfolios_concernes):
            gardees, supprimees = [], []
            presentes = {}
            for ligne in lignes:
                s = par_lundi.get(_lundi(ligne.date_debut))
                if s is None:
                    supprimees.append(ligne.pk)
                    continue
                ligne.numero, ligne.date_debut, ligne.date_fin = s.numero, s.date_debut, s.date_fin
                gardees.append(ligne)
                presentes.setdefault(ligne.portfolio_id, set()).add(s.lundi)
            model.objects.filter(pk__in=supprimees).delete()
            # Two passes: renumbering may swap numbers inside (portfolio, numero) uniqueness.
            for ligne in gardees:
                ligne.numero += 1000
            model.objects.bulk_update(gardees, ["numero"])
            for ligne in gardees:
                ligne.numero -= 1000
            model.objects.bulk_update(gardees, ["numero", "date_debut", "date_fin"])
            model.objects.bulk_create(
                model(
                    portfolio_id=pk,
                    numero=s.numero,
                    date_debut=s.date_debut,
                    date_fin=s.date_fin,
                )
                for pk in portfolios_concernes
                for s in nouvelles
                if s.lundi not in presentes.get(pk, set())
            )

        tous = [p.pk for p in portfolios]
        scolaires = [pk for pk in tous if pk not in apprentis]
        ajuster(SemaineJournal, semaines, tous)
        ajuster(FicheActivite, [f for f in fiches if f.portfolio_id not in apprentis], scolaires)
        FicheActivite.objects.filter(portfolio_id__in=apprentis).update(
            date_debut=date_debut, date_fin=date_fin
        )
        journaliser(
            "pfmp.periode.modifier",
            par=par,
            etablissement=periode.etablissement,
            objet=periode,
            avant=avant,
            apres={
                "titre": titre,
                "date_debut": _date_fr(date_debut),
                "date_fin": _date_fr(date_fin),
            },
        )
    return periode


# --- entreprises -----------------------------------------------------------------------------

CHAMPS_ENTREPRISE = (
    "nom",
    "siret",
    "adresse",
    "code_postal",
    "ville",
    "latitude",
    "longitude",
    "secteur",
    "telephone",
)


def _etat_entreprise(entreprise: Entreprise) -> dict:
    return {
        c: (str(v) if v is not None else None)
        for c in CHAMPS_ENTREPRISE
        for v in [getattr(entreprise, c)]
    }


def _remplir_entreprise(entreprise: Entreprise, champs: dict) -> None:
    inconnus = set(champs) - set(CHAMPS_ENTREPRISE)
    if inconnus:
        raise TypeError(f"Champs inconnus : {sorted(inconnus)}")
    for cle, valeur in champs.items():
        if isinstance(valeur, str):
            valeur = valeur.strip()
        if cle in ("latitude", "longitude") and valeur not in (None, ""):
            try:
                # Coordinates are stored with 6 decimals (about 10 cm): round, don't refuse.
                valeur = Decimal(str(valeur)).quantize(Decimal("0.000001"))
            except InvalidOperation as exc:
                raise ValidationError({cle: "Saisissez un nombre décimal."}) from exc
        elif cle in ("latitude", "longitude"):
            valeur = None
        setattr(entreprise, cle, valeur)
    if not entreprise.nom:
        raise ValidationError({"nom": "La raison sociale est obligatoire."})
    entreprise.siret = (entreprise.siret or "").replace(" ", "")
    if (entreprise.latitude is None) != (entreprise.longitude is None):
        raise ValidationError(
            {"longitude": "Indiquez la latitude et la longitude, ou aucune des deux."}
        )
    entreprise.full_clean(exclude=["etablissement"])


def creer_entreprise(etablissement, *, par, **champs) -> Entreprise:
    """Create an entreprise of the establishment (fields of CHAMPS_ENTREPRISE).

    Writes: the Entreprise. Audit: `pfmp.entreprise.creer`.
    """
    entreprise = Entreprise(etablissement=etablissement)
    _remplir_entreprise(entreprise, champs)
    with transaction.atomic():
        entreprise.save()
        journaliser(
            "pfmp.entreprise.creer",
            par=par,
            etablissement=etablissement,
            objet=entreprise,
            apres=_etat_entreprise(entreprise),
        )
    return entreprise


def modifier_entreprise(entreprise: Entreprise, *, par, **champs) -> Entreprise:
    """Change an entreprise. Writes: the Entreprise. Audit: `pfmp.entreprise.modifier`."""
    avant = _etat_entreprise(entreprise)
    _remplir_entreprise(entreprise, champs)
    with transaction.atomic():
        entreprise.save()
        journaliser(
            "pfmp.entreprise.modifier",
            par=par,
            etablissement=entreprise.etablissement,
            objet=entreprise,
            avant=avant,
            apres=_etat_entreprise(entreprise),
        )
    return entreprise


# --- assignments -----------------------------------------------------------------------------


def tuteurs_de(etablissement):
    """Active tutor / maître d'apprentissage accounts of the establishment."""
    return Membership.objects.filter(
        etablissement=etablissement, role=Role.TUTEUR, active=True
    ).select_related("user")


def referents_de(etablissement):
    """Active teachers and DDFPT of the establishment (possible référents), as memberships."""
    return Membership.objects.filter(
        etablissement=etablissement, role__in=ROLES_REFERENTS, active=True
    ).select_related("user")


def _etat_affectation(affectation: Affectation) -> dict:
    return {
        "entreprise": str(affectation.entreprise) if affectation.entreprise_id else None,
        "tuteur": str(affectation.tuteur.user) if affectation.tuteur_id else None,
        "referent": str(affectation.referent) if affectation.referent_id else None,
    }


def modifier_affectation(
    affectation: Affectation,
    *,
    par,
    entreprise: Entreprise | None = None,
    nouvelle_entreprise: dict | None = None,
    tuteur: Membership | None = None,
    nouveau_tuteur: dict | None = None,
    referent=None,
) -> tuple[Affectation, tuple[Membership, str] | None]:
    """Set where a learner goes (entreprise), with whom (tutor / maître d'apprentissage) and
    who follows them (référent teacher).

    `nouvelle_entreprise` (fields of CHAMPS_ENTREPRISE) creates an entreprise instead of
    choosing one; `nouveau_tuteur` ({nom, prenom, email}) creates a TUTEUR account through
    cpro.comptes.creer_compte. Writes: those, then the Affectation. Audit:
    `pfmp.affectation.modifier` (plus `pfmp.entreprise.creer` / `compte.creer`).
    Returns the affectation and, when a tutor account was created, (membership, temporary
    password) to show once.
    """
    from cpro.comptes import creer_compte

    etab = affectation.periode.etablissement
    if entreprise is not None and entreprise.etablissement_id != etab.pk:
        raise ValidationError({"entreprise": "Cette entreprise est inconnue."})
    if tuteur is not None and not tuteurs_de(etab).filter(pk=tuteur.pk).exists():
        raise ValidationError({"tuteur": "Ce tuteur n'a pas de compte actif dans l'établissement."})
    if referent is not None and not referents_de(etab).filter(user=referent).exists():
        raise ValidationError(
            {"referent": "Le professeur référent doit être un enseignant de l'établissement."}
        )
    if nouveau_tuteur is not None:
        if not (nouveau_tuteur.get("nom") or "").strip():
            raise ValidationError({"tuteur_nom": "Le nom du tuteur est obligatoire."})
    compte = None
    with transaction.atomic():
        avant = _etat_affectation(affectation)
        if nouvelle_entreprise is not None:
            entreprise = creer_entreprise(etab, par=par, **nouvelle_entreprise)
        if nouveau_tuteur is not None:
            try:
                compte = creer_compte(
                    etab,
                    par=par,
                    role=Role.TUTEUR,
                    nom=nouveau_tuteur["nom"].strip(),
                    prenom=(nouveau_tuteur.get("prenom") or "").strip(),
                    email=(nouveau_tuteur.get("email") or "").strip(),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "email" in exc.error_dict:
                    raise ValidationError({"tuteur_email": exc.error_dict["email"]}) from exc
                raise
            tuteur = compte[0]
        affectation.entreprise = entreprise
        affectation.tuteur = tuteur
        affectation.referent = referent
        affectation.save(update_fields=["entreprise", "tuteur", "referent"])
        journaliser(
            "pfmp.affectation.modifier",
            par=par,
            etablissement=etab,
            objet=affectation,
            avant=avant,
            apres=_etat_affectation(affectation),
        )
    return affectation, compte


def apprenants_non_archives(periode: Periode):
    """The learners currently on the période (not removed)."""
    return Apprenant.objects.filter(
        Q(affectations__periode=periode) & Q(affectations__archivee=False)
    )
