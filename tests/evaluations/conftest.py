import pytest


@pytest.fixture(autouse=True)
def _media(media_temporaire):
    """Every test of this module stores its files in its own directory."""
