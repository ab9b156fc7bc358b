"""Issue 13 in a real browser: the meeting (the briefing on a projector, its keys, its controls that never move),
the phone (390 px wide), the flows that broke (a Revenue row of the scorecard, "Where it comes from"), sharing
(a "Copy link" on every page, CSV downloads), and screenshots of every page at 1440×900, 1280×720 and 390×844
in artifacts/screenshots/ (page-WIDTHxHEIGHT.png) to look at.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from earnings.model import briefing
from earnings.ui import components

from .conftest import SCREENSHOTS, Console
from .test_browser import PAGE_PATHS, expect_no_exception, expect_query, query, step_heading, wait_for_app

pytestmark = pytest.mark.browser

DESKTOP, PROJECTOR, PHONE, WIDE_PROJECTOR = (1440, 900), (1280, 720), (390, 844), (1920, 1080)
SIZES = {"desktop": DESKTOP, "projector": PROJECTOR, "phone": PHONE}
LAST = len(briefing.STEPS)
SCORECARD_ROW_PX = components.SCORECARD_ROW_PX


@pytest.fixture
def open_at(browser, server: str):
    """``open_at(path, size, **context options)`` -> (page, console): a fresh browser context at that size."""
    contexts = []

    def make(path: str, size: tuple[int, int], **options) -> tuple[Page, Console]:
        ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, **options)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        console = Console(server)
        page.on("console", console.on_console)
        page.on("pageerror", console.on_page_error)
        page.goto(server + path)
        wait_for_app(page)
        return page, console

    yield make
    for ctx in contexts:
        ctx.close()


def full_screenshot(page: Page, name: str, size: tuple[int, int]) -> None:
    """The whole page at this width (the viewport made as tall as the content) into artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight,
            ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
                .map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": size[0], "height": max(size[1], int(height))})
    wait_for_app(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size[0]}x{size[1]}.png"), full_page=True)
    page.set_viewport_size({"width": size[0], "height": size[1]})


