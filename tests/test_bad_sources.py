"""More bad source files, each through the command line: ``python -m earnings build`` must exit 1,
list every problem as ``file:line: reason`` and leave the previous database byte-identical.

tests/test_sourcefiles.py covers the first of each kind (a malformed number, ``1,113.086``,
``$126``, unknown metric, wrong unit, duplicate key, period formats, a missing or extra column,
an empty optional file, a latin-1 byte, ...). This file adds what it does not: a file of 100,000
rows (valid, and with bad rows deep inside), a currency sign after the number or before a minus,
thousands separators in every common form, an unknown unit, an empty or blank *required* file, a
renamed or doubled header, UTF-16 and Windows-1252 files, NUL bytes, a quote that is never
closed, and a source url that is not a web address (``javascript:``). Files that only look odd (CRLF line endings, a UTF-8 byte order mark) must still build.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from test_sourcefiles import REV_Q3, Case, add_column, drop_column, edit, line_of, read_rows, sha256, write_rows

from earnings.write.database import DATA_DIR, prepare

REPO_ROOT = Path(__file__).resolve().parents[1]
BIG_ROWS = 100_000
# the bad rows of the big file: line -> (column, value, a word of the reason)
BIG_BAD = {
    50_000: ("period", "2024-Q4", "period"),
    87_654: ("value", "1,234.5", "thousands"),
    99_999: ("unit", "usd_bn", "unknown unit"),
}
PROBLEM_LINE = re.compile(r"^  (?P<file>[^:\s]+):(?P<line>\d+): (?P<reason>.+)$")

# --- the cases ---------------------------------------------------------------------------------------


NET_INCOME_Q3 = {"period": "2024Q3", "metric": "net_income", "basis": "gaap"}


def thousands_in_every_form(data: Path) -> list[tuple[str, int]]:
    """One row per way of grouping digits: each is listed, with its own line."""
    path = data / "facts.csv"
    forms = ["1,234.5", "1 234,5", "1.234,5", "1 234.5", "1'234.5", "1\u00a0234,5", "1_234.5"]
    usd_rows = [i for i, r in enumerate(read_rows(path)[1:], start=2) if r[5] == "usd_m"][: len(forms)]
    rows = read_rows(path)
    col = rows[0].index("value")
    for line, form in zip(usd_rows, forms):
        rows[line - 1][col] = form
    write_rows(path, rows)
    return [("facts.csv", line) for line in usd_rows]


def renamed_header(data: Path) -> list[tuple[str, int]]:
    """``vaule`` for ``value``: the missing and the unknown column are both named, on line 1."""
    path = data / "facts.csv"
    rows = read_rows(path)
    rows[0][rows[0].index("value")] = "vaule"
    write_rows(path, rows)
    return [("facts.csv", 1), ("facts.csv", 1)]


def missing_column_in_companies(data: Path) -> list[tuple[str, int]]:
    """Only the header's problem: references to companies.csv are not checked against a broken file."""
    drop_column(data / "companies.csv", "name")
    return [("companies.csv", 1)]


def extra_column_with_values(data: Path) -> list[tuple[str, int]]:
    path = data / "facts.csv"
    add_column(path, "comment", {5: "checked by Ana"})
    add_column(data / "themes.csv", "owner")
    return [("facts.csv", 1), ("themes.csv", 1)]


def column_given_twice(data: Path) -> list[tuple[str, int]]:
    add_column(data / "facts.csv", "value")
    return [("facts.csv", 1)]


def empty_required_file(data: Path) -> list[tuple[str, int]]:
    (data / "facts.csv").write_bytes(b"")
    return [("facts.csv", 1)]


def blank_lines_only(data: Path) -> list[tuple[str, int]]:
    (data / "commentary.csv").write_bytes(b"\n  \n\r\n")
    (data / "guidance.csv").write_bytes(b"\xef\xbb\xbf")  # a byte order mark and nothing else
    return [("commentary.csv", 1), ("guidance.csv", 1)]


