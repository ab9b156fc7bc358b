"""The Compare page in a browser: a click on one company's point opens THAT company's drill-down (a filing's
figure, with its link to sec.gov) and lands in the URL; the URL reopens the same view in another browser
context; the page shows no exception and logs no console error.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from .test_browser import click_until, expect_no_exception, query, screenshot, wait_for_app

pytestmark = pytest.mark.browser

COMPARE = "/compare?" + urlencode({"tickers": "ALAB,MRVL", "quarter": "2024Q4"})
WAIT = 30_000  # ms: a rerun after a click, on a busy two-core machine
CHARTS = ("Revenue growth y/y", "Gross margin (GAAP", "Operating margin (GAAP", "Revenue indexed")
GROSS = "Gross margin (GAAP"
# MRVL's fiscal Q4 FY2025 (ended 1 Feb 2025) stands on calendar Q4 2024; its gross margin there is derived from
# the 10-K's year less the 10-Q's nine months (data/sec/MRVL/facts.csv, sources.csv)
MRVL_POINT = ["MRVL", "2025Q4", "gross_margin", "gaap"]  # the point's customdata: ticker, period, metric, basis
MRVL_SELECTION = dict(zip(("ticker", "period", "metric", "basis"), MRVL_POINT, strict=True))
MRVL_FILING = "https://www.sec.gov/Archives/edgar/data/1835632/000183563226000011/"


# --- helpers --------------------------------------------------------------------------------------

# (chart element, [ticker, x label]) -> the point's viewport coordinates, customdata and marker size, from the
# figure's own data and axes; an error text when the company has no trace or no point there
POINT = """
(el, [ticker, label]) => {
  const gd = el.querySelector('.js-plotly-plot');
  const t = gd.data.find((t) => t.name.startsWith(ticker + ' '));
  if (!t) return {error: `no trace of ${ticker}: ${gd.data.map((t) => t.name)}`};
  const i = t.x.indexOf(label);
  if (i < 0 || t.y[i] === null) return {error: `${ticker} has no point at ${label}: ${t.x} / ${t.y}`};
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.d2p(label), y: box.top + ya._offset + ya.d2p(t.y[i]),
          customdata: t.customdata[i], size: t.marker.size[i]};
}
"""


def chart(page: Page, title: str):
    return page.locator('[data-testid="stPlotlyChart"]').filter(has_text=title)


def point(page: Page, title: str, ticker: str, label: str) -> dict:
    """``ticker``'s point at x tick ``label`` in the chart whose title starts with ``title``.

    Plotly's drag layer covers the markers, so a click has to land at the point's coordinates.
    """
    el = chart(page, title)
    expect(el).to_have_count(1)
    el.scroll_into_view_if_needed()
    found = el.evaluate(POINT, [ticker, label])
    assert "error" not in found, found["error"]
    return found


def expect_selection(page: Page, timeout: float = WAIT) -> None:
    """Wait until the URL carries MRVL's point (in any order of the parameters)."""
    for name, value in MRVL_SELECTION.items():
        expect(page).to_have_url(re.compile(rf"[?&]{name}={value}(&|$)"), timeout=timeout)


def expect_mrvl_panel(page: Page) -> None:
    """MRVL's drill-down: its figure, its 10-K named as the source, and the link to the filing on sec.gov; MRVL is
    the company in focus (the sidebar's company)."""
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("MRVL · MARVELL TECHNOLOGY, INC", timeout=WAIT)
    panel = page.locator(".st-key-drilldown")
    expect(panel).to_have_count(1, timeout=WAIT)
    expect(panel).to_be_visible()
    expect(panel.locator("h4")).to_have_text("MRVL · Gross margin (GAAP) · Q4 FY2025, ended 1 Feb 2025")
    expect(panel).to_contain_text("50.5%")
    expect(panel).to_contain_text("MARVELL TECHNOLOGY, INC 10-K filed 2026-03-11")  # MRVL's, not ALAB's
    link = panel.get_by_role("link", name="The filing on sec.gov")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", MRVL_FILING)


def expect_both_companies(page: Page) -> None:
    """The table is there (a canvas: its cells are not in the DOM) and every chart has a line per company."""
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    for title in CHARTS:
        names = chart(page, title).evaluate("el => el.querySelector('.js-plotly-plot').data.map((t) => t.name)")
        assert [n.split(" ")[0] for n in names] == ["ALAB", "MRVL"], (title, names)


