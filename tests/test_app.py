"""AppTest over every page: no parameters, every valid (ticker, period, metric, basis), hostile URLs.

The app reads a database built from data/ into a temporary folder (EARNINGS_DB).
One AppTest per page is reused across runs: a rerun with new query parameters
is what a visitor editing the URL does, and it keeps this file fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import dashboard_app, read_company
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.contract import periods, vocab
from earnings.read import bundle
from earnings.ui import components
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
PAGE_IDS = list(components.PAGES)
HEADINGS = {page_id: spec[1] for page_id, spec in components.PAGES.items()}
# pages whose chart is followed by the drill-down panel
DRILLDOWN_PAGES = ("revenue", "margins", "opex", "guidance")
# pages that show the drill-down panel when the URL names a metric
PANEL_PAGES = ("overview", *DRILLDOWN_PAGES)
# pages whose title names the quarter in focus ("Revenue · ALAB Q4 2024"); the others name the company
QUARTER_PAGES = ("overview", *DRILLDOWN_PAGES, "briefing")
LONG = "9" * 10_000

INVALID = {
    "unknown ticker": {"ticker": "ZZZZ"},
    "lower-case ticker": {"ticker": "alab"},
    "period 2024Q9": {"period": "2024Q9"},
    "metric DROP TABLE": {"metric": "DROP TABLE facts"},
    "basis xyz": {"metric": "gross_margin", "basis": "xyz"},
    "basis without metric": {"basis": "xyz"},
    "10,000-char ticker": {"ticker": LONG},
    "10,000-char period": {"period": LONG},
    "10,000-char metric": {"metric": LONG},
    "everything hostile": {
        "ticker": "ALAB' or 1=1--",
        "period": "<script>alert(1)</script>",
        "metric": "[x](javascript:alert(1))",
        "basis": "$x$",
    },
}


def unescape(text: str) -> str:
    """Markdown-escaped text as it reads on screen."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def texts(at: AppTest) -> list[str]:
    """Every text element's value (title, headers, markdown, captions, notices), de-escaped."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [unescape(str(e.value)) for e in getattr(at, kind)]
    return out


def raw_texts(at: AppTest) -> list[str]:
    out: list[str] = []
    for kind in ("title", "markdown", "caption", "info", "warning", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def problems(at: AppTest) -> list[str]:
    """Exceptions and error boxes on the page, with their messages."""
    found = [f"exception: {e.message} {''.join(e.stack_trace)}" for e in at.exception]
    found += [f"error box: {e.value}" for e in at.error]
    return found


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled data built into a temporary folder; the app is pointed at it for this module."""
    db = tmp_path_factory.mktemp("app") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(db))
        # tests want the real message of an exception, not the production redaction
        before = st_config.get_option("client.showErrorDetails")
        st_config.set_option("client.showErrorDetails", "full")
        try:
            yield db
        finally:
            st_config.set_option("client.showErrorDetails", before)


@pytest.fixture(scope="module")
def known(app_db: Path) -> bundle.CompanyData:
    return read_company(app_db)


@pytest.fixture(scope="module")
def app(app_db: Path) -> Callable[..., AppTest]:
    """``app(page_id, params)``: the page rerun with exactly these query parameters (one AppTest per page)."""
    cache: dict[str, AppTest] = {}

    def run(page_id: str, params: dict | None = None) -> AppTest:
        at = cache.get(page_id)
        if at is None:
            at = dashboard_app()
            if page_id != "overview":
                at.switch_page(components.PAGES[page_id][0])
            cache[page_id] = at
        at.query_params.clear()
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.run()
        return at

    return run


def valid_combinations(data: bundle.CompanyData) -> list[dict[str, str]]:
    """Every (ticker, period, metric, basis) the data holds, as query parameters."""
    out = []
    for period in data.periods():
        for metric in data.metrics():
            for basis in data.bases(metric) or [None]:  # a metric only spoken of has no basis
                params = {"ticker": data.ticker, "period": period, "metric": metric}
                if basis:
                    params["basis"] = basis
                out.append(params)
    return out


