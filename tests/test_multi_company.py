"""Two companies in one database: the fictional ZFDX (tests/fixtures) beside ALAB.

The app reads a database built from a copy of data/ with both ZFDX summaries
ingested (EARNINGS_DB). Every page takes ``?ticker=ZFDX``; ALAB stays the
default and renders as it does alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from earnings.ui import components
from tests.conftest import open_page, unescape

PAGE_IDS = list(components.PAGES)
HEADINGS = {page_id: spec[1] for page_id, spec in components.PAGES.items()}
# pages whose title names the quarter in focus
QUARTER_PAGES = ("overview", "revenue", "margins", "opex", "guidance", "briefing")


pytestmark = pytest.mark.usefixtures("full_error_details")  # real exception messages


def problems(at: AppTest) -> list[str]:
    found = [f"exception: {e.message} {''.join(e.stack_trace)}" for e in at.exception]
    found += [f"error box: {e.value}" for e in at.error]
    return found


def title(at: AppTest) -> str:
    return unescape(at.title[0].value) if at.title else ""


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# lines of the Data page that describe the whole database (its file, build time, how many sources in all)
DATABASE_WIDE = re.compile(r"^(markdown: \*\*Database:\*\*|markdown: \d+ fail · |caption: \d+ source documents)")


def main_texts(at: AppTest) -> list[str]:
    """What the main area shows (the sidebar's build caption differs between databases)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "metric"):
        for e in at.main.get(kind):
            out.append(f"{kind}: {unescape(str(e.label if kind == 'metric' else e.value))}")
            if kind == "metric":
                out.append(f"metric value: {e.value}")
    return out


def sidebar_links(at: AppTest) -> dict[str, str]:
    return {e.proto.label: e.proto.query_string for e in at.sidebar.get("page_link")}


@pytest.fixture
def app_two(two_companies: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EARNINGS_DB", str(two_companies))
    return two_companies


def test_no_company_picker_with_one_company(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARNINGS_DB", str(built_db))
    at = open_page("overview")
    assert problems(at) == []
    assert [s.label for s in at.sidebar.selectbox] == ["Quarter in focus"]


def test_the_company_picker_with_two_companies(app_two: Path) -> None:
    at = open_page("overview")
    assert problems(at) == []
    pickers = {s.label: s for s in at.sidebar.selectbox}
    assert set(pickers) == {"Company", "Quarter in focus"}
    company = pickers["Company"]
    assert company.options == ["ALAB · Astera Labs, Inc.", "ZFDX · Zephyr Fictional Devices, Inc."]
    assert company.value == "ALAB"
    assert title(at) == "Overview · ALAB Q4 2024"

    # picking the other company puts it in the URL and drops the old quarter
    at.query_params["period"] = "2024Q3"
    at.run()
    at.sidebar.selectbox(key="url_ticker").set_value("ZFDX").run()
    assert problems(at) == []
    assert dict(at.query_params) == {"ticker": "ZFDX"}, "the old quarter is dropped"
    assert title(at) == "Overview · ZFDX Q2 2025"


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_every_page_shows_the_fictional_company(app_two: Path, page_id: str) -> None:
    at = open_page(page_id, {"ticker": "ZFDX", "period": "2025Q1"})
    assert problems(at) == []
    assert not [i.value for i in at.info if "The link" in unescape(i.value)]
    heading = title(at)
    if page_id in components.SEVERAL:
        assert heading == HEADINGS[page_id], "a page of several companies names none in its heading"
    else:
        assert "ZFDX" in heading and "ALAB" not in heading
    if page_id in QUARTER_PAGES:
        assert heading == f"{HEADINGS[page_id]} · ZFDX Q1 2025"
    shown = "\n".join(main_texts(at))
    shown += "\n".join(t.value.to_string() for t in [*at.dataframe, *at.table])  # the Data page too: its sources
    if page_id == "companies":  # the list of every company
        assert [d.value["Ticker"].tolist() for d in at.dataframe] == [["ALAB", "ZFDX"]]
    else:
        assert "Astera" not in shown and "ALAB" not in shown, "nothing of the other company"
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec).get("data", []):
            assert {cd[0] for cd in trace.get("customdata") or []} <= {"ZFDX"}, "chart points select ZFDX"
    if page_id in ("overview", "briefing"):
        assert metrics(at)["Revenue"] == "$22.0M"
        assert metrics(at)["Operating margin (non-GAAP)"] == "14.0%"
    # the sidebar names the company and its links keep it
    assert "### ZFDX · Zephyr Fictional Devices, Inc." in [unescape(m.value) for m in at.sidebar.markdown]
    links = sidebar_links(at)
    assert set(links) == {spec[1] for spec in components.PAGES.values()}
    assert all(q == "ticker=ZFDX&period=2025Q1" for q in links.values()), links


def test_the_revenue_drilldown_of_the_fictional_company(app_two: Path) -> None:
    at = open_page("revenue", {"ticker": "ZFDX", "period": "2025Q1", "metric": "revenue"})
    assert problems(at) == []
    markdown = [unescape(m.value) for m in at.markdown]
    captions = [unescape(c.value) for c in at.caption]
    assert "#### Revenue · Q1 2025" in markdown
    assert "## $22.0M" in markdown
    assert "> Revenue ($USD Millions)$12.500 $20.250 $22.000" in markdown
    assert "Source: Zephyr Fictional Devices, Inc. (ZFDX)·Q1 2025 Earnings Summary · Financial Results" in captions
    assert "q/q vs Q4 2024: +8.6% *(derived)*" in markdown
    assert any(m.startswith("Guided $20.5–21.5M") and "above the range" in m for m in markdown)
    assert "**What management said**" in markdown
    links = {e.proto.label: e.proto.query_string for e in at.get("page_link")}
    assert set(links["All commentary on Revenue in Q1 2025 →"].split("&")) == {
        "ticker=ZFDX",
        "period=2025Q1",
        "metric=revenue",
    }


def test_derived_growth_only_where_the_prior_quarter_exists(app_two: Path) -> None:
    at = open_page("revenue", {"ticker": "ZFDX"})
    assert problems(at) == []
    table = at.table[0].value
    growth = dict(zip(table["Quarter"], table["q/q (derived)"]))
    assert growth == {"Q1 2024": "—", "Q4 2024": "—", "Q1 2025": "+8.6%", "Q2 2025": "+12.5%"}
    assert dict(zip(table["Quarter"], table["y/y (derived)"]))["Q1 2025"] == "+76.0%"


def test_the_guidance_of_one_summary_is_scored_with_the_next(app_two: Path) -> None:
    at = open_page("overview", {"ticker": "ZFDX", "period": "2025Q2"})
    assert problems(at) == []
    card = at.table[0].value
    positions = {m: str(p).split()[-1] for m, p in zip(card["Metric"], card["Position"])}
    assert positions == {
        "Revenue": "above",
        "Gross margin (non-GAAP)": "within",
        "Operating expenses (non-GAAP)": "below",
        "Diluted EPS (non-GAAP)": "within",
    }
    assert dict(zip(card["Metric"], card["Actual"]))["Revenue"] == "$24.8M"


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_alab_pages_are_unchanged_by_a_second_company(built_db: Path, two_companies: Path, page_id: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(built_db))
        alone = open_page(page_id, {"ticker": "ALAB"})
        mp.setenv("EARNINGS_DB", str(two_companies))
        beside = open_page(page_id, {"ticker": "ALAB"})
        default = open_page(page_id)
    for at in (alone, beside, default):
        assert problems(at) == []

    def company_texts(at: AppTest) -> list[str]:
        return [t for t in main_texts(at) if not DATABASE_WIDE.match(t)]

    if page_id == "companies":  # the list of every company: one line more
        assert len(beside.dataframe[0].value) == len(alone.dataframe[0].value) + 1
        return
    assert company_texts(beside) == company_texts(alone)
    assert company_texts(default) == company_texts(alone), "ALAB is still the default company"
    if page_id not in components.SEVERAL:
        assert title(beside).split(" · ")[1].startswith("ALAB")


def test_an_unknown_ticker_falls_back_to_the_default_with_a_notice(app_two: Path) -> None:
    at = open_page("revenue", {"ticker": "ZZZZ", "metric": "revenue", "period": "2025Q1"})
    assert problems(at) == []
    notices = [unescape(i.value) for i in at.info]
    assert "The link's company is not one this dashboard knows; showing ALAB instead." in notices
    assert title(at) == "Revenue · ALAB Q4 2024"
    assert all(q.startswith("ticker=ALAB") for q in sidebar_links(at).values())
    assert not any("ZZZZ" in t for t in main_texts(at))
