"""The backup archive: a gzip-compressed tar whose first member declares the format and version
and whose last member is the manifest (date, engine, migrations, row counts, SHA-256 and size
of every other member).

    cpro-sauvegarde.json       {"format": "cpro-sauvegarde", "version": 1}
    base/base.sqlite3          SQLite snapshot (online backup API)   — or —
    base/base.dump             PostgreSQL custom-format dump (pg_dump -Fc)
    media/<chemin>             every private media file, relative to MEDIA_ROOT
    manifeste.json

Hashes are computed on the very bytes written to the archive, so the manifest cannot disagree
with what was archived. Reading is done twice: `verifier_archive` streams everything, checks
names, the manifest and every checksum without writing anything; `extraire` streams again and
re-checks each file as it is written (the archive may have changed in between).
"""

import hashlib
import io
import json
import re
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sauvegarde.bases import POSTGRESQL, SQLITE
from sauvegarde.erreurs import ArchiveInvalide

FORMAT = "cpro-sauvegarde"
VERSION = 1
FICHIER_FORMAT = "cpro-sauvegarde.json"
FICHIER_MANIFESTE = "manifeste.json"
FICHIER_BASE = {SQLITE: "base/base.sqlite3", POSTGRESQL: "base/base.dump"}
PREFIXE_MEDIA = "media/"
# The JSON members are read into memory: a hostile archive must not make that unbounded.
TAILLE_MAX_JSON = 64 * 1024 * 1024
_BLOC = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Format:
    """One archive format: the instance backup, or the export of one establishment
    (sauvegarde.etablissement). They share the layout: a header member declaring the format
    and its version first, the manifest last, `media/<chemin>` for files, a few fixed names."""

    nom: str
    version: int
    fichier_format: str
    fixes: tuple[str, ...]
    libelle: str
    rien: str
    verifier_manifeste: Callable[[dict], None] = field(compare=False)


def verifier_chemin(nom: str, fmt: "Format | None" = None) -> str:
    """Refuse any member name that could escape the extraction directory or is not part of
    the format (absolute path, '..', backslash, NUL, empty part, unknown top-level entry)."""
    fmt = fmt or SAUVEGARDE
    if not isinstance(nom, str) or not nom or len(nom) > 1024:
        raise ArchiveInvalide(f"Nom de fichier refusé dans l'archive : {nom!r}.")
    chemin = PurePosixPath(nom)
    if (
        "\x00" in nom
        or "\\" in nom
        or nom.startswith("/")
        or str(chemin) != nom
        or any(part in ("", ".", "..") for part in nom.split("/"))
    ):
        raise ArchiveInvalide(
            f"Nom de fichier dangereux dans l'archive (chemin absolu ou remontée de dossier) : "
            f"{nom!r}. Archive refusée, rien n'a été écrit."
        )
    if nom in (fmt.fichier_format, FICHIER_MANIFESTE, *fmt.fixes):
        return nom
    if nom.startswith(PREFIXE_MEDIA) and len(chemin.parts) >= 2:
        return nom
    raise ArchiveInvalide(f"Fichier inattendu dans l'archive : {nom!r}.")


class EcrivainArchive:
    """Writes the archive to an open binary file (the caller owns the temporary name and the
    final rename). `ajouter_fichier` hashes while archiving; `terminer` writes the manifest."""

    def __init__(self, fichier, *, compression: int = 6, fmt: "Format | None" = None):
        self.fmt = fmt or SAUVEGARDE
        self._tar = tarfile.open(fileobj=fichier, mode="w:gz", compresslevel=compression)
        self.fichiers: dict[str, dict] = {}
        self._ajouter_octets(
            self.fmt.fichier_format,
            json.dumps({"format": self.fmt.nom, "version": self.fmt.version}).encode(),
        )

    def _info(self, nom: str, taille: int, mtime: float | None = None) -> tarfile.TarInfo:
        info = tarfile.TarInfo(verifier_chemin(nom, self.fmt))
        info.size = taille
        info.mode = 0o600
        info.mtime = int(mtime if mtime is not None else time.time())
        return info

    def _ajouter_octets(self, nom: str, contenu: bytes) -> None:
        self._tar.addfile(self._info(nom, len(contenu)), io.BytesIO(contenu))

    def ajouter_fichier(self, nom: str, chemin: Path) -> dict:
        with open(chemin, "rb") as source:
            stat = source.seek(0, io.SEEK_END)
            source.seek(0)
            lecteur = _LecteurHache(source)
            self._tar.addfile(self._info(nom, stat, chemin.stat().st_mtime), lecteur)
        entree = {"sha256": lecteur.hash.hexdigest(), "taille": lecteur.taille}
        self.fichiers[nom] = entree
        return entree

    def terminer(self, manifeste: dict) -> None:
        manifeste = {
            "format": self.fmt.nom,
            "version": self.fmt.version,
            **manifeste,
            "fichiers": self.fichiers,
        }
        self._ajouter_octets(
            FICHIER_MANIFESTE, json.dumps(manifeste, ensure_ascii=False, indent=1).encode()
        )
        self._tar.close()


