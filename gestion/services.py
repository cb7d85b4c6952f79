"""DDFPT administration: accounts, learners, divisions, the establishment, the people import.

Every function validates before writing (French `ValidationError`, keyed by form field where
one applies), writes inside `transaction.atomic()` and records an audit entry (who, what,
before/after). Passwords never reach the audit log.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cpro.analyse import analyser
from cpro.audit import journaliser
from cpro.comptes import (
    ROLES_PERSONNELS,
    creer_utilisateur,
    etat_compte,
    generer_mot_de_passe,
    verifier_diplomes,
    verifier_identite,
)
from cpro.models import AnneeScolaire, Apprenant, Division, Membership, Role, Sexe, Statut
from cpro.sessions import terminer_sessions
from gestion import rgpd
from gestion.importation import LigneImport
from referentiels.models import Niveau

User = get_user_model()

# --- accounts (staff and tutors) -------------------------------------------------------------


def modifier_compte(
    membership, *, par, nom, prenom, email, username, role=None, diplomes=None
) -> Membership:
    """Change a person's name, e-mail, username and — for staff — role and diplômes.

    A DDFPT cannot change their own role. Writes: the User, the Membership (role, diplômes).
    Audit: `compte.modifier` with before/after.
    """
    user = membership.user
    if not username:
        raise ValidationError({"username": "L'identifiant est obligatoire."})
    verifier_identite(username=username, email=email, user=user)
    if role is not None:
        if membership.role not in ROLES_PERSONNELS or role not in ROLES_PERSONNELS:
            raise ValidationError({"role": "Rôle non autorisé ici."})
        if user.pk == par.pk and role != membership.role:
            raise ValidationError({"role": "Vous ne pouvez pas modifier votre propre rôle."})
    if diplomes is not None:
        verifier_diplomes(membership.etablissement, diplomes)
    with transaction.atomic():
        avant = etat_compte(membership)
        user.last_name, user.first_name, user.email, user.username = nom, prenom, email, username
        user.save(update_fields=["last_name", "first_name", "email", "username"])
        if role is not None:
            membership.role = role
            membership.save(update_fields=["role"])
        if diplomes is not None:
            membership.diplomes.set(diplomes)
        apres = etat_compte(membership)
        if apres != avant:
            journaliser(
                "compte.modifier",
                par=par,
                etablissement=membership.etablissement,
                objet=membership,
                avant=avant,
                apres=apres,
            )
    return membership


def desactiver_compte(membership, *, par) -> Membership:
    """Deactivate an account in this establishment.

    Writes: Membership.active=False; if the user has no other active membership,
    User.is_active=False. Every stored session of the user is deleted (in every
    establishment: a session is per user, not per establishment; they log in again where
    they still have an account). Audit: `compte.desactiver`. A DDFPT cannot deactivate
    themself.
    """
    if membership.user_id == par.pk:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
    if not membership.active:
        raise ValidationError("Ce compte est déjà désactivé.")
    with transaction.atomic():
        membership.active = False
        membership.save(update_fields=["active"])
        user = membership.user
        autres = Membership.objects.filter(user=user, active=True).exclude(pk=membership.pk)
        if not autres.exists() and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        sessions = terminer_sessions(user)
        rgpd.marquer_sortie(membership)
        journaliser(
            "compte.desactiver",
            par=par,
            etablissement=membership.etablissement,
            objet=membership,
            avant={"actif": True},
            apres={
                "actif": False,
                "utilisateur_actif": user.is_active,
                "sessions_terminees": sessions,
            },
        )
    return membership


def reactiver_compte(membership, *, par) -> Membership:
    """Reactivate an account: Membership.active=True and User.is_active=True.

    Refused for a learner whose data were erased (RGPD). Audit: `compte.reactiver`.
    """
    if membership.active:
        raise ValidationError("Ce compte est déjà actif.")
    apprenant = getattr(membership, "apprenant", None)
    if apprenant is not None and rgpd.est_efface(apprenant):
        raise ValidationError(
            "Les données de cet apprenant ont été effacées (RGPD) : son compte ne peut pas être "
            "réactivé. Créez un nouveau compte s'il revient dans l'établissement."
        )
    with transaction.atomic():
        rgpd.annuler_sortie(membership)
        membership.active = True
        membership.save(update_fields=["active"])
        user = membership.user
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        journaliser(
            "compte.reactiver",
            par=par,
            etablissement=membership.etablissement,
            objet=membership,
            avant={"actif": False},
            apres={"actif": True},
        )
    return membership


def reinitialiser_mot_de_passe(membership, *, par, request) -> str | None:
    """Reset a person's password.

    With an e-mail address: send allauth's password-reset e-mail (link valid for a limited
    time; the current password keeps working until then) and return None. Without one: set a
    generated temporary password and return it, to be shown once to the DDFPT.
    Audit: `compte.reinitialiser_mot_de_passe` with the method used.
    """
    if not membership.active or not membership.user.is_active:
        raise ValidationError("Réactivez d'abord ce compte.")
    user = membership.user
    if user.email:
        _envoyer_lien_reinitialisation(request, user)
        methode, mot_de_passe = "courriel", None
    else:
        mot_de_passe = generer_mot_de_passe()
        with transaction.atomic():
            user.set_password(mot_de_passe)
            user.save(update_fields=["password"])
        methode = "mot_de_passe_provisoire"
    journaliser(
        "compte.reinitialiser_mot_de_passe",
        par=par,
        etablissement=membership.etablissement,
        objet=membership,
        apres={"methode": methode},
    )
    return mot_de_passe


def _envoyer_lien_reinitialisation(request, user) -> None:
    # allauth's own reset e-mail and link (account_reset_password_from_key); only this user is
    # targeted, even when another account shares the address.
    from allauth.account import app_settings
    from allauth.account.adapter import get_adapter
    from allauth.account.utils import user_pk_to_url_str, user_username
    from allauth.core import context

    with context.request_context(request):
        adapter = get_adapter(request)
        token = app_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
        uid = user_pk_to_url_str(user)
        key = f"{uid}-{token}"
        adapter.send_password_reset_mail(
            user,
            user.email,
            {
                "user": user,
                "password_reset_url": adapter.get_reset_password_from_key_url(key),
                "uid": uid,
                "key": token,
                "request": request,
                "username": user_username(user),
            },
        )


# --- learners --------------------------------------------------------------------------------


def _verifier_apprenant(etablissement, *, ine, eleve_id, division, sexe="", apprenant=None) -> None:
    erreurs = {}
    if sexe not in ("", *Sexe.values):
        erreurs["sexe"] = "Sexe inconnu : masculin, féminin ou non renseigné."
    autres = Apprenant.objects.filter(etablissement=etablissement)
    if apprenant is not None:
        autres = autres.exclude(pk=apprenant.pk)
    if ine and autres.filter(ine=ine).exists():
        erreurs["ine"] = "Cet INE est déjà attribué à un autre apprenant de l'établissement."
    if eleve_id and autres.filter(eleve_id=eleve_id).exists():
        erreurs["eleve_id"] = (
            "Cet identifiant ELEVE_ID est déjà attribué à un autre apprenant de l'établissement."
        )
    if division is not None and division.etablissement_id != etablissement.pk:
        erreurs["division"] = "Division inconnue dans l'établissement."
    if erreurs:
        raise ValidationError(erreurs)


def etat_apprenant(apprenant: Apprenant) -> dict:
    user = apprenant.membership.user
    return {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "ine": apprenant.ine,
        "eleve_id": apprenant.eleve_id,
        "date_naissance": apprenant.date_naissance.strftime("%d/%m/%Y")
        if apprenant.date_naissance
        else "",
        "statut": apprenant.statut,
        "sexe": apprenant.sexe,
        "division": str(apprenant.division) if apprenant.division_id else "",
        "numero_candidat": apprenant.numero_candidat,
    }


def creer_apprenant(
    etablissement,
    *,
    par,
    nom,
    prenom,
    email="",
    ine="",
    eleve_id="",
    date_naissance=None,
    statut=Statut.SCOLAIRE,
    sexe="",
    division=None,
    numero_candidat="",
) -> tuple[Apprenant, str]:
    """Create a learner: User (generated username, temporary password), Membership APPRENANT,
    Apprenant profile. Audit: `apprenant.creer`. Returns the learner and the password."""
    verifier_identite(username="", email=email)
    _verifier_apprenant(etablissement, ine=ine, eleve_id=eleve_id, division=division, sexe=sexe)
    with transaction.atomic():
        user, mot_de_passe = creer_utilisateur(nom=nom, prenom=prenom, email=email)
        membership = Membership.objects.create(
            user=user, etablissement=etablissement, role=Role.APPRENANT
        )
        apprenant = Apprenant.objects.create(
            membership=membership,
            etablissement=etablissement,
            ine=ine,
            eleve_id=eleve_id,
            date_naissance=date_naissance,
            statut=statut,
            sexe=sexe,
            division=division,
            numero_candidat=numero_candidat,
        )
        journaliser(
            "apprenant.creer",
            par=par,
            etablissement=etablissement,
            objet=apprenant,
            apres=etat_apprenant(apprenant),
        )
    return apprenant, mot_de_passe


def modifier_apprenant(
    apprenant,
    *,
    par,
    nom,
    prenom,
    email="",
    ine="",
    eleve_id="",
    date_naissance=None,
    statut=Statut.SCOLAIRE,
    sexe="",
    division=None,
    numero_candidat="",
) -> Apprenant:
    """Change a learner's identity and schooling data. Audit: `apprenant.modifier`."""
    user = apprenant.membership.user
    verifier_identite(username="", email=email, user=user)
    _verifier_apprenant(
        apprenant.etablissement,
        ine=ine,
        eleve_id=eleve_id,
        division=division,
        sexe=sexe,
        apprenant=apprenant,
    )
    with transaction.atomic():
        avant = etat_apprenant(apprenant)
        user.last_name, user.first_name, user.email = nom, prenom, email
        user.save(update_fields=["last_name", "first_name", "email"])
        apprenant.ine, apprenant.eleve_id = ine, eleve_id
        apprenant.date_naissance, apprenant.statut = date_naissance, statut
        apprenant.sexe = sexe
        apprenant.division, apprenant.numero_candidat = division, numero_candidat
        apprenant.save()
        apres = etat_apprenant(apprenant)
        if apres != avant:
            journaliser(
                "apprenant.modifier",
                par=par,
                etablissement=apprenant.etablissement,
                objet=apprenant,
                avant=avant,
                apres=apres,
            )
    return apprenant


