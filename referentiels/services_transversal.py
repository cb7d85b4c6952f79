"""The establishment's transversal competences (savoir-être professionnels): a référentiel of
nature TRANSVERSAL owned by one establishment, edited or imported by its DDFPT, evaluated on the
same mastery scale from évaluations of any diploma (scenarios/fiche.py links its criteria).

Rules (every function validates before writing, in one transaction, with an audit entry):
- one transversal référentiel per establishment (`Diplome` nature TRANSVERSAL, one group);
- a competence has a code (unique in the référentiel) and a label, and at least one criterion;
- at most COMPETENCES_MAX competences and CRITERES_MAX criteria per competence;
- a criterion that has résultats is never deleted (deactivate it instead); the last criterion
  of a competence is never deleted; deactivating hides from the liaison, résultats are kept;
- imports (CSV or the `cpro-referentiel` JSON document) create or update by code and never
  delete; the whole file is checked before anything is written.
The ready-made starting set is an establishment's choice, not official content.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from cpro.audit import journaliser
from referentiels.models import (
    Competence,
    Confiance,
    Critere,
    Diplome,
    GroupeCompetences,
    NatureReferentiel,
)

COMPETENCES_MAX = 40
CRITERES_MAX = 12
CODE_MAX = 12
INTITULE_MAX = 500
CRITERE_MAX = 1000
TAILLE_MAX = 2 * 1024 * 1024
CODE_GROUPE = "CT"
SOURCE = "Choix de l'établissement (pas un contenu officiel)"
ENTETES_CSV = ("competence_code", "competence_intitule", "critere_code", "critere_intitule")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# The ready-made starting set: common savoir-être professionnels, proposed to the DDFPT, who
# keeps, edits or deactivates them. Not official content.
JEU_DE_DEPART = (
    (
        "AUT",
        "Autonomie",
        (
            "Organise son travail sans attendre les consignes pour chaque étape",
            "Sollicite de l'aide à bon escient",
        ),
    ),
    (
        "EQU",
        "Travail en équipe",
        (
            "Coopère avec les membres de l'équipe",
            "Respecte les décisions collectives et les rôles de chacun",
        ),
    ),
    (
        "COM",
        "Communication",
        (
            "S'exprime de façon claire et adaptée à l'interlocuteur",
            "Écoute et reformule les demandes",
        ),
    ),
    (
        "PON",
        "Ponctualité et assiduité",
        ("Arrive à l'heure", "Prévient et justifie ses absences et retards"),
    ),
    (
        "INI",
        "Initiative",
        ("Propose des améliorations ou des solutions", "Anticipe les tâches à réaliser"),
    ),
    (
        "HYS",
        "Respect des règles d'hygiène et de sécurité",
        (
            "Applique les règles d'hygiène et de sécurité du poste",
            "Porte la tenue et les équipements demandés",
        ),
    ),
)


def referentiel_de(etablissement) -> Diplome | None:
    """The establishment's transversal référentiel, or None (1 query)."""
    return Diplome.objects.filter(
        etablissement=etablissement, nature=NatureReferentiel.TRANSVERSAL
    ).first()


def _obtenir(etablissement, *, par) -> tuple[Diplome, GroupeCompetences]:
    """The transversal référentiel and its group, created on first use (audited)."""
    diplome = referentiel_de(etablissement)
    if diplome is None:
        code = f"TRANSV-{(etablissement.uai or str(etablissement.pk)).upper()}"[:20]
        diplome = Diplome.objects.create(
            nature=NatureReferentiel.TRANSVERSAL,
            etablissement=etablissement,
            code=code,
            version="etab",
            intitule=f"Compétences transversales – {etablissement.nom}"[:255],
            intitule_court="Compétences transversales",
            source=SOURCE,
            confiance=Confiance.HAUTE,
        )
        journaliser(
            "transversal.creer",
            par=par,
            etablissement=etablissement,
            objet=diplome,
            apres={"code": diplome.code},
        )
    groupe, _cree = GroupeCompetences.objects.get_or_create(
        diplome=diplome,
        code=CODE_GROUPE,
        defaults={
            "intitule": "Compétences transversales (choix de l'établissement)",
            "source": SOURCE,
        },
    )
    return diplome, groupe


