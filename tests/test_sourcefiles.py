"""Bad source files are refused with every problem named by file, line and reason.

Each case writes one kind of mistake into a copy of data/ and checks the
problem list from ``earnings.write.prepare``; the same copies are then built
with the command line, which must exit 1, print ``file:line:`` and leave the
previous database byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from earnings.sources import reviewed as sourcefiles
from earnings.sources.problems import SourceError
from earnings.write.database import DATA_DIR, build, prepare

REPO_ROOT = Path(__file__).resolve().parents[1]

# --- editing a copy of data/ -----------------------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert all("\n" not in cell for row in rows for cell in row), "the helpers assume one line per row"
    return rows


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def line_of(path: Path, **match: str) -> int:
    """The line number (1 = header) of the first row whose cells equal ``match``."""
    rows = read_rows(path)
    header = rows[0]
    for i, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return i
    raise AssertionError(f"no row {match} in {path.name}")


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def edit(file: str, column: str, value: str, **match: str) -> Callable[[Path], list[tuple[str, int]]]:
    def apply(data: Path) -> list[tuple[str, int]]:
        line = line_of(data / file, **match)
        set_cell(data / file, line, column, value)
        return [(file, line)]

    return apply


def add_column(path: Path, name: str, values: dict[int, str] | None = None) -> None:
    """Add a column (empty unless ``values`` gives a line's value)."""
    rows = read_rows(path)
    rows[0].append(name)
    for i, row in enumerate(rows[1:], start=2):
        row.append((values or {}).get(i, ""))
    write_rows(path, rows)


def drop_column(path: Path, name: str) -> None:
    rows = read_rows(path)
    i = rows[0].index(name)
    write_rows(path, [r[:i] + r[i + 1 :] for r in rows])


# --- the cases ----------------------------------------------------------------------------------------


def duplicate_row(data: Path) -> list[tuple[str, int]]:
    rows = read_rows(data / "facts.csv")
    rows.append(list(rows[1]))
    write_rows(data / "facts.csv", rows)
    return [("facts.csv", len(rows))]


def missing_column(data: Path) -> list[tuple[str, int]]:
    drop_column(data / "facts.csv", "excerpt")
    return [("facts.csv", 1)]


def extra_column(data: Path) -> list[tuple[str, int]]:
    add_column(data / "guidance.csv", "comment")
    return [("guidance.csv", 1)]


def empty_file(data: Path) -> list[tuple[str, int]]:
    (data / "targets.csv").write_bytes(b"")
    return [("targets.csv", 1)]


def not_utf8(data: Path) -> list[tuple[str, int]]:
    path = data / "commentary.csv"
    line = line_of(path, commentary_id="alab-2024q4-qa-2")
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"Margins", "Margins \u00e9".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    return [("commentary.csv", line)]


def wrong_field_count(data: Path) -> list[tuple[str, int]]:
    path = data / "facts.csv"
    line = line_of(path, period="2024Q3", metric="interest_income")
    rows = read_rows(path)
    rows[line - 1].append("stray")
    write_rows(path, rows)
    return [("facts.csv", line)]


def conflict(data: Path) -> list[tuple[str, int]]:
    path = data / "facts.csv"
    line = line_of(path, period="2024FY", metric="revenue", value="396")
    set_cell(path, line, "value", "400")
    return [("facts.csv", line)]


def two_preferred(data: Path) -> list[tuple[str, int]]:
    path = data / "facts.csv"
    a = line_of(path, period="2024FY", metric="revenue", value="396.3")
    b = line_of(path, period="2024FY", metric="revenue", value="396")
    add_column(path, "preferred", {a: "yes", b: "yes"})
    return [("facts.csv", max(a, b))]


def several_lines(data: Path) -> list[tuple[str, int]]:
    """Problems on several lines of two files: every one is listed."""
    out = []
    for period, value in (("2023Q4", "50,514"), ("2024Q3", "$113.086"), ("2024Q4", "(141.096)")):
        out += edit("facts.csv", "value", value, period=period, metric="revenue", section="Financial Results")(data)
    out += edit("themes.csv", "period", "2024Q5", topic="CXL (Leo) ramp", period="2024Q3")(data)
    return out


@dataclass(frozen=True)
class Case:
    id: str
    apply: Callable[[Path], list[tuple[str, int]]]
    words: tuple[str, ...]  # one of these (lower case) must be in every reason


REV_Q3 = {"period": "2024Q3", "metric": "revenue"}
CASES = [
    Case("malformed_number", edit("facts.csv", "value", "113.08.6", **REV_Q3), ("not a number",)),
    Case("thousands_separator", edit("facts.csv", "value", "1,113.086", **REV_Q3), ("thousands",)),
    Case("currency_sign", edit("guidance.csv", "low", "$126", target_period="2024Q4", metric="revenue"), ("currency",)),
    Case(
        "negative_in_parentheses",
        edit("facts.csv", "value", "(7.593)", period="2024Q3", metric="net_income", basis="gaap"),
        ("parentheses",),
    ),
    Case("unknown_metric", edit("facts.csv", "metric", "ebitda", **REV_Q3), ("unknown metric",)),
    Case(
        "unknown_metric_in_list",
        edit("commentary.csv", "metrics", "revenue;ebitda", commentary_id="alab-2024q4-qa-1"),
        ("unknown metric",),
    ),
    Case("wrong_unit", edit("facts.csv", "unit", "pct", **REV_Q3), ("unit",)),
    Case(
        "unknown_basis",
        edit("facts.csv", "basis", "ifrs", period="2024Q3", metric="net_income", basis="gaap"),
        ("basis",),
    ),
    Case("duplicate_key", duplicate_row, ("duplicate",)),
    Case(
        "period_with_space",
        edit("facts.csv", "period", "Q4 2024", period="2024Q4", metric="interest_income"),
        ("period",),
    ),
    Case("period_q5", edit("themes.csv", "period", "2024Q5", topic="CXL (Leo) ramp", period="2024Q3"), ("period",)),
    Case(
        "unknown_source_id",
        edit("guidance.csv", "source_id", "nowhere", target_period="2024Q4", metric="revenue"),
        ("sources.csv",),
    ),
    Case("unknown_ticker", edit("facts.csv", "ticker", "ZZZZ", **REV_Q3), ("companies.csv",)),
    Case("missing_column", missing_column, ("missing",)),
    Case("extra_column", extra_column, ("unknown column",)),
    Case("empty_file", empty_file, ("empty",)),
    Case("not_utf8", not_utf8, ("utf-8",)),
    Case("wrong_field_count", wrong_field_count, ("fields",)),
    Case("conflict_without_preferred", conflict, ("conflict",)),
    Case("two_preferred", two_preferred, ("preferred",)),
    Case("several_lines", several_lines, ("thousands", "currency", "parentheses", "period")),
]
CASE_IDS = [c.id for c in CASES]


def test_the_bundled_data_is_valid():
    """The cases below start from valid files: any problem is the one written into them."""
    prepare(DATA_DIR)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_prepare_names_file_line_and_reason(case: Case, data_copy: Path):
    expected = case.apply(data_copy)
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    problems = info.value.problems
    got = sorted((p.file, p.line) for p in problems)
    assert got == sorted(expected), "\n".join(str(p) for p in problems)
    for p in problems:
        assert any(w in p.reason.lower() for w in case.words), str(p)
        assert f"{p.file}:{p.line}: " in str(p)
    assert str(info.value) == "\n".join(str(p) for p in problems)


def test_load_reports_value_problems_before_any_build(data_copy: Path):
    edit("facts.csv", "value", "113.08.6", **REV_Q3)(data_copy)
    with pytest.raises(SourceError) as info:
        sourcefiles.load(data_copy)
    assert [p.file for p in info.value.problems] == ["facts.csv"]


def test_duplicate_key_names_the_first_line(data_copy: Path):
    duplicate_row(data_copy)
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    assert "line 2" in info.value.problems[0].reason


def test_conflict_names_both_lines(data_copy: Path):
    path = data_copy / "facts.csv"
    precise = line_of(path, period="2024FY", metric="revenue", value="396.3")
    [(_, line)] = conflict(data_copy)
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    [problem] = info.value.problems
    assert problem.line == line and f"line {precise}" in problem.reason
    assert "preferred" in problem.reason  # says how to resolve it


def test_two_preferred_names_both_lines(data_copy: Path):
    path = data_copy / "facts.csv"
    a = line_of(path, period="2024FY", metric="revenue", value="396.3")
    b = line_of(path, period="2024FY", metric="revenue", value="396")
    two_preferred(data_copy)
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    [problem] = info.value.problems
    assert str(a) in problem.reason and str(b) in problem.reason


def test_missing_required_file(data_copy: Path):
    (data_copy / "facts.csv").unlink()
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    assert [p.file for p in info.value.problems] == ["facts.csv"]
    assert "missing" in info.value.problems[0].reason


def test_missing_data_folder(tmp_path: Path):
    with pytest.raises(SourceError):
        prepare(tmp_path / "nowhere")


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(data_copy: Path):
    path = data_copy / "facts.csv"
    line = line_of(path, **REV_Q3)
    text = path.read_text(encoding="utf-8").split("\n")
    text.insert(1, "")  # a blank line 2: the bad row moves down by one
    path.write_text("\n".join(text), encoding="utf-8")
    set_cell(path, line + 1, "value", "oops")
    with pytest.raises(SourceError) as info:
        prepare(data_copy)
    assert [(p.file, p.line) for p in info.value.problems] == [("facts.csv", line + 1)]


# --- preferred=yes resolves a conflict -----------------------------------------------------------------


@pytest.mark.parametrize("prefer", ["396.3", "400"])
def test_preferred_resolves_a_conflict(prefer: str, data_copy: Path, tmp_path: Path):
    path = data_copy / "facts.csv"
    [(_, line)] = conflict(data_copy)  # the call article now says 400 against 396.3
    lines = {"396.3": line_of(path, period="2024FY", metric="revenue", value="396.3"), "400": line}
    add_column(path, "preferred", {lines[prefer]: "yes"})
    other = "400" if prefer == "396.3" else "396.3"

    db = tmp_path / "out.duckdb"
    build(data_copy, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        facts = con.execute("select value from facts where period = '2024FY' and metric = 'revenue'").fetchall()
        assert facts == [(float(prefer),)]
        cross = con.execute(
            "select value, agrees from cross_checks where subject = 'facts' and period = '2024FY' and metric = 'revenue'"
        ).fetchall()
        assert cross == [(float(other), False)]
        status = con.execute(
            "select status from checks where check_id = 'cross_check:facts:ALAB:2024FY:revenue'"
        ).fetchall()
        assert status == [("warn",)]
    finally:
        con.close()


# --- the command line ------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CliRun:
    expected: list[tuple[str, int]]
    returncode: int
    stdout: str
    stderr: str
    before: tuple[str, list[str]]
    after: tuple[str, list[str]]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> dict[str, CliRun]:
    """Every case built with ``python -m earnings build`` over a previous database, a few at a time."""
    jobs = []
    for case in CASES:
        root = tmp_path_factory.mktemp(case.id)
        data = root / "data"
        data.mkdir()
        for src in DATA_DIR.glob("*.csv"):
            shutil.copy2(src, data / src.name)
        expected = case.apply(data)
        db_dir = root / "db"
        db_dir.mkdir()
        db = db_dir / "earnings.duckdb"
        shutil.copy2(built_db, db)
        jobs.append((case.id, expected, data, db))

    def state(db: Path) -> tuple[str, list[str]]:
        return sha256(db), sorted(os.listdir(db.parent))

    def run(job) -> tuple[str, CliRun]:
        case_id, expected, data, db = job
        before = state(db)
        proc = subprocess.run(
            [sys.executable, "-m", "earnings", "build", "--data", str(data), "--db", str(db)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=120,
        )
        return case_id, CliRun(expected, proc.returncode, proc.stdout, proc.stderr, before, state(db))

    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 1) * 2)) as pool:
        return dict(pool.map(run, jobs))


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_cli_build_refuses_and_keeps_the_previous_database(case_id: str, cli_runs: dict[str, CliRun]):
    run = cli_runs[case_id]
    assert run.returncode == 1, run.stdout + run.stderr
    for file, line in run.expected:
        assert f"{file}:{line}:" in run.stderr
    assert "nothing was written" in run.stderr
    assert run.after[0] == run.before[0], "the previous database changed"
    assert run.after[1] == run.before[1] == ["earnings.duckdb"], "files were left beside the database"


def test_cli_check_refuses_bad_files(data_copy: Path):
    [(file, line)] = edit("facts.csv", "value", "oops", **REV_Q3)(data_copy)
    proc = subprocess.run(
        [sys.executable, "-m", "earnings", "check", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert f"{file}:{line}:" in proc.stderr
