""".scpro: the exchange file of a scénario between establishments (format documented in
docs/scpro.md).

A ZIP holding `manifest.json` (format "cpro-scenario", version 2) and the resource files under
`ressources/`. Référentiel items are referenced by their official code, never by database id.

Version 2 adds `criteres_transversaux`: the scénario's links to criteria of its establishment's
transversal référentiel (`Diplome` nature TRANSVERSAL, one per establishment, codes chosen by
each school). They travel by natural key — the competence's code and the criterion's code, with
their labels for the preview — and are linked, on import, to the active criteria with the same
codes in the importing establishment's transversal référentiel; those without an equivalent are
listed in the preview and skipped, never created. A version 1 file (no such key) still imports.

- `construire_scpro(scenario)` builds the file (used by the "scenario_scpro" exporter);
- `analyser_scpro(data, etablissement=...)` validates everything and returns an `Apercu`
  (errors, or what the import will create) without writing anything;
- `importer_scpro(data, etablissement=..., par=...)` validates again and creates the scénario.
"""

import datetime
import io
import json
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from cpro.audit import journaliser
from cpro.models import uai_validator
from cpro.pipeline_exports import ExportError
from cpro.ressources import URL_MAX
from referentiels.models import Critere, Diplome, NatureReferentiel, Niveau, Tache
from scenarios.models import TITRE_MAX, Ressource, Scenario

FORMAT = "cpro-scenario"
VERSION = 2
# Versions this code reads: 1 (before the transversal links) and the current one.
VERSIONS_LUES = (1, 2)
EXTENSION = ".scpro"
CONTENT_TYPE = "application/zip"
MANIFESTE = "manifest.json"
DOSSIER_RESSOURCES = "ressources/"

Mo = 1024 * 1024
TAILLE_FICHIER_MAX = 60 * Mo  # the .scpro as uploaded
TAILLE_DECOMPRESSEE_MAX = 60 * Mo  # sum of the uncompressed entries
ENTREES_MAX = 100
TAILLE_MANIFESTE_MAX = 1 * Mo
TAILLE_RESSOURCE_MAX = 10 * Mo
# A deflated entry larger than RATIO_SEUIL may not expand more than RATIO_MAX times: real office
# documents and images are far below; a zip bomb is far above.
RATIO_MAX = 100
RATIO_SEUIL = 1 * Mo
RESSOURCES_MAX = 30
TACHES_MAX = 300
CRITERES_MAX = 1000
CONTEXTE_MAX = 20_000  # same limits as the scénario editor
NOM_MAX = 200
CODE_MAX = 40
INTITULE_MAX = 1000  # a criterion's label (referentiels.Critere.intitule)

