"""Pages on a company with many quarters (a small synthetic database: 2 companies × 12 quarters, three
fiscal years, obviously fake): what grows with the quarters stays readable and in the URL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest

from benchmarks import scale
from earnings.model import commentary as cv
from earnings.read import bundle, queries
from earnings.render import charts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    result = scale.build_from_csv(scale.Size(companies=2, quarters=12), folder / "data", folder / "s.duckdb")
    assert [c.status for c in result.checks if c.status != "pass"] == []
    return folder / "s.duckdb"


def open_page(db: Path, monkeypatch: pytest.MonkeyPatch, page: str, params: dict) -> AppTest:
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = dashboard_app()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception and not at.error
    return at


@pytest.mark.parametrize(("period", "year"), [(None, 2024), ("2023Q2", 2023), ("2022Q1", 2022)])
def test_revenue_cards_show_the_fiscal_year_in_focus_and_a_table_every_year(db, monkeypatch, period, year) -> None:
    params = {"ticker": "ZZ0001", **({"period": period} if period else {})}
    at = open_page(db, monkeypatch, "pages/revenue.py", params)
    labels = [m.label for m in at.metric]
    assert f"Revenue FY {year} (reported)" in labels
    assert not [x for x in labels if re.match(r"Revenue FY \d{4}", x) and str(year) not in x], "one year of cards"
    years = next(t.value for t in at.table if "Fiscal year" in t.value.columns)
    assert list(years["Fiscal year"]) == ["FY 2024", "FY 2023", "FY 2022"], "newest first"
    con = queries.connect(str(db))
    try:
        data = bundle.company_data(con, "ZZ0001")
    finally:
        con.close()
    want = data.value("2023FY", "revenue")
    assert years.loc[years["Fiscal year"] == "FY 2023", "Revenue (reported)"].item() == f"${want:,.1f}M"


def test_commentary_of_many_quarters_is_paged(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "pages/commentary.py", {"ticker": "ZZ0001"})
    total = int(next(m.value for m in at.markdown if re.fullmatch(r"\*\*\d+ of \d+ items?\*\*", m.value)).split()[2])
    pages = -(-total // cv.PAGE_SIZE)
    assert pages > 1
    assert any(c.value.startswith(f"Page 1 of {pages} ") for c in at.caption)
    last = open_page(db, monkeypatch, "pages/commentary.py", {"ticker": "ZZ0001", "page": str(pages)})
    assert any(c.value.startswith(f"Page {pages} of {pages} ") for c in last.caption)
    assert not [i for i in last.info if "page" in i.value]


def test_the_data_page_lists_the_companys_sources_and_counts_all(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "pages/data.py", {"ticker": "ZZ0002"})
    sources = next(d.value for d in at.dataframe if "publisher" in d.value.columns)
    assert len(sources) == 12, "one synthetic source per quarter of ZZ0002"
    assert any(c.value == "12 source documents of ZZ0002; 24 in the database, every company's." for c in at.caption)


@pytest.mark.parametrize("name", ["revenue", "margins", "opex", "guidance"])
def test_a_chart_of_many_quarters_keeps_a_short_legend(db, name) -> None:
    """Guidance of every quarter is one trace, not one legend entry per quarter."""
    con = queries.connect(str(db))
    try:
        data = bundle.company_data(con, "ZZ0001")
    finally:
        con.close()
    fig = getattr(charts, name)(data)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert len(set(shown)) <= 8, shown
    every_point = [cd for t in fig.data for cd in (t.customdata or [])]
    assert {cd[1] for cd in every_point} >= set(data.quarters()[1:]), "every quarter is still clickable"


def test_the_guidance_chart_shows_eight_guided_quarters_around_the_focus(db, monkeypatch) -> None:
    con = queries.connect(str(db))
    try:
        data = bundle.company_data(con, "ZZ0001")
    finally:
        con.close()
    every = charts.guided_window(data, None, 0)
    assert len(every) > 8
    assert charts.guided_window(data, "2025Q1", 8) == every[-8:]
    assert charts.guided_window(data, "2024Q2", 8) == every[every.index("2024Q2") - 7 : every.index("2024Q2") + 1]
    upto = [p for p in every if p <= "2023Q2"]  # quarter ids sort as text
    assert charts.guided_window(data, "2023Q2", 8) == upto[-8:], "the eight up to it, nothing guided later"
    assert charts.guided_window(data, every[1], 8) == every[:2], "fewer than eight up to it: those"
    assert charts.guided_window(data, "2000Q1", 8) == [], "nothing up to it: nothing"
    fig = charts.guidance(data, upto="2023Q2", quarters=8)
    periods = {cd[1] for t in fig.data for cd in (t.customdata or [])}
    assert periods == set(charts.guided_window(data, "2023Q2", 8))

    # the quarter in focus and its outlook close the window; the scorecard has every one up to them
    at = open_page(db, monkeypatch, "pages/guidance.py", {"ticker": "ZZ0001", "period": "2024Q2"})
    window = charts.guided_window(data, "2024Q3", 8)
    assert len(window) == 8 and window[-1] == "2024Q3"
    assert any(c.value.startswith(f"The 8 guided quarters {window[0][4:]} {window[0][:4]}") for c in at.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {cd[1] for t in spec["data"] for cd in t.get("customdata") or []} == set(window)
