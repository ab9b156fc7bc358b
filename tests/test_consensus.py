"""Consensus estimates: from summary documents (values marked *, each phrasing), from a CSV of the estimates
table, and never as a fact; a marked value no metric can be found for is flagged, not guessed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, read_company

from earnings.model import ledger
from earnings.write import database as build_mod
from earnings.write.ingest import ingest

ZEPHYR = FIXTURES / "zephyr_2025q1_summary.txt"
NO_CONSENSUS = (
    "  • No consensus estimates exist for a fictional company; results are compared with company guidance only ."
)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(build_mod.DATA_DIR, data, ignore=shutil.ignore_patterns("*.duckdb*", "sec", "peers.csv"))
    return data, tmp_path / "e.duckdb"


def document(tmp_path: Path, *bullets: str, note: str = "") -> Path:
    text = ZEPHYR.read_text().replace(
        NO_CONSENSUS, "\n".join(f"  • {b}" for b in bullets) + (f"\n{note}" if note else "")
    )
    path = tmp_path / "zephyr_with_consensus.txt"
    path.write_text(text)
    return path


def test_a_consensus_bullet_with_its_provider(workspace, tmp_path: Path) -> None:
    data, db = workspace
    doc = document(
        tmp_path, "Q2 consensus: revenue $23.6M*, EPS $0.284*, GM ~41.0%* (Values retrieved from S&P Global)"
    )
    report = ingest(doc, data, db, published_on="2025-05-08")
    assert report.built and report.added.get("estimates") == 3
    zfdx = read_company(db, "ZFDX")
    got = {(r["period"], r["metric"], r["value"], r["unit"], r["provider"], str(r["as_of"])[:10])
           for r in zfdx.records("estimates")}  # fmt: skip
    assert got == {
        ("2025Q2", "revenue", 23.6, "usd_m", "S&P Global", "2025-05-08"),
        ("2025Q2", "diluted_eps", 0.284, "usd_per_share", "S&P Global", "2025-05-08"),
        ("2025Q2", "gross_margin", 41.0, "pct", "S&P Global", "2025-05-08"),
    }
    assert zfdx.fact("2025Q2", "revenue") is None, "a consensus figure never becomes a fact"


def test_actual_versus_consensus_and_a_note_line_naming_the_provider(workspace, tmp_path: Path) -> None:
    data, db = workspace
    doc = document(tmp_path, "Revenue came in at revenue $22.0M vs $21.4M*; a clear beat.",
                   note="Values with asterisk are retrieved from S&P Global")  # fmt: skip
    assert ingest(doc, data, db).built
    zfdx = read_company(db, "ZFDX")
    [row] = zfdx.records("estimates")
    assert (row["period"], row["metric"], row["value"], row["provider"]) == ("2025Q1", "revenue", 21.4, "S&P Global")
    [entry] = [e for e in ledger.entries(zfdx, "2025Q1") if e.metric == "revenue"]
    assert entry.verdict == "beat" and entry.surprise == pytest.approx(0.6)
    assert entry.surprise_text == "+$0.6M (+2.8%)"


def test_a_value_without_a_metric_is_flagged_not_guessed(workspace, tmp_path: Path) -> None:
    data, db = workspace
    doc = document(tmp_path, "The Street sat at $21.4M* before the print (Values retrieved from S&P Global)")
    report = ingest(doc, data, db)
    assert "estimates" not in report.added
    assert any("$21.4M* names no metric before it: not recorded" in f.reason for f in report.flags)


def test_a_value_without_a_provider_is_flagged(workspace, tmp_path: Path) -> None:
    data, db = workspace
    report = ingest(document(tmp_path, "Q2 consensus: revenue $23.6M*"), data, db)
    assert "estimates" not in report.added
    assert any("without its provider" in f.reason for f in report.flags)


def test_an_estimates_table_is_recognised_by_its_header(workspace, tmp_path: Path) -> None:
    data, db = workspace
    ingest(ZEPHYR, data, db)
    table = tmp_path / "consensus.csv"
    table.write_text(
        "ticker,period,metric,basis,value,unit,provider,as_of,source_id,excerpt\n"
        "ZFDX,2025Q1,revenue,,21.4,usd_m,S&P Global,2025-05-01,sp-zfdx-2025q1,Revenue consensus $21.4M\n"
    )
    report = ingest(table, data, db, title="S&P Global consensus, 1 May 2025", publisher="S&P Global")
    assert report.built and report.added == {"sources": 1, "estimates": 1}
    [row] = read_company(db, "ZFDX").records("estimates")
    assert (row["value"], row["source_id"]) == (21.4, "sp-zfdx-2025q1")


def test_an_estimates_table_with_a_wrong_unit_names_the_line(workspace, tmp_path: Path) -> None:
    from earnings.sources.problems import SourceError

    data, db = workspace
    ingest(ZEPHYR, data, db)
    table = tmp_path / "consensus.csv"
    table.write_text(
        "ticker,period,metric,basis,value,unit,provider,as_of,source_id,excerpt\n"
        "ZFDX,2025Q1,revenue,,21.4,pct,S&P Global,,sp,x\n"
    )
    with pytest.raises(SourceError, match="consensus.csv:2: unit 'pct' is wrong for revenue"):
        ingest(table, data, db)