# --- no parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_page_renders_without_parameters(app, page_id: str) -> None:
    at = app(page_id)
    assert problems(at) == []
    assert link_notices(at) == []
    assert at.title, "every page has a title"
    if page_id in QUARTER_PAGES:
        assert title(at) == f"{HEADINGS[page_id]} · ALAB Q4 2024"
    elif page_id in components.SEVERAL:
        assert title(at) == HEADINGS[page_id]
    else:
        assert title(at).startswith(f"{HEADINGS[page_id]} · ALAB")


def test_overview_shows_the_quarter(app) -> None:
    at = app("overview")
    labels = [m.label for m in at.metric]
    assert "Revenue" in labels
    assert at.metric[labels.index("Revenue")].value == "$141.1M"
    shown = texts(at)
    assert any(t == "Executive summary" for t in shown)
    assert any(t.startswith("Guidance for Q4 2024") for t in shown)


# --- every valid combination ----------------------------------------------------------------------
#
# Every combination runs on every light page (overview, commentary, briefing, data). The chart pages
# cost 100-200 ms a rerun (plotly figure building), so there each combination runs on one of them
# (round robin: together they see all of it, and the drill-down panel is the same on each), and every
# point a click on the page's own charts can select runs on that page.


def link_notices(at: AppTest) -> list[str]:
    """Info notices about the URL (pages may show other info boxes, e.g. an empty filter)."""
    return [i.value for i in at.info if "The link" in unescape(i.value)]


def chart_points(at: AppTest) -> list[dict[str, str]]:
    """The selections a click on the page's charts can make, from the figures' customdata."""
    out = []
    for el in at.get("plotly_chart"):
        for trace in json.loads(el.proto.spec).get("data", []):
            values = trace.get("x" if trace.get("orientation") == "h" else "y") or []
            for cd, value in zip(trace.get("customdata") or [], values):
                if value is None:  # a gap on the axis: nothing drawn, nothing to click
                    continue
                params = {"ticker": cd[0], "period": cd[1], "metric": cd[2]}
                if len(cd) > 3 and cd[3]:
                    params["basis"] = cd[3]
                if params not in out:
                    out.append(params)
    return out


def title(at: AppTest) -> str:
    return unescape(at.title[0].value) if at.title else ""


def check_valid(at: AppTest, page_id: str, params: dict[str, str], focus: str) -> list[str]:
    bad = problems(at)
    if link_notices(at):
        bad.append(f"notice for a valid URL: {link_notices(at)}")
    if page_id in QUARTER_PAGES and title(at) != f"{HEADINGS[page_id]} · ALAB {periods.label(focus)}":
        bad.append(f"title {title(at)!r} does not name the quarter in focus")
    if page_id in PANEL_PAGES:
        heading = f"#### {vocab.metric_label(params['metric'], params.get('basis'))} · "
        heading += periods.label(params["period"])
        if heading not in [unescape(m.value) for m in at.markdown]:
            bad.append(f"no drill-down panel {heading!r}")
    return bad


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_every_valid_combination(app, known: bundle.CompanyData, page_id: str) -> None:
    combos = valid_combinations(known)
    assert len(combos) > 50
    if page_id in DRILLDOWN_PAGES:
        share = DRILLDOWN_PAGES.index(page_id)
        clickable = chart_points(app(page_id))
        assert clickable, "the page draws clickable points"
        unknown = [c for c in clickable if c not in combos]
        assert unknown == [], "every clickable point is a combination the data holds"
        mine = combos[share :: len(DRILLDOWN_PAGES)]
        combos = mine + [c for c in clickable if c not in mine]
    failures = []
    quarters = known.quarters()
    for params in combos:
        # the quarter in focus: the URL's period when it is a reported quarter, else the latest
        focus = params["period"] if params["period"] in quarters else quarters[-1]
        bad = check_valid(app(page_id, params), page_id, params, focus)
        if bad:
            failures.append(f"{params}: {bad}")
    assert failures == [], "\n".join(failures[:10])