class _LecteurHache:
    def __init__(self, source):
        self._source = source
        self.hash = hashlib.sha256()
        self.taille = 0

    def read(self, size=-1):
        data = self._source.read(size)
        self.hash.update(data)
        self.taille += len(data)
        return data


def _message_illisible(chemin: Path, exc: Exception, fmt: "Format") -> str:
    return (
        f"L'archive {chemin.name} est tronquée, altérée ou n'est pas {fmt.libelle} "
        f"({exc.__class__.__name__}). {fmt.rien}"
    )


def _lire_json(tar: tarfile.TarFile, membre: tarfile.TarInfo) -> dict:
    if membre.size > TAILLE_MAX_JSON:
        raise ArchiveInvalide(f"{membre.name} est anormalement volumineux : archive refusée.")
    try:
        data = json.loads(tar.extractfile(membre).read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveInvalide(f"{membre.name} est illisible : archive refusée.") from exc
    if not isinstance(data, dict):
        raise ArchiveInvalide(f"{membre.name} est illisible : archive refusée.")
    return data


def _verifier_version(data: dict, fmt: "Format") -> None:
    if data.get("format") != fmt.nom:
        raise ArchiveInvalide(f"Ce fichier n'est pas {fmt.libelle}.")
    if data.get("version") != fmt.version:
        raise ArchiveInvalide(
            f"Version d'archive non prise en charge : {data.get('version')!r} (cette version de "
            f"Cpro lit la version {fmt.version}). {fmt.rien}"
        )


def verifier_entrees_fichiers(fichiers, fmt: "Format") -> None:
    """The manifest's `fichiers`: checked names, a SHA-256 and a size for each."""
    if not isinstance(fichiers, dict):
        raise ArchiveInvalide("Le manifeste de l'archive est incomplet : archive refusée.")
    for nom, entree in fichiers.items():
        verifier_chemin(nom, fmt)
        if nom in (fmt.fichier_format, FICHIER_MANIFESTE) or not (
            isinstance(entree, dict)
            and isinstance(entree.get("sha256"), str)
            and _SHA256.match(entree["sha256"])
            and isinstance(entree.get("taille"), int)
        ):
            raise ArchiveInvalide(f"Entrée du manifeste invalide : {nom!r}.")


def _verifier_manifeste(manifeste: dict) -> None:
    moteur = manifeste.get("moteur")
    fichiers = manifeste.get("fichiers")
    tables = manifeste.get("tables")
    if (
        moteur not in FICHIER_BASE
        or not isinstance(fichiers, dict)
        or not isinstance(tables, dict)
        or not isinstance(manifeste.get("migrations"), dict)
        or not isinstance(manifeste.get("cree_le"), str)
        or not all(isinstance(n, int) and n >= 0 for n in tables.values())
    ):
        raise ArchiveInvalide("Le manifeste de l'archive est incomplet : archive refusée.")
    verifier_entrees_fichiers(fichiers, SAUVEGARDE)
    if FICHIER_BASE[moteur] not in fichiers or any(
        FICHIER_BASE[autre] in fichiers for autre in FICHIER_BASE if autre != moteur
    ):
        raise ArchiveInvalide("L'archive ne contient pas la base de données attendue.")


def _hacher(flux) -> tuple[str, int]:
    h = hashlib.sha256()
    taille = 0
    while bloc := flux.read(_BLOC):
        h.update(bloc)
        taille += len(bloc)
    return h.hexdigest(), taille


def _membres(tar: tarfile.TarFile, fmt: "Format"):
    """Members in order, each name checked; the first one must declare the format."""
    for position, membre in enumerate(tar):
        if not membre.isreg():
            raise ArchiveInvalide(
                f"Élément refusé dans l'archive (lien, dossier ou fichier spécial) : "
                f"{membre.name!r}. Rien n'a été écrit."
            )
        nom = verifier_chemin(membre.name, fmt)
        if position == 0:
            if nom != fmt.fichier_format:
                raise ArchiveInvalide(f"Ce fichier n'est pas {fmt.libelle}.")
            _verifier_version(_lire_json(tar, membre), fmt)
            continue
        if nom == fmt.fichier_format:
            raise ArchiveInvalide("Archive invalide : en-tête de format répété.")
        yield nom, membre


def verifier_archive(chemin: Path, fmt: "Format | None" = None) -> dict:
    """Read the whole archive without writing anything: format and version, every member name,
    the manifest, and the SHA-256 and size of every file. Returns the manifest."""
    fmt = fmt or SAUVEGARDE
    chemin = Path(chemin)
    if not chemin.is_file():
        raise ArchiveInvalide(f"Archive introuvable : {chemin}.")
    vus: dict[str, tuple[str, int]] = {}
    manifeste = None
    try:
        with tarfile.open(chemin, mode="r|gz") as tar:
            for nom, membre in _membres(tar, fmt):
                if manifeste is not None:
                    raise ArchiveInvalide("Archive invalide : contenu après le manifeste.")
                if nom == FICHIER_MANIFESTE:
                    manifeste = _lire_json(tar, membre)
                    continue
                if nom in vus:
                    raise ArchiveInvalide(f"Archive invalide : fichier en double {nom!r}.")
                vus[nom] = _hacher(tar.extractfile(membre))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise ArchiveInvalide(_message_illisible(chemin, exc, fmt)) from exc
    if manifeste is None:
        raise ArchiveInvalide(
            f"L'archive {chemin.name} est tronquée : son manifeste est absent. {fmt.rien}"
        )
    _verifier_version(manifeste, fmt)
    fmt.verifier_manifeste(manifeste)
    attendus = manifeste["fichiers"]
    absents = sorted(set(attendus) - set(vus))
    en_trop = sorted(set(vus) - set(attendus))
    if absents or en_trop:
        raise ArchiveInvalide(
            "L'archive ne correspond pas à son manifeste "
            f"(absents : {', '.join(absents[:5]) or 'aucun'} ; "
            f"non déclarés : {', '.join(en_trop[:5]) or 'aucun'}). {fmt.rien}"
        )
    alteres = sorted(
        nom
        for nom, (sha, taille) in vus.items()
        if sha != attendus[nom]["sha256"] or taille != attendus[nom]["taille"]
    )
    if alteres:
        raise ArchiveInvalide(
            f"Somme de contrôle SHA-256 incorrecte pour {len(alteres)} fichier(s) de l'archive "
            f"({', '.join(alteres[:5])}) : archive altérée. {fmt.rien}"
        )
    return manifeste


def extraire(chemin: Path, manifeste: dict, *, base_vers: Path, media_vers: Path) -> None:
    """Write the database member to `base_vers` and the media files under `media_vers`,
    re-checking each checksum as it is written. The caller removes everything on error."""
    racine = media_vers.resolve()

    def destination(nom: str) -> Path:
        if nom.startswith(PREFIXE_MEDIA):
            cible = media_vers / nom.removeprefix(PREFIXE_MEDIA)
            if not cible.resolve().is_relative_to(racine):
                raise ArchiveInvalide(f"Nom de fichier dangereux : {nom!r}.")
            return cible
        return base_vers

    extraire_membres(chemin, manifeste, destination, SAUVEGARDE)


def extraire_membres(
    chemin: Path, manifeste: dict, destination: Callable[[str], Path | None], fmt: "Format"
) -> None:
    """Write each member for which `destination(nom)` gives a path (None: skipped), re-checking
    its checksum as it is written (the archive may have changed since it was verified). The
    caller removes what was written on error."""
    attendus = manifeste["fichiers"]
    try:
        with tarfile.open(chemin, mode="r|gz") as tar:
            for nom, membre in _membres(tar, fmt):
                if nom == FICHIER_MANIFESTE:
                    continue
                if nom not in attendus:
                    raise ArchiveInvalide(f"Fichier non déclaré dans l'archive : {nom!r}.")
                cible = destination(nom)
                if cible is None:
                    continue
                cible.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                flux = tar.extractfile(membre)
                with open(cible, "xb") as sortie:
                    while bloc := flux.read(_BLOC):
                        h.update(bloc)
                        sortie.write(bloc)
                if h.hexdigest() != attendus[nom]["sha256"]:
                    raise ArchiveInvalide(
                        f"Somme de contrôle incorrecte pendant l'extraction de {nom!r} : "
                        f"l'archive a changé. {fmt.rien}"
                    )
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise ArchiveInvalide(_message_illisible(Path(chemin), exc, fmt)) from exc


SAUVEGARDE = Format(
    nom=FORMAT,
    version=VERSION,
    fichier_format=FICHIER_FORMAT,
    fixes=tuple(FICHIER_BASE.values()),
    libelle="une sauvegarde Cpro",
    rien="Rien n'a été restauré.",
    verifier_manifeste=_verifier_manifeste,
)
