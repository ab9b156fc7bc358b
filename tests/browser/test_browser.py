"""What only a browser shows: a chart click opens the drill-down and lands in the URL, the URL
reopens the view elsewhere, the briefing steps through the URL, and no page shows an exception.

Every run leaves a 1440-wide full-page screenshot of every page in artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from earnings.ui import components

from .conftest import APP_DONE, FIRST_PAINT, SCREENSHOTS, VIEWPORT

pytestmark = pytest.mark.browser

PAGE_PATHS = {page_id: "/" + spec[2] for page_id, spec in components.PAGES.items()}
REVENUE_Q4_2024_EXCERPT = "Revenue ($USD Millions)$50.514 $113.086 $141.096"
MANAGEMENT = re.compile(r"Quote · C[EF]O|Q&A")
HOSTILE = {
    "ticker": "ALAB' or 1=1--",
    "period": "<script>alert(1)</script>",
    "metric": "DROP TABLE facts",
    "basis": "$x$",
    "step": "[x](javascript:alert(1))",
}


# --- helpers --------------------------------------------------------------------------------------


def wait_for_app(page: Page) -> None:
    """The script has run, the page is whole, no element is still loading, and every Plotly chart is drawn.

    A session's first page comes in two runs (the charts, then the rest: components.rest_of_page); the first
    run's "drawn" signal is gone once the second has run. Plotly is loaded lazily: a chart is a skeleton for a
    second or two after the script has finished.
    """
    expect(page.locator(APP_DONE)).to_have_count(1, timeout=30_000)
    expect(page.locator(FIRST_PAINT)).to_have_count(0, timeout=30_000)
    expect(page.locator(APP_DONE)).to_have_count(1, timeout=30_000)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=30_000)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".main-svg .trace").first).to_be_attached(timeout=15_000)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot, 1440 wide, into artifacts/screenshots/<name>.png.

    Streamlit scrolls inside its own container, so the viewport is made as tall as the content first.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight,
            ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
                .map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], int(height))})
    wait_for_app(page)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def expect_query(page: Page, **params: str) -> None:
    """Wait until the URL carries these parameters (in any order)."""
    for name, value in params.items():
        expect(page).to_have_url(re.compile(rf"[?&]{re.escape(name)}={re.escape(value)}(&|$)"))


def bar_center(page: Page, trace: int, label: str) -> tuple[float, float]:
    """Viewport coordinates inside the bar of ``trace`` (order of the figure's traces) at x tick ``label``.

    Plotly's drag layer covers the bars, so a click has to land at the bar's coordinates.
    """
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    bars = chart.locator(".barlayer .trace").nth(trace).locator(".point path")
    expect(bars.first).to_be_attached()
    chart.scroll_into_view_if_needed()
    ticks = chart.locator(".xtick text")
    tick_boxes = {ticks.nth(i).text_content(): ticks.nth(i).bounding_box() for i in range(ticks.count())}
    assert label in tick_boxes, f"no x tick {label!r}: {list(tick_boxes)}"
    tick = tick_boxes[label]
    tick_x = tick["x"] + tick["width"] / 2
    boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
    box = min(boxes, key=lambda b: abs(b["x"] + b["width"] / 2 - tick_x))
    assert abs(box["x"] + box["width"] / 2 - tick_x) < box["width"], "the bar stands over its tick"
    # the lower third of the bar: away from markers drawn over its top (guided range, labels)
    return box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7


def click_until(page: Page, x: float, y: float, done, attempts: int = 3) -> None:
    """Click at (x, y); if ``done()`` does not hold, click again after the double-click window."""
    for attempt in range(attempts):
        page.mouse.click(x, y)
        try:
            done()
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.4)  # > 300 ms: two quick clicks are a double-click, which clears the selection


def expect_revenue_q4_2024_panel(page: Page) -> None:
    panel = page.locator(".st-key-drilldown")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Revenue · Q4 2024")
    expect(panel).to_contain_text("$141.1M")
    expect(panel).to_contain_text(REVENUE_Q4_2024_EXCERPT)
    expect(panel).to_contain_text(MANAGEMENT)


def expect_no_exception(page: Page, console, what: str) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert "Traceback" not in page.locator('[data-testid="stApp"]').inner_text(), what
    assert console.errors == [], f"{what}: {console.errors}"


# --- tests ----------------------------------------------------------------------------------------


def test_click_on_a_revenue_bar_opens_the_drilldown(new_page, server: str) -> None:
    page, console = new_page()
    page.goto(f"{server}/revenue")
    wait_for_app(page)
    expect(page.locator(".st-key-drilldown")).to_have_count(0)
    x, y = bar_center(page, trace=0, label="Q4 2024")  # trace 0: reported revenue (figures.revenue_figure)

    click_until(page, x, y, lambda: expect_query(page, period="2024Q4", metric="revenue"))
    expect_revenue_q4_2024_panel(page)
    assert query(page)["period"] == ["2024Q4"]
    assert query(page)["metric"] == ["revenue"]
    assert "basis" not in query(page)
    expect_no_exception(page, console, "after the click")
    screenshot(page, "revenue-drilldown")

    # the same URL in a new browser context (nothing shared but the link) opens the same view
    shared = page.url
    other, other_console = new_page()
    other.goto(shared)
    wait_for_app(other)
    expect_revenue_q4_2024_panel(other)
    expect_no_exception(other, other_console, "the shared link")


def test_a_link_opens_the_drilldown(new_page, server: str) -> None:
    page, console = new_page()
    page.goto(f"{server}/revenue?" + urlencode({"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"}))
    wait_for_app(page)
    expect_revenue_q4_2024_panel(page)
    expect_no_exception(page, console, "revenue link")


def test_a_second_click_moves_the_selection(new_page, server: str) -> None:
    page, _ = new_page()
    page.goto(f"{server}/revenue?" + urlencode({"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"}))
    wait_for_app(page)
    x, y = bar_center(page, trace=0, label="Q3 2024")
    click_until(page, x, y, lambda: expect_query(page, period="2024Q3", metric="revenue"))
    panel = page.locator(".st-key-drilldown")
    expect(panel).to_contain_text("Revenue · Q3 2024")
    expect(panel).to_contain_text("$113.1M")


def step_heading(page: Page, n: int):
    return page.get_by_text(re.compile(rf"^Step {n} of \d+"))


def test_briefing_steps_through_the_url(new_page, server: str) -> None:
    page, console = new_page()
    page.goto(f"{server}/briefing")
    wait_for_app(page)
    expect(step_heading(page, 1)).to_be_visible()
    previous = page.get_by_role("button", name=re.compile("Previous"))
    following = page.get_by_role("button", name=re.compile("Next"))
    expect(previous).to_be_disabled()

    following.click()
    expect_query(page, step="2")
    expect(step_heading(page, 2)).to_be_visible()
    following.click()
    expect_query(page, step="3")
    expect(step_heading(page, 3)).to_be_visible()
    previous.click()
    expect_query(page, step="2")
    expect(step_heading(page, 2)).to_be_visible()
    expect_no_exception(page, console, "briefing")

    # a link to a step opens that step, in a new context
    other, other_console = new_page()
    other.goto(f"{server}/briefing?step=3")
    wait_for_app(other)
    expect(step_heading(other, 3)).to_be_visible()
    expect(other.get_by_role("button", name=re.compile("Previous"))).to_be_enabled()
    expect_no_exception(other, other_console, "briefing step 3")


def test_briefing_last_step_has_no_next(new_page, server: str) -> None:
    page, _ = new_page()
    page.goto(f"{server}/briefing?step=6")
    wait_for_app(page)
    expect(step_heading(page, 6)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Next"))).to_be_disabled()


@pytest.mark.parametrize("page_id", list(PAGE_PATHS))
def test_no_page_shows_an_exception(new_page, server: str, page_id: str) -> None:
    page, console = new_page()
    page.goto(server + PAGE_PATHS[page_id])
    wait_for_app(page)
    expect(page.locator("h1").first).to_be_visible()
    expect_no_exception(page, console, page_id)
    screenshot(page, page_id)
    expect_no_exception(page, console, f"{page_id} at full height")


@pytest.mark.parametrize("page_id", ["overview", "revenue", "briefing"])
def test_hostile_url_shows_a_notice_not_an_exception(new_page, server: str, page_id: str) -> None:
    page, console = new_page()
    page.goto(server + PAGE_PATHS[page_id] + "?" + urlencode(HOSTILE))
    wait_for_app(page)
    expect(page.get_by_text("The link's", exact=False).first).to_be_visible()
    expect_no_exception(page, console, f"{page_id} with hostile parameters")
    text = page.locator('[data-testid="stApp"]').inner_text()
    for raw in HOSTILE.values():
        assert raw not in text, f"{raw!r} echoed on the page"
    assert page.evaluate("() => window.__xss === undefined")
    screenshot(page, f"{page_id}-hostile-url")
