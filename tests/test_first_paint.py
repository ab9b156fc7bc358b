"""A shared link's first paint: the first run of a session sends the charts (and what is above them), the rest of
the page comes in a second run once the browser says the charts are drawn (components.rest_of_page,
clientside.when_drawn). The browser side is in tests/browser/test_two_runs.py."""

from __future__ import annotations

import base64
import collections
import time
from pathlib import Path

import pytest
from conftest import open_page, run_async, unescape
from streamlit.testing.v1 import AppTest

from benchmarks import browser as bench_browser
from benchmarks import wsclient
from benchmarks.server import Server
from earnings.ui import clientside, components

pytestmark = pytest.mark.usefixtures("full_error_details")

# page -> (URL, what the first paint shows, what only the whole page shows, charts on the first paint)
PAGES = {
    "overview": ({}, None, "Executive summary", 6),
    "revenue": ({}, None, "Growth and the fiscal year", 1),
    "margins": ({}, None, "Margins by quarter", 1),
    "opex": ({}, "GAAP operating expenses", "Opex by quarter", 2),
    "guidance": ({}, "Scorecard", "Outlook for Q1 2025", 1),
    "commentary": ({}, "Theme tracker", "All commentary", 0),
    "briefing": ({}, None, None, 0),
    "data": ({}, "Which data is this?", "Source documents of ALAB", 0),
    "compare": ({"tickers": "ALAB,MRVL"}, None, None, 4),
    "companies": ({}, None, None, 0),
}


