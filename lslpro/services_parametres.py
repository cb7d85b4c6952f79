"""LSL Pro settings (« Paramètres LSL »): the code matière of each diplôme's spécialité and the
divisions' codes MEF, with their provenance.

Rules:
- only the DDFPT writes them (ADMINISTRER: an administrative action of the establishment); the
  chef reads the page;
- the code matière is 6 digits and never a placeholder (lslpro.nomenclature); its source text is
  required (where the code was read: BCN nomenclature, SIECLE structure…); who and when are
  recorded with it;
- a code MEF is 11 characters (digits or capital letters) or empty; its provenance becomes
  « saisi par <nom> le dd/mm/yyyy » (the SIECLE import writes its own);
- each write is validated before anything is written, atomic and audited (before/after).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cpro import perms
from cpro.audit import journaliser
from cpro.models import Division
from lslpro import nomenclature
from lslpro.models import CodeMatiereLSL
from lslpro.services import _exiger

SOURCE_MAX = 255
MESSAGE_DROIT = "Seul le DDFPT renseigne les codes de la nomenclature utilisés par le LSL."


def _nom(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def definir_code_matiere(etablissement, *, diplome, code: str, source: str, par):
    """Set the code matière of `diplome`'s spécialité for `etablissement`.

    Validates (DDFPT, diplôme of the establishment, 6 digits and not a placeholder, source text
    given) before writing; writes one CodeMatiereLSL row (created or updated, with who/when) and
    the audit entry « lsl.code_matiere ». Returns the row."""
    _exiger(par, etablissement.pk, perms.ADMINISTRER, MESSAGE_DROIT)
    erreurs = {}
    if not etablissement.diplomes.filter(pk=getattr(diplome, "pk", None)).exists():
        erreurs["diplome"] = ["Choisissez un diplôme de votre établissement."]
    try:
        code = nomenclature.verifier_code_matiere(code)
    except ValidationError as exc:
        erreurs.update(exc.message_dict)
    source = (source or "").strip()
    if not source:
        erreurs["source"] = [
            "Indiquez la source du code (par exemple « BCN, nomenclature N_MATIERE_ENSEIGNEE, "
            "consultée le 12/09/2026 »)."
        ]
    elif len(source) > SOURCE_MAX:
        erreurs["source"] = [f"La source ne peut pas dépasser {SOURCE_MAX} caractères."]
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        actuel = (
            CodeMatiereLSL.objects.select_for_update()
            .filter(etablissement=etablissement, diplome=diplome)
            .first()
        )
        avant = {"code": actuel.code, "source": actuel.source} if actuel else {}
        objet, _ = CodeMatiereLSL.objects.update_or_create(
            etablissement=etablissement,
            diplome=diplome,
            defaults={"code": code, "source": source, "modifie_par": par},
        )
        journaliser(
            "lsl.code_matiere",
            par=par,
            etablissement=etablissement,
            objet=objet,
            avant=avant,
            apres={"diplome": diplome.code, "code": code, "source": source},
        )
    return objet


def definir_code_mef(division: Division, *, code_mef: str, par) -> Division:
    """Set (or clear) the code MEF of `division`, its provenance becoming « saisi par <nom> le
    dd/mm/yyyy ». DDFPT only; validated first; atomic; audit entry « division.code_mef »."""
    if division is None:
        raise PermissionDenied(MESSAGE_DROIT)
    _exiger(par, division.etablissement_id, perms.ADMINISTRER, MESSAGE_DROIT)
    code_mef = nomenclature.verifier_code_mef(code_mef)
    source = (f"saisi par {_nom(par)} le {timezone.localdate():%d/%m/%Y}" if code_mef else "")[:255]
    with transaction.atomic():
        division = Division.objects.select_for_update().get(pk=division.pk)
        avant = {"code_mef": division.code_mef, "code_mef_source": division.code_mef_source}
        if division.code_mef == code_mef:
            return division
        division.code_mef = code_mef
        division.code_mef_source = source
        division.save(update_fields=["code_mef", "code_mef_source"])
        journaliser(
            "division.code_mef",
            par=par,
            etablissement=division.etablissement,
            objet=division,
            avant=avant,
            apres={"code_mef": code_mef, "code_mef_source": source},
        )
    return division