# --- validation ------------------------------------------------------------------------------


def _code(valeur) -> str:
    code = (valeur or "").strip().upper()
    if not code:
        raise ValidationError("Indiquez le code de la compétence.", code="code")
    if len(code) > CODE_MAX or not _CODE.match(code):
        raise ValidationError(
            f"Code « {code[:40]} » invalide : {CODE_MAX} caractères au plus, lettres, chiffres, "
            "point, tiret ou soulignement.",
            code="code",
        )
    return code


def _texte(valeur, maximum: int, quoi: str) -> str:
    texte = " ".join((valeur or "").split())
    if not texte:
        raise ValidationError(f"Indiquez {quoi}.", code="vide")
    if len(texte) > maximum:
        raise ValidationError(
            f"{quoi[0].upper()}{quoi[1:]} dépasse {maximum} caractères.", code="long"
        )
    return texte


def _libelles_criteres(criteres) -> list[str]:
    libelles = [_texte(c, CRITERE_MAX, "le libellé du critère") for c in criteres if c.strip()]
    if not libelles:
        raise ValidationError(
            "Une compétence transversale a au moins un critère d'évaluation.", code="criteres"
        )
    if len(libelles) > CRITERES_MAX:
        raise ValidationError(
            f"Une compétence a au plus {CRITERES_MAX} critères.", code="criteres_max"
        )
    return libelles


def _prochain_code_critere(competence, pris: set[str]) -> str:
    n = len(pris) + 1
    while f"{competence.code}.{n}" in pris:
        n += 1
    return f"{competence.code}.{n}"


def _etat_competence(c: Competence) -> dict:
    return {"code": c.code, "intitule": c.intitule, "active": c.active, "ordre": c.ordre}


def _etat_critere(c: Critere) -> dict:
    return {"code": c.code, "intitule": c.intitule, "actif": c.actif, "ordre": c.ordre}


# --- competences -----------------------------------------------------------------------------


@transaction.atomic
def ajouter_competence(etablissement, *, code: str, intitule: str, criteres, par) -> Competence:
    """Add a competence with its criteria (one per entry of `criteres`, at least one).

    Writes: the référentiel (first time), one Competence, its Critere rows; audit
    `transversal.competence_ajouter`."""
    code = _code(code)
    intitule = _texte(intitule, INTITULE_MAX, "le libellé de la compétence")
    libelles = _libelles_criteres(criteres)
    diplome, groupe = _obtenir(etablissement, par=par)
    existantes = Competence.objects.filter(diplome=diplome)
    if existantes.filter(code=code).exists():
        raise ValidationError(f"La compétence {code} existe déjà.", code="doublon")
    if existantes.count() >= COMPETENCES_MAX:
        raise ValidationError(
            f"Le référentiel transversal a au plus {COMPETENCES_MAX} compétences.",
            code="competences_max",
        )
    ordre = (existantes.aggregate(m=Max("ordre"))["m"] or 0) + 1
    competence = Competence.objects.create(
        groupe=groupe, diplome=diplome, code=code, intitule=intitule, ordre=ordre, source=SOURCE
    )
    Critere.objects.bulk_create(
        Critere(competence=competence, code=f"{code}.{i}", intitule=libelle, ordre=i, source=SOURCE)
        for i, libelle in enumerate(libelles, start=1)
    )
    journaliser(
        "transversal.competence_ajouter",
        par=par,
        etablissement=etablissement,
        objet=competence,
        apres={**_etat_competence(competence), "criteres_ajoutes": libelles},
    )
    return competence


