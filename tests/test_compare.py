"""Compare and Companies: several companies on the same calendar quarter, and the list of every company.

The bundled data holds ALAB (documents, fiscal year = calendar year) and MRVL (SEC filings, fiscal year ending
late January/early February): MRVL's Q4 FY2025 ended 1 Feb 2025 and stands on calendar Q4 2024 beside ALAB's
Q4 2024. Every figure asserted here is read from the database the page reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from earnings.model import companies, compare, fmt
from earnings.read import queries
from earnings.ui import components
from tests.conftest import open_page, read_company, unescape

pytestmark = pytest.mark.usefixtures("full_error_details")  # real exception messages


@pytest.fixture
def app(bundled_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EARNINGS_DB", str(bundled_db))
    return bundled_db


def problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [f"error: {e.value}" for e in at.error]


# --- the model: alignment, the table, the series ---------------------------------------------------------


def test_a_january_fiscal_year_stands_on_the_calendar_quarter_it_overlaps_most(bundled_db: Path) -> None:
    mrvl, alab = read_company(bundled_db, "MRVL"), read_company(bundled_db, "ALAB")
    assert mrvl.fiscal_label("2025Q4") == "Q4 FY2025, ended 1 Feb 2025"
    assert mrvl.calendar_period("2025Q4") == "2024Q4"
    assert compare.fiscal_by_calendar(mrvl)["2024Q4"] == "2025Q4"
    assert compare.fiscal_by_calendar(alab)["2024Q4"] == "2024Q4"
    # a fiscal quarter that is not the calendar one is never named like one
    assert mrvl.period_label("2025Q4") == "Q4 FY2025"
    assert alab.period_label("2024Q4") == "Q4 2024"
    # the latest calendar quarter both have reported
    assert compare.default_quarter([alab, mrvl]) == "2024Q4"
    assert compare.default_quarter([mrvl]) == mrvl.calendar_period(max(mrvl.quarters()))


def test_the_table_row_by_row_matches_the_database(bundled_db: Path) -> None:
    mrvl, alab = read_company(bundled_db, "MRVL"), read_company(bundled_db, "ALAB")
    rows = compare.table([alab, mrvl], "2024Q4")
    assert [(r.ticker, r.period, r.fiscal) for r in rows] == [
        ("ALAB", "2024Q4", "Q4 FY2024, ended 31 Dec 2024"),
        ("MRVL", "2025Q4", "Q4 FY2025, ended 1 Feb 2025"),
    ]
    for r, data in zip(rows, (alab, mrvl)):
        for column, (metric, basis) in compare.FIGURES.items():
            cell = r.cells[column]
            assert cell.value == data.value(r.period, metric, basis), (r.ticker, column)
            if cell.value is None:
                assert cell.text == fmt.MISSING and cell.why, (r.ticker, column)
    m = rows[1].cells
    assert m["Revenue"].value == pytest.approx(1817.4)
    assert m["Revenue"].why.startswith("derived: "), "a filing's Q4 is the year less nine months"
    yoy = 1817.4 / mrvl.value("2024Q4", "revenue") * 100 - 100
    assert m["Revenue y/y (derived)"].value == pytest.approx(yoy)
    assert m["Revenue y/y (derived)"].why == "derived: Q4 FY2025 vs Q4 FY2024"
    assert m["Gross margin (non-GAAP)"].text == fmt.MISSING, "filings have no non-GAAP figures"
    assert m["Diluted EPS (GAAP)"].text == fmt.MISSING, "EPS is never derived"
    assert m["R&D % of revenue (derived)"].value == pytest.approx(
        mrvl.value("2025Q4", "opex_rd", "gaap") / 1817.4 * 100
    )
    a = rows[0].cells
    assert a["Revenue"].value == pytest.approx(141.096)
    assert a["Revenue vs guidance"].text.startswith("above the range")


def test_growth_is_never_taken_across_a_gap(bundled_db: Path) -> None:
    alab = read_company(bundled_db, "ALAB")
    assert alab.value("2024Q2", "revenue") is None and alab.value("2024Q3", "revenue") is not None
    cell = compare.table([alab], "2024Q3")[0].cells["Revenue q/q (derived)"]
    assert cell.text == fmt.MISSING and cell.value is None
    assert cell.why == "no revenue for Q2 FY2024 in the sources: growth is never taken across a gap"
    series = compare.series(alab, compare.chart_quarters("2024Q4"), compare.revenue_growth_yoy)
    assert set(series.values) == {"2024Q4"}, "y/y only where the quarter a year before is in the sources"


def test_a_calendar_quarter_a_company_has_no_quarter_on(bundled_db: Path) -> None:
    mrvl, alab = read_company(bundled_db, "MRVL"), read_company(bundled_db, "ALAB")
    rows = compare.table([alab, mrvl], "2021Q1")
    assert rows[0].period is None and rows[0].fiscal.startswith("no quarter on Q1 2021 (calendar)")
    assert all(c.text == fmt.MISSING for c in rows[0].cells.values())
    reasons = compare.missing_reasons(rows)
    assert reasons[0].startswith("ALAB: Revenue, Revenue q/q (derived),")
    assert reasons[0].endswith(": no quarter of this company on this calendar quarter")


def test_frames_sort_by_the_numbers_and_show_the_texts(bundled_db: Path) -> None:
    mrvl, alab = read_company(bundled_db, "MRVL"), read_company(bundled_db, "ALAB")
    values, texts = compare.frames(compare.table([alab, mrvl], "2024Q4"))
    assert str(values["Revenue"].dtype) == "Float64"
    assert values.sort_values("Revenue", ascending=False)["Company"].tolist() == ["MRVL", "ALAB"]
    assert pd.isna(values.loc[1, "Gross margin (non-GAAP)"]), "missing stays missing, never 0"
    assert texts.loc[1, "Revenue"] == "$1,817.4M"
    assert texts.loc[1, "Gross margin (non-GAAP)"] == fmt.MISSING


def test_indexed_revenue_is_100_at_the_first_quarter_all_share(bundled_db: Path) -> None:
    mrvl, alab = read_company(bundled_db, "MRVL"), read_company(bundled_db, "ALAB")
    series, base = compare.indexed_revenue([alab, mrvl], compare.chart_quarters("2024Q4"))
    assert base == "2023Q4", "the first calendar quarter both companies have revenue for"
    for s, data in zip(series, (alab, mrvl)):
        assert s.values["2023Q4"] == 100
        first = data.value(s.fiscal["2023Q4"], "revenue")
        assert s.values["2024Q4"] == pytest.approx(data.value(s.fiscal["2024Q4"], "revenue") / first * 100)
        assert s.derived == set(s.values), "every indexed point is derived"
    assert "2024Q1" not in series[0].values, "ALAB's missing quarter stays a gap"
    assert compare.indexed_revenue([alab, mrvl], compare.chart_quarters("2022Q4")) == ([], None)


# --- the Companies model ------------------------------------------------------------------------------------


def listing(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Ticker": [f"T{i:04d}" for i in range(n)],
            "Company": [f"Company number {i}" for i in range(n)],
        }
    )


def test_the_company_list_of_the_bundled_data(bundled_db: Path) -> None:
    con = queries.connect(str(bundled_db))
    try:
        table = companies.listing(queries.company_list(con))
    finally:
        con.close()
    rows = {r["Ticker"]: r for r in table.to_dict("records")}
    assert set(rows) == {"ALAB", "MRVL"}
    mrvl = read_company(bundled_db, "MRVL")
    latest = max(mrvl.quarters(), key=lambda p: (p[:4], p[4:]))
    assert rows["MRVL"]["Fiscal year ends"] == "January"
    assert rows["MRVL"]["Latest quarter"] == f"Q{latest[-1]} FY{latest[:4]}"
    assert rows["MRVL"]["Calendar quarter"] == f"Q{mrvl.calendar_period(latest)[-1]} {mrvl.calendar_period(latest)[:4]}"
    assert rows["MRVL"]["Quarters"] == len(mrvl.quarters())
    assert rows["MRVL"]["From"] == "filings"
    assert rows["ALAB"]["From"] == "documents"
    assert rows["ALAB"]["Fiscal year ends"] == "December"


def test_search_and_pages() -> None:
    table = listing(120)
    assert len(companies.search(table, "")) == 120
    assert companies.search(table, "t0007")["Ticker"].tolist() == ["T0007"]
    assert companies.search(table, "number 11")["Ticker"].tolist() == ["T0011", *[f"T{i:04d}" for i in range(110, 120)]]
    assert companies.search(table, "(.*[").empty, "a query is text, never a pattern"
    page, notice = companies.page(table, "2")
    assert (page.number, page.pages, notice) == (2, 3, None)
    assert page.rows["Ticker"].tolist() == [f"T{i:04d}" for i in range(50, 100)]
    assert page.line(120) == "Page 2 of 3 · companies 51–100 of 120"
    last, _ = companies.page(table, "3")
    assert len(last.rows) == 20


@pytest.mark.parametrize("raw", ["0", "4", "-1", "abc", "٣", "9" * 40, "<script>", " 2"])
def test_a_page_number_that_is_not_a_page(raw: str) -> None:
    page, notice = companies.page(listing(120), raw)
    assert page.number == 1 and len(page.rows) == companies.PAGE_SIZE
    assert notice == "The link's page number is not a page of this list; showing the first page."


def test_links_to_each_company_and_to_compare_it() -> None:
    rows = pd.DataFrame({"Ticker": ["ALAB", "BRK.B", "A&B"], "Company": ["x", "y", "z"]})
    out = companies.with_links(rows, "ALAB")
    assert out["Pages"].tolist() == ["./?ticker=ALAB", "./?ticker=BRK.B", "./?ticker=A%26B"]
    assert out["Compare"].tolist() == [
        "./compare?tickers=ALAB&ticker=ALAB",
        "./compare?tickers=ALAB%2CBRK.B&ticker=BRK.B",
        "./compare?tickers=ALAB%2CA%26B&ticker=A%26B",
    ]


# --- the pages ----------------------------------------------------------------------------------------------


def table_of(at: AppTest) -> pd.DataFrame:
    (frame,) = [d.value for d in at.dataframe]
    return frame


def test_compare_shows_both_companies_on_a_shared_quarter(app: Path) -> None:
    at = open_page("compare", {"tickers": "ALAB,MRVL", "quarter": "2024Q4"})
    assert problems(at) == []
    assert unescape(at.title[0].value) == "Compare"
    assert unescape(at.caption[0].value) == compare.ALIGNMENT
    assert "Q4 2024 (calendar): each company's own quarter" in [unescape(s.value) for s in at.subheader]
    frame = table_of(at).set_index("Company")
    mrvl, alab = read_company(app, "MRVL"), read_company(app, "ALAB")
    assert frame.loc["MRVL", "Fiscal quarter"] == "Q4 FY2025, ended 1 Feb 2025"
    assert frame.loc["ALAB", "Fiscal quarter"] == "Q4 FY2024, ended 31 Dec 2024"
    for ticker, data, period in (("ALAB", alab, "2024Q4"), ("MRVL", mrvl, "2025Q4")):
        for column, (metric, basis) in compare.FIGURES.items():
            shown, held = frame.loc[ticker, column], data.value(period, metric, basis)
            assert (pd.isna(shown) and held is None) or shown == pytest.approx(held), (ticker, column)
    # the reasons for every "—"
    expander = [e for e in at.expander if e.label.startswith("Why ")]
    assert expander and "MRVL: Diluted EPS (GAAP): no Diluted EPS (GAAP) for Q4 FY2025 in the sources" in [
        t.value for t in expander[0].text
    ]
    # the charts: one line per company, each point its company's own fiscal quarter
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    assert len(charts) == 4
    for spec in charts.values():
        assert [t["customdata"][-1][0] for t in spec["data"]] == ["ALAB", "MRVL"]
    growth = next(s for s in charts.values() if "growth" in s["layout"]["title"]["text"])
    mrvl_line = growth["data"][1]
    i = mrvl_line["x"].index("Q4 2024")
    assert mrvl_line["customdata"][i][:3] == ["MRVL", "2025Q4", "revenue"]
    assert "Q4 FY2025, ended 1 Feb 2025 (derived)" in mrvl_line["hovertext"][i]
    # links to each company's own pages (relative: they hold under any base path)
    assert frame.loc["MRVL", "Pages"] == "./?ticker=MRVL" and frame.loc["ALAB", "Pages"] == "./?ticker=ALAB"


def test_default_companies_are_the_peers_and_the_quarter_most_reported(app: Path) -> None:
    at = open_page("compare")
    assert problems(at) == []
    assert table_of(at)["Company"].tolist() == ["ALAB", "MRVL"], "ALAB's peers come from data/peers.csv"
    assert at.selectbox(key="compare_quarter").value == "2024Q4"
    # the sidebar of every company's pages links to it
    links = {e.proto.label: e.proto.query_string for e in at.sidebar.get("page_link")}
    assert "Compare with peers" in links and "Companies" in links


def test_a_cell_of_mrvl_drills_into_its_filing(app: Path) -> None:
    """The URL a click on MRVL's revenue cell writes: MRVL's drill-down, named by its fiscal quarter, with
    the filing."""
    at = open_page(
        "compare",
        {"tickers": "ALAB,MRVL", "quarter": "2024Q4", "ticker": "MRVL", "period": "2025Q4", "metric": "revenue"},
    )
    assert problems(at) == []
    texts = [unescape(m.value) for m in at.markdown]
    assert "#### MRVL · Revenue · Q4 FY2025, ended 1 Feb 2025" in texts
    assert "## $1,817.4M" in texts
    assert any(t.startswith("y/y vs Q4 FY2024: +27.4%") for t in texts)
    (button,) = at.get("link_button")
    assert button.proto.label == "The filing on sec.gov"
    assert button.proto.url.startswith("https://www.sec.gov/Archives/edgar/data/1835632/")


@pytest.mark.parametrize(
    "raw",
    ["<script>alert(1)</script>", "ALAB,ALAB,,MRVL", "mrvl", ",,,", "A" * 5000, "ALAB,💥,MRVL", "ALAB%2CMRVL"],
)
def test_hostile_tickers_never_raise(app: Path, raw: str) -> None:
    at = open_page("compare", {"tickers": raw, "quarter": "1999Q9"})
    assert problems(at) == []
    shown = table_of(at)["Company"].tolist()
    assert shown and set(shown) <= {"ALAB", "MRVL"} and len(shown) == len(set(shown))
    for notice in at.info:
        assert "script" not in notice.value and "💥" not in notice.value and "AAAA" not in notice.value


def test_companies_page_lists_searches_and_links(app: Path) -> None:
    at = open_page("companies")
    assert problems(at) == []
    frame = table_of(at)
    assert frame["Ticker"].tolist() == ["ALAB", "MRVL"]
    assert frame.set_index("Ticker").loc["MRVL", "Compare"] == "./compare?tickers=ALAB%2CMRVL&ticker=MRVL"
    at.text_input(key="companies_q").input("marv").run()
    assert problems(at) == []
    assert at.query_params["q"] == "marv"
    assert table_of(at)["Ticker"].tolist() == ["MRVL"]


def test_companies_page_with_a_hostile_link(app: Path) -> None:
    at = open_page("companies", {"q": "<b>" + "x" * 500, "page": "-3"})
    assert problems(at) == []
    assert [unescape(i.value) for i in at.info] == [
        "The link's page number is not a page of this list; showing the first page.",
        "No company's ticker or name contains that.",
    ]


def test_every_number_column_has_the_one_number_format() -> None:
    from earnings.contract import vocab
    from earnings.ui import several

    assert set(fmt.PRINTF) == set(vocab.UNITS), "a unit without its printf format would fail the page"
    numbers = [c for c in compare.COLUMNS if c not in compare.TEXT_COLUMNS]
    assert {c: several.number_format(c) for c in numbers} == {
        "Revenue": "$%,.1fM",
        "Revenue q/q (derived)": "%+.1f%%",
        "Revenue y/y (derived)": "%+.1f%%",
        "Gross margin (GAAP)": "%,.1f%%",
        "Gross margin (non-GAAP)": "%,.1f%%",
        "Operating margin (GAAP)": "%,.1f%%",
        "Operating margin (non-GAAP)": "%,.1f%%",
        "R&D % of revenue (derived)": "%,.1f%%",
        "Net income (GAAP)": "$%,.1fM",
        "Diluted EPS (GAAP)": "$%,.2f",
    }


@pytest.mark.parametrize("page_id", list(components.PAGES))
def test_mrvl_from_its_filings_on_every_page(app: Path, page_id: str) -> None:
    """The bundled peer opens on every page: named by its fiscal quarters, no error, nothing of ALAB's."""
    at = open_page(page_id, {"ticker": "MRVL"})
    assert problems(at) == []
    assert not [i.value for i in at.info if "The link" in unescape(i.value)]
    heading = unescape(at.title[0].value)
    if page_id in components.SEVERAL:
        assert heading == components.PAGES[page_id][1]
    else:
        assert heading.startswith(f"{components.PAGES[page_id][1]} · MRVL")
        if page_id not in ("commentary", "data"):
            assert heading.endswith("Q1 FY2027"), "the latest quarter, named as Marvell names it"
    assert "### MRVL · MARVELL TECHNOLOGY, INC" in [unescape(m.value) for m in at.sidebar.markdown]
