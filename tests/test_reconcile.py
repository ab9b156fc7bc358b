"""Reconciliations: the bundled data passes; a tampered figure fails, and the build reports it."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from earnings.write.database import build, prepare

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def statuses(built_db: Path) -> dict[str, str]:
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        return dict(con.execute("select check_id, status from checks").fetchall())
    finally:
        con.close()


# --- the bundled data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check_id", "status"),
    [
        # R&D + S&M + G&A = total opex (GAAP), every quarter of the table
        ("opex_sum:ALAB:2023Q4:gaap", "pass"),
        ("opex_sum:ALAB:2024Q3:gaap", "pass"),
        ("opex_sum:ALAB:2024Q4:gaap", "pass"),
        # stated +25% q/q and +179% y/y against 141.096 / 113.086 and 141.096 / 50.514
        ("stated_growth:ALAB:2024Q4:revenue_growth_qoq", "pass"),
        ("stated_growth:ALAB:2024Q4:revenue_growth_yoy", "pass"),
        # FY 2023 revenue is not in the sources: +242% cannot be verified
        ("stated_growth:ALAB:2024FY:revenue_growth_yoy", "skip"),
        # operating margin = gross margin − opex / revenue
        ("margin_identity:ALAB:2023Q4:gaap", "pass"),
        ("margin_identity:ALAB:2024Q3:gaap", "pass"),
        ("margin_identity:ALAB:2024Q4:gaap", "pass"),
        ("margin_identity:ALAB:2024Q4:non_gaap", "pass"),
        # FY 396.3 ≥ Q3 + Q4
        ("fy_vs_quarters:ALAB:2024FY:revenue", "pass"),
        # guidance positions agree with the source's actuals and labels
        ("guidance:ALAB:2024Q4:revenue", "pass"),
        ("guidance:ALAB:2024Q4:gross_margin:non_gaap", "pass"),
        ("guidance:ALAB:2024Q4:diluted_eps:non_gaap", "pass"),
        ("guidance:ALAB:2024Q4:opex_total:non_gaap", "pass"),
        ("guidance:ALAB:2025Q1:revenue", "pass"),
        ("guidance:ALAB:2025Q1:gross_margin:non_gaap", "pass"),
        ("guidance:ALAB:2025Q1:opex_total:non_gaap", "pass"),
        ("guidance:ALAB:2025Q1:diluted_eps:non_gaap", "pass"),
        # stated +7–10% q/q against $151–$155M over Q4 revenue
        ("implied_growth:ALAB:2025Q1", "pass"),
        # several mentions of one figure agree within rounding
        ("cross_check:facts:ALAB:2024Q4:revenue", "pass"),
        ("cross_check:facts:ALAB:2024FY:revenue", "pass"),
        ("cross_check:guidance:ALAB:revenue:2025Q1:2024Q4", "pass"),
    ],
)
def test_bundled_data_reconciles(statuses, check_id, status):
    assert statuses.get(check_id) == status


def test_bundled_data_has_no_failure_or_warning(statuses):
    assert {s for s in statuses.values()} <= {"pass", "skip"}
    # the curated data alone: ALAB's peer MRVL (from filings) is not in this database, and says so
    assert statuses["peer:ALAB:MRVL"] == "skip"
    others = [s for check_id, s in statuses.items() if check_id != "peer:ALAB:MRVL"]
    assert sum(s == "skip" for s in others) <= 2, "only the checks whose inputs are not in the sources skip"


# --- tampered copies -------------------------------------------------------------------------------------


def edit_rows(path: Path, change: dict[str, str], **match: str) -> int:
    """Set ``change`` on every row matching ``match``; return how many rows changed."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys()) if rows else []
    n = 0
    for row in rows:
        if all(row[k] == v for k, v in match.items()):
            row.update(change)
            n += 1
    assert n, f"no row {match} in {path.name}"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return n


def tamper(file: str, change: dict[str, str], **match: str) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        edit_rows(data / file, change, **match)

    return apply


