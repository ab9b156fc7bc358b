"""The built database: its contract, its figures, and how it is written."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from earnings.write import database as build_mod
from earnings.write.database import DATA_DIR, DEFAULT_DB, build

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_CHECKER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_contract.py"

# --- the contract, written out here on purpose (not imported from the code under test) -------------

TABLES = {
    "meta": {"key": "VARCHAR", "value": "VARCHAR"},
    "companies": {"ticker": "VARCHAR", "name": "VARCHAR", "currency": "VARCHAR", "fiscal_year_end_month": "INTEGER"},
    "sources": {
        "source_id": "VARCHAR",
        "file": "VARCHAR",
        "title": "VARCHAR",
        "publisher": "VARCHAR",
        "published_on": "DATE",
        "kind": "VARCHAR",
        "url": "VARCHAR",
    },
    "facts": {
        "ticker": "VARCHAR",
        "period": "VARCHAR",
        "metric": "VARCHAR",
        "basis": "VARCHAR",
        "value": "DOUBLE",
        "unit": "VARCHAR",
        "qualifier": "VARCHAR",
        "source_id": "VARCHAR",
        "section": "VARCHAR",
        "excerpt": "VARCHAR",
        "note": "VARCHAR",
        "fiscal_year": "INTEGER",
        "fiscal_quarter": "INTEGER",
    },
    "cross_checks": {
        "subject": "VARCHAR",
        "ticker": "VARCHAR",
        "period": "VARCHAR",
        "metric": "VARCHAR",
        "basis": "VARCHAR",
        "value": "DOUBLE",
        "low": "DOUBLE",
        "high": "DOUBLE",
        "agrees": "BOOLEAN",
        "source_id": "VARCHAR",
        "section": "VARCHAR",
        "excerpt": "VARCHAR",
    },
    "guidance": {
        "ticker": "VARCHAR",
        "metric": "VARCHAR",
        "basis": "VARCHAR",
        "target_period": "VARCHAR",
        "issued_period": "VARCHAR",
        "low": "DOUBLE",
        "high": "DOUBLE",
        "qualifier": "VARCHAR",
        "actual": "DOUBLE",
        "position": "VARCHAR",
        "source_label": "VARCHAR",
        "source_id": "VARCHAR",
        "section": "VARCHAR",
        "excerpt": "VARCHAR",
        "stated_actual": "DOUBLE",
    },
    "targets": {
        "ticker": "VARCHAR",
        "metric": "VARCHAR",
        "basis": "VARCHAR",
        "horizon": "VARCHAR",
        "low": "DOUBLE",
        "high": "DOUBLE",
        "qualifier": "VARCHAR",
        "label": "VARCHAR",
        "source_id": "VARCHAR",
        "section": "VARCHAR",
        "excerpt": "VARCHAR",
    },
    "commentary": {
        "commentary_id": "VARCHAR",
        "ticker": "VARCHAR",
        "period": "VARCHAR",
        "kind": "VARCHAR",
        "speaker": "VARCHAR",
        "role": "VARCHAR",
        "topic": "VARCHAR",
        "text": "VARCHAR",
        "metrics": "VARCHAR[]",
        "source_id": "VARCHAR",
        "section": "VARCHAR",
    },
    "themes": {
        "ticker": "VARCHAR",
        "topic": "VARCHAR",
        "period": "VARCHAR",
        "text": "VARCHAR",
        "trend": "VARCHAR",
        "metrics": "VARCHAR[]",
        "source_id": "VARCHAR",
        "note": "VARCHAR",
    },
    "checks": {
        "check_id": "VARCHAR",
        "ticker": "VARCHAR",
        "period": "VARCHAR",
        "status": "VARCHAR",
        "category": "VARCHAR",
        "detail": "VARCHAR",
    },
}
METRIC_UNITS = {
    "revenue": "usd_m",
    "gross_margin": "pct",
    "operating_margin": "pct",
    "net_income": "usd_m",
    "diluted_eps": "usd_per_share",
    "diluted_eps_ex_tax_benefit": "usd_per_share",
    "opex_rd": "usd_m",
    "opex_sm": "usd_m",
    "opex_ga": "usd_m",
    "opex_total": "usd_m",
    "interest_income": "usd_m",
    "cash_and_securities": "usd_m",
    "revenue_growth_qoq": "pct",
    "revenue_growth_yoy": "pct",
    "inventory_growth_qoq": "pct",
    "scorpio_revenue_share": "pct",
}
# metrics the dashboard needs a figure for (the shared contract's list)
REQUIRED_METRICS = {
    "revenue",
    "gross_margin",
    "operating_margin",
    "net_income",
    "diluted_eps",
    "opex_rd",
    "opex_sm",
    "opex_ga",
    "opex_total",
    "interest_income",
    "cash_and_securities",
}
BASES = {"gaap", "non_gaap", None}
PERIOD = re.compile(r"^\d{4}(Q[1-4]|FY)$")
COMMENTARY_KINDS = {"summary", "went_well", "went_wrong", "quote", "qa", "takeaway", "estimates"}
POSITIONS = {"above", "within", "below", "pending"}
GUIDANCE_QUALIFIERS = {"range", "approx"}
TARGET_QUALIFIERS = {"approx", "at_least", "exact", "range"}
CHECK_STATUSES = {"pass", "fail", "warn", "skip"}
CROSS_CHECK_SUBJECTS = {"facts", "guidance", "targets"}
SOURCE_TABLES = ("facts", "cross_checks", "guidance", "targets", "commentary", "themes")


@pytest.fixture(scope="module")
def con(built_db: Path):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


def values(con, sql: str, params=()) -> list:
    return [r[0] for r in con.execute(sql, list(params)).fetchall()]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def meta(path: Path) -> dict[str, str]:
    c = duckdb.connect(str(path), read_only=True)
    try:
        return dict(c.execute("select key, value from meta").fetchall())
    finally:
        c.close()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earnings", *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )


# --- contract -------------------------------------------------------------------------------------------


def test_every_contract_table_and_column(con):
    have = set(values(con, "select table_name from information_schema.tables where table_schema = 'main'"))
    assert set(TABLES) <= have
    for table, columns in TABLES.items():
        got = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_name = ?", [table]
            ).fetchall()
        )
        for column, kind in columns.items():
            assert column in got, f"{table}.{column} is missing"
            assert got[column] == kind, f"{table}.{column} is {got[column]}, expected {kind}"


def test_every_table_has_rows(con):
    for table in TABLES:
        n = con.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 (names are constants)
        assert n > 0, f"{table} is empty"


def test_meta(con):
    m = dict(con.execute("select key, value from meta").fetchall())
    assert m["schema_version"] == "2"
    built_at = datetime.fromisoformat(m["built_at"])
    assert built_at.tzinfo is not None
    assert re.fullmatch(r"[0-9a-f]{64}", m["content_hash"])


def test_facts_vocabulary(con):
    rows = con.execute(
        "select ticker, period, metric, basis, unit, qualifier, fiscal_year, fiscal_quarter from facts"
    ).fetchall()
    for ticker, period, metric, basis, unit, qualifier, year, quarter in rows:
        where = f"{ticker} {period} {metric} {basis}"
        assert PERIOD.match(period), where
        assert metric in METRIC_UNITS, where
        assert unit == METRIC_UNITS[metric], where
        assert basis in BASES, where
        assert qualifier in (None, "approx"), where
        assert year == int(period[:4]), where
        assert quarter == (None if period.endswith("FY") else int(period[-1])), where
    assert REQUIRED_METRICS <= {r[2] for r in rows}
    dup = con.execute("select ticker, period, metric, basis from facts group by all having count(*) > 1").fetchall()
    assert dup == [], "one primary figure per ticker, period, metric and basis"


def test_guidance_and_targets_vocabulary(con):
    for metric, basis, target, issued, low, high, qualifier, actual, position in con.execute(
        "select metric, basis, target_period, issued_period, low, high, qualifier, actual, position from guidance"
    ).fetchall():
        where = f"{metric} {basis} {target}"
        assert metric in METRIC_UNITS and basis in BASES, where
        assert PERIOD.match(target) and PERIOD.match(issued), where
        assert qualifier in GUIDANCE_QUALIFIERS, where
        assert position in POSITIONS, where
        assert low <= high, where
        if qualifier == "approx":
            assert low == high, where
        assert (actual is None) == (position == "pending"), where
    dup = con.execute(
        "select ticker, metric, basis, target_period, issued_period from guidance group by all having count(*) > 1"
    ).fetchall()
    assert dup == []
    for metric, horizon, low, high, qualifier in con.execute(
        "select metric, horizon, low, high, qualifier from targets"
    ).fetchall():
        assert metric in METRIC_UNITS
        assert horizon == "long_term" or PERIOD.match(horizon)
        assert qualifier in TARGET_QUALIFIERS
        assert high is None or low <= high


def test_commentary_themes_checks_vocabulary(con):
    assert set(values(con, "select distinct kind from commentary")) <= COMMENTARY_KINDS
    for (metrics,) in con.execute("select metrics from commentary union all select metrics from themes").fetchall():
        assert isinstance(metrics, list) and set(metrics) <= set(METRIC_UNITS)
    assert all(
        PERIOD.match(p) for p in values(con, "select period from commentary union all select period from themes")
    )
    assert values(con, "select commentary_id from commentary group by 1 having count(*) > 1") == []
    assert set(values(con, "select distinct status from checks")) <= CHECK_STATUSES
    assert values(con, "select check_id from checks group by 1 having count(*) > 1") == []
    assert set(values(con, "select distinct subject from cross_checks")) <= CROSS_CHECK_SUBJECTS


@pytest.mark.parametrize("table", SOURCE_TABLES)
def test_every_row_cites_a_known_source_and_company(con, table):
    orphans = con.execute(
        f"select count(*) from {table} where source_id not in (select source_id from sources) "  # noqa: S608
        "or ticker not in (select ticker from companies)"
    ).fetchone()[0]
    assert orphans == 0


def test_shared_contract_checker_passes(built_db: Path):
    if not CONTRACT_CHECKER.exists():
        pytest.skip(f"the shared contract checker is not at {CONTRACT_CHECKER}")
    proc = subprocess.run(
        [sys.executable, str(CONTRACT_CHECKER), str(built_db)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "contract holds" in proc.stdout


# --- figures (from the source documents) ------------------------------------------------------------------


def fact(con, period: str, metric: str, basis: str | None = None) -> list[float]:
    return values(
        con,
        "select value from facts where ticker = 'ALAB' and period = ? and metric = ? and basis is not distinct from ?",
        (period, metric, basis),
    )


def test_missing_figures_have_no_row(con):
    # 'Diluted EPS (GAAP)($0.05) $0.14': no Q4 2023 value
    assert fact(con, "2023Q4", "diluted_eps", "gaap") == []
    assert fact(con, "2024Q3", "diluted_eps", "gaap") == [-0.05]
    assert values(con, "select count(*) from facts where value = 0") == [0], "no zeros stand in for a missing value"
    assert values(con, "select count(*) from facts where value is null or isnan(value)") == [0]


def test_negative_figures_are_negative(con):
    assert fact(con, "2024Q3", "net_income", "gaap") == [-7.593]
    assert fact(con, "2024Q3", "operating_margin", "gaap") == [-7.9]


def test_the_primary_figure_is_the_most_precise(con):
    assert fact(con, "2024Q4", "revenue") == [141.096]
    assert fact(con, "2024FY", "revenue") == [396.3]
    cross = sorted(
        values(
            con,
            "select value from cross_checks where subject = 'facts' and period = ? and metric = 'revenue' and agrees",
            ("2024Q4",),
        )
    )
    assert 141.1 in cross and 141.0 in cross
    assert values(con, "select value from cross_checks where period = '2024FY' and metric = 'revenue'") == [396.0]
    assert fact(con, "2024Q4", "opex_total", "gaap") == [104.304]
    assert 104.3 in values(con, "select value from cross_checks where period = '2024Q4' and metric = 'opex_total'")
    # an approximate mention never wins: '~$914M' against the table's $914.3
    assert fact(con, "2024Q4", "cash_and_securities") == [914.3]


def test_every_mention_is_kept(con):
    """Primary facts plus cross-checks account for every row of facts.csv."""
    with (DATA_DIR / "facts.csv").open(newline="", encoding="utf-8") as f:
        n_source = sum(1 for _ in csv.DictReader(f))
    n_db = values(
        con, "select (select count(*) from facts) + (select count(*) from cross_checks where subject = 'facts')"
    )
    assert n_db == [n_source]


@pytest.mark.parametrize(
    ("metric", "basis", "actual", "position"),
    [
        ("revenue", None, 141.096, "above"),  # guided $126–$130, actual $141.1M
        ("gross_margin", "non_gaap", 74.1, "below"),  # guided ~75%, actual 74.1%
        ("opex_total", "non_gaap", 56.2, "above"),  # guided $54–$55M, actual $56.2M
        ("diluted_eps", "non_gaap", 0.37, "above"),  # guided $0.25–$0.26, actual $0.37
    ],
)
def test_guidance_actual_and_position_filled_at_build(con, metric, basis, actual, position):
    rows = con.execute(
        "select actual, position from guidance where ticker = 'ALAB' and target_period = '2024Q4' "
        "and metric = ? and basis is not distinct from ?",
        [metric, basis],
    ).fetchall()
    assert rows == [(actual, position)]


@pytest.mark.parametrize(
    ("low", "high", "label", "position"),
    [
        ("126", "145", "In line", "within"),
        ("126", "141.096", "In line", "within"),  # exactly at the high end
        ("141.096", "150", "In line", "within"),  # exactly at the low end
        ("142", "150", "Missed", "below"),
    ],
)
def test_guidance_position_against_other_ranges(data_copy: Path, low, high, label, position):
    path = data_copy / "guidance.csv"
    text = path.read_text(encoding="utf-8")
    row = "ALAB,revenue,,2024Q4,2024Q3,126,130,range,141.1,Beat,"
    assert text.count(row) == 1
    path.write_text(text.replace(row, f"ALAB,revenue,,2024Q4,2024Q3,{low},{high},range,141.1,{label},"), "utf-8")
    result = build_mod.prepare(data_copy)
    [g] = [g for g in result.tables["guidance"] if g["target_period"] == "2024Q4" and g["metric"] == "revenue"]
    assert (g["actual"], g["position"]) == (141.096, position)
    [check] = [c for c in result.checks if c.check_id == "guidance:ALAB:2024Q4:revenue"]
    assert check.status == "pass", check.detail


def test_guidance_for_the_coming_quarter_is_pending(con):
    rows = con.execute("select metric, actual, position from guidance where target_period = '2025Q1'").fetchall()
    assert {r[0] for r in rows} == {"revenue", "gross_margin", "opex_total", "diluted_eps"}
    assert all(r[1] is None and r[2] == "pending" for r in rows)


# --- content hash -----------------------------------------------------------------------------------------


def test_content_hash_follows_the_data_files(built_db: Path, data_copy: Path, tmp_path: Path):
    original = meta(built_db)["content_hash"]
    build(data_copy, tmp_path / "a.duckdb")
    assert meta(tmp_path / "a.duckdb")["content_hash"] == original, "same files, same hash, wherever they are"

    os.utime(data_copy / "themes.csv", (0, 0))  # a touch is not a change
    build(data_copy, tmp_path / "b.duckdb")
    assert meta(tmp_path / "b.duckdb")["content_hash"] == original

    path = data_copy / "themes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("ecosystem building", "ecosystem-building"), "utf-8")
    build(data_copy, tmp_path / "c.duckdb")
    changed = meta(tmp_path / "c.duckdb")["content_hash"]
    assert changed != original

    (data_copy / "extra-notes.txt").write_text("not a source file", encoding="utf-8")
    build(data_copy, tmp_path / "d.duckdb")
    assert meta(tmp_path / "d.duckdb")["content_hash"] == changed, "only the source files count"


# --- writing -----------------------------------------------------------------------------------------------


def test_rebuild_replaces_the_file_in_one_step(data_copy: Path, tmp_path: Path):
    folder = tmp_path / "out"
    db = folder / "earnings.duckdb"
    build(data_copy, db)
    old_inode = os.stat(db).st_ino
    reader = duckdb.connect(str(db), read_only=True)
    try:
        before = reader.execute("select count(*), sum(value) from facts").fetchone()
        path = data_copy / "facts.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(",19.654,", ",19.655,"), encoding="utf-8")
        build(data_copy, db)
        assert os.stat(db).st_ino != old_inode, "the new database is a new file moved into place"
        # the reader keeps working on the file it opened
        assert reader.execute("select count(*), sum(value) from facts").fetchone() == before
        assert reader.execute("select value from facts where period = '2023Q4' and metric = 'opex_rd'").fetchone() == (
            19.654,
        )
    finally:
        reader.close()
    assert sorted(os.listdir(folder)) == ["earnings.duckdb"], "no temporary files are left"
    c = duckdb.connect(str(db), read_only=True)
    try:
        assert c.execute("select value from facts where period = '2023Q4' and metric = 'opex_rd'").fetchone() == (
            19.655,
        )
    finally:
        c.close()


def test_a_failed_write_leaves_the_old_database(data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "out"
    db = folder / "earnings.duckdb"
    build(data_copy, db)
    digest = sha256(db)
    real_frame = build_mod._frame

    def failing_frame(table, rows):
        if table == "guidance":
            raise OSError("disk full (simulated)")
        return real_frame(table, rows)

    monkeypatch.setattr(build_mod, "_frame", failing_frame)
    with pytest.raises(OSError, match="simulated"):
        build(data_copy, db)
    assert sha256(db) == digest
    assert sorted(os.listdir(folder)) == ["earnings.duckdb"], "the temporary file was removed"


def test_build_creates_a_missing_folder(data_copy: Path, tmp_path: Path):
    db = tmp_path / "new" / "deeper" / "earnings.duckdb"
    build(data_copy, db)
    assert meta(db)["schema_version"] == "2"


def test_cli_build_writes_and_reports(data_copy: Path, tmp_path: Path):
    db = tmp_path / "cli.duckdb"
    proc = run_cli("build", "--data", str(data_copy), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert db.exists()
    assert f"wrote {db}" in proc.stdout
    assert meta(db)["content_hash"][:12] in proc.stdout


def test_cli_check_writes_nothing(data_copy: Path):
    def snapshot(folder: Path) -> dict[str, str]:
        return {p.name: sha256(p) for p in sorted(folder.iterdir())}

    def default_db_state():
        if not DEFAULT_DB.exists():
            return None
        st = os.stat(DEFAULT_DB)
        return st.st_ino, st.st_size, st.st_mtime_ns

    before, default_before = snapshot(data_copy), default_db_state()
    proc = run_cli("check", "--data", str(data_copy))
    assert proc.returncode == 0, proc.stderr
    assert "nothing written" in proc.stdout
    assert snapshot(data_copy) == before
    assert default_db_state() == default_before
