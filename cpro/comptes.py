"""Accounts of the ground floor: creating a person's User and Membership in an establishment.

Used by the DDFPT's administration (gestion) and by the modules that create accounts of their
own (pfmp: a tutor met during a PFMP). Validates before writing, audits, never logs passwords.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from cpro.audit import journaliser
from cpro.models import Membership, Role

User = get_user_model()

ROLES_PERSONNELS = (Role.ENSEIGNANT, Role.DDFPT, Role.CHEF)
_ALPHABET_MDP = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- small helpers ---------------------------------------------------------------------------


def generer_mot_de_passe() -> str:
    """A temporary password, easy to dictate: three groups of four unambiguous characters."""
    groupes = ["".join(secrets.choice(_ALPHABET_MDP) for _ in range(4)) for _ in range(3)]
    return "-".join(groupes)


def _base_identifiant(prenom: str, nom: str) -> str:
    base = ".".join(p for p in (slugify(prenom), slugify(nom)) if p) or "utilisateur"
    return base[:140]


def generer_identifiant(prenom: str, nom: str, *, reserves: set[str] | None = None) -> str:
    """`prenom.nom` in lowercase ASCII, suffixed 2, 3… when taken (case-insensitive).

    `reserves` holds usernames already handed out in the same batch (import) and is updated.
    """
    base = _base_identifiant(prenom, nom)
    pris = {
        u.lower()
        for u in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    pris |= reserves or set()
    candidat, n = base, 1
    while candidat in pris:
        n += 1
        candidat = f"{base}{n}"
    if reserves is not None:
        reserves.add(candidat)
    return candidat


def verifier_identite(*, username: str, email: str, user=None) -> None:
    erreurs = {}
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            erreurs["username"] = (
                "L'identifiant ne peut contenir que des lettres, chiffres et les caractères "
                "@ . + - _"
            )
        else:
            autres = User.objects.filter(username__iexact=username)
            if user is not None:
                autres = autres.exclude(pk=user.pk)
            if autres.exists():
                erreurs["username"] = "Cet identifiant est déjà utilisé."
    if email:
        autres = User.objects.filter(email__iexact=email)
        if user is not None:
            autres = autres.exclude(pk=user.pk)
        if autres.exists():
            erreurs["email"] = "Cette adresse e-mail est déjà utilisée par un autre compte."
    if erreurs:
        raise ValidationError(erreurs)


def verifier_diplomes(etablissement, diplomes) -> None:
    offerts = set(etablissement.diplomes.values_list("pk", flat=True))
    hors = [str(d) for d in diplomes if d.pk not in offerts]
    if hors:
        raise ValidationError(
            {"diplomes": f"Diplômes non préparés dans l'établissement : {', '.join(hors)}."}
        )


def etat_compte(membership: Membership) -> dict:
    """The audited state of an account (never the password)."""
    user = membership.user
    return {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "identifiant": user.username,
        "role": membership.role,
        "actif": membership.active,
        "diplomes": sorted(f"{d.code} {d.version}" for d in membership.diplomes.all()),
    }


def creer_utilisateur(*, nom, prenom, email="", username="", reserves=None, avec_mdp=True):
    username = username or generer_identifiant(prenom, nom, reserves=reserves)
    user = User(username=username, last_name=nom, first_name=prenom, email=email or "")
    mot_de_passe = None
    if avec_mdp:
        mot_de_passe = generer_mot_de_passe()
        user.set_password(mot_de_passe)
    else:
        user.set_unusable_password()
    user.save()
    return user, mot_de_passe


def creer_compte(
    etablissement, *, par, role, nom, prenom, email="", username="", diplomes=()
) -> tuple[Membership, str]:
    """Create a person's account in this establishment (teacher, DDFPT, chef or tutor).

    Writes: a User (username given or generated `prenom.nom`, temporary password), its
    Membership with the diplômes managed. Audit: `compte.creer` with the new state.
    Returns the membership and the temporary password, to be shown once.
    """
    if role not in (*ROLES_PERSONNELS, Role.TUTEUR):
        raise ValidationError({"role": "Rôle non autorisé ici."})
    verifier_identite(username=username, email=email)
    verifier_diplomes(etablissement, diplomes)
    with transaction.atomic():
        user, mot_de_passe = creer_utilisateur(
            nom=nom, prenom=prenom, email=email, username=username
        )
        membership = Membership.objects.create(user=user, etablissement=etablissement, role=role)
        membership.diplomes.set(diplomes)
        journaliser(
            "compte.creer",
            par=par,
            etablissement=etablissement,
            objet=membership,
            apres=etat_compte(membership),
        )
    return membership, mot_de_passe