@transaction.atomic
def modifier_competence(competence: Competence, *, code: str, intitule: str, par) -> Competence:
    """Change the code and label of a transversal competence (its criteria keep their codes).

    Writes: the Competence; audit `transversal.competence_modifier` (before/after)."""
    code = _code(code)
    intitule = _texte(intitule, INTITULE_MAX, "le libellé de la compétence")
    if (
        Competence.objects.filter(diplome_id=competence.diplome_id, code=code)
        .exclude(pk=competence.pk)
        .exists()
    ):
        raise ValidationError(f"La compétence {code} existe déjà.", code="doublon")
    avant = _etat_competence(competence)
    competence.code, competence.intitule = code, intitule
    competence.save(update_fields=["code", "intitule"])
    journaliser(
        "transversal.competence_modifier",
        par=par,
        etablissement=competence.diplome.etablissement,
        objet=competence,
        avant=avant,
        apres=_etat_competence(competence),
    )
    return competence


@transaction.atomic
def ajouter_critere(competence: Competence, *, intitule: str, par) -> Critere:
    """Add a criterion at the end of the competence (code « COMP.n »).

    Writes: one Critere; audit `transversal.critere_ajouter`."""
    intitule = _texte(intitule, CRITERE_MAX, "le libellé du critère")
    existants = Critere.objects.filter(competence=competence)
    pris = set(existants.values_list("code", flat=True))
    if len(pris) >= CRITERES_MAX:
        raise ValidationError(
            f"Une compétence a au plus {CRITERES_MAX} critères.", code="criteres_max"
        )
    ordre = (existants.aggregate(m=Max("ordre"))["m"] or 0) + 1
    critere = Critere.objects.create(
        competence=competence,
        code=_prochain_code_critere(competence, pris),
        intitule=intitule,
        ordre=ordre,
        source=SOURCE,
    )
    journaliser(
        "transversal.critere_ajouter",
        par=par,
        etablissement=competence.diplome.etablissement,
        objet=critere,
        apres={"competence": competence.code, **_etat_critere(critere)},
    )
    return critere


@transaction.atomic
def modifier_critere(critere: Critere, *, intitule: str, par) -> Critere:
    """Change a criterion's label. Writes: the Critere; audit `transversal.critere_modifier`."""
    intitule = _texte(intitule, CRITERE_MAX, "le libellé du critère")
    avant = _etat_critere(critere)
    critere.intitule = intitule
    critere.save(update_fields=["intitule"])
    journaliser(
        "transversal.critere_modifier",
        par=par,
        etablissement=critere.competence.diplome.etablissement,
        objet=critere,
        avant=avant,
        apres=_etat_critere(critere),
    )
    return critere


@transaction.atomic
def supprimer_critere(critere: Critere, *, par) -> None:
    """Delete a criterion that has no résultat and is not the competence's last one (its links
    to scénarios and évaluations go with it).

    Writes: deletes the Critere; audit `transversal.critere_supprimer`."""
    if critere.resultats.exists():
        raise ValidationError(
            "Ce critère a déjà des résultats : il ne peut pas être supprimé. Désactivez-le "
            "pour ne plus le proposer (ses résultats sont conservés).",
            code="resultats",
        )
    if Critere.objects.filter(competence_id=critere.competence_id).count() <= 1:
        raise ValidationError(
            "C'est le dernier critère de la compétence : une compétence a au moins un critère.",
            code="dernier",
        )
    avant = {"competence": critere.competence.code, **_etat_critere(critere)}
    etablissement = critere.competence.diplome.etablissement
    critere.delete()
    journaliser("transversal.critere_supprimer", par=par, etablissement=etablissement, avant=avant)


def _voisins(objet):
    if isinstance(objet, Competence):
        return list(
            Competence.objects.filter(diplome_id=objet.diplome_id).order_by("ordre", "code")
        )
    return list(Critere.objects.filter(competence_id=objet.competence_id).order_by("ordre", "code"))