# --- divisions -------------------------------------------------------------------------------


def _verifier_division(etablissement, *, annee, nom, diplome, niveau, division=None) -> None:
    erreurs = {}
    autres = Division.objects.filter(etablissement=etablissement, annee=annee, nom__iexact=nom)
    if division is not None:
        autres = autres.exclude(pk=division.pk)
    if annee is not None and autres.exists():
        erreurs["nom"] = f"La division « {nom} » existe déjà pour l'année {annee}."
    if not etablissement.diplomes.filter(pk=diplome.pk).exists():
        erreurs["diplome"] = "Ce diplôme n'est pas préparé dans l'établissement."
    elif niveau not in Niveau.values or (diplome.niveaux and niveau not in diplome.niveaux):
        erreurs["niveau"] = f"Le niveau choisi n'existe pas pour le diplôme {diplome}."
    if erreurs:
        raise ValidationError(erreurs)


def _etat_division(division) -> dict:
    return {
        "nom": division.nom,
        "annee": division.annee.libelle,
        "diplome": str(division.diplome),
        "niveau": division.niveau,
    }


def creer_division(etablissement, *, par, annee, nom, diplome, niveau) -> Division:
    """Create a division (class) for a school year. Audit: `division.creer`.

    `annee` is an AnneeScolaire or its first calendar year (the year row is created if needed,
    so next year's divisions can be prepared in June).
    """
    if isinstance(annee, int):
        annee = AnneeScolaire.objects.filter(debut=annee).first() or AnneeScolaire(debut=annee)
    # A year not stored yet has no division: the name cannot clash.
    _verifier_division(
        etablissement, annee=annee if annee.pk else None, nom=nom, diplome=diplome, niveau=niveau
    )
    with transaction.atomic():
        if annee.pk is None:
            annee, _created = AnneeScolaire.objects.get_or_create(debut=annee.debut)
        division = Division.objects.create(
            etablissement=etablissement, annee=annee, nom=nom, diplome=diplome, niveau=niveau
        )
        journaliser(
            "division.creer",
            par=par,
            etablissement=etablissement,
            objet=division,
            apres=_etat_division(division),
        )
    return division


