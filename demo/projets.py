"""Demo data of the projets module (filled in by the module's own work)."""

from demo.socle import DemoContext


def construire(ctx: DemoContext) -> None:
    """Nothing yet: the module's demo data is being written."""