@transaction.atomic
def deplacer(objet: Competence | Critere, *, vers_le_haut: bool, par) -> None:
    """Move a competence (among the référentiel's) or a criterion (in its competence) one
    place up or down; the order is renumbered 1..n.

    Writes: `ordre` of the moved rows; audit `transversal.deplacer`."""
    liste = _voisins(objet)
    i = next(i for i, o in enumerate(liste) if o.pk == objet.pk)
    j = i - 1 if vers_le_haut else i + 1
    if not 0 <= j < len(liste):
        return
    liste[i], liste[j] = liste[j], liste[i]
    modifies = []
    for n, o in enumerate(liste, start=1):
        if o.ordre != n:
            o.ordre = n
            modifies.append(o)
    type(objet).objects.bulk_update(modifies, ["ordre"])
    diplome = objet.diplome if isinstance(objet, Competence) else objet.competence.diplome
    journaliser(
        "transversal.deplacer",
        par=par,
        etablissement=diplome.etablissement,
        objet=objet,
        apres={"ordre": [o.code for o in liste]},
    )


@transaction.atomic
def changer_activite(objet: Competence | Critere, *, actif: bool, par) -> None:
    """Deactivate (no longer offered in the liaison; résultats kept) or reactivate a
    competence or a criterion. An active competence keeps at least one active criterion.

    Writes: `active` / `actif`; audit `transversal.activer` or `transversal.desactiver`."""
    if isinstance(objet, Competence):
        champ, diplome = "active", objet.diplome
    else:
        champ, diplome = "actif", objet.competence.diplome
        if (
            not actif
            and objet.actif
            and objet.competence.active
            and not Critere.objects.filter(competence_id=objet.competence_id, actif=True)
            .exclude(pk=objet.pk)
            .exists()
        ):
            raise ValidationError(
                "C'est le dernier critère actif de la compétence : désactivez plutôt la "
                "compétence.",
                code="dernier",
            )
    if getattr(objet, champ) == actif:
        return
    setattr(objet, champ, actif)
    objet.save(update_fields=[champ])
    journaliser(
        "transversal.activer" if actif else "transversal.desactiver",
        par=par,
        etablissement=diplome.etablissement,
        objet=objet,
        avant={champ: not actif},
        apres={champ: actif},
    )


# --- starting set, import and export ---------------------------------------------------------


@dataclass
class RapportImport:
    competences_creees: list = field(default_factory=list)
    competences_modifiees: list = field(default_factory=list)
    criteres_crees: int = 0
    criteres_modifies: int = 0

    def resume(self) -> str:
        return (
            f"{len(self.competences_creees)} compétence(s) ajoutée(s), "
            f"{len(self.competences_modifiees)} modifiée(s) ; {self.criteres_crees} critère(s) "
            f"ajouté(s), {self.criteres_modifies} modifié(s)."
        )

    def en_dict(self) -> dict:
        return {
            "competences_creees": self.competences_creees,
            "competences_modifiees": self.competences_modifiees,
            "criteres_crees": self.criteres_crees,
            "criteres_modifies": self.criteres_modifies,
        }


@dataclass
class _Ligne:
    competence: str
    intitule: str
    criteres: list = field(default_factory=list)  # [(code or "", intitulé)]