@pytest.fixture
def app_db(bundled_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EARNINGS_DB", str(bundled_db))
    # the runs of the tests before are not a room: a quiet server, as for a reader alone
    monkeypatch.setattr(components, "_recent_runs", collections.deque(maxlen=components.BUSY_RUNS))
    return bundled_db


def subheaders(at: AppTest) -> list[str]:
    return [unescape(s.value) for s in at.main.subheader]


def signals(at: AppTest) -> list:
    return [c for c in at.sidebar.get("bidi_component") if c.proto.component_name.endswith(clientside.WHEN_DRAWN_NAME)]


def images(at: AppTest) -> list[str]:
    """The URLs of the page's images: the cards' sparklines (SVG images, sent as data URLs)."""
    return [url for c in at.main.get("image") for url in c.value]


def chart_specs(at: AppTest) -> list[str]:
    """The page's charts as sent: Plotly specs, and the cards' sparklines."""
    return [c.proto.spec for c in at.main.get("plotly_chart")] + images(at)


@pytest.mark.parametrize("page_id", list(PAGES))
def test_the_first_paint_is_the_charts_and_the_rest_comes_when_they_are_drawn(app_db: Path, page_id: str) -> None:
    params, first, whole_only, charts = PAGES[page_id]
    at = open_page(page_id, params, painted=False)
    assert not at.exception, [e.message for e in at.exception]
    heading = components.PAGES[page_id][1]
    assert at.title and unescape(at.title[0].value).startswith(heading), "the heading is on the first paint"
    assert len(signals(at)) == 1, "the sidebar carries the signal that asks for the rest"
    assert not at.sidebar.get("page_link") and not at.sidebar.selectbox, "pickers and page links come second"
    assert unescape(at.sidebar.markdown[0].value).startswith("### ALAB · "), "the company is named at once"
    first_specs = chart_specs(at)
    assert len(first_specs) == charts, "every chart is on the first paint"
    if first:
        assert first in subheaders(at)
    if whole_only:
        assert whole_only not in subheaders(at), "what is under the charts waits for them"

    at.session_state[components.PAINTED] = True  # what the signal's callback does when the browser has drawn
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not signals(at), "the whole page: no signal left"
    assert len(at.sidebar.get("page_link")) >= 9, "the page links"
    assert at.sidebar.selectbox, "the pickers"
    if whole_only:
        assert whole_only in subheaders(at)
    assert chart_specs(at) == first_specs, "the same charts, unchanged: the browser keeps what it has drawn"
    at.run()
    assert not signals(at), "later runs of the session are whole at once"


def test_a_shared_drilldown_shows_the_figure_and_its_source_first_then_what_management_said(app_db: Path) -> None:
    at = open_page("revenue", {"metric": "revenue", "period": "2024Q4"}, painted=False)
    panel = [unescape(m.value) for m in at.main.markdown]
    assert "#### Revenue · Q4 2024" in panel and "## $141.1M" in panel, "the figure, on the first paint"
    assert "**Where the number comes from**" in panel, "and its source"
    assert "**What management said**" not in panel
    at.session_state[components.PAINTED] = True
    at.run()
    panel = [unescape(m.value) for m in at.main.markdown]
    assert "## $141.1M" in panel and "**What management said**" in panel


def test_a_page_that_stops_early_still_asks_for_the_rest(app_db: Path) -> None:
    at = open_page("guidance", {"ticker": "MRVL"}, painted=False)
    assert any("No guidance or consensus" in i.value for i in at.info)
    assert len(signals(at)) == 1, "the sidebar's signal is drawn before any page can stop"
    at.session_state[components.PAINTED] = True
    at.run()
    assert at.sidebar.get("page_link") and any("No guidance or consensus" in i.value for i in at.info)


def test_a_websocket_viewer_answers_the_first_paint_as_a_browser_does(app_db: Path, tmp_path: Path) -> None:
    """The benchmark's client sends the "drawn" trigger back: its first rerun of a session ends with the page
    whole, and later reruns of the session are one run each."""
    env = {"EARNINGS_DB": str(app_db)}
    with Server("dashboard.py", env=env, log_dir=tmp_path, name="first-paint") as server:

        async def two_runs() -> tuple[wsclient.Rerun, wsclient.Rerun]:
            async with wsclient.Session(server.ws) as s:
                return await s.rerun("/revenue", "Revenue"), await s.rerun("/revenue", "Revenue")

        first, again = run_async(two_runs())
    assert first.ok and again.ok, (first.problem, again.problem)
    assert first.when_drawn, "the first run showed the signal, and the client answered it"
    assert not again.when_drawn, "the session is painted: one run"
    assert first.charts == again.charts == 1
    assert first.elements == again.elements, "after the answer the first visit shows the whole page"


def test_the_browser_benchmark_times_the_charts_and_the_whole_page_apart() -> None:
    base = {"done": False, "first": True, "skeletons": 0, "drawn": 0, "title": "Revenue · ALAB Q4 2024"}
    log = [
        {**base, "t": 100.0},
        {**base, "t": 300.0, "done": True, "skeletons": 1},
        {**base, "t": 420.0, "done": True, "drawn": 1},  # the charts, on the first paint
        {**base, "t": 450.0, "drawn": 1},  # the rest is running
        {**base, "t": 610.0, "done": True, "drawn": 1, "first": False},  # the whole page
    ]
    assert bench_browser._ready_at(log, 1, "Revenue") == (300.0, 420.0, 610.0)
    assert bench_browser._ready_at(log, 2, "Revenue") == (300.0, None, None), "a chart missing: never ready"


def test_the_cards_sparklines_come_inline_as_svg_images(app_db: Path) -> None:
    """Six small images in the page itself (no request per image), each an SVG of bars and nothing else."""
    at = open_page("overview", {}, painted=False)
    urls = images(at)
    assert len(urls) == 6
    for url in urls:
        head, _, body = url.partition(",")
        assert head == "data:image/svg+xml;base64"
        svg = base64.b64decode(body).decode()
        assert svg.startswith("<svg") and "<rect" in svg and "<script" not in svg


def test_a_busy_server_sends_a_new_sessions_first_page_whole(app_db: Path) -> None:
    """A room opening the link at once: with BUSY_RUNS page runs in the last second, one run, the whole page."""
    now = time.monotonic()
    components._recent_runs.extend([now] * components.BUSY_RUNS)
    at = open_page("revenue", {}, painted=False)
    assert not at.exception, [e.message for e in at.exception]
    assert not signals(at), "no first paint: nothing to ask for"
    assert len(at.sidebar.get("page_link")) >= 9 and at.sidebar.selectbox, "the sidebar whole"
    assert "Growth and the fiscal year" in subheaders(at), "what is under the chart, in the same run"


def test_runs_before_the_last_second_are_not_a_busy_server(app_db: Path) -> None:
    long_ago = time.monotonic() - 2 * components.BUSY_WINDOW_S
    components._recent_runs.extend([long_ago] * components.BUSY_RUNS)
    at = open_page("revenue", {}, painted=False)
    assert len(signals(at)) == 1 and "Growth and the fiscal year" not in subheaders(at), "a first paint"
    components._recent_runs.extend([time.monotonic()] * components.BUSY_RUNS)
    at.run()  # the server busy now: a session already on its first paint stays on it until the browser answers
    assert len(signals(at)) == 1 and "Growth and the fiscal year" not in subheaders(at)
    at.session_state[components.PAINTED] = True
    at.run()
    assert "Growth and the fiscal year" in subheaders(at)
