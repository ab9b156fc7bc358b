"""A shared link in a real browser: its charts are drawn first, then the rest of the page comes in a second run
(components.rest_of_page, clientside.when_drawn) without drawing the charts again; on a phone too (the signal
lives in the sidebar, closed there); later pages of the session come whole in one run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import FIRST_PAINT
from .test_browser import PAGE_PATHS, expect_no_exception, wait_for_app

pytestmark = pytest.mark.browser

# Before any page script: note, per Plotly chart element, whether the sidebar's page links existed when it was
# first drawn, and tag the element, so that a chart drawn again (a new element) shows up untagged.
WATCH = """
(() => {
  const seen = (window.__firstPaint = { drawnBeforeLinks: 0, drawnAfterLinks: 0, signals: 0 });
  let signal = false;
  new MutationObserver(() => {
    const now = !!document.querySelector('__FIRST_PAINT__');
    if (now && !signal) seen.signals++;
    signal = now;
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
      if (plot.__tagged || !plot.querySelector('.main-svg')) continue;
      plot.__tagged = true;
      if (document.querySelector('[data-testid="stPageLink"]')) seen.drawnAfterLinks++;
      else seen.drawnBeforeLinks++;
    }
  }).observe(document, { subtree: true, childList: true });
})();
""".replace("__FIRST_PAINT__", FIRST_PAINT)

UNDER_THE_CHARTS = {"revenue": "Growth and the fiscal year", "opex": "Opex by quarter", "margins": "Margins by quarter"}


def open_fresh(new_page, server: str, page_id: str, size: tuple[int, int] = (1440, 900)) -> tuple[Page, object]:
    """A new session (a new browser context) on the page, watched from before its first script; waits for it whole."""
    page, console = new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.add_init_script(WATCH)
    page.goto(server + PAGE_PATHS[page_id])
    wait_for_app(page)
    return page, console


@pytest.mark.parametrize("page_id", list(UNDER_THE_CHARTS))
@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_charts_are_drawn_first_and_once_then_the_page_fills_in(
    new_page, server: str, page_id: str, size: tuple[int, int]
) -> None:
    page, console = open_fresh(new_page, server, page_id, size)
    expect(page.get_by_role("heading", name=UNDER_THE_CHARTS[page_id])).to_be_visible()
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
    expect(links.first).to_be_attached()
    assert links.count() >= 9, "the sidebar's page links came with the rest"
    expect(page.locator(FIRST_PAINT)).to_have_count(0)
    seen = page.evaluate("window.__firstPaint")
    charts = page.locator(".js-plotly-plot").count()
    assert charts >= 1
    assert seen["signals"] == 1, "one first paint"
    assert seen["drawnBeforeLinks"] == charts, f"every chart drawn before the rest of the page came: {seen}"
    assert seen["drawnAfterLinks"] == 0, f"no chart drawn again by the second run: {seen}"
    expect_no_exception(page, console, page_id)


def test_the_next_page_of_the_session_comes_whole_in_one_run(new_page, server: str) -> None:
    page, console = open_fresh(new_page, server, "revenue")
    page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text="Margins").click()
    expect(page).to_have_url(re.compile(r"/margins\?ticker=ALAB"))
    wait_for_app(page)
    expect(page.get_by_role("heading", name=UNDER_THE_CHARTS["margins"])).to_be_visible()
    assert page.evaluate("window.__firstPaint.signals") == 1, "no second first paint within the session"
    expect_no_exception(page, console, "revenue, then margins")