def modifier_division(division, *, par, nom, diplome, niveau) -> Division:
    """Rename a division or change its diplôme/niveau. Audit: `division.modifier`."""
    _verifier_division(
        division.etablissement,
        annee=division.annee,
        nom=nom,
        diplome=diplome,
        niveau=niveau,
        division=division,
    )
    with transaction.atomic():
        avant = _etat_division(division)
        division.nom, division.diplome, division.niveau = nom, diplome, niveau
        division.save(update_fields=["nom", "diplome", "niveau"])
        journaliser(
            "division.modifier",
            par=par,
            etablissement=division.etablissement,
            objet=division,
            avant=avant,
            apres=_etat_division(division),
        )
    return division


# --- the establishment -----------------------------------------------------------------------


def _etat_etablissement(etablissement) -> dict:
    return {
        "nom": etablissement.nom,
        "ville": etablissement.ville,
        "academie": etablissement.academie,
        "book_active": etablissement.book_active,
        "diplomes": sorted(f"{d.code} {d.version}" for d in etablissement.diplomes.all()),
    }


def modifier_etablissement(
    etablissement, *, par, nom, ville, academie, diplomes, book_active
) -> None:
    """Change the establishment's identity, the diplômes it prepares and the book activation.

    A diplôme still used by a division of the current or a later school year cannot be
    removed. Audit: `etablissement.modifier` with before/after.
    """
    retires = set(etablissement.diplomes.values_list("pk", flat=True)) - {d.pk for d in diplomes}
    if retires:
        courante = AnneeScolaire.courante()
        utilisees = (
            Division.objects.filter(
                etablissement=etablissement,
                diplome__in=retires,
                annee__debut__gte=courante.debut,
            )
            .select_related("diplome")
            .order_by("nom")
        )
        if utilisees:
            noms = ", ".join(f"{d.nom} ({d.diplome})" for d in utilisees)
            raise ValidationError(
                {"diplomes": f"Diplôme encore utilisé par des divisions : {noms}."}
            )
    with transaction.atomic():
        avant = _etat_etablissement(etablissement)
        etablissement.nom, etablissement.ville, etablissement.academie = nom, ville, academie
        etablissement.book_active = book_active
        etablissement.save(update_fields=["nom", "ville", "academie", "book_active"])
        etablissement.diplomes.set(diplomes)
        journaliser(
            "etablissement.modifier",
            par=par,
            etablissement=etablissement,
            objet=etablissement,
            avant=avant,
            apres=_etat_etablissement(etablissement),
        )