def utf16_with_bom(data: Path) -> list[tuple[str, int]]:
    path = data / "themes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return [("themes.csv", 1)]


def utf16_without_bom(data: Path) -> list[tuple[str, int]]:
    """UTF-16-LE of ASCII text is valid UTF-8 full of NUL bytes: named as such, not as odd columns."""
    path = data / "themes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    return [("themes.csv", 1)]


def windows_1252_deep(data: Path) -> list[tuple[str, int]]:
    """A curly quote saved as Windows-1252 (byte 0x93) on one line deep in the file."""
    path = data / "guidance.csv"
    line = line_of(path, metric="opex_total", target_period="2024Q4")
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"Slightly higher", b"\x93Slightly higher\x94", 1)
    path.write_bytes(b"\n".join(lines))
    return [("guidance.csv", line)]


def nul_byte(data: Path) -> list[tuple[str, int]]:
    path = data / "facts.csv"
    line = line_of(path, **REV_Q3)
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"Financial", b"Fin\x00ancial", 1)
    path.write_bytes(b"\n".join(lines))
    return [("facts.csv", line)]


def unclosed_quote(data: Path) -> list[tuple[str, int]]:
    """A quote opened on line 2 and closed by accident lines later: the line where it opened."""
    path = data / "targets.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert ",Executive Summary," in lines[1]
    lines[1] = lines[1].replace(",Executive Summary,", ',"Executive Summary,', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return [("targets.csv", 2)]


CASES = [
    Case("currency_after_number", edit("facts.csv", "value", "113.086$", **REV_Q3), ("currency",)),
    Case("currency_before_minus", edit("facts.csv", "value", "$-7.593", **NET_INCOME_Q3), ("currency",)),
    Case("minus_before_currency", edit("facts.csv", "value", "-$7.593", **NET_INCOME_Q3), ("currency",)),
    Case(
        "euro_sign_in_guidance",
        edit("guidance.csv", "high", "130 €", target_period="2024Q4", metric="revenue"),
        ("currency",),
    ),
    Case(
        "percent_sign",
        edit("facts.csv", "value", "74.1%", period="2024Q4", metric="gross_margin", basis="non_gaap"),
        ("percent",),
    ),
    Case("currency_code", edit("facts.csv", "value", "USD 113.086", **REV_Q3), ("not a number",)),
    Case("thousands_in_every_form", thousands_in_every_form, ("thousands",)),
    Case("unknown_unit", edit("facts.csv", "unit", "usd_bn", **REV_Q3), ("unknown unit",)),
    Case("renamed_header", renamed_header, ("missing column", "unknown column")),
    Case("missing_column_in_companies", missing_column_in_companies, ("missing column",)),
    Case("extra_column_with_values", extra_column_with_values, ("unknown column",)),
    Case("column_given_twice", column_given_twice, ("given twice",)),
    Case("empty_required_file", empty_required_file, ("empty",)),
    Case("blank_lines_only", blank_lines_only, ("empty",)),
    Case("utf16_with_bom", utf16_with_bom, ("utf-8",)),
    Case("utf16_without_bom", utf16_without_bom, ("nul bytes",)),
    Case("windows_1252_deep", windows_1252_deep, ("utf-8",)),
    Case("nul_byte", nul_byte, ("nul bytes",)),
    Case("unclosed_quote", unclosed_quote, ("quote",)),
    Case(
        "javascript_url",  # the Data page shows the url as a link: it must be a web address
        edit("sources.csv", "url", "javascript:alert(1)", source_id="tipranks-alab-call-2025-02-12"),
        ("web address",),
    ),
    Case(
        "url_without_scheme",
        edit("sources.csv", "url", "www.tipranks.com/news", publisher="TipRanks"),
        ("web address",),
    ),
]

# --- a file of 100,000 rows ---------------------------------------------------------------------------

BIG_COMBOS = [
    ("revenue", "", "usd_m"),
    ("gross_margin", "gaap", "pct"),
    ("gross_margin", "non_gaap", "pct"),
    ("net_income", "gaap", "usd_m"),
    ("opex_total", "gaap", "usd_m"),
]


def make_big(data: Path, rows: int = BIG_ROWS) -> None:
    """facts.csv with ``rows`` rows: the bundled ones, then 100 per fictional company (Z0000, Z0001, ...)."""
    facts = data / "facts.csv"
    header = read_rows(facts)[0]
    need = rows - (len(read_rows(facts)) - 1)
    tickers = [f"Z{i:04d}" for i in range((need + 99) // 100)]
    out = []
    for ticker in tickers:
        for year in range(2001, 2006):
            for quarter in range(1, 5):
                for metric, basis, unit in BIG_COMBOS:
                    n = len(out)
                    value = f"{100 + n % 97}.{n % 1000:03d}" if unit == "usd_m" else f"{50 + n % 40}.{n % 10}"
                    row = {
                        "ticker": ticker,
                        "period": f"{year}Q{quarter}",
                        "metric": metric,
                        "basis": basis,
                        "value": value,
                        "unit": unit,
                        "source_id": "alab-2024q4-summary",
                        "section": "Financial Results",
                        "excerpt": f"generated row {n}",
                    }
                    out.append([row.get(h, "") for h in header])
    with facts.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(out[:need])
    with (data / "companies.csv").open("a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([[t, f"Company {t}", "USD", "12"] for t in tickers])
    assert sum(1 for _ in facts.open(encoding="utf-8")) == rows + 1


def big_with_bad_rows(data: Path) -> list[tuple[str, int]]:
    make_big(data)
    path = data / "facts.csv"
    rows = read_rows(path)
    for line, (column, value, _) in BIG_BAD.items():
        rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)
    return [("facts.csv", line) for line in BIG_BAD]


BIG_BAD_CASE = Case("big_with_bad_rows", big_with_bad_rows, tuple(w for _, _, w in BIG_BAD.values()))
ALL_CASES = [*CASES, BIG_BAD_CASE]

# --- running the command line -----------------------------------------------------------------------------


@dataclass
class CliRun:
    expected: list[tuple[str, int]]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    before: tuple[str, list[str]]
    after: tuple[str, list[str]]


def cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "earnings", *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )
    return proc, time.perf_counter() - started


def copy_data(target: Path) -> Path:
    target.mkdir(parents=True)
    for src in DATA_DIR.glob("*.csv"):
        shutil.copy2(src, target / src.name)
    return target


def db_state(db: Path) -> tuple[str, list[str]]:
    return sha256(db), sorted(os.listdir(db.parent))


def problems_in(stderr: str) -> list[tuple[str, int, str]]:
    """(file, line, reason) of every problem the command printed, in order."""
    out = []
    for text in stderr.splitlines()[1:]:
        m = PROBLEM_LINE.match(text)
        assert m, f"not a 'file:line: reason' line: {text!r}"
        out.append((m["file"], int(m["line"]), m["reason"]))
    return out


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> dict[str, CliRun]:
    """Every case built over a copy of a good database, two at a time (this machine has 2 cores)."""
    jobs = []
    for case in ALL_CASES:
        root = tmp_path_factory.mktemp(case.id)
        data = copy_data(root / "data")
        expected = case.apply(data)
        (root / "db").mkdir()
        db = root / "db" / "earnings.duckdb"
        shutil.copy2(built_db, db)
        jobs.append((case.id, expected, data, db))

    def run(job) -> tuple[str, CliRun]:
        case_id, expected, data, db = job
        before = db_state(db)
        proc, seconds = cli("build", "--data", str(data), "--db", str(db))
        return case_id, CliRun(expected, proc.returncode, proc.stdout, proc.stderr, seconds, before, db_state(db))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, jobs))


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_cli_build_lists_every_problem_and_keeps_the_database(case: Case, cli_runs: dict[str, CliRun]) -> None:
    run = cli_runs[case.id]
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout == "", "nothing but the problems is printed"
    header = run.stderr.splitlines()[0]
    listed = problems_in(run.stderr)
    assert header == f"{len(listed)} problem(s) in the source files; nothing was written:"
    assert sorted((f, line) for f, line, _ in listed) == sorted(run.expected), run.stderr
    for file, line, reason in listed:
        assert any(w in reason.lower() for w in case.words), f"{file}:{line}: {reason}"
    assert run.after[0] == run.before[0], "the previous database changed"
    assert run.after[1] == run.before[1] == ["earnings.duckdb"], "files were left beside the database"