TAMPERS = {
    # R&D 2024Q3 (the table is its only mention) no longer adds up to total opex
    "opex_sum:ALAB:2024Q3:gaap": tamper("facts.csv", {"value": "60.000"}, period="2024Q3", metric="opex_rd"),
    # every mention of +25% q/q becomes +35%
    "stated_growth:ALAB:2024Q4:revenue_growth_qoq": tamper(
        "facts.csv", {"value": "35"}, period="2024Q4", metric="revenue_growth_qoq"
    ),
    "stated_growth:ALAB:2024Q4:revenue_growth_yoy": tamper(
        "facts.csv", {"value": "150"}, period="2024Q4", metric="revenue_growth_yoy"
    ),
    # GAAP operating margin 0.1% -> 5.0% breaks gross margin − opex / revenue
    "margin_identity:ALAB:2024Q4:gaap": tamper(
        "facts.csv", {"value": "5.0"}, period="2024Q4", metric="operating_margin", basis="gaap"
    ),
    # FY revenue below Q3 + Q4
    "fy_vs_quarters:ALAB:2024FY:revenue": tamper("facts.csv", {"value": "200.0"}, period="2024FY", metric="revenue"),
    # GAAP EPS with the opposite sign of GAAP net income
    "eps_sign:ALAB:2024Q3:gaap": tamper(
        "facts.csv", {"value": "0.05"}, period="2024Q3", metric="diluted_eps", basis="gaap"
    ),
    # 'Beat' on a below-range actual (74.1% against ~75%)
    "guidance:ALAB:2024Q4:gross_margin:non_gaap": tamper(
        "guidance.csv", {"source_label": "Beat"}, target_period="2024Q4", metric="gross_margin"
    ),
    # the source's stated actual disagrees with the fact
    "guidance:ALAB:2024Q4:revenue": tamper(
        "guidance.csv", {"stated_actual": "150.1"}, target_period="2024Q4", metric="revenue"
    ),
    # stated growth outlook that the guided range does not imply
    "implied_growth:ALAB:2025Q1": tamper(
        "targets.csv", {"low": "17", "high": "20"}, metric="revenue_growth_qoq", horizon="2025Q1"
    ),
}


@pytest.mark.parametrize("check_id", sorted(TAMPERS))
def test_tampered_figure_fails_its_check(check_id: str, data_copy: Path, tmp_path: Path):
    TAMPERS[check_id](data_copy)
    db = tmp_path / "tampered.duckdb"
    result = build(data_copy, db)  # a mismatch is reported, the build still succeeds
    by_id = {c.check_id: c for c in result.checks}
    assert by_id[check_id].status == "fail", by_id[check_id].detail
    failing = {c.check_id for c in result.checks if c.status == "fail"}
    assert failing == {check_id}, "only the tampered figure's check fails"
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("select status, detail from checks where check_id = ?", [check_id]).fetchall()
    finally:
        con.close()
    assert stored == [("fail", by_id[check_id].detail)]


def test_tampered_guidance_position_is_not_changed_to_match_the_label(data_copy: Path):
    TAMPERS["guidance:ALAB:2024Q4:gross_margin:non_gaap"](data_copy)
    result = prepare(data_copy)
    [g] = [r for r in result.tables["guidance"] if r["target_period"] == "2024Q4" and r["metric"] == "gross_margin"]
    assert g["position"] == "below" and g["source_label"] == "Beat"


def test_cli_reports_a_failing_check_and_still_writes(data_copy: Path, tmp_path: Path):
    TAMPERS["opex_sum:ALAB:2024Q3:gaap"](data_copy)
    db = tmp_path / "cli.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "earnings", "build", "--data", str(data_copy), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert db.exists()
    assert "FAIL opex_sum:ALAB:2024Q3:gaap" in proc.stdout
    assert "1 fail" in proc.stdout


def test_a_disagreeing_preferred_mention_is_a_warning(data_copy: Path):
    """R&D 2024Q4 set to 60.000 and marked preferred over the bullet's $56.5M: opex fails, cross-check warns."""
    path = data_copy / "facts.csv"
    edit_rows(path, {"value": "60.000"}, period="2024Q4", metric="opex_rd", section="Financial Results")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["preferred"] = (
            "yes" if (row["period"], row["metric"], row["value"]) == ("2024Q4", "opex_rd", "60.000") else ""
        )
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    by_id = {c.check_id: c.status for c in prepare(data_copy).checks}
    assert by_id["opex_sum:ALAB:2024Q4:gaap"] == "fail"
    assert by_id["cross_check:facts:ALAB:2024Q4:opex_rd:gaap"] == "warn"