# --- the people import -----------------------------------------------------------------------

# SORTI: a learner who left (DATE_SORTIE) and is not in Cpro: not created.
CREER, MODIFIER, INCHANGE, SORTI = "creer", "modifier", "inchange", "sorti"
_LIBELLES = {
    "nom": "Nom",
    "nom_usage": "Nom d'usage",
    "prenom": "Prénom",
    "date_naissance": "Date de naissance",
    "ine": "INE",
    "eleve_id": "ELEVE_ID",
    "division": "Division",
    "statut": "Statut",
    "sexe": "Sexe",
    "code_mef": "Code MEF",
    "options": "Options",
    "date_sortie": "Sortie",
}
# Provenances of a division's MEF code written by an import; any other non-empty provenance
# (or none at all next to a code) means the DDFPT set it by hand.
_SOURCES_IMPORT = ("SIECLE, import du ", "CSV, import du ")


def source_mef_import(format: str, jour=None) -> str:
    jour = jour or timezone.localdate()
    return f"{'CSV' if format == 'CSV' else 'SIECLE'}, import du {jour:%d/%m/%Y}"


def _mef_manuel(division: Division) -> bool:
    return bool(division.code_mef) and not division.code_mef_source.startswith(_SOURCES_IMPORT)


def libelle_options(options) -> str:
    """« 030201 (S, rang 1), 020700 (F, rang 2) », or "" for none."""
    return ", ".join(
        f"{o['code_matiere']} ({o['modalite']}, rang {o['rang']})"
        for o in sorted(options or [], key=lambda o: o.get("rang", 0))
    )


@dataclass
class ChangementMef:
    """The MEF code an import gives a division (existing or to create)."""

    division: str
    avant: str
    apres: str
    manuel: bool = False  # the code replaced was set by hand
    nouvelle: bool = False  # the division is created by the import


@dataclass
class LignePlan:
    ligne: LigneImport
    action: str = CREER
    apprenant: Apprenant | None = None
    changements: dict = field(default_factory=dict)  # champ → (avant, après), for display
    erreurs: list[str] = field(default_factory=list)

    @property
    def changements_affiches(self):
        return [(_LIBELLES[k], avant, apres) for k, (avant, apres) in self.changements.items()]