# --- invalid parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(INVALID))
@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_invalid_parameters_fall_back_with_a_notice(app, page_id: str, case: str) -> None:
    params = INVALID[case]
    at = app(page_id, params)
    assert problems(at) == []
    assert link_notices(at), "an info notice says the link was not understood"
    shown = raw_texts(at) + texts(at)
    for raw in params.values():
        if raw in ("gross_margin",):  # the valid half of a pair
            continue
        assert not any(raw in t for t in shown), f"{raw[:40]!r} echoed on the page"
    if page_id in QUARTER_PAGES:
        assert title(at) == f"{HEADINGS[page_id]} · ALAB Q4 2024", "falls back to the default view"
    elif page_id in components.SEVERAL:
        assert title(at) == HEADINGS[page_id]
        assert any(m.value.startswith("### ALAB ·") for m in at.sidebar.markdown), "the default company"
    else:
        assert title(at).startswith(f"{HEADINGS[page_id]} · ALAB"), "falls back to the default company"
    if page_id in DRILLDOWN_PAGES and "metric" in params and params["metric"] != "gross_margin":
        # no selection: the panel invites a click instead
        assert any(c.value.startswith("Click any bar") for c in at.caption)


def test_invalid_basis_falls_back_to_the_metrics_default_basis(app) -> None:
    at = app("margins", {"metric": "gross_margin", "basis": "xyz", "period": "2024Q3"})
    assert problems(at) == []
    assert "#### Gross margin (non-GAAP) · Q3 2024" in [unescape(m.value) for m in at.markdown]


def test_repeated_key_uses_the_last_value(app) -> None:
    at = app("revenue", {"period": ["2023Q4", "2024Q3"], "metric": "revenue"})
    assert problems(at) == []
    assert title(at) == "Revenue · ALAB Q3 2024"


# --- the drill-down panel -------------------------------------------------------------------------


def test_revenue_drilldown_panel(app) -> None:
    at = app("revenue", {"metric": "revenue", "period": "2024Q4"})
    assert problems(at) == []
    markdown = [unescape(m.value) for m in at.markdown]
    captions = [unescape(c.value) for c in at.caption]
    assert "#### Revenue · Q4 2024" in markdown
    assert "## $141.1M" in markdown
    assert "> Revenue ($USD Millions)$50.514 $113.086 $141.096" in markdown
    assert any("USD Millions" in m.value for m in at.markdown)  # findable in the raw (escaped) markdown too
    assert any(c.startswith("Source: ") and "Financial Results" in c for c in captions)
    assert "q/q vs Q3 2024: +24.8% *(derived)*" in markdown
    assert any(m.startswith("Guided $126–130M") and "above the range" in m for m in markdown)
    assert "**What management said**" in markdown
    quotes = [m for m in markdown if re.match(r"\*\*(Quote · (CEO|CFO)|Q&A)\*\*", m)]
    assert quotes, "a CEO/CFO quote or a Q&A item"
    shown = [e.value for e in at.text]  # what people said is shown as plain text, exactly
    assert any(s.startswith("“") and len(s) > 40 for s in shown), "the quote's text follows its heading"


def test_drilldown_for_a_quarter_without_the_figure(app) -> None:
    at = app("revenue", {"metric": "revenue", "period": "2025Q1"})
    assert problems(at) == []
    markdown = [unescape(m.value) for m in at.markdown]
    assert "#### Revenue · Q1 2025" in markdown
    assert "## —" in markdown
    assert any(m.startswith("Guided $151–155M") and "pending" in m for m in markdown)


def test_drilldown_panel_links_to_its_commentary(app) -> None:
    at = app("revenue", {"metric": "revenue", "period": "2024Q4"})
    links = {e.proto.label: e.proto.query_string for e in at.get("page_link")}
    label = "All commentary on Revenue in Q4 2024 →"
    assert label in links
    assert set(links[label].split("&")) == {"ticker=ALAB", "period=2024Q4", "metric=revenue"}


def test_sidebar_links_keep_company_and_quarter(app) -> None:
    at = app("margins", {"period": "2024Q3", "metric": "gross_margin", "basis": "gaap"})
    sidebar = {e.proto.label: e.proto.query_string for e in at.sidebar.get("page_link")}
    assert set(sidebar) >= {"Overview", "Revenue", "Margins", "Opex", "Guidance"}
    assert all(q == "ticker=ALAB&period=2024Q3" for q in sidebar.values()), sidebar
