"""Helpers to build and tamper with archives in tests."""

import io
import json
import tarfile
from pathlib import Path


def membres(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isreg() else b"") for m in tar.getmembers()]


def reecrire(archive: Path, destination: Path, membres_modifies) -> Path:
    """Write `destination` with the given [(TarInfo, bytes)] (sizes fixed up)."""
    with tarfile.open(destination, "w:gz") as tar:
        for info, contenu in membres_modifies:
            info = tarfile.TarInfo(info.name) if isinstance(info, str) else info
            if info.isreg():
                info.size = len(contenu)
                tar.addfile(info, io.BytesIO(contenu))
            else:
                tar.addfile(info)
    return destination


def manifeste(archive: Path) -> dict:
    for info, contenu in membres(archive):
        if info.name == "manifeste.json":
            return json.loads(contenu)
    raise AssertionError("pas de manifeste")