# --- tests ----------------------------------------------------------------------------------------


def test_compare_page_shows_both_companies_without_an_exception(new_page, server: str) -> None:
    page, console = new_page()
    page.goto(server + COMPARE)
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Compare")
    expect(page.get_by_text("Q4 2024 (calendar): each company's own quarter")).to_be_visible()
    expect_both_companies(page)
    expect(page.locator(".st-key-drilldown")).to_have_count(0)  # nothing selected yet
    expect_no_exception(page, console, "compare")
    screenshot(page, "compare")
    expect_no_exception(page, console, "compare at full height")


def test_click_on_a_mrvl_point_opens_its_filing_drilldown_and_the_url_reopens_it(new_page, server: str) -> None:
    page, console = new_page()
    page.goto(server + COMPARE)
    wait_for_app(page)
    expect(page.locator(".st-key-drilldown")).to_have_count(0)
    p = point(page, GROSS, "MRVL", "Q4 2024")
    assert p["customdata"] == MRVL_POINT

    click_until(page, p["x"], p["y"], lambda: expect_selection(page, timeout=15_000))
    expect_mrvl_panel(page)
    wait_for_app(page)
    q = query(page)
    assert {k: q.get(k) for k in MRVL_SELECTION} == {k: [v] for k, v in MRVL_SELECTION.items()}
    assert q["tickers"] == ["ALAB,MRVL"] and q["quarter"] == ["2024Q4"], "the comparison itself is kept"
    assert point(page, GROSS, "MRVL", "Q4 2024")["size"] == 16, "the clicked point is outlined"
    expect_both_companies(page)
    expect_no_exception(page, console, "after the click")
    screenshot(page, "compare-drilldown")

    # the same URL in a new browser context (nothing shared but the link) opens the same view
    shared = page.url
    other, other_console = new_page()
    other.goto(shared)
    wait_for_app(other)
    expect_mrvl_panel(other)
    assert query(other) == q, "the link is kept as it was"
    assert point(other, GROSS, "MRVL", "Q4 2024")["size"] == 16, "the shared link outlines the same point"
    assert point(other, GROSS, "ALAB", "Q4 2024")["size"] == 11, "and no other company's"
    expect_both_companies(other)
    expect_no_exception(other, other_console, "the shared link")


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/revenue?ticker=MRVL", "Revenue · MRVL"),
        (COMPARE, "Compare"),
        ("/guidance/", "Guidance · ALAB"),
        ("/", "Overview"),
    ],
)
def test_a_page_url_finds_the_server_without_a_probe(new_page, server: str, path: str, title: str) -> None:
    """Opened on a page's own URL, the frontend asks the server at the root straight away: no 404 under the
    page's path first (streamlit/streamlit#7074, 100 ms on every visit); the link still opens its view."""
    page, console = new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url[len(server) :]) if "/_stcore/" in r.url else None)
    page.goto(server + path)
    wait_for_app(page)
    health = [u for u in asked if u.endswith("/_stcore/health")]
    assert health and set(health) == {"/_stcore/health"}, asked
    assert not [u for u in asked if re.match(r"/[^_][^/]*/_stcore/", u)], asked
    expect(page.locator("h1").first).to_contain_text(title)
    expect_no_exception(page, console, path)


def test_every_chart_title_fits_a_phone(new_page, server: str) -> None:
    """At 390 px each chart's title is whole inside its chart (a long title was cut at both ends); what the short
    titles leave out is in the caption above the charts."""
    page, console = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + COMPARE)
    wait_for_app(page)
    expect(page.get_by_text("Growth is derived: each company's quarter against its own a year before.")).to_be_visible()
    for title in CHARTS:
        el = chart(page, title)
        el.scroll_into_view_if_needed()
        box, text = el.evaluate(
            """el => {
              const c = el.getBoundingClientRect(), t = el.querySelector('.gtitle').getBoundingClientRect();
              return [[t.left - c.left, c.right - t.right], el.querySelector('.gtitle').textContent];
            }"""
        )
        assert text.startswith(title)
        assert min(box) >= 0, f"{text!r} is cut: {box[0]:.0f} px past the left edge, {box[1]:.0f} px past the right"
    expect_no_exception(page, console, "compare on a phone")