# what the page measures of itself: overflow, cut text, chart text sizes, the content's bottom
MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const cut = [...document.querySelectorAll('[data-testid="stMetric"] *')]
    .filter(e => e.children.length === 0 && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim());
  const right = main.getBoundingClientRect().right;
  const tables = [...document.querySelectorAll('[data-testid="stTable"] table')]
    .filter(t => t.getBoundingClientRect().right > right + 1 || t.scrollWidth > t.parentElement.clientWidth + 1).length;
  const sizes = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg text')]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  let bottom = 0;  // the lowest thing drawn on the page, borders of cards included
  for (const e of document.querySelectorAll('[data-testid="stMainBlockContainer"] *')) {
    const r = e.getBoundingClientRect();
    if (r.height > 0 && r.width > 0) bottom = Math.max(bottom, r.bottom);
  }
  return {overflow: main.scrollWidth - main.clientWidth, cut, tables, smallest: Math.min(99, ...sizes), bottom};
}"""


# --- every page at three sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize("size_name", list(SIZES))
@pytest.mark.parametrize("page_id", list(PAGE_PATHS))
def test_every_page_at_every_size(open_at, server: str, page_id: str, size_name: str) -> None:
    size = SIZES[size_name]
    page, console = open_at(PAGE_PATHS[page_id], size)
    expect_no_exception(page, console, f"{page_id} at {size}")
    seen = page.evaluate(MEASURE)
    assert seen["overflow"] <= 1, f"{page_id} at {size}: the page scrolls sideways by {seen['overflow']} px"
    assert seen["cut"] == [], f"{page_id} at {size}: card text cut: {seen['cut']}"
    assert seen["tables"] == 0, f"{page_id} at {size}: a table is cut (a table that wide scrolls, key column pinned)"
    assert seen["smallest"] >= 11, f"{page_id} at {size}: chart text of {seen['smallest']} px"
    text = page.locator('[data-testid="stMain"]').inner_text()
    text += " ".join(page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents())
    assert not re.search(r"(?<![\w.])-\$?\d", text), f"{page_id}: a hyphen where a minus sign belongs"
    for word in ("usd_m", "non_gaap", "2025FY", "long_term", "75–75"):
        assert word not in text, f"{page_id}: internal word {word!r} on the screen"
    full_screenshot(page, page_id, size)


# --- flows that break --------------------------------------------------------------------------------------


def click_scorecard_row(page: Page, row: int, rows: int) -> None:
    """Tick row ``row`` (of ``rows``) of the scorecard: the grid is drawn on a canvas, so at its coordinates."""
    grid = page.locator('.st-key-scorecard [data-testid="stDataFrame"]')  # the ledger's table comes before it
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    header = components.SCORECARD_HEADER_PX  # the header row, above the rows of fixed height
    page.mouse.click(box["x"] + 18, box["y"] + header + (row + 0.5) * SCORECARD_ROW_PX)


def test_a_revenue_row_of_the_scorecard_opens_its_drilldown(open_at, server: str) -> None:
    page, console = open_at("/guidance", DESKTOP)
    # rows: Q4 2024 revenue, margin, opex, EPS, then Q1 2025 revenue, … (earnings.model.scorecard.ORDER)
    for row, period in ((0, "2024Q4"), (4, "2025Q1")):
        click_scorecard_row(page, row, rows=8)
        expect_query(page, period=period, metric="revenue")
        assert "basis" not in query(page)
        panel = page.locator(".st-key-drilldown")
        expect(panel).to_contain_text(f"Revenue · {period[4:]} {period[:4]}")
    expect_no_exception(page, console, "scorecard click")
    shared = page.url
    other, _ = open_at(shared.split(server, 1)[1], DESKTOP)  # the link, in a new context
    expect(other.locator(".st-key-drilldown")).to_contain_text("Revenue · Q1 2025")


def test_where_it_comes_from_writes_the_url_and_a_reload_keeps_it(open_at, server: str) -> None:
    page, console = open_at("/", DESKTOP)
    page.locator(".st-key-source_net_income_gaap button").click()
    expect_query(page, metric="net_income", basis="gaap", period="2024Q4")
    expect(page.locator(".st-key-drilldown")).to_contain_text("Net income (GAAP) · Q4 2024")
    page.reload()
    wait_for_app(page)
    expect(page.locator(".st-key-drilldown")).to_contain_text("Net income (GAAP) · Q4 2024")
    expect_no_exception(page, console, "where it comes from")


def test_the_quarter_in_focus_moves_the_guidance_page(open_at, server: str) -> None:
    page, _ = open_at("/guidance?" + urlencode({"period": "2024Q3"}), DESKTOP)
    expect(page.get_by_text("Outlook for Q4 2024", exact=True)).to_be_visible()
    ticks = page.locator('[data-testid="stPlotlyChart"] .ytick text').all_text_contents()
    assert set(ticks) == {"Q4 2024"}, ticks


# --- the briefing in the room -------------------------------------------------------------------------------


def expect_step(page: Page, n: int) -> None:
    expect_query(page, step=str(n))
    expect(step_heading(page, n)).to_be_visible()


def test_briefing_keys_work_whatever_has_focus(open_at, server: str) -> None:
    page, console = open_at("/briefing?step=2", PROJECTOR)
    # a step chosen in the step control: the focus stays in it, and the keys still move the briefing
    page.locator(".st-key-briefing_step button").first.click()
    page.locator(".st-key-briefing_go_3 button").click()
    expect_step(page, 3)
    for key, n in (("ArrowRight", 4), ("PageDown", 5), ("PageUp", 4), (" ", 5), ("Shift+ ", 4), ("End", LAST)):
        page.keyboard.press("Space" if key == " " else "Shift+Space" if key == "Shift+ " else key)
        expect_step(page, n)
    page.keyboard.press("Home")
    expect_step(page, 1)
    page.get_by_role("button", name="Next").click()  # the focus on a button: ← still goes back
    expect_step(page, 2)
    page.keyboard.press("ArrowLeft")
    expect_step(page, 1)
    expect_no_exception(page, console, "keys")


@pytest.mark.parametrize("size", [DESKTOP, PROJECTOR, PHONE], ids=["1440", "1280", "390"])
def test_briefing_controls_stay_in_one_place_on_one_row(open_at, server: str, size: tuple[int, int]) -> None:
    page, _ = open_at("/briefing?step=1", size)
    places = set()
    for n in range(1, LAST + 1):
        if n > 1:
            page.goto(f"{server}/briefing?step={n}")
            wait_for_app(page)
        boxes = [
            page.locator(f".st-key-{key}").first.bounding_box()
            for key in ("briefing_prev", "briefing_step", "briefing_next")
        ]
        assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 8, f"step {n}: controls on one row"
        places.add(tuple(round(b[k]) for b in boxes for k in ("x", "y")))
    assert len(places) == 1, f"the controls moved between steps: {places}"


@pytest.mark.parametrize("size", [PROJECTOR, WIDE_PROJECTOR], ids=["1280x720", "1920x1080"])
def test_every_briefing_step_fits_one_screen(open_at, server: str, size: tuple[int, int]) -> None:
    page, console = open_at("/briefing?step=1", size)
    for n in range(1, LAST + 1):
        page.goto(f"{server}/briefing?step={n}")
        wait_for_app(page)
        seen = page.evaluate(MEASURE)
        assert seen["bottom"] <= size[1], f"step {n} at {size}: ends at {seen['bottom']} px"
        assert seen["overflow"] <= 1 and seen["cut"] == [], (n, seen)
        values = page.locator('[data-testid="stMetricValue"]')
        for i in range(values.count()):  # figures read from the back of the room
            assert float(values.nth(i).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
        page.screenshot(path=str(SCREENSHOTS / f"briefing-step{n}-{size[0]}x{size[1]}.png"))
    expect_no_exception(page, console, "briefing steps")


def test_guided_figures_look_unlike_actuals(open_at, server: str) -> None:
    page, _ = open_at("/briefing?step=5", PROJECTOR)
    panel = page.locator(".st-key-briefing_guidance")
    expect(panel).to_contain_text("Guidance")
    expect(panel).to_contain_text("not actuals")
    value = panel.get_by_text("$151–155M", exact=True)
    colour = value.evaluate("e => getComputedStyle(e).color")
    assert colour != "rgb(49, 51, 63)" and "rgb" in colour, "a guided value is coloured, unlike an actual"
    assert page.locator('[data-testid="stMetricDeltaIcon-Up"]').count() == 0, "no green arrow on a guide"


# --- sharing -------------------------------------------------------------------------------------------------


def test_copy_link_copies_the_view_on_every_page(open_at, server: str) -> None:
    page, console = open_at("/", DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    for page_id, path in PAGE_PATHS.items():
        page.goto(server + path + "?" + urlencode({"ticker": "ALAB", "period": "2024Q3"}))
        wait_for_app(page)
        page.get_by_role("button", name="Copy link").click()
        expect(page.get_by_role("button", name="Link copied ✓")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == page.url, page_id
    # a selection made by a click is in the link
    page.goto(server + "/?" + urlencode({"ticker": "ALAB"}))
    wait_for_app(page)
    page.locator(".st-key-source_cash_and_securities_none button").click()
    expect_query(page, metric="cash_and_securities")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Link copied ✓")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "metric=cash_and_securities" in copied and copied == page.url
    expect_no_exception(page, console, "copy link")


def test_a_table_downloads_as_csv(open_at, server: str) -> None:
    page, _ = open_at("/guidance", DESKTOP)
    with page.expect_download() as got:
        page.locator(".st-key-csv_guidance-scorecard button").click()
    text = got.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Metric"] for r in rows][:4] == [
        "Revenue", "Gross margin (non-GAAP)", "Operating expenses (non-GAAP)", "Diluted EPS (non-GAAP)",
    ]  # fmt: skip
    assert rows[0]["Actual"] == "$141.1M" and rows[3]["vs mid (derived)"] == "'+$0.115", "a leading + is quoted"
    # the table toolbar's own download (which would bypass the spreadsheet-safe CSV) is off
    page.locator('[data-testid="stDataFrame"]').first.hover()
    expect(page.locator('[data-testid="stElementToolbarButton"][aria-label="Download as CSV"]')).to_have_count(0)


def test_the_phone_sees_one_column_of_cards_and_readable_charts(open_at, server: str) -> None:
    page, _ = open_at("/revenue", PHONE)
    bars = page.locator('[data-testid="stPlotlyChart"] .barlayer text')
    sizes = bars.evaluate_all(
        """ts => ts.filter(t => t.getBoundingClientRect().width > 0 && getComputedStyle(t).display !== 'none')
                 .map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert all(s >= 12 for s in sizes), f"bar labels of {sizes} px on a phone: a label too small is hidden instead"
    gaps = page.locator('[data-testid="stPlotlyChart"] .annotation-text', has_text="no data")
    boxes = [gaps.nth(i).bounding_box() for i in range(gaps.count())]
    for a, b in zip(boxes, boxes[1:]):
        assert a["x"] + a["width"] <= b["x"], "the 'no data' labels do not collide"