def test_big_file_names_the_reason_of_each_deep_row(cli_runs: dict[str, CliRun]) -> None:
    listed = problems_in(cli_runs[BIG_BAD_CASE.id].stderr)
    by_line = {line: reason for _, line, reason in listed}
    for line, (column, value, word) in BIG_BAD.items():
        assert by_line[line].startswith(f"{column}: "), by_line[line]
        assert word in by_line[line].lower() and value in by_line[line]


def test_thousands_separators_say_how_to_write_the_number(cli_runs: dict[str, CliRun]) -> None:
    for _, _, reason in problems_in(cli_runs["thousands_in_every_form"].stderr):
        assert "write plain digits" in reason, reason


def test_unclosed_quote_says_where_the_row_runs_to(cli_runs: dict[str, CliRun]) -> None:
    [(_, line, reason)] = problems_in(cli_runs["unclosed_quote"].stderr)
    assert line == 2 and "runs on to line" in reason and "quote" in reason


def test_cli_check_finds_the_deep_rows_too(tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data")
    expected = big_with_bad_rows(data)
    proc, _ = cli("check", "--data", str(data))
    assert proc.returncode == 1
    assert sorted((f, line) for f, line, _ in problems_in(proc.stderr)) == sorted(expected)


# --- valid, if unusual ------------------------------------------------------------------------------------


def test_a_file_of_100000_rows_builds(tmp_path: Path, built_db: Path, capsys: pytest.CaptureFixture) -> None:
    """The time is reported, not asserted: it depends on the machine."""
    data = copy_data(tmp_path / "data")
    make_big(data)
    db = tmp_path / "earnings.duckdb"
    shutil.copy2(built_db, db)
    proc, seconds = cli("build", "--data", str(data), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    con = duckdb.connect(str(db), read_only=True)
    try:
        generated = BIG_ROWS - (len(read_rows(DATA_DIR / "facts.csv")) - 1)
        assert con.execute("select count(*) from facts where ticker like 'Z%'").fetchone() == (generated,)
        assert con.execute("select count(*) from companies where ticker like 'Z%'").fetchone() == (
            (generated + 99) // 100,
        )
        alab_q4 = con.execute(
            "select value from facts where ticker = 'ALAB' and period = '2024Q4' and metric = 'revenue'"
        ).fetchall()
        assert alab_q4 == [(141.096,)], "the real rows are still there, unchanged"
    finally:
        con.close()
    built = re.search(r"wrote .* in ([\d.]+) s", proc.stdout)
    assert built, proc.stdout
    with capsys.disabled():
        print(f"\n[100,000-row facts.csv] build {built[1]} s inside the command, {seconds:.2f} s with start-up")


def test_crlf_line_endings_and_a_byte_order_mark_build_the_same_tables(tmp_path: Path) -> None:
    """Excel on Windows saves CSV with CRLF and a BOM: that is not a mistake, and nothing changes."""
    data = copy_data(tmp_path / "data")
    for path in data.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    plain = prepare(copy_data(tmp_path / "plain"))
    windows = prepare(data)
    for table, rows in plain.tables.items():
        assert windows.tables[table] == rows, table
    assert windows.content_hash != plain.content_hash, "the hash is of the bytes: another file, another hash"


def test_every_listed_reason_names_the_column(cli_runs: dict[str, CliRun]) -> None:
    """A cell's problem starts with its column, so a person finds the cell on the line."""
    for case_id in ("currency_after_number", "currency_before_minus", "unknown_unit", "percent_sign"):
        [(_, _, reason)] = problems_in(cli_runs[case_id].stderr)
        assert reason.split(":")[0] in ("value", "unit"), reason
