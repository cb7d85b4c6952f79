"""Performance bench of Cpro: `bench.generer` builds a large establishment, `bench.scenarios`
times the heavy pages against it. See bench/README.md."""

import os


def setup_django() -> None:
    """Configure Django for a command-line bench run (DEBUG on unless told otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpro.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
