"""The commentary page's logic: items, URL filters, search, grouping, the theme tracker grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import read_company

from earnings.model import commentary as cv
from earnings.model import fmt
from earnings.read import bundle


@pytest.fixture(scope="module")
def data(built_db: Path) -> bundle.CompanyData:
    return read_company(built_db)


@pytest.fixture(scope="module")
def rows(data) -> list[dict]:
    return cv.items(data)


def _company(commentary: list[dict], themes: list[dict]) -> bundle.CompanyData:
    """A small company with only commentary and themes."""
    c_cols = ["commentary_id", "period", "kind", "speaker", "role", "topic", "text", "metrics", "source_id", "section"]
    t_cols = ["topic", "period", "text", "trend", "metrics", "source_id", "note"]
    empty = pd.DataFrame(columns=["period", "metric", "basis", "value"])
    return bundle.CompanyData(
        ticker="TEST",
        name="Test Co",
        facts=empty,
        guidance=pd.DataFrame(columns=["metric", "basis", "target_period"]),
        targets=pd.DataFrame(),
        commentary=pd.DataFrame(commentary, columns=c_cols, dtype=object),
        themes=pd.DataFrame(themes, columns=t_cols, dtype=object),
        cross_checks=pd.DataFrame(),
    )


def _c(i: int, period: str, kind: str, text: str, metrics, speaker=None, topic="Results") -> dict:
    return {
        "commentary_id": f"c{i}",
        "period": period,
        "kind": kind,
        "speaker": speaker,
        "role": None,
        "topic": topic,
        "text": text,
        "metrics": metrics,
        "source_id": "src",
        "section": "Sec",
    }


SMALL = _company(
    [
        _c(1, "2024Q3", "summary", "Revenue rose", ["revenue"]),
        _c(2, "2024Q4", "quote", "We grew", np.array(["revenue", "gross_margin"], dtype=object), speaker="CEO"),
        _c(3, "2024FY", "summary", "A record year", "revenue;revenue_growth_yoy"),
        _c(4, "2024Q4", "summary", "Margins fell", None, topic="Margins"),
        _c(5, "2023Q4", "summary", "Last year", ["revenue"]),
    ],
    [
        {"topic": "Scorpio", "period": "2024Q3", "text": "Launch", "trend": None, "metrics": [], "source_id": "s"},
        {"topic": "Scorpio", "period": "2024Q4", "text": "Orders", "trend": "Accelerating", "metrics": ["revenue"]},
        {"topic": "UALink", "period": "2024Q4", "text": "Board seat", "trend": None, "metrics": None},
    ],
)


# --- items and options -------------------------------------------------------------------------


def test_items_hold_every_commentary_row_and_theme(data, rows) -> None:
    assert len(rows) == len(data.commentary) + len(data.themes)
    themes = [r for r in rows if r["kind"] == cv.THEME]
    assert len(themes) == len(data.themes)
    assert all(isinstance(r["metrics"], list) for r in rows)
    assert all(r["source_id"] for r in rows), "every item has its source"


def test_metrics_cells_of_any_shape_become_lists() -> None:
    by_id = {r["commentary_id"]: r["metrics"] for r in cv.items(SMALL)}
    assert by_id["c2"] == ["revenue", "gross_margin"]  # numpy array
    assert by_id["c3"] == ["revenue", "revenue_growth_yoy"]  # "a;b" text
    assert by_id["c4"] == []  # None


def test_options_are_what_the_data_holds(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), None, None)
    assert opts.kinds[-1] == cv.THEME
    assert set(opts.kinds) <= set(cv.KINDS)
    assert {"quote", "qa", "takeaway", "summary"} <= set(opts.kinds)
    assert opts.speakers == ["CEO", "CFO", "COO"]
    assert "Margins" in opts.topics and "Results" in opts.topics
    assert "Margins/mix" in opts.topic_groups["Margins"], "a near-duplicate topic is offered under the shorter one"
    assert "revenue" in opts.metrics
    # every metric the items speak of is offered, targets' metrics included
    assert "scorpio_revenue_share" in opts.metrics
    assert set(opts.metrics) <= set(data.metrics())
    assert opts.periods[0] == "2024FY" and "2024Q2" in opts.periods  # newest first, themes' quarters too


def test_options_offer_the_urls_metric_and_period_even_without_items(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), "interest_income", "2025Q1")
    assert "interest_income" in opts.metrics
    assert "2025Q1" in opts.periods


# --- filters from the URL ------------------------------------------------------------------------------


def test_valid_url_filters_are_used(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), "revenue", "2024Q4")
    f, notices = cv.resolve_filters(
        {"q": "Scorpio", "kind": "quote", "speaker": "CEO", "topic": "Outlook"}, opts, "revenue", "2024Q4"
    )
    assert notices == []
    assert (f.q, f.kind, f.speaker, f.topic, f.metric, f.period) == (
        "Scorpio",
        "quote",
        "CEO",
        "Outlook",
        "revenue",
        "2024Q4",
    )
    assert f.active()


@pytest.mark.parametrize(
    "name, raw",
    [
        ("kind", "<script>alert(1)</script>"),
        ("kind", "Quote"),
        ("speaker", "' or 1=1--"),
        ("topic", "$x$"),
        ("topic", "x" * 5000),
    ],
)
def test_invalid_url_filters_fall_back_to_all_with_a_notice_that_does_not_echo(data, rows, name, raw) -> None:
    opts = cv.options(rows, data.metrics(), None, None)
    f, notices = cv.resolve_filters({name: raw}, opts, None, None)
    assert getattr(f, name) is None
    assert len(notices) == 1
    assert raw not in notices[0]
    assert "all" in notices[0]
    assert not f.active()


def test_long_search_text_is_cut_with_a_notice(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), None, None)
    f, notices = cv.resolve_filters({"q": "<b>" + "a" * 5000}, opts, None, None)
    assert len(f.q) == cv.MAX_QUERY
    assert len(notices) == 1 and "a" * 20 not in notices[0] and "<b>" not in notices[0]


def test_a_repeated_parameter_uses_the_last_value(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), None, None)
    f, notices = cv.resolve_filters({"kind": ["nonsense", "qa"]}, opts, None, None)
    assert f.kind == "qa" and notices == []


def test_empty_parameters_mean_all(data, rows) -> None:
    opts = cv.options(rows, data.metrics(), None, None)
    f, notices = cv.resolve_filters({"q": "", "kind": "", "speaker": ""}, opts, None, None)
    assert notices == [] and not f.active()


# --- matching ------------------------------------------------------------------------------------------


def test_search_is_a_case_insensitive_substring_over_text_topic_speaker_and_trend() -> None:
    items = cv.items(SMALL)

    def ids(q: str) -> set[str]:
        return {r["commentary_id"] for r in cv.filter_items(items, cv.Filters(q=q))}

    assert ids("REVENUE ROSE") == {"c1"}
    assert ids("margins") == {"c4"}  # text and topic
    assert ids("ceo") == {"c2"}  # speaker
    assert ids("accelerat") == {"theme-2"}  # a theme's trend
    assert ids("  ") == {r["commentary_id"] for r in items}  # blank: everything
    assert ids("[x](y)") == set()


def test_metric_filter_keeps_only_items_that_name_the_metric(data, rows) -> None:
    shown = cv.filter_items(rows, cv.Filters(metric="gross_margin"))
    assert shown and all("gross_margin" in r["metrics"] for r in shown)


def test_a_fiscal_year_takes_its_quarters() -> None:
    items = cv.items(SMALL)
    ids = {r["commentary_id"] for r in cv.filter_items(items, cv.Filters(period="2024FY"))}
    assert ids == {"c1", "c2", "c3", "c4", "theme-1", "theme-2", "theme-3"}
    ids = {r["commentary_id"] for r in cv.filter_items(items, cv.Filters(period="2024Q4"))}
    assert ids == {"c2", "c4", "theme-2", "theme-3"}


def test_filters_combine(data, rows) -> None:
    f = cv.Filters(kind="quote", speaker="CFO", metric="revenue", period="2024Q4")
    shown = cv.filter_items(rows, f)
    assert len(shown) == 1 and shown[0]["speaker"] == "CFO"
    assert cv.filter_items(rows, cv.Filters(kind="theme", speaker="CEO")) == []


def test_groups_put_quotes_first_and_newest_first() -> None:
    groups = cv.grouped(cv.items(SMALL))
    assert [title for title, _ in groups] == ["Quotes", "Summary", "Themes"]
    summary = dict(groups)["Summary"]
    assert [r["commentary_id"] for r in summary] == ["c3", "c4", "c1", "c5"]


def test_count_line() -> None:
    assert cv.count_line(12, 43) == "12 of 43 items"
    assert cv.count_line(0, 1) == "0 of 1 item"


def test_period_option_label_says_a_year_takes_its_quarters() -> None:
    assert cv.period_option_label("2024FY") == "FY 2024 and its quarters"
    assert cv.period_option_label("2024Q4") == "Q4 2024"


def test_param_updates_delete_defaults_drop_a_stale_basis_and_go_back_to_page_one() -> None:
    assert cv.param_updates("kind", "") == {"kind": None, "page": None}
    assert cv.param_updates("kind", "qa") == {"kind": "qa", "page": None}
    assert cv.param_updates("metric", "revenue") == {"metric": "revenue", "basis": None, "page": None}


# --- theme tracker ----------------------------------------------------------------------------------


def test_theme_grid_has_topics_by_quarter_and_the_trend(data) -> None:
    grid = cv.theme_grid(data)
    assert list(grid.frame.columns) == ["Topic", "Q2 2024", "Q3 2024", "Q4 2024", "Trend"]
    assert grid.topics == list(dict.fromkeys(data.themes["topic"]))
    assert list(grid.frame["Topic"]) == grid.topics
    row = grid.frame.iloc[grid.topics.index("Margins/mix")]
    assert row["Q3 2024"] == "Q3 non-GAAP GM 77.8% (better mix)"
    assert row["Trend"] == "Down near term on modules; stable ~74% in 1H25"
    supply = grid.frame.iloc[grid.topics.index("Supply chain/inventory")]
    assert supply["Q2 2024"] == fmt.MISSING and supply["Q3 2024"] == fmt.MISSING, "empty cells are —, not blank"
    assert not grid.frame.isna().any().any()


def test_theme_grid_of_a_small_company() -> None:
    grid = cv.theme_grid(SMALL)
    assert grid.frame.to_dict("records") == [
        {"Topic": "Scorpio", "Q3 2024": "Launch", "Q4 2024": "Orders", "Trend": "Accelerating"},
        {"Topic": "UALink", "Q3 2024": fmt.MISSING, "Q4 2024": "Board seat", "Trend": fmt.MISSING},
    ]
    assert grid.cell("UALink", "2024Q4") == (1, "Q4 2024")
    assert grid.cell("Scorpio", None) == (0, "Trend")


def test_theme_grid_without_themes() -> None:
    grid = cv.theme_grid(_company([], []))
    assert grid.topics == [] and grid.frame.empty


@pytest.mark.parametrize(
    "cell, expected",
    [
        ((1, "Q4 2024"), ("UALink", "2024Q4")),
        ([0, "Q3 2024"], ("Scorpio", "2024Q3")),
        ((0, "Trend"), ("Scorpio", None)),
        ((1, "Topic"), ("UALink", None)),
        ((2, "Q4 2024"), None),
        ((-1, "Q4 2024"), None),
        (("0", "Q4 2024"), None),
        ((0, "Q1 2030"), None),
        ((0,), None),
        ("ab", None),
    ],
)
def test_cell_target(cell, expected) -> None:
    assert cv.cell_target(cv.theme_grid(SMALL), cell) == expected


def test_theme_updates() -> None:
    assert cv.theme_updates(("UALink", "2024Q4")) == {"theme_topic": "UALink", "theme_period": "2024Q4"}
    assert cv.theme_updates(("UALink", None)) == {"theme_topic": "UALink", "theme_period": None}
    assert cv.theme_updates(None) == {"theme_topic": None, "theme_period": None}


def test_resolve_theme() -> None:
    grid = cv.theme_grid(SMALL)
    assert cv.resolve_theme({}, grid) == (None, None, [])
    assert cv.resolve_theme({"theme_topic": "UALink", "theme_period": "2024Q4"}, grid) == ("UALink", "2024Q4", [])
    assert cv.resolve_theme({"theme_topic": "UALink"}, grid) == ("UALink", None, [])
    topic, period, notices = cv.resolve_theme({"theme_topic": "nonsense", "theme_period": "2024Q4"}, grid)
    assert (topic, period) == (None, None) and len(notices) == 1 and "nonsense" not in notices[0]
    topic, period, notices = cv.resolve_theme({"theme_topic": "UALink", "theme_period": "<i>x</i>"}, grid)
    assert (topic, period) == ("UALink", None) and len(notices) == 1 and "<i>" not in notices[0]
    topic, period, notices = cv.resolve_theme({"theme_period": "2024Q4"}, grid)
    assert (topic, period) == (None, None) and len(notices) == 1


def test_theme_cells() -> None:
    assert [c["text"] for c in cv.theme_cells(SMALL.themes, "Scorpio", None)] == ["Launch", "Orders"]
    assert [c["text"] for c in cv.theme_cells(SMALL.themes, "Scorpio", "2024Q4")] == ["Orders"]
    assert cv.theme_cells(SMALL.themes, "UALink", "2024Q3") == []


# --- pages of items ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "raw", "page", "start", "stop"),
    [
        (61, None, 1, 0, 25),
        (61, "1", 1, 0, 25),
        (61, "2", 2, 25, 50),
        (61, "3", 3, 50, 61),
        (50, "2", 2, 25, 50),
        (0, None, 1, 0, 0),
    ],
)
def test_paginate_valid_pages(n, raw, page, start, stop) -> None:
    pager, notice = cv.paginate(n, raw)
    assert notice is None
    assert (pager.page, pager.start, pager.stop) == (page, start, stop)
    assert pager.pages == max(1, -(-n // cv.PAGE_SIZE))


@pytest.mark.parametrize("raw", ["0", "4", "-1", "1.5", "abc", "", " 2", "２", "99999999999999999999", "<b>2</b>"])
def test_a_page_that_does_not_exist_gives_page_one_and_a_notice_that_does_not_echo(raw) -> None:
    pager, notice = cv.paginate(61, raw)
    assert (pager.page, pager.start, pager.stop) == (1, 0, 25)
    assert notice and "3 pages" in notice
    assert not raw.strip() or raw.strip() in ("2",) or raw.strip() not in notice, "the value is not repeated"


def test_pager_line_says_where_the_page_is() -> None:
    assert cv.paginate(61, "3")[0].line(61) == "Page 3 of 3 · items 51–61 of 61"
    assert cv.paginate(10, None)[0].line(10) == "", "one page needs no pager"


def test_page_groups_slice_the_grouped_order_and_mark_continued_groups() -> None:
    rows = [_row("quote", "2024Q4", str(i)) for i in range(30)] + [_row("qa", "2024Q4", f"q{i}") for i in range(30)]
    flat = [r for _, g in cv.grouped(rows) for r in g]
    seen = []
    for raw in ("1", "2", "3"):
        pager, _ = cv.paginate(len(rows), raw)
        groups = cv.page_groups(rows, pager)
        seen += [r for _, _, g, _ in groups for r in g]
        if raw == "2":
            assert [(t, size, len(g), cont) for t, size, g, cont in groups] == [
                ("Quotes", 30, 5, True),
                ("Q&A", 30, 20, False),
            ]
    assert seen == flat, "the pages together are every item once, in the page's order"


def _row(kind: str, period: str, text: str) -> dict:
    return {"kind": kind, "period": period, "text": text, "metrics": [], "speaker": None, "topic": None}
