"""Registry of exporters for the generic export pipeline (DESIGN.md "Background work").

An exporter turns one `ExportJob` into a file. Modules declare theirs in `<app>/exporters.py`
(imported at start-up) with `@exporter`:

    @exporter
    class ReferentielPdf(Exporter):
        kind = "referentiel_pdf"
        permission = perms.IMPRIMER_REFERENTIEL
        def render(self, progress):
            ...
            return "referentiel.pdf", "application/pdf", data

`render` runs in the Celery worker; it calls `progress(percent)` as it goes and raises
`ExportError("message en français")` for a failure the user should read.
"""

from collections.abc import Callable

from cpro.models import ExportJob

_REGISTRY: dict[str, type["Exporter"]] = {}


class ExportError(Exception):
    """A failure whose message (in French) is shown to the user."""


class Exporter:
    kind: str = ""
    permission: str = ""
    libelle: str = ""

    def __init__(self, job: ExportJob):
        self.job = job

    def render(self, progress: Callable[[int], None]) -> tuple[str, str, bytes]:
        raise NotImplementedError


def exporter(cls: type[Exporter]) -> type[Exporter]:
    if not cls.kind or not cls.permission:
        raise ValueError(f"{cls.__name__} doit définir kind et permission")
    if cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls:
        raise ValueError(f"Exporteur déjà enregistré : {cls.kind}")
    _REGISTRY[cls.kind] = cls
    return cls


def get_exporter(kind: str) -> type[Exporter]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise ValueError(f"Type d'export inconnu : {kind}") from None
