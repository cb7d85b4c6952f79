"""Browser timing of the dashboard and the grid: headless Chromium (Debian's, as the e2e tests
launch it) driven by Playwright against the bench's gunicorn instances, throttled through the
Chrome DevTools Protocol.

Called by `bench.http` (same servers, same logged-in sessions: the HTTP client's cookies are
given to one browser context per instance). Per case (instance × page × without / with
throttling), one warm-up load (static files then come from the browser cache, as for a teacher
who opened the application before: whitenoise serves them as immutable) and the median of N
loads, the instances alternating.

"Ready" = `performance.now()` at the second `requestAnimationFrame` after the `load` event,
from the start of the navigation: the HTML received and parsed, the CSS and scripts loaded,
and a frame drawn. The page's own script records it (an init script, outside the page's CSP):
Playwright's round trips are not in the figure. Also read: largest-contentful-paint (a
PerformanceObserver), loadEventEnd, responseStart, the document's transferSize, the number of
elements.

Throttling (CDP session of the page): `Emulation.setCPUThrottlingRate {rate: 4}` and
`Network.emulateNetworkConditions` (latency 40 ms, 1,250,000 bytes/s = 10 Mbit/s both ways);
without: rate 1, no latency, no bandwidth limit.
"""

import os
import statistics
import time

from bench.outils import lire_mesure_navigateur

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCRIPT = """
(() => {
  window.__benchLcp = null;
  try {
    new PerformanceObserver((liste) => {
      for (const e of liste.getEntries()) {
        window.__benchLcp = e.renderTime || e.loadTime || e.startTime;
      }
    }).observe({type: "largest-contentful-paint", buffered: true});
  } catch (e) {}
  window.addEventListener("load", () => {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      window.__benchPret = {
        pret: performance.now(),
        navigation: nav ? nav.toJSON() : {},
        noeuds: document.getElementsByTagName("*").length,
      };
    }));
  });
})();
"""
DEBIT = 1_250_000  # bytes/s: 10 Mbit/s
LATENCE = 40  # ms
PAGES = ("tableau", "grille")


def regler(cdp, lent: bool) -> None:
    """CPU 4× + 10 Mbit/s / 40 ms, or no throttling."""
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4 if lent else 1})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCE if lent else 0,
            "downloadThroughput": DEBIT if lent else -1,
            "uploadThroughput": DEBIT if lent else -1,
        },
    )


def charger(page, url: str) -> dict:
    """One navigation, measured by the init script; then the LCP reported by then."""
    page.goto(url, wait_until="load", timeout=120_000)
    # Polled from here: `wait_for_function` evaluates its predicate with eval(), which the
    # pages' strict CSP (script-src 'self') refuses in current Chromium; `evaluate` runs
    # through the DevTools protocol. The time itself is taken in the page by the init script.
    fin = time.monotonic() + 120
    while page.evaluate("window.__benchPret === undefined"):
        if time.monotonic() > fin:
            raise TimeoutError(f"{url} : page jamais prête (120 s)")
        page.wait_for_timeout(25)
    page.wait_for_timeout(150)  # let the LCP observer deliver its entry
    brut = page.evaluate("({...window.__benchPret, lcp: window.__benchLcp})")
    return vars(lire_mesure_navigateur(brut))


def _mediane(mesures: list[dict]) -> dict:
    sortie = {}
    for cle in mesures[0]:
        valeurs = [m[cle] for m in mesures if m[cle] is not None]
        sortie[cle] = statistics.median(valeurs) if valeurs else None
    return sortie


def mesurer_navigateur(instances, repetitions: int) -> dict:
    """instances: [(nom, ClientHTTP logged in, chemin(cle) → path)]. Returns the medians per
    (nom, page, lent)."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    mesures: dict = {}
    with sync_playwright() as pw:
        navigateur = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGUMENTS)
        onglets = []
        try:
            for nom, client, chemin in instances:
                contexte = navigateur.new_context(viewport={"width": 1366, "height": 768})
                contexte.add_cookies(
                    [{"name": k, "value": v, "url": client.hote} for k, v in client.cookies.items()]
                )
                contexte.add_init_script(SCRIPT)
                page = contexte.new_page()
                cdp = contexte.new_cdp_session(page)
                cdp.send("Network.enable")
                onglets.append((nom, client.hote, chemin, page, cdp))
            for lent in (False, True):
                print(f"→ navigateur, {'ralenti' if lent else 'sans ralentissement'}", flush=True)
                for _nom, _hote, _chemin, _page, cdp in onglets:
                    regler(cdp, lent)
                for tour in range(repetitions + 1):  # the first one warms up
                    ordre = onglets if tour % 2 == 0 else onglets[::-1]
                    for cle in PAGES:
                        for nom, hote, chemin, page, _cdp in ordre:
                            m = charger(page, hote + chemin(cle))
                            if tour:
                                mesures.setdefault((nom, cle, lent), []).append(m)
        finally:
            navigateur.close()
    return {cle: _mediane(liste) for cle, liste in mesures.items()}
