"""Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) with the network cut.

Every request whose URL is not ``file:`` (or ``data:``/``about:``) is aborted and recorded,
so a page that would need a CDN or a tile server shows it.  Used for screenshots
(``python -m netopt.views --screenshot RESULT_DIR docs/map.png``) and by the browser tests.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CHROMIUM = os.environ.get("NETOPT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


@contextlib.contextmanager
def offline_browser(executable: str = CHROMIUM):
    """Yield a Playwright browser launched from the system Chromium (never downloads one)."""
    from playwright.sync_api import sync_playwright

    if not Path(executable).exists():
        raise FileNotFoundError(f"{executable} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, width: int = 1400, height: int = 1000):
    """A new page whose non-local requests are aborted; ``page.netopt_blocked`` lists them,
    ``page.netopt_errors`` collects console errors and page errors."""
    page = browser.new_page(viewport={"width": width, "height": height})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.netopt_blocked = blocked
    page.netopt_errors = errors
    return page


def screenshot(html: str | Path, png: str | Path, width: int = 1400, height: int = 1000,
               wait_ms: int = 500, script: str | None = None, full_page: bool = False) -> Path:
    """Open ``html`` offline, run ``script`` (JavaScript, if given) and save a PNG of the viewport (or the whole
    page); raise if the page needed the network."""
    html, png = Path(html).resolve(), Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    with offline_browser() as browser:
        page = offline_page(browser, width, height)
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(wait_ms)
        if script:
            page.evaluate(f"() => {{ {script}; }}")
            page.wait_for_timeout(wait_ms)
        page.screenshot(path=str(png), full_page=full_page)
        if page.netopt_blocked:
            raise RuntimeError(f"{html} tried to reach the network: {page.netopt_blocked[:3]}")
    return png
