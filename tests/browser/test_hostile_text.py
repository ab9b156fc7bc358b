"""Hostile text in the data, in a real browser: it reads as text and does nothing.

A server of its own (the shared ``server`` fixture serves the bundled data) reads a database built
from a copy of data/ whose commentary, themes, a fact's excerpt and a source title carry HTML,
``<script>``, an ``<img onerror>``, a ``javascript:`` markdown link, ``$x^2$`` maths and ``:red[...]``
(tests/test_hostile_input.py builds the copy and checks the markdown the app sends). Here, on the
commentary page, a theme's detail, the overview, the revenue drill-down and the Data page: the
literal ``<script>alert(1)</script>`` is on screen, the DOM has no script, link, image, bold or
KaTeX element made from it, and no alert dialog ever opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from test_hostile_input import HOSTILE_TEXT, HOSTILE_TOPIC, make_hostile_data

from benchmarks.server import Server
from earnings.write import database as build_mod

from .conftest import VIEWPORT
from .test_browser import wait_for_app

pytestmark = pytest.mark.browser

SCRIPT = HOSTILE_TEXT["script"]
# path -> does the page show the hostile text in the DOM (the Data page has it only inside a canvas grid)
PAGES = {
    "/commentary": True,
    "/commentary?" + urlencode({"theme_topic": HOSTILE_TOPIC, "theme_period": "2024Q3"}): True,
    "/": True,
    "/revenue?metric=revenue&period=2024Q4": True,
    "/data": False,
}
DOM_FROM_DATA = """() => ({
    scripts: [...document.scripts].filter(s => (s.textContent || '').includes('alert(1)')).length,
    jsLinks: [...document.querySelectorAll('a[href]')]
        .filter(a => a.getAttribute('href').replace(/[\\x00-\\x20]/g, '').toLowerCase().startsWith('javascript:')).length,
    onerror: document.querySelectorAll('img[onerror], [onerror]').length,
    bold: [...document.querySelectorAll('[data-testid="stMarkdownContainer"] b')].length,
    katex: document.querySelectorAll('.katex, .katex-display, math').length,
    dataLinks: [...document.querySelectorAll('a[href]')]
        .filter(a => /evil\\.example|^mailto:/i.test(a.getAttribute('href'))).length,
    headings: [...document.querySelectorAll('[data-testid="stMarkdownContainer"] :is(h1, h2, h3, h4, h5, h6)')]
        .filter(h => h.textContent.includes('Setext title')).length,
    code: document.querySelectorAll('[data-testid="stMarkdownContainer"] pre, [data-testid="stMarkdownPre"]').length,
    red: [...document.querySelectorAll('[data-testid="stMarkdownContainer"] span')]
        .filter(s => s.textContent === 'alert' && getComputedStyle(s).color !== getComputedStyle(s.parentElement).color)
        .length,
})"""


@pytest.fixture(scope="module")
def hostile_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile_browser")
    db = folder / "earnings.duckdb"
    build_mod.build(make_hostile_data(folder / "data"), db)
    with Server("dashboard.py", env={"EARNINGS_DB": str(db)}, log_dir=folder, name="streamlit") as s:
        yield s.base


def test_hostile_text_is_only_text_in_the_browser(browser, hostile_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        dialogs: list[str] = []
        errors: list[str] = []

        def on_dialog(dialog) -> None:
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda err: errors.append(str(err)))
        for path, shows_text in PAGES.items():
            page.goto(hostile_server + path)
            wait_for_app(page)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            if shows_text:
                # shown as text somewhere on the page (a data grid also keeps a hidden copy of its cells for
                # screen readers, first in the page when the theme tracker is)
                expect(page.get_by_text(SCRIPT).filter(visible=True).first).to_be_visible()
                expect(page.get_by_text(HOSTILE_TEXT["link"]).first).to_be_attached()
                expect(page.get_by_text(HOSTILE_TEXT["maths"]).first).to_be_attached()
            if path.startswith("/commentary?"):
                expect(page.get_by_text(HOSTILE_TOPIC).filter(visible=True).first).to_be_visible()
            page.wait_for_timeout(300)  # an onerror or a script would have fired by now
            found = page.evaluate(DOM_FROM_DATA)
            assert found == dict.fromkeys(found, 0), f"{path}: {found}"
        assert dialogs == [], "an alert dialog opened"
        assert errors == [], errors
    finally:
        context.close()
