"""AppTest of the Commentary and Data pages: filters from the URL, widgets back into the URL, hostile links,
the theme tracker, the data page's provenance and downloads.

The app reads a database built from data/ into a temporary folder (EARNINGS_DB).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import dashboard_app, read_company
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.contract import periods
from earnings.model import commentary as cv
from earnings.read import bundle, queries
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
COMMENTARY = "pages/commentary.py"
DATA = "pages/data.py"
HOSTILE = {
    "kind": "<script>alert(1)</script>",
    "q": "<b>" + "x" * 5000,
    "speaker": "' or 1=1--",
    "topic": "$x$",
    "theme_topic": "nonsense[link](javascript:alert(1))",
}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def all_text(at: AppTest) -> list[str]:
    out: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "code"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out + [unescape(t) for t in out]


def notices(at: AppTest) -> list[str]:
    return [unescape(i.value) for i in at.info if "The link" in unescape(i.value)]


def count_line(at: AppTest) -> str:
    found = [unescape(m.value) for m in at.markdown if re.fullmatch(r"\*\*\d+ of \d+ items?\*\*", unescape(m.value))]
    assert len(found) == 1, "one count line"
    return found[0].strip("*")


def item_headings(at: AppTest) -> list[str]:
    """The first line of every item shown ("**Quote · CEO** · Outlook · Q4 2024", "**Theme** · …")."""
    kinds = "|".join(re.escape(label) for label in cv.KIND_LABELS.values())
    return [unescape(m.value) for m in at.markdown if re.match(rf"\*\*({kinds})( · [^*]+)?\*\* · ", unescape(m.value))]


def ok(at: AppTest) -> None:
    assert [e.message for e in at.exception] == []
    assert [e.value for e in at.error] == []


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("pages") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(db))
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
def page(app_db: Path) -> Callable[..., AppTest]:
    """``page(file, params)``: a fresh AppTest of that page with exactly these query parameters."""

    def run(file: str, params: dict | None = None) -> AppTest:
        at = dashboard_app()
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.run()
        at.switch_page(file).run()
        return at

    return run


def expected(known: bundle.CompanyData, **filters) -> list[dict]:
    return cv.filter_items(cv.items(known), cv.Filters(**filters))


# --- commentary: filters from the URL ---------------------------------------------------------------------


def test_drilldown_link_shows_the_metric_and_period(page, known) -> None:
    at = page(COMMENTARY, {"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"})
    ok(at)
    assert notices(at) == []
    want = expected(known, metric="revenue", period="2024Q4")
    total = len(cv.items(known))
    assert 0 < len(want) < total
    assert count_line(at) == f"{len(want)} of {total} items"
    headings = every_page(page, {"ticker": "ALAB", "period": "2024Q4", "metric": "revenue"})
    assert len(headings) == len(want)
    assert len(item_headings(at)) == min(len(want), cv.PAGE_SIZE)
    assert all(h.endswith("· Q4 2024") for h in headings), "every item is from the period"
    assert all("revenue" in r["metrics"] for r in want), "every item shown names the metric"
    assert headings[0].startswith("**Quote"), "quotes first"
    assert at.selectbox(key="commentary_metric").value == "revenue"
    assert at.selectbox(key="commentary_period").value == "2024Q4"
    sources = [c for c in at.caption if unescape(c.value).startswith("Source: ")]
    assert len(sources) >= len(item_headings(at)), "every item shows its source"


def test_without_a_period_in_the_url_every_period_is_shown(page, known) -> None:
    at = page(COMMENTARY)
    ok(at)
    total = len(cv.items(known))
    assert count_line(at) == f"{total} of {total} items"
    assert at.selectbox(key="commentary_period").value == ""
    periods = {h.rsplit("· ", 1)[1] for h in every_page(page, {})}
    assert {"Q2 2024", "Q3 2024", "Q4 2024", "FY 2024"} <= periods


# --- commentary: a page of items at a time -------------------------------------------------------------------


def every_page(page, params: dict) -> list[str]:
    """The item headings of every page of the list, opened by link (``page=N``) in turn."""
    first = page(COMMENTARY, params)
    total = int(count_line(first).split(" of ")[0])
    headings = item_headings(first)
    for n in range(2, -(-total // cv.PAGE_SIZE) + 1):
        at = page(COMMENTARY, {**params, "page": str(n)})
        ok(at)
        assert notices(at) == []
        headings += item_headings(at)
    assert len(headings) == total, "the pages together show every item once"
    return headings


def pager_line(at: AppTest) -> str:
    return next(unescape(c.value) for c in at.caption if unescape(c.value).startswith("Page "))


def test_the_list_is_shown_a_page_at_a_time_and_the_page_is_in_the_url(page, known) -> None:
    rows = cv.items(known)
    assert len(rows) > 2 * cv.PAGE_SIZE, "the bundled data fills three pages"
    flat = [r for _, group in cv.grouped(rows) for r in group]
    at = page(COMMENTARY)
    ok(at)
    assert pager_line(at) == f"Page 1 of 3 · items 1–{cv.PAGE_SIZE} of {len(rows)}"
    assert len(item_headings(at)) == cv.PAGE_SIZE
    assert at.button(key="commentary_prev_top").disabled

    at.button(key="commentary_next_top").click().run()
    ok(at)
    assert at.query_params["page"] == "2"
    second = item_headings(at)
    assert len(second) == cv.PAGE_SIZE
    assert second[0].endswith(periods.label(flat[cv.PAGE_SIZE]["period"]))
    assert page(COMMENTARY, {"page": "2"}).markdown.values == at.markdown.values, "the link reopens the same page"

    at.button(key="commentary_next_bottom").click().run()
    assert at.query_params["page"] == "3"
    assert len(item_headings(at)) == len(rows) - 2 * cv.PAGE_SIZE
    assert at.button(key="commentary_next_top").disabled

    at.button(key="commentary_prev_top").click().run()
    at.button(key="commentary_prev_top").click().run()
    assert "page" not in at.query_params, "page 1 is the default: no parameter"

    at.button(key="commentary_next_top").click().run()
    at.selectbox(key="commentary_kind").select("qa").run()
    ok(at)
    assert "page" not in at.query_params, "another filter starts at the first page"


@pytest.mark.parametrize("raw", ["0", "9", "x", "<b>1</b>"])
def test_a_page_that_does_not_exist_shows_the_first_with_a_notice(page, raw) -> None:
    at = page(COMMENTARY, {"page": raw})
    ok(at)
    assert len(notices(at)) == 1 and "showing the first page" in notices(at)[0]
    assert pager_line(at).startswith("Page 1 of ")
    assert raw not in notices(at)[0], "the notice does not repeat the link's value"


def test_fiscal_year_takes_its_quarters(page, known) -> None:
    at = page(COMMENTARY, {"period": "2024FY", "metric": "revenue"})
    ok(at)
    assert notices(at) == []
    want = expected(known, metric="revenue", period="2024FY")
    assert any(r["period"] == "2024FY" for r in want) and any(r["period"] == "2024Q4" for r in want)
    assert count_line(at).startswith(f"{len(want)} of ")


def test_kind_speaker_topic_and_search_from_the_url(page, known) -> None:
    at = page(COMMENTARY, {"kind": "quote"})
    ok(at)
    heads = item_headings(at)
    assert len(heads) == len(expected(known, kind="quote")) == 3
    assert all(h.startswith("**Quote · ") for h in heads)

    at = page(COMMENTARY, {"speaker": "CFO"})
    assert item_headings(at) == ["**Quote · CFO** · Results · Q4 2024"]

    at = page(COMMENTARY, {"topic": "Margins/mix"})
    heads = item_headings(at)
    assert len(heads) == 3 and all(h.startswith("**Theme** · Margins/mix") for h in heads)

    at = page(COMMENTARY, {"q": "scorpio"})
    want = expected(known, q="scorpio")
    assert len(want) > 3
    assert count_line(at).startswith(f"{len(want)} of ")
    assert at.text_input(key="commentary_q").value == "scorpio"


def test_a_filter_with_no_match_says_so(page) -> None:
    at = page(COMMENTARY, {"q": "no such words anywhere"})
    ok(at)
    assert count_line(at).startswith("0 of ")
    assert any("No commentary matches these filters" in i.value for i in at.info)
    assert item_headings(at) == []


def test_a_valid_period_without_commentary_is_kept_and_empty(page) -> None:
    at = page(COMMENTARY, {"period": "2025Q1"})
    ok(at)
    assert notices(at) == []
    assert at.selectbox(key="commentary_period").value == "2025Q1"
    assert count_line(at).startswith("0 of ")


# --- commentary: hostile links ---------------------------------------------------------------------------------


def test_hostile_parameters_fall_back_with_notices_and_no_echo(page, known) -> None:
    at = page(COMMENTARY, HOSTILE)
    ok(at)
    found = notices(at)
    assert len(found) == 5, found  # search cut, kind, speaker, topic, theme topic
    shown = all_text(at)
    for raw in ("<script>", "alert(1)", "1=1", "$x$", "nonsense", "x" * 20, "<b>"):
        assert not any(raw in t for t in shown), f"{raw!r} echoed"
    assert at.selectbox(key="commentary_kind").value == ""
    assert at.selectbox(key="commentary_speaker").value == ""
    assert at.selectbox(key="commentary_topic").value == ""
    assert len(at.text_input(key="commentary_q").value) == cv.MAX_QUERY


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "Quote"},
        {"kind": "x" * 5000},
        {"speaker": "ceo"},
        {"topic": "Mar"},
        {"theme_topic": "Margins/mix", "theme_period": "2030Q1"},
        {"theme_period": "2024Q4"},
        {"period": "<script>"},
    ],
)
def test_each_bad_value_gives_one_notice(page, params) -> None:
    at = page(COMMENTARY, params)
    ok(at)
    assert len(notices(at)) == 1


def test_a_bad_period_shows_the_period_the_notice_names(page) -> None:
    at = page(COMMENTARY, {"period": "2024Q9"})
    ok(at)
    assert any("showing Q4 2024 instead" in n for n in notices(at))
    assert at.selectbox(key="commentary_period").value == "2024Q4"


# --- commentary: widgets write the URL ---------------------------------------------------------------------------


def test_widgets_write_the_url_and_defaults_remove_it(page, known) -> None:
    at = page(COMMENTARY, {"metric": "gross_margin", "basis": "gaap"})
    at.selectbox(key="commentary_kind").select("qa").run()
    ok(at)
    assert at.query_params["kind"] == "qa"
    assert count_line(at).startswith(f"{len(expected(known, kind='qa', metric='gross_margin'))} of ")

    at.selectbox(key="commentary_metric").select("revenue").run()
    assert at.query_params["metric"] == "revenue"
    assert "basis" not in at.query_params, "the old metric's basis is dropped"

    at.text_input(key="commentary_q").input("Scorpio").run()
    assert at.query_params["q"] == "Scorpio"
    assert count_line(at).startswith(f"{len(expected(known, kind='qa', metric='revenue', q='Scorpio'))} of ")

    at.selectbox(key="commentary_kind").select("").run()
    assert "kind" not in at.query_params

    at.button(key="commentary_clear").click().run()
    ok(at)
    for name in ("q", "kind", "metric", "period"):
        assert name not in at.query_params
    total = len(cv.items(known))
    assert count_line(at) == f"{total} of {total} items"


# --- commentary: theme tracker -----------------------------------------------------------------------------------


def test_theme_tracker_grid(page, known) -> None:
    at = page(COMMENTARY)
    ok(at)
    grids = [d for d in at.dataframe if "Trend" in d.value.columns]
    assert len(grids) == 1
    frame = grids[0].value
    assert list(frame.columns) == ["Topic", "Q2 2024", "Q3 2024", "Q4 2024", "Trend"]
    assert len(frame) == known.themes["topic"].nunique()
    assert (frame == "—").any().any(), "empty cells read —"
    assert not frame.isna().any().any()


def test_theme_link_reopens_the_cell(page) -> None:
    at = page(COMMENTARY, {"theme_topic": "Margins/mix", "theme_period": "2024Q3"})
    ok(at)
    assert notices(at) == []
    md = [unescape(m.value) for m in at.markdown]
    assert "**Margins/mix** · Q3 2024" in md
    assert "Q3 non-GAAP GM 77.8% (better mix)" in [e.value for e in at.text], "the cell's text, as plain text"
    captions = [unescape(c.value) for c in at.caption]
    assert any(c.startswith("Source: Astera Labs") for c in captions)
    grid = next(d for d in at.dataframe if "Trend" in d.value.columns)
    assert '"cells": [[4, "Q3 2024"]]' in grid.proto.selection_default, "the cell is selected in the grid"


def test_theme_link_to_a_whole_topic(page) -> None:
    at = page(COMMENTARY, {"theme_topic": "UALink (industry standard)"})
    ok(at)
    md = [unescape(m.value) for m in at.markdown]
    assert "**UALink (industry standard)** · every quarter" in md
    assert "Q3 2024: Joined Board; promoting member" in [e.value for e in at.text], "each cell, as plain text"
    assert any(unescape(c.value) == "Trend: Early leadership; standard maturation" for c in at.caption)


def test_theme_link_to_an_empty_cell_says_so(page) -> None:
    at = page(COMMENTARY, {"theme_topic": "Supply chain/inventory", "theme_period": "2024Q2"})
    ok(at)
    assert notices(at) == []
    assert "Nothing in the sources on this topic for Q2 2024." in [unescape(m.value) for m in at.markdown]


# --- data page ---------------------------------------------------------------------------------------------------


def test_data_page(page, app_db) -> None:
    at = page(DATA)
    ok(at)
    con = queries.connect(str(app_db))
    try:
        meta = dict(con.execute("select key, value from meta").fetchall())
        checks = queries.checks(con, "ALAB")  # the company's and those of no company
        n_sources = len(bundle.company_data(con, "ALAB").sources)  # the page lists the company's own
    finally:
        con.close()
    shown = [unescape(m.value) for m in at.markdown]
    provenance = next(m for m in shown if m.startswith("**Database:**"))
    # a database outside the app is named by its file name only: no server paths shown to viewers
    assert f"**Database:** {app_db.name}" in provenance and str(app_db.parent) not in provenance
    assert meta["built_at"] in provenance and f"**Schema version:** {meta['schema_version']}" in provenance
    assert [t.value for t in at.text] == [meta["content_hash"]]
    assert "**Access:** open to anyone with the link (no sign-in configured)." in shown

    sources = next(d.value for d in at.dataframe if "publisher" in d.value.columns)
    assert len(sources) == n_sources
    assert list(sources.columns) == ["title", "publisher", "published_on", "file", "kind", "url"]
    assert "—" in set(sources["publisher"]) | set(sources["published_on"]), "missing shown as —"

    counts = checks["status"].value_counts()
    summary = f"{counts.get('fail', 0)} fail · {counts.get('warn', 0)} warn · {counts.get('skip', 0)} skip"
    assert any(m.startswith(summary) for m in shown)
    table = next(d.value for d in at.dataframe if "detail" in d.value.columns)
    assert list(table.columns) == ["check", "period", "status", "category", "detail"]  # a check named in words
    assert not any(":" in c and " " not in c for c in table["check"]), "no check id on the screen"
    assert len(table) == len(checks)
    order = {"fail": 0, "warn": 1, "skip": 2, "pass": 3}
    ranks = [order[s] for s in table["status"]]
    assert ranks == sorted(ranks), "failed and warned first"

    buttons = {b.key: b.proto for b in at.get("download_button")}
    tables_shown = {"csv_sources", "csv_checks"}  # every table on the page downloads as CSV too
    assert set(buttons) == {f"download_{t}" for t in queries.CONTRACT_TABLES} | {"download_briefing"} | tables_shown
    for t in queries.CONTRACT_TABLES:
        assert buttons[f"download_{t}"].label == f"{t}.csv"