# Resource files accepted in an exchange (the types a teacher may upload): extension → accepted
# content types (first = canonical, written on export). No HTML, SVG, scripts or executables.
TYPES_FICHIERS: dict[str, tuple[str, ...]] = {
    "pdf": ("application/pdf",),
    "odt": ("application/vnd.oasis.opendocument.text",),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet",),
    "odp": ("application/vnd.oasis.opendocument.presentation",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    "png": ("image/png",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "txt": ("text/plain; charset=utf-8", "text/plain"),
    "mp4": ("video/mp4",),
}
_OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _contenu_conforme(extension: str, donnees: bytes) -> bool:
    """Does the content look like what its extension says (magic numbers, package members)?"""
    if extension == "pdf":
        return donnees.startswith(b"%PDF-")
    if extension == "png":
        return donnees.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return donnees.startswith(b"\xff\xd8\xff")
    if extension == "mp4":
        return donnees[4:8] == b"ftyp"
    if extension == "txt":
        try:
            donnees.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in donnees
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as paquet:
            noms = paquet.namelist()
            if extension in _OOXML:
                return "[Content_Types].xml" in noms and any(
                    n.startswith(_OOXML[extension]) for n in noms
                )
            if "mimetype" not in noms:
                return False
            with paquet.open("mimetype") as flux:  # bounded read: the package is untrusted
                mimetype = flux.read(200)
            return mimetype.strip() == TYPES_FICHIERS[extension][0].encode()
    except (
        zipfile.BadZipFile,
        OSError,
        KeyError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ):
        return False


_CHEMIN_RESSOURCE = re.compile(r"ressources/[0-9]{1,3}-[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
_CONTROLE_LIGNE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROLE_TEXTE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Active content has no place in a scénario: a script tag, a javascript:/vbscript: URL, an
# HTML event handler (inside a tag, or a usual handler name written on its own).
_ACTIF = re.compile(
    r"<\s*/?\s*script"
    r"|(?:java|vb)script\s*:"
    r"|data\s*:\s*text/html"
    r"|<[^>]*[\s/\"']on[a-z]+\s*="
    r"|\bon(?:abort|blur|change|click|dblclick|error|focus|input|key(?:down|press|up)|load"
    r"|mouse(?:down|enter|leave|move|out|over|up)|pointer[a-z]+|reset|resize|scroll|select"
    r"|submit|toggle|unload|animation[a-z]+|transition[a-z]+|begin|end)\s*=",
    re.IGNORECASE,
)
_url_validator = URLValidator(schemes=["http", "https"])


class ScproInvalide(Exception):
    """The file cannot be imported; `erreurs` are French sentences for the user."""

    def __init__(self, erreurs):
        self.erreurs = list(erreurs) if isinstance(erreurs, list | tuple) else [erreurs]
        super().__init__(" ".join(self.erreurs))


# --- Preview ------------------------------------------------------------------------------


@dataclass
class RessourceApercu:
    type: str
    titre: str
    url: str = ""
    chemin: str = ""  # entry of the archive (ressources/<n>-<name>)
    nom: str = ""  # file name shown to users
    content_type: str = ""
    donnees: bytes = field(default=b"", repr=False)

    @property
    def taille(self) -> int:
        return len(self.donnees)

    @property
    def nom_stockage(self) -> str:
        """The safe name the file is stored under (the archive name without `ressources/n-`)."""
        return self.chemin.split("/", 1)[1].split("-", 1)[1]


@dataclass
class Apercu:
    """What an import would do, or why it cannot be done (`erreurs`)."""

    erreurs: list[str] = field(default_factory=list)
    titre: str = ""
    contexte: str = ""
    niveau: str = ""
    diplome: Diplome | None = None
    diplome_code: str = ""
    diplome_version: str = ""
    diplome_intitule: str = ""
    origine_uai: str = ""
    origine_nom: str = ""
    exporte_le: datetime.datetime | None = None
    taches: list = field(default_factory=list)
    taches_inconnues: list[str] = field(default_factory=list)
    criteres: list = field(default_factory=list)
    criteres_inconnus: list[str] = field(default_factory=list)
    # Links to transversal criteria: found in the importing establishment's référentiel, and
    # those without an (active) equivalent there, as "code / code – label" lines (skipped).
    transversaux: list = field(default_factory=list)
    transversaux_sans_equivalent: list[str] = field(default_factory=list)
    ressources: list[RessourceApercu] = field(default_factory=list)
    # Validated but not yet resolved against the référentiel.
    codes_taches: list[str] = field(default_factory=list, repr=False)
    codes_criteres: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # (competence code, criterion code) → label shown when it has no equivalent.
    codes_transversaux: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @property
    def valide(self) -> bool:
        return not self.erreurs

    @property
    def niveau_libelle(self) -> str:
        return Niveau(self.niveau).label if self.niveau in Niveau.values else self.niveau

    @property
    def origine(self) -> str:
        if not self.origine_nom:
            return ""
        return f"{self.origine_nom} (UAI {self.origine_uai})"[:255]

    @property
    def ignores(self) -> int:
        return len(self.taches_inconnues) + len(self.criteres_inconnus)

    def resume(self) -> str:
        fichiers = sum(1 for r in self.ressources if r.type == Ressource.Type.FICHIER)
        texte = (
            f"{len(self.taches)} tâche(s), {len(self.criteres)} critère(s) d'évaluation, "
            f"{len(self.ressources)} ressource(s) dont {fichiers} fichier(s)"
        )
        if self.transversaux:
            texte += f", {len(self.transversaux)} critère(s) transversal(aux)"
        if self.ignores:
            texte += f" ; {self.ignores} code(s) inconnu(s) de votre référentiel seront ignorés"
        if self.transversaux_sans_equivalent:
            texte += (
                f" ; {len(self.transversaux_sans_equivalent)} critère(s) transversal(aux) sans "
                "équivalent dans votre établissement seront ignorés"
            )
        return texte + "."


# --- Reading the archive ------------------------------------------------------------------


def _cite(nom: str) -> str:
    nom = _CONTROLE_LIGNE.sub("?", str(nom))
    return nom if len(nom) <= 80 else nom[:77] + "…"


def _chemin_interdit(nom: str) -> bool:
    if not nom or "\\" in nom or nom.startswith("/") or ":" in nom:
        return True
    if _CONTROLE_LIGNE.search(nom):
        return True
    parts = nom.rstrip("/").split("/")
    return any(part in ("", ".", "..") for part in parts)


def _lire_archive(data: bytes) -> dict[str, bytes]:
    """The entries of the ZIP, read with every limit enforced on the bytes really produced
    (declared sizes can lie). Raises ScproInvalide."""
    corrompu = ScproInvalide(
        "Ce fichier n'est pas une archive .scpro lisible (ZIP invalide ou endommagé)."
    )
    bombe = ScproInvalide(
        "Le contenu décompressé de ce fichier est anormalement volumineux (plus de "
        f"{TAILLE_DECOMPRESSEE_MAX // Mo} Mo ou taux de compression suspect) : il est refusé."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise corrompu from None
    with archive:
        infos = archive.infolist()
        if len(infos) > ENTREES_MAX:
            raise ScproInvalide(
                f"Le fichier contient trop d'éléments ({len(infos)} ; {ENTREES_MAX} au maximum)."
            )
        a_lire, vus, total_declare = [], set(), 0
        for info in infos:
            nom = info.filename
            if _chemin_interdit(nom):
                raise ScproInvalide(
                    f"Le fichier contient un chemin interdit (« {_cite(nom)} ») : il est refusé."
                )
            if nom in vus:
                raise ScproInvalide(f"Le fichier contient deux fois l'élément « {_cite(nom)} ».")
            vus.add(nom)
            if info.flag_bits & 0x1:
                raise ScproInvalide("Le fichier contient des éléments chiffrés : il est refusé.")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ScproInvalide(
                    f"Le fichier contient un lien symbolique (« {_cite(nom)} ») : il est refusé."
                )
            if info.is_dir():
                if nom != DOSSIER_RESSOURCES:
                    raise ScproInvalide(f"Élément inattendu dans le fichier : « {_cite(nom)} ».")
                continue
            if nom != MANIFESTE and not _CHEMIN_RESSOURCE.fullmatch(nom):
                raise ScproInvalide(f"Élément inattendu dans le fichier : « {_cite(nom)} ».")
            limite = TAILLE_MANIFESTE_MAX if nom == MANIFESTE else TAILLE_RESSOURCE_MAX
            if info.file_size > limite:
                raise _trop_gros(nom, limite)
            if info.file_size > RATIO_SEUIL and (
                info.compress_size == 0 or info.file_size / info.compress_size > RATIO_MAX
            ):
                raise bombe
            total_declare += info.file_size
            a_lire.append((info, limite))
        if total_declare > TAILLE_DECOMPRESSEE_MAX:
            raise bombe
        entrees, total = {}, 0
        try:
            for info, limite in a_lire:
                with archive.open(info) as flux:
                    contenu = flux.read(min(limite, info.file_size) + 1)
                if len(contenu) > limite:
                    raise _trop_gros(info.filename, limite)
                if len(contenu) != info.file_size:
                    raise corrompu
                total += len(contenu)
                if total > TAILLE_DECOMPRESSEE_MAX:
                    raise bombe
                entrees[info.filename] = contenu
        except ScproInvalide:
            raise
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            zlib.error,
            NotImplementedError,
            RuntimeError,
        ):
            raise corrompu from None
    return entrees


def _trop_gros(nom: str, limite: int) -> ScproInvalide:
    if nom == MANIFESTE:
        return ScproInvalide(f"Le manifeste dépasse la taille maximale de {limite // Mo} Mo.")
    return ScproInvalide(
        f"La ressource « {_cite(nom)} » dépasse la taille maximale de {limite // Mo} Mo."
    )


def _lire_manifeste(contenu: bytes) -> dict:
    def refuser_constante(valeur):
        raise ValueError(valeur)

    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScproInvalide("Le manifeste n'est pas encodé en UTF-8.") from None
    try:
        manifeste = json.loads(texte, parse_constant=refuser_constante)
    except (ValueError, RecursionError):
        raise ScproInvalide("Le manifeste n'est pas un document JSON valide.") from None
    if not isinstance(manifeste, dict):
        raise ScproInvalide("Le manifeste doit être un objet JSON.")
    return manifeste


# --- Validating the manifest (no database access) -----------------------------------------


class _Validateur:
    def __init__(self):
        self.erreurs: list[str] = []

    def erreur(self, message: str) -> None:
        if message not in self.erreurs:
            self.erreurs.append(message)

    def texte(
        self, valeur, libelle: str, *, maxi: int, requis=True, multiligne=False, defaut=""
    ) -> str:
        if valeur is None and not requis:
            return defaut
        if not isinstance(valeur, str):
            self.erreur(f"{libelle} : texte attendu.")
            return defaut
        valeur = valeur.strip()
        if requis and not valeur:
            self.erreur(f"{libelle} : valeur obligatoire.")
            return defaut
        if len(valeur) > maxi:
            self.erreur(f"{libelle} : {len(valeur)} caractères, {maxi} au maximum.")
            return defaut
        controle = _CONTROLE_TEXTE if multiligne else _CONTROLE_LIGNE
        if controle.search(valeur):
            self.erreur(f"{libelle} : caractères de contrôle interdits.")
            return defaut
        if _ACTIF.search(valeur):
            self.erreur(
                f"{libelle} : contenu actif interdit (balise script, lien javascript: ou "
                "gestionnaire d'événement). Le fichier est refusé."
            )
            return defaut
        return valeur

    def url(self, valeur, libelle: str) -> str:
        url = self.texte(valeur, libelle, maxi=URL_MAX)
        if not url:
            return ""
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self.erreur(f"{libelle} : seuls les liens http:// et https:// sont acceptés.")
            return ""
        try:
            _url_validator(url)
        except ValidationError:
            self.erreur(f"{libelle} : adresse invalide.")
            return ""
        return url


def _valider(manifeste: dict, entrees: dict[str, bytes]) -> Apercu:
    """Every check that needs no database: structure, lengths, active content, files."""
    apercu = Apercu()
    v = _Validateur()
    fmt = manifeste.get("format")
    if fmt != FORMAT:
        apercu.erreurs.append(
            f"Ce fichier n'est pas un scénario Cpro (format « {_cite(fmt)} » au lieu de "
            f"« {FORMAT} »)."
            if fmt is not None
            else f"Ce fichier n'est pas un scénario Cpro (format « {FORMAT} » attendu)."
        )
        return apercu
    version = manifeste.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        apercu.erreurs.append("La version du format .scpro est absente ou invalide.")
        return apercu
    if version not in VERSIONS_LUES:
        apercu.erreurs.append(
            f"Ce fichier utilise la version {version} du format .scpro, que cette version de "
            f"Cpro ne sait pas lire (version {VERSION} attendue)."
        )
        return apercu

    apercu.titre = v.texte(manifeste.get("titre"), "Titre du scénario", maxi=TITRE_MAX)
    apercu.contexte = v.texte(
        manifeste.get("contexte"), "Contexte", maxi=CONTEXTE_MAX, requis=False, multiligne=True
    )
    niveau = manifeste.get("niveau")
    if niveau in Niveau.values:
        apercu.niveau = niveau
    else:
        v.erreur(f"Niveau « {_cite(niveau)} » inconnu (SECONDE, PREMIERE ou TERMINALE attendu).")
    exporte_le = manifeste.get("exporte_le")
    if exporte_le is not None:
        try:
            if not isinstance(exporte_le, str) or len(exporte_le) > 40:
                raise ValueError(exporte_le)
            apercu.exporte_le = datetime.datetime.fromisoformat(exporte_le)
        except ValueError:
            v.erreur("Date d'export invalide (format ISO 8601 attendu).")

    origine = manifeste.get("etablissement_origine")
    if not isinstance(origine, dict):
        v.erreur("Établissement d'origine absent.")
    else:
        uai = origine.get("uai")
        try:
            uai_validator(uai)
        except ValidationError:
            # The check letter is verified too: a mistyped UAI would be printed as the origin.
            v.erreur(
                "Établissement d'origine : UAI invalide (7 chiffres et la lettre clé "
                "correspondante)."
            )
        else:
            apercu.origine_uai = uai
        apercu.origine_nom = v.texte(
            origine.get("nom"), "Établissement d'origine : nom", maxi=NOM_MAX
        )

    diplome = manifeste.get("diplome")
    if not isinstance(diplome, dict):
        v.erreur("Diplôme absent.")
    else:
        apercu.diplome_code = v.texte(diplome.get("code"), "Diplôme : code", maxi=20)
        apercu.diplome_version = v.texte(diplome.get("version"), "Diplôme : version", maxi=20)
        apercu.diplome_intitule = v.texte(
            diplome.get("intitule"), "Diplôme : intitulé", maxi=255, requis=False
        )

    taches = manifeste.get("taches", [])
    if not isinstance(taches, list) or len(taches) > TACHES_MAX:
        v.erreur(f"Tâches : liste de codes attendue ({TACHES_MAX} au maximum).")
    else:
        for i, code in enumerate(taches, 1):
            code = v.texte(code, f"Tâche n° {i} : code", maxi=CODE_MAX)
            if code and code not in apercu.codes_taches:
                apercu.codes_taches.append(code)

    criteres = manifeste.get("criteres", [])
    if not isinstance(criteres, list) or len(criteres) > CRITERES_MAX:
        v.erreur(f"Critères : liste attendue ({CRITERES_MAX} au maximum).")
    else:
        for i, critere in enumerate(criteres, 1):
            if not isinstance(critere, dict):
                v.erreur(f"Critère n° {i} : objet {{competence, code}} attendu.")
                continue
            comp = v.texte(critere.get("competence"), f"Critère n° {i} : compétence", maxi=CODE_MAX)
            code = v.texte(critere.get("code"), f"Critère n° {i} : code", maxi=CODE_MAX)
            if comp and code and (comp, code) not in apercu.codes_criteres:
                apercu.codes_criteres.append((comp, code))

    # Read whatever the version says: a version 1 file never has the key (absent → none).
    _valider_transversaux(manifeste.get("criteres_transversaux", []), apercu, v)
    _valider_ressources(manifeste.get("ressources", []), entrees, apercu, v)
    apercu.erreurs.extend(v.erreurs)
    return apercu


def _valider_transversaux(liens, apercu: Apercu, v) -> None:
    """`criteres_transversaux`: [{competence, competence_intitule, code, intitule}] — codes
    required, labels optional (shown when the link has no equivalent); same text checks as the
    rest of the manifest (lengths, control characters, active content)."""
    if not isinstance(liens, list) or len(liens) > CRITERES_MAX:
        v.erreur(f"Critères transversaux : liste attendue ({CRITERES_MAX} au maximum).")
        return
    for i, lien in enumerate(liens, 1):
        ou = f"Critère transversal n° {i}"
        if not isinstance(lien, dict):
            v.erreur(f"{ou} : objet {{competence, code}} attendu.")
            continue
        comp = v.texte(lien.get("competence"), f"{ou} : compétence", maxi=CODE_MAX)
        code = v.texte(lien.get("code"), f"{ou} : code", maxi=CODE_MAX)
        comp_intitule = v.texte(
            lien.get("competence_intitule"),
            f"{ou} : intitulé de la compétence",
            maxi=INTITULE_MAX,
            requis=False,
        )
        intitule = v.texte(
            lien.get("intitule"), f"{ou} : intitulé", maxi=INTITULE_MAX, requis=False
        )
        if comp and code and (comp, code) not in apercu.codes_transversaux:
            libelle = f"{comp} / {code}"
            details = " : ".join(t for t in (comp_intitule, intitule) if t)
            apercu.codes_transversaux[(comp, code)] = (
                f"{libelle} – {details[:200]}" if details else libelle
            )


def _valider_ressources(ressources, entrees: dict[str, bytes], apercu: Apercu, v) -> None:
    if not isinstance(ressources, list) or len(ressources) > RESSOURCES_MAX:
        v.erreur(f"Ressources : liste attendue ({RESSOURCES_MAX} au maximum).")
        return
    utilises = set()
    for i, r in enumerate(ressources, 1):
        if not isinstance(r, dict):
            v.erreur(f"Ressource n° {i} : objet attendu.")
            continue
        titre = v.texte(r.get("titre"), f"Ressource n° {i} : titre", maxi=255)
        ou = f"Ressource « {titre} »" if titre else f"Ressource n° {i}"
        kind = r.get("type")
        if kind == Ressource.Type.LIEN:
            url = v.url(r.get("url"), f"{ou} : adresse")
            if titre and url:
                apercu.ressources.append(RessourceApercu(type=kind, titre=titre, url=url))
        elif kind == Ressource.Type.FICHIER:
            chemin = r.get("fichier")
            if not isinstance(chemin, str) or not _CHEMIN_RESSOURCE.fullmatch(chemin):
                v.erreur(f"{ou} : chemin de fichier invalide (ressources/<n>-<nom> attendu).")
                continue
            if chemin not in entrees:
                v.erreur(f"{ou} : le fichier « {_cite(chemin)} » est absent de l'archive.")
                continue
            if chemin in utilises:
                v.erreur(f"{ou} : le fichier « {_cite(chemin)} » est déjà utilisé.")
                continue
            utilises.add(chemin)
            extension = PurePosixPath(chemin).suffix.lower().lstrip(".")
            content_type = r.get("content_type")
            if extension not in TYPES_FICHIERS or content_type not in TYPES_FICHIERS[extension]:
                v.erreur(
                    f"{ou} : type de fichier non pris en charge (« {_cite(content_type)} », "
                    f".{_cite(extension)}). Formats acceptés : "
                    f"{', '.join(sorted(TYPES_FICHIERS))}."
                )
                continue
            if not _contenu_conforme(extension, entrees[chemin]):
                v.erreur(
                    f"{ou} : le contenu du fichier ne correspond pas à son type (.{extension})."
                )
                continue
            nom = v.texte(r.get("nom"), f"{ou} : nom du fichier", maxi=255, requis=False)
            if titre:
                apercu.ressources.append(
                    RessourceApercu(
                        type=kind,
                        titre=titre,
                        chemin=chemin,
                        nom=nom or chemin.split("/", 1)[1].split("-", 1)[1],
                        content_type=content_type,
                        donnees=entrees[chemin],
                    )
                )
        else:
            v.erreur(
                f"{ou} : type de ressource non pris en charge (« {_cite(kind)} » ; "
                "LIEN ou FICHIER attendu)."
            )
    for nom in entrees:
        if nom != MANIFESTE and nom not in utilises:
            v.erreur(f"Élément inattendu dans le fichier : « {_cite(nom)} ».")


def _resoudre(apercu: Apercu, etablissement, diplomes_autorises) -> None:
    """Checks against this installation: the diplôme, and which codes the référentiel knows."""
    diplome = Diplome.objects.filter(
        code=apercu.diplome_code, version=apercu.diplome_version
    ).first()
    if diplome is None:
        apercu.erreurs.append(
            f"Le diplôme « {apercu.diplome_intitule or apercu.diplome_code} » (code "
            f"{apercu.diplome_code}, version {apercu.diplome_version}) n'est pas chargé dans "
            "Cpro : le DDFPT doit d'abord importer son référentiel."
        )
        return
    if not etablissement.diplomes.filter(pk=diplome.pk).exists():
        apercu.erreurs.append(
            f"Le diplôme « {diplome.intitule} » (version {diplome.version}) n'est pas préparé "
            "dans votre établissement."
        )
        return
    if diplomes_autorises is not None and diplome not in diplomes_autorises:
        apercu.erreurs.append(
            f"Vous n'enseignez pas le diplôme « {diplome.intitule} » : vous ne pouvez pas "
            "importer ce scénario."
        )
        return
    if diplome.niveaux and apercu.niveau not in diplome.niveaux:
        apercu.erreurs.append(
            f"Le niveau « {apercu.niveau_libelle} » n'existe pas pour le diplôme "
            f"« {diplome.intitule} »."
        )
        return
    apercu.diplome = diplome
    par_code = {
        t.code: t for t in Tache.objects.filter(diplome=diplome, code__in=apercu.codes_taches)
    }
    for code in apercu.codes_taches:
        if code in par_code:
            apercu.taches.append(par_code[code])
        else:
            apercu.taches_inconnues.append(code)
    trouves = {
        (c.competence.code, c.code): c
        for c in Critere.objects.filter(
            competence__diplome=diplome, code__in={code for _, code in apercu.codes_criteres}
        ).select_related("competence")
    }
    for cle in apercu.codes_criteres:
        if cle in trouves:
            apercu.criteres.append(trouves[cle])
        else:
            apercu.criteres_inconnus.append(f"{cle[0]} / {cle[1]}")
    _resoudre_transversaux(apercu, etablissement)


def _resoudre_transversaux(apercu: Apercu, etablissement) -> None:
    """Link each transversal criterion of the file to the active criterion with the same
    competence code and criterion code in `etablissement`'s own transversal référentiel (one
    query, none without links); the others are listed, never created."""
    if not apercu.codes_transversaux:
        return
    trouves = {
        (c.competence.code, c.code): c
        for c in Critere.objects.filter(
            competence__diplome__etablissement=etablissement,
            competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
            competence__active=True,
            actif=True,
            code__in={code for _, code in apercu.codes_transversaux},
        ).select_related("competence")
    }
    for cle, libelle in apercu.codes_transversaux.items():
        if cle in trouves:
            apercu.transversaux.append(trouves[cle])
        else:
            apercu.transversaux_sans_equivalent.append(libelle)


def analyser_scpro(fichier_bytes: bytes, *, etablissement, diplomes_autorises=None) -> Apercu:
    """Validate a .scpro for `etablissement` and describe what its import would create.

    Nothing is written. `erreurs` lists every reason to refuse the file (not a ZIP, zip bomb,
    forbidden or unexpected entries, bad JSON, wrong format or version, unknown diplôme or one
    not prepared here, oversize or unsupported resources, text too long or active content).
    Task and criterion codes unknown to the établissement's référentiel are not errors: they are
    listed (`taches_inconnues`, `criteres_inconnus`) and skipped by the import; so are the
    transversal criteria without an active equivalent in the establishment's own transversal
    référentiel (`transversaux_sans_equivalent`; the others are in `transversaux`).
    `diplomes_autorises` (optional): the diplômes the importer may work on.
    """
    if not isinstance(fichier_bytes, bytes | bytearray) or not fichier_bytes:
        return Apercu(erreurs=["Le fichier est vide."])
    if len(fichier_bytes) > TAILLE_FICHIER_MAX:
        return Apercu(
            erreurs=[f"Le fichier dépasse la taille maximale de {TAILLE_FICHIER_MAX // Mo} Mo."]
        )
    try:
        entrees = _lire_archive(bytes(fichier_bytes))
        if MANIFESTE not in entrees:
            raise ScproInvalide(
                "Le fichier ne contient pas de manifest.json : ce n'est pas un scénario Cpro."
            )
        manifeste = _lire_manifeste(entrees[MANIFESTE])
    except ScproInvalide as exc:
        return Apercu(erreurs=exc.erreurs)
    apercu = _valider(manifeste, entrees)
    if apercu.valide:
        _resoudre(apercu, etablissement, diplomes_autorises)
    return apercu


# --- Import -------------------------------------------------------------------------------


def importer_scpro(
    fichier_bytes: bytes, *, etablissement, par, diplomes_autorises=None
) -> Scenario:
    """Create, in `etablissement`, the scénario described by a .scpro file.

    Validates everything first (`analyser_scpro`; raises ScproInvalide, nothing written).
    Writes, in one transaction: the Scenario (author `par`, shared, no folder, `origine` = the
    origin establishment), its tasks and criteria known to the référentiel (unknown codes are
    skipped), its links to the establishment's transversal criteria of the same codes (those
    without an equivalent skipped), its resources (files saved through the FileField), and
    the audit entry "scenario.import". Files already saved are deleted if the transaction fails.
    """
    apercu = analyser_scpro(
        fichier_bytes, etablissement=etablissement, diplomes_autorises=diplomes_autorises
    )
    if not apercu.valide:
        raise ScproInvalide(apercu.erreurs)
    enregistres = []
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                etablissement=etablissement,
                auteur=par,
                diplome=apercu.diplome,
                niveau=apercu.niveau,
                titre=apercu.titre,
                contexte=apercu.contexte,
                prive=False,
                dossier=None,
                origine=apercu.origine,
            )
            scenario.taches.set(apercu.taches)
            scenario.criteres.set(apercu.criteres + apercu.transversaux)
            for ordre, r in enumerate(apercu.ressources):
                ressource = Ressource(scenario=scenario, type=r.type, titre=r.titre, ordre=ordre)
                if r.type == Ressource.Type.FICHIER:
                    ressource.nom_fichier = r.nom
                    ressource.content_type = r.content_type
                    ressource.taille = r.taille
                    ressource.fichier.save(r.nom_stockage, ContentFile(r.donnees), save=False)
                    enregistres.append((ressource.fichier.storage, ressource.fichier.name))
                else:
                    ressource.url = r.url
                ressource.save()
            journaliser(
                "scenario.import",
                par=par,
                etablissement=etablissement,
                objet=scenario,
                apres={
                    "origine": apercu.origine,
                    "diplome": f"{apercu.diplome.code} {apercu.diplome.version}",
                    "taches": len(apercu.taches),
                    "criteres": len(apercu.criteres),
                    "criteres_transversaux": len(apercu.transversaux),
                    "ressources": len(apercu.ressources),
                    "codes_ignores": apercu.taches_inconnues + apercu.criteres_inconnus,
                    "transversaux_ignores": apercu.transversaux_sans_equivalent,
                },
            )
    except BaseException:
        for storage, name in enregistres:
            storage.delete(name)
        raise
    return scenario


# --- Export -------------------------------------------------------------------------------


def nom_sur(nom: str, *, maxi: int = 100) -> str:
    """An ASCII file name made of [A-Za-z0-9._-] (no directory), keeping the extension."""
    nom = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    nom = nom.replace("\\", "/").rsplit("/", 1)[-1]
    stem, point, extension = nom.rpartition(".")
    if not point:
        stem, extension = extension, ""
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)[:10]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    stem = stem[: maxi - len(extension) - 1].strip("-._") or "fichier"
    return f"{stem}.{extension}" if extension else stem


def manifeste_de(scenario: Scenario, *, maintenant=None) -> tuple[dict, dict[str, bytes]]:
    """The manifest of `scenario` and the resource files to put next to it.
    Raises ExportError when a resource cannot travel (missing, too large, unsupported type)."""
    maintenant = maintenant or timezone.now()
    taches = scenario.taches.order_by("activite__ordre", "ordre", "code").values_list(
        "code", flat=True
    )
    ordre_criteres = (
        "competence__groupe__ordre",
        "competence__ordre",
        "competence__code",
        "ordre",
        "code",
    )
    liens = scenario.criteres.select_related("competence").order_by(*ordre_criteres)
    criteres = liens.exclude(competence__diplome__nature=NatureReferentiel.TRANSVERSAL)
    # Only the scénario's own establishment's transversal référentiel (the liaison allows no
    # other): exported by natural key, with the labels the importer's preview shows.
    transversaux = liens.filter(
        competence__diplome__nature=NatureReferentiel.TRANSVERSAL,
        competence__diplome__etablissement_id=scenario.etablissement_id,
    )
    fichiers: dict[str, bytes] = {}
    ressources = []
    for n, r in enumerate(scenario.ressources.order_by("ordre", "pk"), 1):
        if r.type == Ressource.Type.LIEN:
            ressources.append({"type": "LIEN", "titre": r.titre, "url": r.url})
            continue
        nom = r.nom_fichier or PurePosixPath(r.fichier.name).name
        extension = PurePosixPath(nom).suffix.lower().lstrip(".")
        if extension not in TYPES_FICHIERS:
            raise ExportError(
                f"La ressource « {r.titre} » (fichier .{extension or '?'}) ne peut pas être "
                "échangée : ce type de fichier n'est pas pris en charge par le format .scpro."
            )
        try:
            with r.fichier.open("rb") as f:
                donnees = f.read(TAILLE_RESSOURCE_MAX + 1)
        except (OSError, ValueError):
            raise ExportError(
                f"Le fichier de la ressource « {r.titre} » est introuvable : "
                "impossible d'exporter le scénario."
            ) from None
        if len(donnees) > TAILLE_RESSOURCE_MAX:
            raise ExportError(
                f"La ressource « {r.titre} » dépasse {TAILLE_RESSOURCE_MAX // Mo} Mo : elle ne "
                "peut pas être échangée au format .scpro."
            )
        chemin = f"{DOSSIER_RESSOURCES}{n}-{nom_sur(nom)}"
        fichiers[chemin] = donnees
        ressources.append(
            {
                "type": "FICHIER",
                "titre": r.titre,
                "fichier": chemin,
                "content_type": TYPES_FICHIERS[extension][0],
                "nom": nom,
            }
        )
    etab = scenario.etablissement
    manifeste = {
        "format": FORMAT,
        "version": VERSION,
        "exporte_le": maintenant.isoformat(timespec="seconds"),
        "etablissement_origine": {"uai": etab.uai, "nom": etab.nom},
        "diplome": {
            "code": scenario.diplome.code,
            "version": scenario.diplome.version,
            "intitule": scenario.diplome.intitule,
        },
        "niveau": scenario.niveau,
        "titre": scenario.titre,
        "contexte": scenario.contexte,
        "taches": list(taches),
        "criteres": [{"competence": c.competence.code, "code": c.code} for c in criteres],
        "criteres_transversaux": [
            {
                "competence": c.competence.code,
                "competence_intitule": c.competence.intitule,
                "code": c.code,
                "intitule": c.intitule,
            }
            for c in transversaux
        ],
        "ressources": ressources,
    }
    return manifeste, fichiers


def construire_scpro(scenario: Scenario, *, maintenant=None) -> bytes:
    """The .scpro file of `scenario`. The result is checked with the import rules so that
    what Cpro exports, Cpro can import (ExportError otherwise)."""
    manifeste, fichiers = manifeste_de(scenario, maintenant=maintenant)
    contenu = json.dumps(manifeste, ensure_ascii=False, indent=2).encode("utf-8")
    if sum(map(len, fichiers.values())) + len(contenu) > TAILLE_DECOMPRESSEE_MAX:
        raise ExportError(
            f"Les ressources de ce scénario dépassent {TAILLE_DECOMPRESSEE_MAX // Mo} Mo au "
            "total : il ne peut pas être exporté au format .scpro."
        )
    controle = _valider(manifeste, {MANIFESTE: contenu, **fichiers})
    if not controle.valide:
        raise ExportError(
            "Ce scénario ne peut pas être exporté au format .scpro : "
            + " ".join(controle.erreurs[:5])
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFESTE, contenu)
        for chemin, donnees in fichiers.items():
            archive.writestr(chemin, donnees)
    return buffer.getvalue()
