"""Ready for several companies: a list of tickers in the URL, several companies' figures aligned on their
periods in one read, and figures built from a company's data (not from a ticker and a lookup)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earnings.model import urlstate
from earnings.read import bundle, queries
from earnings.render import charts

KNOWN = ["ALAB", "ZFDX", "BRK.B", "RDS-A"]


def test_tickers_keep_the_links_order_each_once() -> None:
    assert urlstate.resolve_tickers("ZFDX,ALAB,zfdx", KNOWN) == (["ZFDX", "ALAB"], [])
    assert urlstate.resolve_tickers(" BRK.B , RDS-A ", KNOWN) == (["BRK.B", "RDS-A"], [])


def test_unknown_tickers_are_dropped_with_one_notice_that_does_not_echo() -> None:
    tickers, notices = urlstate.resolve_tickers("ALAB,<script>,MSFT", KNOWN)
    assert tickers == ["ALAB"]
    assert notices == ["The link names 2 companies this dashboard does not know; left out."]
    assert urlstate.resolve_tickers("NOPE", KNOWN, default=["ALAB"]) == (
        ["ALAB"],
        ["The link names 1 company this dashboard does not know; left out."],
    )
    assert urlstate.resolve_tickers(None, KNOWN, default=["ALAB", "ZFDX"]) == (["ALAB", "ZFDX"], [])


def test_at_most_eight_companies() -> None:
    known = [f"T{i}" for i in range(12)]
    tickers, notices = urlstate.resolve_tickers(",".join(known), known)
    assert tickers == known[:8]
    assert notices == ["The link names more than 8 companies; showing the first 8."]


@given(st.text(max_size=400))
def test_any_tickers_value_never_raises_and_never_echoes(raw: str) -> None:
    tickers, notices = urlstate.resolve_tickers(raw, KNOWN, default=["ALAB"])
    assert tickers and set(tickers) <= set(KNOWN) and len(tickers) <= urlstate.MAX_TICKERS
    fixed = {
        "The link names # company this dashboard does not know; left out.",
        "The link names # companies this dashboard does not know; left out.",
        "The link names more than # companies; showing the first #.",
    }
    for notice in notices:
        # Only fixed sentences with counts: nothing from the link is echoed.
        assert re.sub(r"\d+", "#", notice) in fixed


def test_several_companies_aligned_on_their_periods_in_one_read(two_companies: Path) -> None:
    con = queries.connect(str(two_companies))
    try:
        table = queries.aligned_figures(con, ["ZFDX", "ALAB"], ["revenue"])
        alab = bundle.company_data(con, "ALAB")
        zfdx = bundle.company_data(con, "ZFDX")
    finally:
        con.close()
    assert list(table.columns) == ["period", "metric", "basis", "ZFDX", "ALAB"]
    assert list(table["period"]) == sorted(set(alab.series("revenue")) | set(zfdx.series("revenue")))
    for row in table.to_dict("records"):
        assert row["ALAB"] == alab.value(row["period"], "revenue")  # None where ALAB has no such quarter
        assert row["ZFDX"] == zfdx.value(row["period"], "revenue")
    assert table["ALAB"].notna().sum() == len(alab.series("revenue"))


def test_no_company_or_no_metric_reads_nothing(two_companies: Path) -> None:
    con = queries.connect(str(two_companies))
    try:
        assert queries.aligned_figures(con, [], ["revenue"]).empty
        assert queries.aligned_figures(con, ["ALAB"], []).empty
        assert queries.aligned_figures(con, ["ALAB"], ["no_such_metric"]).empty
    finally:
        con.close()


@pytest.mark.parametrize("builder", charts.PAGE_CHARTS)
def test_figures_are_built_from_a_companys_data(two_companies: Path, builder) -> None:
    """The builders take the company's data and mark every point with that company."""
    con = queries.connect(str(two_companies))
    try:
        data = bundle.company_data(con, "ZFDX")
    finally:
        con.close()
    fig = builder(data)
    if fig is None:
        return
    tickers = {cd[0] for trace in fig.data if trace.customdata is not None for cd in trace.customdata}
    assert tickers == {"ZFDX"}
