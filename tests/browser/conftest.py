"""Real-browser fixtures: a streamlit server on a free port and Debian's Chromium through Playwright.

Chromium missing: the tests are skipped with how to install it, except under CI (the
environment variable CI is set), where they fail: CI must run them. Playwright's own
browser download (`playwright install`) is never used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.browser import APP_DONE, FIRST_PAINT, LAUNCH_ARGS, VIEWPORT, chromium_path  # noqa: F401 (used by the tests)
from benchmarks.server import Server
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian chromium not installed, and CI must run the browser tests: apt-get install chromium")
        pytest.skip("Debian chromium not installed: apt-get install chromium to run the browser tests")
    return path


@pytest.fixture(scope="session")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A streamlit server on the bundled data (built into a temporary folder); yields its base URL."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    # started as the README starts it (python -m earnings serve), not as a bare `streamlit run`
    with Server("dashboard.py", env={"EARNINGS_DB": str(db)}, log_dir=folder, name="streamlit",
                launcher=["-m", "earnings.serve"]) as s:  # fmt: skip
        yield s.base


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
    try:
        yield b
    finally:
        b.close()
        pw.stop()


# Opened directly on a page URL, Streamlit's frontend first probes /<page>/_stcore/health and
# /<page>/_stcore/host-config (404) before the root ones: streamlit/streamlit#7074, not the app.
STREAMLIT_BASE_PROBE = re.compile(r"/[^/?#]+/_stcore/(health|host-config)$")


class Console:
    """Console errors and uncaught page errors that come from the app (not from other hosts)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.errors: list[str] = []

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "") or ""
        if where and not where.startswith(self.base):
            return  # a resource on another host (fonts, telemetry): not the app
        if "404" in msg.text and STREAMLIT_BASE_PROBE.search(where):
            return
        self.errors.append(f"console: {msg.text} ({where})")

    def on_page_error(self, err) -> None:
        self.errors.append(f"page error: {err}")


@pytest.fixture
def new_page(browser, server: str):
    """``new_page()`` -> (page, console) in a fresh browser context (no shared cookies or storage)."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        console = Console(server)
        page.on("console", console.on_console)
        page.on("pageerror", console.on_page_error)
        return page, console

    yield make
    for ctx in contexts:
        ctx.close()