def _appliquer(
    etablissement, lignes: list[_Ligne], *, par, action: str, contexte: dict
) -> RapportImport:
    """Create or update the competences and criteria of `lignes` (already validated); never
    deletes. Checks the limits against what exists first (nothing written on error)."""
    diplome, groupe = _obtenir(etablissement, par=par)
    existantes = {c.code: c for c in Competence.objects.filter(diplome=diplome)}
    criteres: dict[int, dict[str, Critere]] = {}
    for cr in Critere.objects.filter(competence__diplome=diplome):
        criteres.setdefault(cr.competence_id, {})[cr.code] = cr
    nouvelles = [ligne.competence for ligne in lignes if ligne.competence not in existantes]
    if len(existantes) + len(nouvelles) > COMPETENCES_MAX:
        raise ValidationError(
            f"Le référentiel transversal aurait plus de {COMPETENCES_MAX} compétences.",
            code="competences_max",
        )
    rapport = RapportImport()
    ordre = max((c.ordre for c in existantes.values()), default=0)
    for ligne in lignes:
        comp = existantes.get(ligne.competence)
        if comp is None:
            ordre += 1
            comp = Competence.objects.create(
                groupe=groupe,
                diplome=diplome,
                code=ligne.competence,
                intitule=ligne.intitule,
                ordre=ordre,
                source=SOURCE,
            )
            rapport.competences_creees.append(comp.code)
        elif comp.intitule != ligne.intitule:
            comp.intitule = ligne.intitule
            comp.save(update_fields=["intitule"])
            rapport.competences_modifiees.append(comp.code)
        siens = criteres.setdefault(comp.pk, {})
        codes_nouveaux = {code for code, _i in ligne.criteres if code and code not in siens}
        sans_code = sum(1 for code, _i in ligne.criteres if not code)
        if len(siens) + len(codes_nouveaux) + sans_code > CRITERES_MAX:
            raise ValidationError(
                f"La compétence {comp.code} aurait plus de {CRITERES_MAX} critères.",
                code="criteres_max",
            )
        rang = max((c.ordre for c in siens.values()), default=0)
        for code, intitule in ligne.criteres:
            existant = siens.get(code) if code else None
            if existant is None and not code:
                existant = next((c for c in siens.values() if c.intitule == intitule), None)
            if existant is not None:
                if existant.intitule != intitule:
                    existant.intitule = intitule
                    existant.save(update_fields=["intitule"])
                    rapport.criteres_modifies += 1
                continue
            rang += 1
            code = code or _prochain_code_critere(comp, set(siens))
            siens[code] = Critere.objects.create(
                competence=comp, code=code, intitule=intitule, ordre=rang, source=SOURCE
            )
            rapport.criteres_crees += 1
    journaliser(
        action,
        par=par,
        etablissement=etablissement,
        objet=diplome,
        apres={**rapport.en_dict(), **contexte},
    )
    return rapport


@transaction.atomic
def installer_jeu_de_depart(etablissement, *, par) -> RapportImport:
    """Add the ready-made starting set (JEU_DE_DEPART) — the competences whose code is not
    there yet; existing ones are left as the DDFPT edited them.

    Writes: competences and criteria; audit `transversal.jeu_de_depart`."""
    diplome = referentiel_de(etablissement)
    deja = set()
    if diplome is not None:
        deja = set(Competence.objects.filter(diplome=diplome).values_list("code", flat=True))
    lignes = [
        _Ligne(code, intitule, [("", c) for c in criteres])
        for code, intitule, criteres in JEU_DE_DEPART
        if code not in deja
    ]
    return _appliquer(
        etablissement, lignes, par=par, action="transversal.jeu_de_depart", contexte={}
    )


def _decoder(contenu: bytes) -> str:
    if len(contenu) > TAILLE_MAX:
        raise ValidationError("Le fichier dépasse la taille maximale de 2 Mo.", code="taille")
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Fichier illisible : enregistrez-le en UTF-8.", code="encodage")


def _regrouper(entrees, erreurs: list[str]) -> list[_Ligne]:
    """(where, competence code, label, criterion code, criterion label) → validated lines."""
    lignes: dict[str, _Ligne] = {}
    for ou, code, intitule, code_critere, critere in entrees:
        try:
            code = _code(code)
            intitule = _texte(intitule, INTITULE_MAX, "le libellé de la compétence")
            critere = _texte(critere, CRITERE_MAX, "le libellé du critère")
            code_critere = (code_critere or "").strip()
            if len(code_critere) > 40:
                raise ValidationError("Code de critère trop long (40 caractères au plus).")
        except ValidationError as exc:
            erreurs.append(f"{ou} : {' '.join(exc.messages)}")
            continue
        ligne = lignes.setdefault(code, _Ligne(code, intitule))
        if ligne.intitule != intitule:
            erreurs.append(f"{ou} : la compétence {code} a deux libellés différents.")
        if code_critere and any(c == code_critere for c, _i in ligne.criteres):
            erreurs.append(f"{ou} : le critère {code_critere} apparaît deux fois.")
        ligne.criteres.append((code_critere, critere))
    if not lignes and not erreurs:
        erreurs.append("Le fichier ne contient aucune compétence.")
    return list(lignes.values())


class _PointVirgule(csv.excel):
    delimiter = ";"


