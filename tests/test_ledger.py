"""The guidance and consensus ledger on a synthetic company: eight quarters of guidance, consensus and actuals,
one guide raised and one lowered; every count and average of the track record, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_company

from earnings.model import ledger
from earnings.write import database as build_mod

QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
ACTUAL = [100, 104, 110, 115, 118, 125, 131, 140]
# target -> [(issued, low, high)]: the latest issue is the guide; 2024Q1 raised, 2024Q3 lowered
GUIDES = {
    "2023Q1": [("2022Q4", 95, 105)],
    "2023Q2": [("2023Q1", 100, 104)],
    "2023Q3": [("2023Q2", 100, 106)],
    "2023Q4": [("2023Q3", 112, 118)],
    "2024Q1": [("2023Q3", 116, 120), ("2023Q4", 118, 124)],
    "2024Q2": [("2024Q1", 125, 131)],
    "2024Q3": [("2024Q1", 132, 138), ("2024Q2", 128, 134)],
    "2024Q4": [("2024Q3", 142, 146)],
}
CONSENSUS = [99, 104, 108, 116, 118, 124, 132, 141]


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def syn(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("ledger")
    data = folder / "data"
    data.mkdir()
    _csv(data / "companies.csv", "ticker,name,currency,fiscal_year_end_month", ["SYN,Synthetic Co (not real),USD,12"])
    _csv(data / "sources.csv", "source_id,file,title,publisher,published_on,kind",
         ["syn-doc,syn.txt,Synthetic summaries (not real data),,,earnings_summary"])  # fmt: skip
    _csv(
        data / "facts.csv",
        "ticker,period,metric,basis,value,unit,source_id,excerpt",
        [f"SYN,{p},revenue,,{v},usd_m,syn-doc,revenue {v}" for p, v in zip(QUARTERS, ACTUAL)],
    )
    _csv(
        data / "guidance.csv",
        "ticker,metric,basis,target_period,issued_period,low,high,qualifier,source_label,source_id,excerpt",
        [f"SYN,revenue,,{t},{i},{lo},{hi},range,Guided,syn-doc,guide {lo}-{hi}" for t, gs in GUIDES.items()
         for i, lo, hi in gs],
    )  # fmt: skip
    _csv(
        data / "estimates.csv",
        "ticker,period,metric,basis,value,unit,provider,as_of,source_id,excerpt",
        [f"SYN,{p},revenue,,{v},usd_m,S&P Global,,syn-doc,revenue {v}*" for p, v in zip(QUARTERS, CONSENSUS)],
    )
    build_mod.build(data, folder / "e.duckdb")
    return read_company(folder / "e.duckdb", "SYN")


def test_each_quarter_against_its_latest_guide_and_the_consensus(syn) -> None:
    rows = {p: ledger.entries(syn, p)[0] for p in QUARTERS}
    assert [rows[p].position for p in QUARTERS] == [
        "within", "within", "above", "within", "within", "within", "within", "below",
    ]  # fmt: skip
    assert [rows[p].verdict for p in QUARTERS] == ["beat", "in line", "beat", "miss", "in line", "beat", "miss", "miss"]
    assert (rows["2024Q1"].guide["low"], rows["2024Q1"].guide["high"]) == (118, 124), "the latest guide counts"
    assert rows["2023Q3"].surprise == 2 and rows["2023Q3"].surprise_pct == pytest.approx(2 / 108 * 100)
    assert rows["2023Q3"].surprise_text == "+$2.0M (+1.9%)"


def test_the_track_record_by_hand(syn) -> None:
    record = ledger.track_record(ledger.history(syn, "revenue", None))
    assert (record.above, record.within, record.below, record.pending) == (1, 6, 1, 0)
    # positions in the range: .5, 1, 10/6, .5, 0, 0, .5, −.5 -> 11/3 over 8 quarters
    assert record.average_in_range == pytest.approx(11 / 24)
    surprises = [(a - c) / c * 100 for a, c in zip(ACTUAL, CONSENSUS)]
    assert record.average_surprise_pct == pytest.approx(sum(surprises) / 8)
    assert (record.beats, record.in_line, record.misses) == (3, 2, 3)
    assert ledger.record_text(record).startswith("8 reported: 1 above, 6 within, 1 below the range; on average at 46%")


def test_revisions_never_overwrite_an_earlier_guide(syn) -> None:
    raised = ledger.entries(syn, "2024Q1")[0].revisions
    lowered = ledger.entries(syn, "2024Q3")[0].revisions
    assert [(r.issued_period, r.low, r.high, r.change) for r in raised] == [
        ("2023Q3", 116, 120, "initiated"), ("2023Q4", 118, 124, "raised"),
    ]  # fmt: skip
    assert [(r.issued_period, r.change) for r in lowered] == [("2024Q1", "initiated"), ("2024Q2", "lowered")]


@pytest.mark.parametrize(
    ("after", "change"),
    [((10, 14, ""), "reiterated"), ((11, 13, ""), "narrowed"), ((9, 15, ""), "widened"), ((12, 16, ""), "raised"),
     ((8, 12, ""), "lowered"), ((10, 14, "Withdrawn"), "withdrawn")],
)  # fmt: skip
def test_how_a_guide_changed(after: tuple, change: str) -> None:
    first = {"issued_period": "2024Q1", "low": 10, "high": 14, "qualifier": "range", "source_id": "s",
             "source_label": "Initiated", "excerpt": ""}  # fmt: skip
    second = {**first, "issued_period": "2024Q2", "low": after[0], "high": after[1], "source_label": after[2]}
    assert [r.change for r in ledger.revisions([second, first])] == ["initiated", change]


def test_the_bundled_quarter_says_consensus_was_not_retrievable(built_db: Path) -> None:
    alab = read_company(built_db)
    assert all(e.consensus is None for e in ledger.entries(alab, "2024Q4"))
    note = ledger.consensus_note(alab, "2024Q4")
    assert note is not None and "not retrievable" in note["text"] and note["section"] == "Estimates Context"
