"""The guidance and consensus ledger on a synthetic company: eight quarters of guidance, consensus and actuals,
one guide raised and one lowered; every count and average of the track record, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_page, read_company

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
def syn(syn_db: Path):
    return read_company(syn_db, "SYN")


@pytest.fixture(scope="module")
def syn_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    return folder / "e.duckdb"


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


# --- where the ledger is shown: the Guidance page, the briefing, the export, the Compare page ----------------

TRACK = (
    "8 reported: 1 above, 6 within, 1 below the range; on average at 46% of the range (0% its low end, 100% its "
    "high end); 3 beats, 2 in line, 3 misses against consensus, +0.2% on average (derived)"
)


def test_the_quarter_the_track_record_and_the_revisions_as_tables(syn) -> None:
    assert ledger.ledger_rows(syn, "2024Q4") == [
        {
            "Metric": "Revenue",
            "Guided": "$142–146M",
            "Issued with": "Q3 2024",
            "Consensus": "$141.0M (S&P Global)",
            "Actual": "$140.0M",
            "vs range": "below the range",
            "vs consensus (derived)": "miss: −$1.0M (−0.7%)",
        }
    ], "no Revisions column: the quarter was guided once"
    assert ledger.ledger_rows(syn, "2024Q1")[0]["Revisions"] == "initiated with Q3 2023 → raised with Q4 2023"
    assert ledger.record_rows(syn, "2024Q4") == [
        {
            "Metric": "Revenue",
            "Quarters": "Q1 2023 to Q4 2024",
            "Above / within / below the range": "1 / 6 / 1",
            "Average place in the range (0% low end, 100% high end)": "46%",
            "Beat / in line / miss": "3 / 2 / 3",
            "Average surprise": "+0.2%",
        }
    ]
    assert ledger.record_rows(syn, "2023Q2")[0]["Beat / in line / miss"] == "1 / 1 / 0", "only quarters up to upto"
    assert ledger.record_rows(syn, "2023Q1") == [], "one quarter is not a track record"
    found = ledger.revision_lines(syn, "2024Q4")
    assert [(heading, [ledger.revision_text(r, unit) for r in rs]) for heading, unit, rs in found] == [
        ("Revenue for Q1 2024", ["first guided at $116–120M with Q3 2023", "raised to $118–124M with Q4 2023"]),
        ("Revenue for Q3 2024", ["first guided at $132–138M with Q1 2024", "lowered to $128–134M with Q2 2024"]),
    ]
    assert ledger.expectation_lines(syn, "2024Q4", "2025Q1") == [
        "Revenue, Q4 2024: $140.0M vs consensus $141.0M (S&P Global): miss, −$1.0M (−0.7%) (derived)",
        f"Track record, Revenue: {TRACK}",
    ]
    assert ledger.expectation_lines(syn, "2023Q1", "2023Q2") == [
        "Revenue, Q1 2023: $100.0M vs consensus $99.0M (S&P Global): beat, +$1.0M (+1.0%) (derived)",
        "Consensus for Q2 2023: Revenue $104.0M (S&P Global)",
    ], "no track record from one quarter"


def _page(db: Path, page_id: str, params: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = open_page(page_id, params)
    assert [e.message for e in at.exception] == [] and not at.error
    return at


def test_the_guidance_page_is_the_ledger(syn_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(syn_db, "guidance", {}, monkeypatch)
    assert [s.value for s in at.subheader][:2] == ["Ledger · Q4 2024: guided, expected, reported", "Track record"]
    ledger_table, record = at.dataframe[0].value, at.table[0].value
    assert ledger_table.loc[0, "vs consensus (derived)"] == "miss: −$1.0M (−0.7%)"
    assert record.loc[0, "Above / within / below the range"] == "1 / 6 / 1"
    assert [e.label for e in at.expander] == ["Revisions: Revenue for Q1 2024", "Revisions: Revenue for Q3 2024"]
    assert [t.value for t in at.expander[0].text] == [
        "•  first guided at $116–120M with Q3 2023",
        "•  raised to $118–124M with Q4 2023",
    ]
    # the chart across quarters: ranges, the consensus as ticks, actuals as dots
    import json

    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    traces = {t["name"]: t for t in chart["data"]}
    assert traces["Consensus"]["x"] == CONSENSUS
    assert traces["Actual"]["x"] == ACTUAL
    assert traces["Consensus"]["customdata"][-1][:3] == ["SYN", "2024Q4", "revenue"], "a tick drills down"


def test_a_selected_row_of_the_ledger_opens_its_figure(syn_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(syn_db, "guidance", {"period": "2024Q1", "metric": "revenue"}, monkeypatch)
    shown = [m.value.replace("\\", "") for m in at.markdown]
    assert "#### Revenue · Q1 2024" in shown
    # the consensus behind the cell, and where it comes from
    assert "Consensus $118.0M (S&P Global) → actual $118.0M: in line, ±$0.0M (±0.0%) (derived)" in shown
    assert "Consensus source: Synthetic summaries (not real data) — “revenue 118*”" in [
        c.value.replace("\\", "") for c in at.caption
    ]
    assert at.dataframe[0].value.loc[0, "Revisions"] == "initiated with Q3 2023 → raised with Q4 2023"


def test_the_briefing_and_the_export_carry_consensus_and_track_record(syn_db: Path, monkeypatch) -> None:
    from earnings.render import export

    at = _page(syn_db, "briefing", {"step": "5"}, monkeypatch)
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(c.startswith("Track record, Revenue: 8 reported") for c in captions)
    html = export.export_from_db(syn_db, "SYN", "2024Q4")
    assert "Revenue, Q4 2024: $140.0M vs consensus $141.0M (S&amp;P Global): miss" in html
    assert f"Track record, Revenue: {TRACK}" in html


def test_the_compare_table_has_revenue_against_consensus(syn) -> None:
    from earnings.model import compare

    cell = compare.table([syn], "2024Q4")[0].cells["Revenue vs consensus"]
    assert (cell.text, cell.why) == ("miss (−0.7%, derived)", "consensus $141.0M (S&P Global)")
    assert cell.value == pytest.approx((140 / 141 - 1) * 100)


def test_the_bundled_guidance_page_says_consensus_was_not_retrievable(built_db: Path, monkeypatch) -> None:
    at = _page(built_db, "guidance", {}, monkeypatch)
    said = [m.value.replace("\\", "") for m in at.markdown if "Consensus for" in m.value]
    assert len(said) == 1 and said[0].startswith(
        "**Consensus for Q4 2024:** the source says “Wall Street consensus (S&P Global) data was not retrievable"
    )
    assert any(c.value.replace("\\", "").endswith("Q4 2024 Earnings Summary · Estimates Context") for c in at.caption)
    assert at.dataframe[0].value["Consensus"].tolist() == ["—"] * 4, "no consensus: shown as missing"
    assert "A track record needs 2 reported quarters" in " ".join(c.value for c in at.caption)


def test_the_bundled_export_says_consensus_was_not_retrievable(built_db: Path) -> None:
    from earnings.render import export

    html = export.export_from_db(built_db, "ALAB", "2024Q4")
    assert "Consensus for Q4 2024: not in the sources; the source says “Wall Street consensus (S&amp;P Global)" in html
