"""National codes the LSL file carries and where they come from: the code matière of the
spécialité (BCN nomenclature, 6 digits), the modalité d'élection (O / F / S) and the division's
code MEF (11 characters).

One place for the **placeholder codes**: a code matière that only fills the slot (the former
global default ``200000``, ``000000``, any code made of one repeated digit, an obvious sequence)
is never written to a file. The pre-flight blocks with a French message saying where to set the
real code (LSL Pro › Paramètres LSL), and the profile raises ``CodeMatiereInvalide`` if it is
asked to build a file anyway (lslpro.profils).
"""

import re

from django.core.exceptions import ValidationError

from cpro.pipeline_exports import ExportError

# Codes that are known to stand for "no code": never accepted, never exported.
CODES_MATIERE_FACTICES = frozenset({"200000", "100000", "123456", "012345", "654321"})
CODE_MATIERE_RE = re.compile(r"^[0-9]{6}$")
CODE_MEF_RE = re.compile(r"^[0-9A-Z]{11}$")

# Modalité d'élection of the national schema (ModaliteElection): O = option obligatoire,
# F = option facultative, S = enseignement du tronc commun.
MODALITES = ("O", "F", "S")
# The spécialité of the bac pro is taught to every learner of the MEF: SIECLE lists it among the
# learner's OPTIONS only when the division's structure declares it as an option. When SIECLE
# says nothing, it is a tronc-commun teaching, hence « S ».
MODALITE_DEFAUT = "S"

MESSAGE_OU_SAISIR = (
    "Le DDFPT le renseigne dans LSL Pro › Paramètres LSL (code matière de la spécialité, "
    "nomenclature BCN, 6 chiffres)."
)


class CodeMatiereInvalide(ExportError):
    """The code matière of a diplôme is missing or is a placeholder: no file may be built."""


def est_factice(code: str | None) -> bool:
    """True for a code that cannot be a real BCN code matière: not 6 digits, in the list of
    known placeholders, or one repeated digit (000000, 111111…)."""
    code = (code or "").strip()
    return not CODE_MATIERE_RE.match(code) or code in CODES_MATIERE_FACTICES or len(set(code)) == 1


def verifier_code_matiere(code: str) -> str:
    """The code stripped, or ValidationError({"code": French message})."""
    code = (code or "").strip()
    if not CODE_MATIERE_RE.match(code):
        raise ValidationError(
            {"code": "Le code matière doit compter exactement 6 chiffres (nomenclature BCN)."}
        )
    if est_factice(code):
        raise ValidationError(
            {
                "code": f"« {code} » est un code de remplissage, pas un code matière de la BCN : "
                "saisissez le code réel de la spécialité."
            }
        )
    return code


def verifier_code_mef(code: str) -> str:
    """The code MEF stripped and upper-cased, or ValidationError({"code_mef": …}). Empty is
    allowed (the code is then unknown)."""
    code = (code or "").strip().upper()
    if code and not CODE_MEF_RE.match(code):
        raise ValidationError(
            {"code_mef": "Le code MEF compte 11 caractères (chiffres ou lettres majuscules)."}
        )
    return code


def message_code_manquant(diplome, code: str | None) -> str:
    nom = getattr(diplome, "intitule_court", "") or str(diplome)
    if not (code or "").strip():
        debut = f"Code matière de la spécialité non renseigné pour {nom}."
    else:
        debut = f"Le code matière « {code} » de {nom} est un code de remplissage."
    return f"{debut} Aucun fichier LSL ne peut être produit sans le code réel. {MESSAGE_OU_SAISIR}"


def exiger_code_matiere(code: str | None, diplome) -> str:
    """The code when it is a real one; CodeMatiereInvalide (French) otherwise."""
    if code is None or est_factice(code):
        raise CodeMatiereInvalide(message_code_manquant(diplome, code))
    return code


def modalite_election(options, code_matiere: str) -> str:
    """The learner's modalité d'élection of the spécialité: the modalité of the SIECLE option
    whose code matière is the spécialité's, else MODALITE_DEFAUT ("S", see above). A value
    outside O/F/S is returned as is, so that the pre-flight reports it (``modalite_invalide``)."""
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and str(option.get("code_matiere", "")).strip() == code_matiere:
            modalite = str(option.get("modalite") or "").strip().upper()
            return modalite or MODALITE_DEFAUT
    return MODALITE_DEFAUT


def modalite_invalide(modalite: str) -> bool:
    return modalite not in MODALITES