def lire_csv(contenu: bytes) -> list[_Ligne]:
    """Parse the CSV (columns ENTETES_CSV, « ; » or « , »): one line per criterion. Raises a
    ValidationError listing every error (line numbers)."""
    texte = _decoder(contenu)
    try:
        dialecte = csv.Sniffer().sniff(texte[:4096], delimiters=";,")
    except csv.Error:
        dialecte = _PointVirgule
    lecteur = csv.reader(io.StringIO(texte), dialecte)
    erreurs: list[str] = []
    entete = [c.strip().lower() for c in next(lecteur, [])]
    if tuple(entete[:4]) != ENTETES_CSV:
        raise ValidationError(f"Première ligne attendue : {';'.join(ENTETES_CSV)}.", code="entete")
    entrees = []
    for n, row in enumerate(lecteur, start=2):
        if not any(c.strip() for c in row):
            continue
        row = [*row, "", "", "", ""][:4]
        entrees.append((f"Ligne {n}", *row))
    lignes = _regrouper(entrees, erreurs)
    if erreurs:
        raise ValidationError(erreurs[:20], code="fichier")
    return lignes


def lire_json(contenu: bytes) -> list[_Ligne]:
    """Parse a `cpro-referentiel` JSON document (as `exporter_json` writes it): its groups'
    competences and criteria only. Raises a ValidationError listing every error."""
    from referentiels.services import FORMAT

    try:
        data = json.loads(_decoder(contenu))
    except json.JSONDecodeError as exc:
        raise ValidationError(f"JSON invalide (ligne {exc.lineno}).", code="json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(
            f"Ce document n'est pas au format {FORMAT} (champ « format »).", code="format"
        )
    erreurs: list[str] = []
    entrees = []
    groupes = data.get("groupes")
    if not isinstance(groupes, list):
        raise ValidationError("Le document n'a pas de liste « groupes ».", code="format")
    for g in groupes:
        for comp in (g or {}).get("competences") or [] if isinstance(g, dict) else []:
            if not isinstance(comp, dict):
                erreurs.append("Compétence illisible.")
                continue
            criteres = comp.get("criteres") or []
            if not criteres:
                erreurs.append(f"Compétence {comp.get('code')} : aucun critère.")
            for cr in criteres:
                cr = cr if isinstance(cr, dict) else {}
                entrees.append(
                    (
                        f"Compétence {str(comp.get('code'))[:20]}",
                        str(comp.get("code") or ""),
                        str(comp.get("intitule") or ""),
                        str(cr.get("code") or ""),
                        str(cr.get("intitule") or ""),
                    )
                )
    lignes = _regrouper(entrees, erreurs)
    if erreurs:
        raise ValidationError(erreurs[:20], code="fichier")
    return lignes


@transaction.atomic
def importer(etablissement, *, contenu: bytes, nom_fichier: str, par) -> RapportImport:
    """Import a CSV or JSON file (recognised by its first character) into the establishment's
    transversal référentiel: create or update by code, never delete.

    Writes: competences and criteria; audit `transversal.import` (counts, file name)."""
    debut = contenu.lstrip()[:1]
    lignes = lire_json(contenu) if debut in (b"{", b"[") else lire_csv(contenu)
    return _appliquer(
        etablissement,
        lignes,
        par=par,
        action="transversal.import",
        contexte={"fichier": (nom_fichier or "")[:200]},
    )


def exporter_csv(diplome: Diplome) -> str:
    """The référentiel as CSV (ENTETES_CSV, « ; », one line per criterion), as `lire_csv`
    reads it back (2 queries)."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(ENTETES_CSV)
    criteres = Critere.objects.filter(competence__diplome=diplome).select_related("competence")
    for cr in criteres.order_by("competence__ordre", "competence__code", "ordre", "code"):
        ecrivain.writerow([cr.competence.code, cr.competence.intitule, cr.code, cr.intitule])
    return "\ufeff" + sortie.getvalue()


def exporter_json(diplome: Diplome) -> str:
    """The référentiel as a `cpro-referentiel` JSON document (referentiels.services)."""
    from referentiels.services import document_referentiel

    return json.dumps(document_referentiel(diplome), ensure_ascii=False, indent=2)
