"""Browser tests: Playwright driving Debian's chromium (headless), against live_server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the tests
# themselves (setting up data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Same browser and switches as the browser timings of the bench (bench/navigateur.py).
from bench.navigateur import ARGUMENTS, CHROMIUM  # noqa: E402


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ARGUMENTS,
    }


@pytest.fixture
def csp_violations(page):
    """Collects console errors about the Content-Security-Policy (there must be none)."""
    errors = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return errors


CAPTURES = Path(__file__).resolve().parents[2] / "artefacts" / "captures-e2e"


@pytest.fixture(scope="session")
def capture():
    """capture(page, "parcours_x"): full-page screenshot of the journey's last page, saved as
    artefacts/captures-e2e/parcours_x.png at the repository root (folder created if missing)."""

    def _capture(page, nom: str) -> Path:
        CAPTURES.mkdir(parents=True, exist_ok=True)
        chemin = CAPTURES / f"{nom}.png"
        page.screenshot(path=str(chemin), full_page=True)
        return chemin

    return _capture