@dataclass
class PlanImport:
    """What an import would do, line by line, against the current data."""

    annee: AnneeScolaire
    lignes: list[LignePlan]
    divisions: dict[str, Division]  # existing divisions of the year, by name
    divisions_nouvelles: dict[str, int]  # unknown division name → number of learners
    mef: list[ChangementMef] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)

    @property
    def erreurs(self) -> list[str]:
        return [e for lp in self.lignes for e in lp.erreurs]

    @property
    def nb_sortis(self):
        return self.compter(SORTI)

    def mef_pour(self, nom: str) -> str | None:
        """The MEF code the import gives the division `nom`, None when unchanged."""
        for changement in self.mef:
            if _cle(changement.division) == _cle(nom):
                return changement.apres
        return None

    def compter(self, action: str) -> int:
        return sum(1 for lp in self.lignes if lp.action == action and not lp.erreurs)

    @property
    def nb_creer(self):
        return self.compter(CREER)

    @property
    def nb_modifier(self):
        return self.compter(MODIFIER)

    @property
    def nb_inchange(self):
        return self.compter(INCHANGE)


def _fmt_date(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def analyser_import(etablissement, lignes: list[LigneImport], annee=None) -> PlanImport:
    """Match each line to a learner of the establishment (ELEVE_ID, then INE) and list what
    would be created or updated, with the errors (duplicates in the file, INE or ELEVE_ID
    belonging to another learner). Read-only: two queries whatever the file size."""
    annee = annee or AnneeScolaire.courante()
    apprenants = list(
        Apprenant.objects.filter(etablissement=etablissement).select_related(
            "membership__user", "division__annee"
        )
    )
    par_eleve_id = {a.eleve_id: a for a in apprenants if a.eleve_id}
    par_ine = {a.ine: a for a in apprenants if a.ine}
    divisions = {
        _cle(d.nom): d for d in Division.objects.filter(etablissement=etablissement, annee=annee)
    }
    nouvelles: dict[str, int] = {}
    noms_nouvelles: dict[str, str] = {}
    plan = PlanImport(annee=annee, lignes=[], divisions=divisions, divisions_nouvelles=nouvelles)
    vus_ine: dict[str, str] = {}
    vus_eleve: dict[str, str] = {}
    vus_apprenant: dict[int, str] = {}
    for ligne in lignes:
        lp = LignePlan(ligne=ligne)
        ref = ligne.reference
        if ligne.ine:
            if ligne.ine in vus_ine:
                lp.erreurs.append(
                    f"{ref} : INE {ligne.ine} en double dans le fichier ({vus_ine[ligne.ine]})."
                )
            vus_ine.setdefault(ligne.ine, ref)
        if ligne.eleve_id:
            if ligne.eleve_id in vus_eleve:
                lp.erreurs.append(
                    f"{ref} : ELEVE_ID {ligne.eleve_id} en double dans le fichier "
                    f"({vus_eleve[ligne.eleve_id]})."
                )
            vus_eleve.setdefault(ligne.eleve_id, ref)
        apprenant = par_eleve_id.get(ligne.eleve_id) if ligne.eleve_id else None
        if apprenant is None and ligne.ine:
            apprenant = par_ine.get(ligne.ine)
            if apprenant is not None and apprenant.eleve_id and ligne.eleve_id:
                # Same INE, another SIECLE identifier: two different pupils, or an error.
                lp.erreurs.append(
                    f"{ref} : l'INE {ligne.ine} est déjà attribué à {apprenant} "
                    f"(ELEVE_ID {apprenant.eleve_id})."
                )
        if ligne.ine and apprenant is not None:
            autre = par_ine.get(ligne.ine)
            if autre is not None and autre.pk != apprenant.pk:
                lp.erreurs.append(
                    f"{ref} : l'INE {ligne.ine} est déjà attribué à un autre apprenant ({autre})."
                )
        if apprenant is not None:
            if apprenant.pk in vus_apprenant:
                lp.erreurs.append(
                    f"{ref} : correspond au même apprenant ({apprenant}) que "
                    f"{vus_apprenant[apprenant.pk]}."
                )
            vus_apprenant.setdefault(apprenant.pk, ref)
        cle = _cle(ligne.division)
        if cle and cle not in divisions:
            nom = noms_nouvelles.setdefault(cle, ligne.division)
            nouvelles[nom] = nouvelles.get(nom, 0) + 1
        if apprenant is not None:
            lp.apprenant = apprenant
            lp.changements = _changements(apprenant, ligne, divisions.get(cle), annee)
            lp.action = MODIFIER if lp.changements else INCHANGE
        elif ligne.date_sortie:
            lp.action = SORTI
        plan.lignes.append(lp)
    _analyser_mef(plan, noms_nouvelles)
    return plan


def _analyser_mef(plan: PlanImport, noms_nouvelles: dict[str, str]) -> None:
    """The MEF code of each division of the file, from its learners' CODE_MEF.

    One code among the division's learners: it becomes the division's code (shown as a
    change, flagged when it replaces a code the DDFPT set by hand). Several codes: a warning,
    the division's code is left as it is (to be set by hand)."""
    codes: dict[str, dict[str, int]] = {}
    for lp in plan.lignes:
        ligne = lp.ligne
        cle = _cle(ligne.division)
        if cle and ligne.code_mef and not ligne.date_sortie:
            par_code = codes.setdefault(cle, {})
            par_code[ligne.code_mef] = par_code.get(ligne.code_mef, 0) + 1
    for cle in sorted(codes):
        par_code = codes[cle]
        division = plan.divisions.get(cle)
        nom = division.nom if division is not None else noms_nouvelles.get(cle, cle)
        if len(par_code) > 1:
            detail = ", ".join(
                f"{code} ({n} élève{'s' if n > 1 else ''})" for code, n in sorted(par_code.items())
            )
            actuel = division.code_mef if division is not None and division.code_mef else ""
            plan.avertissements.append(
                f"Division {nom} : ses élèves ont des codes MEF différents, {detail} ; "
                "le code MEF de la division n'est pas modifié"
                + (f" (actuellement {actuel})" if actuel else "")
                + " : vérifiez-le et saisissez-le sur la fiche de la division."
            )
            continue
        (code,) = par_code
        if division is None:
            plan.mef.append(ChangementMef(nom, "", code, nouvelle=True))
        elif division.code_mef != code:
            plan.mef.append(
                ChangementMef(nom, division.code_mef, code, manuel=_mef_manuel(division))
            )


def _cle(nom: str) -> str:
    return (nom or "").casefold()


def _changements(apprenant: Apprenant, ligne: LigneImport, division, annee) -> dict:
    user = apprenant.membership.user
    actuelle = apprenant.division
    if actuelle is None:
        division_avant = ""
    elif actuelle.annee_id == annee.pk:
        division_avant = actuelle.nom
    else:
        division_avant = f"{actuelle.nom} ({actuelle.annee})"
    division_apres = division_avant
    if ligne.date_sortie:
        division_apres = ""  # left: placed in no division
    elif ligne.division:
        division_apres = division.nom if division is not None else ligne.division
    avant = {
        "nom": user.last_name,
        "nom_usage": apprenant.nom_usage,
        "prenom": user.first_name,
        "date_naissance": _fmt_date(apprenant.date_naissance),
        "ine": apprenant.ine,
        "eleve_id": apprenant.eleve_id,
        "division": division_avant,
        "statut": Statut(apprenant.statut).label,
        "sexe": _libelle_sexe(apprenant.sexe),
        "code_mef": apprenant.code_mef,
        "options": libelle_options(apprenant.options),
        "date_sortie": _fmt_sortie(apprenant.date_sortie),
    }
    apres = {
        "nom": ligne.nom,
        "nom_usage": apprenant.nom_usage if ligne.nom_usage is None else ligne.nom_usage,
        "prenom": ligne.prenom,
        "date_naissance": _fmt_date(ligne.date_naissance),
        "ine": ligne.ine or apprenant.ine,
        "eleve_id": ligne.eleve_id or apprenant.eleve_id,
        "division": division_apres,
        "statut": Statut(ligne.statut or apprenant.statut).label,
        "sexe": _libelle_sexe(ligne.sexe or apprenant.sexe),
        "code_mef": ligne.code_mef or apprenant.code_mef,
        "options": avant["options"] if ligne.options is None else libelle_options(ligne.options),
        "date_sortie": _fmt_sortie(_date_sortie_apres(apprenant, ligne)),
    }
    changements = {k: (avant[k], apres[k]) for k in avant if avant[k] != apres[k]}
    return changements


def _libelle_sexe(sexe: str) -> str:
    return str(Sexe(sexe).label) if sexe else ""


def _fmt_sortie(d) -> str:
    return f"sorti le {d:%d/%m/%Y}" if d else ""


def _date_sortie_apres(apprenant: Apprenant, ligne: LigneImport):
    """The file's DATE_SORTIE; none in a file that says it (back in the division): cleared,
    unless the account is deactivated (the date then comes from the DDFPT's deactivation and
    the RGPD retention runs from it)."""
    if ligne.date_sortie:
        return ligne.date_sortie
    if ligne.sortie_indiquee and apprenant.membership.active:
        return None
    return apprenant.date_sortie


def importer_apprenants(
    etablissement,
    lignes: list[LigneImport],
    *,
    par,
    choix_divisions: dict,
    erreurs_lecture: list[str] = (),
    fichier: str = "",
    format: str = "",
) -> dict:
    """Write an import, all or nothing, after re-validating it against the current data.

    `choix_divisions` maps every division name of the file that does not exist yet for the
    current year to `(diplome, niveau)`, or to None to leave that division's learners out.
    Writes: the new Divisions; for each new learner a User (generated username, unusable
    password: the DDFPT hands out passwords with « Réinitialiser le mot de passe »), a
    Membership APPRENANT and an Apprenant; changed fields of existing learners (a learner who
    left loses their division and gets `date_sortie`; a learner who left and is unknown is not
    created); the MEF code of the divisions (`code_mef_source` « SIECLE, import du
    jj/mm/aaaa »), only where `analyser_import` lists it as a change. Nothing is ever
    deleted. Audit: `import.apprenants` with the counts and the MEF changes. Returns the
    counts. Any error found while reading the file (`erreurs_lecture`) refuses the whole
    import.
    """
    if erreurs_lecture:
        raise ValidationError(list(erreurs_lecture))
    with transaction.atomic():
        plan = analyser_import(etablissement, lignes)
        if plan.erreurs:
            raise ValidationError(plan.erreurs)
        manquantes = sorted(n for n in plan.divisions_nouvelles if n not in choix_divisions)
        if manquantes:
            raise ValidationError(
                "Choisissez le diplôme et le niveau des divisions inconnues pour "
                f"{plan.annee} (ou « ne pas importer ») : {', '.join(manquantes)}."
            )
        ignorees = {_cle(nom) for nom, choix in choix_divisions.items() if choix is None}
        for nom, choix in choix_divisions.items():
            if choix is not None and nom in plan.divisions_nouvelles:
                diplome, niveau = choix
                try:
                    _verifier_division(
                        etablissement, annee=plan.annee, nom=nom, diplome=diplome, niveau=niveau
                    )
                except ValidationError as exc:
                    raise ValidationError([f"Division {nom} : {m}" for m in exc.messages]) from exc
        divisions = dict(plan.divisions)
        crees_divisions = []
        source = source_mef_import(format)
        for nom in sorted(plan.divisions_nouvelles):
            choix = choix_divisions[nom]
            if choix is None:
                continue
            code_mef = plan.mef_pour(nom) or ""
            divisions[_cle(nom)] = Division.objects.create(
                etablissement=etablissement,
                annee=plan.annee,
                nom=nom,
                diplome=choix[0],
                niveau=choix[1],
                code_mef=code_mef,
                code_mef_source=source if code_mef else "",
            )
            crees_divisions.append(nom)
        mef_modifies = []
        for changement in plan.mef:
            division = plan.divisions.get(_cle(changement.division))
            if changement.nouvelle or division is None:
                continue
            division.code_mef, division.code_mef_source = changement.apres, source
            division.save(update_fields=["code_mef", "code_mef_source"])
            mef_modifies.append(
                {
                    "division": division.nom,
                    "avant": changement.avant,
                    "apres": changement.apres,
                    "manuel": changement.manuel,
                }
            )
        comptes = {CREER: 0, MODIFIER: 0, INCHANGE: 0, SORTI: 0, "ignores": 0}
        reserves: set[str] = set()
        for lp in plan.lignes:
            ligne = lp.ligne
            if _cle(ligne.division) in ignorees:
                comptes["ignores"] += 1
                continue
            division = divisions.get(_cle(ligne.division)) if ligne.division else None
            if lp.action == CREER:
                _creer_apprenant_importe(etablissement, ligne, division, reserves)
            elif lp.action == MODIFIER:
                _mettre_a_jour_apprenant(lp.apprenant, ligne, division)
            comptes[lp.action] += 1
        resultat = {
            "crees": comptes[CREER],
            "modifies": comptes[MODIFIER],
            "inchanges": comptes[INCHANGE],
            "ignores": comptes["ignores"],
            "sortis_non_crees": comptes[SORTI],
            "divisions_creees": crees_divisions,
            "mef_modifies": mef_modifies,
        }
        journaliser(
            "import.apprenants",
            par=par,
            etablissement=etablissement,
            apres={"fichier": fichier, "format": format, **resultat},
        )
        # Fresh planner statistics once the rows are visible (PostgreSQL; no-op otherwise).
        transaction.on_commit(lambda: analyser(User, Membership, Apprenant, Division))
    return resultat


def _creer_apprenant_importe(etablissement, ligne: LigneImport, division, reserves) -> None:
    user, _mdp = creer_utilisateur(
        nom=ligne.nom, prenom=ligne.prenom, reserves=reserves, avec_mdp=False
    )
    membership = Membership.objects.create(
        user=user, etablissement=etablissement, role=Role.APPRENANT
    )
    Apprenant.objects.create(
        membership=membership,
        etablissement=etablissement,
        ine=ligne.ine,
        eleve_id=ligne.eleve_id,
        date_naissance=ligne.date_naissance,
        statut=ligne.statut or Statut.SCOLAIRE,
        sexe=ligne.sexe,
        division=division,
        nom_usage=ligne.nom_usage or "",
        code_mef=ligne.code_mef,
        options=ligne.options or [],
    )


def _mettre_a_jour_apprenant(apprenant: Apprenant, ligne: LigneImport, division) -> None:
    # The account keeps the legal name (NOM_DE_FAMILLE): the LSL and official documents need
    # it; the usage name is kept beside it in Apprenant.nom_usage.
    user = apprenant.membership.user
    if (user.last_name, user.first_name) != (ligne.nom, ligne.prenom):
        user.last_name, user.first_name = ligne.nom, ligne.prenom
        user.save(update_fields=["last_name", "first_name"])
    apprenant.date_naissance = ligne.date_naissance
    apprenant.ine = ligne.ine or apprenant.ine
    apprenant.eleve_id = ligne.eleve_id or apprenant.eleve_id
    apprenant.statut = ligne.statut or apprenant.statut
    apprenant.sexe = ligne.sexe or apprenant.sexe
    if ligne.nom_usage is not None:
        apprenant.nom_usage = ligne.nom_usage
    apprenant.code_mef = ligne.code_mef or apprenant.code_mef
    if ligne.options is not None:
        apprenant.options = ligne.options
    apprenant.date_sortie = _date_sortie_apres(apprenant, ligne)
    if ligne.date_sortie:
        apprenant.division = None
    elif division is not None:
        apprenant.division = division
    apprenant.save(
        update_fields=[
            "date_naissance",
            "ine",
            "eleve_id",
            "statut",
            "sexe",
            "division",
            "nom_usage",
            "code_mef",
            "options",
            "date_sortie",
        ]
    )


# --- fiches de connexion -----------------------------------------------------------------------


def generer_identifiants_division(division, *, par, tous: bool = False) -> list[tuple]:
    """Give the active learners of a division a new temporary password, for a printed sheet.

    By default only the learners who have never logged in are concerned (`tous=True`: every
    active learner of the division). Returns [(apprenant, mot_de_passe)] sorted by name.
    Writes: each concerned user's password. Audit: one `division.fiches_connexion` entry with
    the number of accounts. Called by the "fiches de connexion" exporter, in the worker, so that
    the passwords only ever exist in the generated (private, expiring) file.
    """
    apprenants = (
        Apprenant.objects.filter(
            division=division, membership__active=True, membership__user__is_active=True
        )
        .select_related("membership__user")
        .order_by("membership__user__last_name", "membership__user__first_name")
    )
    if not tous:
        apprenants = apprenants.filter(membership__user__last_login__isnull=True)
    resultat = []
    with transaction.atomic():
        for apprenant in apprenants:
            user = apprenant.membership.user
            mot_de_passe = generer_mot_de_passe()
            user.set_password(mot_de_passe)
            user.save(update_fields=["password"])
            resultat.append((apprenant, mot_de_passe))
        journaliser(
            "division.fiches_connexion",
            par=par,
            etablissement=division.etablissement,
            objet=division,
            apres={"comptes": len(resultat), "tous": tous},
        )
    return resultat
