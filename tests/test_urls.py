"""Property tests for URL parameters: anyone can edit a URL.

Whatever text arrives in ticker, period, metric or basis (alone, repeated, huge,
hostile), ``urlstate.resolve_view`` never raises, only ever returns values the
data holds, and never echoes the raw value in a notice. A smaller AppTest-based
property throws the same kind of values at the revenue and overview pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import dashboard_app, read_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.contract import periods, vocab
from earnings.model import urlstate
from earnings.read.bundle import CompanyData
from earnings.ui import components
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
PARAMS = urlstate.COMMON_PARAMS  # ticker, period, metric, basis

HOSTILE = [
    "' or 1=1--",
    "ALAB' or '1'='1",
    "2024Q4'; DROP TABLE facts;--",
    "DROP TABLE facts",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "javascript:alert(1)",
    "$x$",
    "$$\\int$$",
    ":red[x]",
    ":material/home:",
    "**bold**",
    "%00",
    "\x00",
    "../../etc/passwd",
    "{{7*7}}",
    "2024Q9",
    "2024q4",
    " 2024Q4",
    "2024Q4 ",
    "REVENUE",
    "gaap ",
    "None",
    "null",
    "ＡＬＡＢ",  # fullwidth letters
    "ALAB\u200b",  # zero-width space
    "\u202eBALA",  # right-to-left override
    "🦆" * 50,
    "x" * 10_000,
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("urls") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


@pytest.fixture(scope="module")
def data(db: Path) -> CompanyData:
    return read_company(db)


def resolve(data: CompanyData, params: dict) -> urlstate.View:
    def of(ticker: str):
        return data if ticker == data.ticker else None

    return urlstate.resolve_view(
        params,
        [data.ticker],
        lambda t: of(t).periods() if of(t) else [],
        lambda t: of(t).metrics() if of(t) else [],
        lambda t, m: of(t).bases(m) if of(t) else [],
        lambda t: of(t).latest_quarter() if of(t) else None,
    )


def possible_notices(data: CompanyData) -> set[str]:
    """Every notice resolve_view may write: fixed sentences naming only known values."""
    shown = ["the default", "no selection", data.ticker, "none", *vocab.BASES]
    shown += [periods.label(p) for p in data.periods()]
    out = {"The link's basis is ignored: it names no metric."}
    for what in ("company", "period", "metric", "basis"):
        out |= {f"The link's {what} is not one this dashboard knows; showing {s} instead." for s in shown}
    return out


def known_value() -> st.SearchStrategy[str]:
    return st.sampled_from(["ALAB", "2023Q4", "2024Q3", "2024Q4", "2024FY", "2025Q1", "revenue", "gross_margin"])


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(),
        st.text(min_size=150, max_size=400),
        st.sampled_from(HOSTILE),
        st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=20)),
        st.builds(lambda a, b: a + b, known_value(), st.sampled_from(HOSTILE)),
    )


def param_value() -> st.SearchStrategy[object]:
    one = st.one_of(hostile_text(), known_value())
    return st.one_of(one, st.lists(one, max_size=4), st.none())


def url_params() -> st.SearchStrategy[dict]:
    return st.dictionaries(
        st.sampled_from([*PARAMS, "step", "x", "utm_source"]), param_value(), max_size=len(PARAMS) + 2
    )


# --- resolve_view ------------------------------------------------------------------------------------


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=url_params())
def test_resolve_view_only_returns_known_values(data: CompanyData, params: dict) -> None:
    view = resolve(data, params)
    assert view.ticker == data.ticker
    assert view.period in (*data.periods(), None)
    assert view.metric in (*data.metrics(), None)
    if view.metric is None:
        assert view.basis is None
    else:
        assert view.basis in (data.bases(view.metric) or [None])
    # the validated view reopens itself without notices
    again = resolve(data, view.params())
    assert (again.ticker, again.period, again.metric, again.basis, again.notices) == (
        view.ticker,
        view.period,
        view.metric,
        view.basis,
        [],
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=url_params())
def test_notices_never_echo_the_raw_value(data: CompanyData, params: dict) -> None:
    view = resolve(data, params)
    allowed = possible_notices(data)
    for notice in view.notices:
        assert notice in allowed, notice
    everything_allowed = " ".join(allowed)
    for name in PARAMS:
        raw = urlstate.raw_value(params, name)
        if raw and raw not in everything_allowed:
            assert not any(raw in n for n in view.notices)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(PARAMS), raw=hostile_text())
def test_a_rejected_value_falls_back_to_the_default(data: CompanyData, name: str, raw: str) -> None:
    params = {name: raw}
    if name == "basis":
        params["metric"] = "gross_margin"
    view = resolve(data, params)
    known = {
        "ticker": [data.ticker],
        "period": data.periods(),
        "metric": data.metrics(),
        "basis": [b or "none" for b in data.bases("gross_margin")],
    }[name]
    if raw in known or raw == "":
        return
    assert len(view.notices) == 1
    assert view.ticker == data.ticker
    assert view.period == data.latest_quarter()
    if name == "metric":
        assert view.metric is None
    if name == "basis":
        assert view.basis == "non_gaap"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(PARAMS), values=st.lists(st.one_of(hostile_text(), known_value()), min_size=1, max_size=5))
def test_repeated_keys_use_the_last_value(data: CompanyData, name: str, values: list[str]) -> None:
    """?period=a&period=b: the last one counts, exactly as if it came alone."""
    extra = {"metric": "gross_margin"} if name == "basis" else {}
    as_list = resolve(data, {name: values, **extra})
    alone = resolve(data, {name: values[-1], **extra})
    assert (as_list.ticker, as_list.period, as_list.metric, as_list.basis, as_list.notices) == (
        alone.ticker,
        alone.period,
        alone.metric,
        alone.basis,
        alone.notices,
    )


@given(params=url_params())
def test_resolve_view_with_no_data_never_raises(params: dict) -> None:
    view = urlstate.resolve_view(params, [], lambda t: [], lambda t: [], lambda t, m: [], lambda t: None)
    assert (view.ticker, view.period, view.metric, view.basis) == ("", None, None, None)


@given(raw=st.one_of(st.none(), hostile_text()), allowed=st.lists(st.text(max_size=8), max_size=5))
def test_choose_returns_an_allowed_value_or_the_default(raw, allowed: list[str]) -> None:
    c = urlstate.choose(raw, allowed, "DEFAULT", "thing")
    assert c.value in (*allowed, "DEFAULT")
    if c.notice:
        assert c.value == "DEFAULT"
        assert (
            raw not in c.notice or raw in "The link's thing is not one this dashboard knows; showing DEFAULT instead."
        )


# --- the pages, through AppTest ------------------------------------------------------------------------


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


@pytest.fixture(scope="module")
def pages(db: Path) -> Iterator[dict[str, AppTest]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(db))
        before = st_config.get_option("client.showErrorDetails")
        st_config.set_option("client.showErrorDetails", "full")
        try:
            apps = {}
            for page_id in ("overview", "revenue"):
                at = dashboard_app()
                if page_id != "overview":
                    at.switch_page(components.PAGES[page_id][0])
                apps[page_id] = at.run()
            yield apps
        finally:
            st_config.set_option("client.showErrorDetails", before)


def marked_hostile() -> st.SearchStrategy[str]:
    """Hostile values that cannot occur on the page by chance (each contains a hostile fragment)."""
    fragments = [h for h in HOSTILE if len(h) >= 4 and h not in ("None", "null", "2024Q9", "2024q4", "REVENUE")]
    return st.builds(lambda a, b, c: a + b + c, st.text(max_size=10), st.sampled_from(fragments), st.text(max_size=10))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    page_id=st.sampled_from(["overview", "revenue"]),
    params=st.dictionaries(st.sampled_from(PARAMS), st.one_of(marked_hostile(), known_value()), min_size=1),
)
def test_pages_survive_hostile_urls(pages: dict[str, AppTest], page_id: str, params: dict[str, str]) -> None:
    at = pages[page_id]
    at.query_params.clear()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert [e.message for e in at.exception] == []
    assert not at.error
    shown = []
    for kind in ("title", "markdown", "caption", "info", "warning"):
        shown += [str(e.value) for e in getattr(at, kind)]
    shown += [_unescape(t) for t in shown]
    hostile = [v for v in params.values() if len(v) >= 4 and v not in ("ALAB", "2023Q4", "2024Q3", "2024Q4", "2024FY")]
    for raw in hostile:
        if raw in ("revenue", "gross_margin", "2025Q1"):
            continue
        assert not any(raw in t for t in shown), f"{raw[:60]!r} echoed on the page"
    if any(
        v not in ("ALAB", "2023Q4", "2024Q3", "2024Q4", "2024FY", "2025Q1", "revenue", "gross_margin")
        for v in params.values()
    ):
        assert any("The link" in _unescape(i.value) for i in at.info), "a notice says the link was not understood"
