"""Trust nothing that comes in (issue 12): one test per case a red-team pass found.

Credentials in EARNINGS_DB never reach a page; a database file is data, not code; a file that is
not a regular file, or is being copied over the live one, is named, never hangs, never raises;
text from the data is text everywhere (markdown, Plotly, CSV); ingest is all or nothing, one at a
time, and repairs what a stopped run left; a typo in a period cannot make work unbounded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES, read_company
from streamlit.testing.v1 import AppTest
from test_serve_time import kpi, new_app

from earnings import serve
from earnings.contract import periods
from earnings.model import fmt, tables
from earnings.read import location, queries
from earnings.render import charts, figures
from earnings.sources.problems import SourceError
from earnings.ui import store
from earnings.write import commit
from earnings.write import database as build_mod
from earnings.write.ingest import IngestError, ingest

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("AKIAXYZ", "se/cret", "SIGNATURE123", "TOKEN123", "hunter2")
LOCATIONS = {
    "md:earnings?motherduck_token=TOKEN123": "md:earnings",
    "s3://AKIAXYZ:se/cret@bucket/path/earnings.duckdb": "s3://bucket/path/earnings.duckdb",
    "https://bob:hunter2@files.example/earnings.duckdb?X-Amz-Signature=SIGNATURE123&x=1": (
        "https://files.example/earnings.duckdb"
    ),
    "gs://bucket/earnings.duckdb?token=TOKEN123#frag": "gs://bucket/earnings.duckdb",
}


def all_text(at: AppTest) -> str:
    """Every text on the page, as a reader sees it (markdown's backslash escapes resolved)."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "text", "code")
    return re.sub(r"\\(.)", r"\1", " ".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


# --- secrets never reach a page ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), list(LOCATIONS.items()))
def test_a_location_is_shown_without_credentials(raw: str, shown: str) -> None:
    assert location.shown(raw) == shown
    message = f'IO Error: cannot open "{raw}": HTTP 403 (token=TOKEN123)'
    scrubbed = location.scrub(message, raw)
    assert not any(s in scrubbed for s in SECRETS), scrubbed
    assert shown in scrubbed


@pytest.mark.parametrize("raw", list(LOCATIONS))
def test_no_page_shows_a_credential_of_the_database_location(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, none of these opens: the error and the caption under it name the place, never a secret."""
    monkeypatch.setenv("EARNINGS_DB", raw)
    for page_id in ("overview", "data"):
        at = new_app(page_id).run()
        assert [e.message for e in at.exception] == []
        assert len(at.error) == 1
        shown = all_text(at)
        assert location.shown(raw) in shown
        assert not any(s in shown for s in SECRETS), shown


def test_the_warm_up_log_shows_no_credential() -> None:
    done = serve.warm_up("s3://AKIAXYZ:se/cret@bucket/earnings.duckdb?X-Amz-Signature=SIGNATURE123")
    assert "problem" in done and not any(s in done["problem"] for s in SECRETS), done


# --- a database file is data, not code -------------------------------------------------------------------


def _alter(path: Path, *sql: str) -> Path:
    con = duckdb.connect(str(path))
    try:
        for statement in sql:
            con.execute(statement)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def test_a_connection_reads_the_database_and_nothing_else(db: Path) -> None:
    con = queries.connect(str(db))
    try:
        assert queries.verify_schema(con)["schema_version"]
        for sql in (
            "select * from read_text('/etc/hostname')",
            "select * from read_csv('/etc/passwd')",
            "attach '/tmp/other.duckdb' as other",
            "copy facts to '/tmp/leak.csv'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql).fetchall()
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("set enable_external_access = true")
    finally:
        con.close()


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        (
            ("drop table meta", "create view meta as select 'content_hash' as key, content as value "
             "from read_text('/etc/hostname')"),
            "defines meta as a view",
        ),
        (
            ("drop table companies", "create view companies as select * from read_csv('/etc/passwd')"),
            "defines companies as a view",
        ),
        (("drop table facts", "create view facts as select 1 as x"), "defines facts as a view"),
        (("alter table facts drop column excerpt",), "facts table lacks column(s): excerpt"),
    ],
    ids=["meta reads a server file", "companies reads a server file", "a view of another shape", "another shape"],
)  # fmt: skip
def test_a_database_that_is_not_data_is_refused(
    db: Path, sql: tuple[str, ...], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alter(db, *sql)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"
    for page_id in ("overview", "data"):
        at = new_app(page_id).run()
        assert [e.message for e in at.exception] == []
        assert len(at.error) == 1 and words in at.error[0].value, [e.value for e in at.error]
        shown = all_text(at)
        assert hostname not in shown and "root:" not in shown


def test_a_pipe_a_loop_and_a_directory_are_named_and_nothing_waits(tmp_path: Path, monkeypatch) -> None:
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.duckdb"
    loop.symlink_to(tmp_path / "loop2.duckdb")
    (tmp_path / "loop2.duckdb").symlink_to(loop)
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    cases = {fifo: "not a regular file", loop: "loop of symbolic links", folder: "a directory"}
    for path, words in cases.items():
        assert words in (location.file_problem(str(path)) or "")
        done = serve.warm_up(str(path))  # a pipe would block DuckDB's open forever: it is never opened
        assert words in done["problem"]
        monkeypatch.setenv("EARNINGS_DB", str(path))
        at = new_app("revenue").run()
        assert [e.message for e in at.exception] == []
        assert len(at.error) == 1 and words in at.error[0].value and "cannot be opened" in at.error[0].value
        assert str(tmp_path) not in all_text(at)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.95])
def test_a_file_being_copied_over_the_live_one_never_raises(
    db: Path, tmp_path: Path, fraction: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cp new.duckdb live.duckdb` writes in place: a run can find any prefix of the new file."""
    good = db.read_bytes()
    live = tmp_path / "live" / "earnings.duckdb"
    live.parent.mkdir()
    live.write_bytes(good)
    monkeypatch.setenv("EARNINGS_DB", str(live))
    at = new_app("overview").run()
    assert kpi(at, "Revenue") == "$141.1M"
    with open(live, "r+b") as f:  # in place, as cp does: same inode, a prefix of the new bytes
        f.truncate(0)
        f.write(good[: int(len(good) * fraction)])
    at.run()
    assert [e.message for e in at.exception] == []
    assert len(at.error) == 1 or kpi(at, "Revenue") == "$141.1M", "the page says what is wrong, or reads it whole"
    live.write_bytes(good)
    at.run()
    assert [e.message for e in at.exception] == [] and not at.error
    assert kpi(at, "Revenue") == "$141.1M"


def test_a_read_that_fails_midway_starts_the_run_over(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file was whole when the run looked, and cut off by the time it read the figures: the run
    starts over and says what is wrong; no exception element."""
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = new_app("overview").run()
    real = store.bundle.company_data
    calls = []

    def cut_off(con, ticker):
        calls.append(ticker)
        if len(calls) == 1:
            raise duckdb.IOException("Could not read enough bytes from file")
        return real(con, ticker)

    store._company.clear()
    monkeypatch.setattr(store.bundle, "company_data", cut_off)
    at.run()
    assert [e.message for e in at.exception] == [] and not at.error
    assert kpi(at, "Revenue") == "$141.1M" and len(calls) >= 2


# --- text from the data is plain text everywhere ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "see https://evil.example/x",
        "mail bob@evil.example now",
        "www.evil.example",
        "HTTPS://X.Y",
        "ftp://files.example/a",
    ],
)
def test_no_url_or_address_from_the_data_can_become_a_link(text: str) -> None:
    """Streamlit's markdown links bare URLs and addresses by itself: in a line of ours they carry an
    invisible word joiner where the pattern would match (the visible characters are the same)."""
    escaped = fmt.md_inline(text)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert unescaped.replace(fmt.WORD_JOINER, "") == text
    assert not re.search(r"(?i)(https?|ftp)://|www\.|[a-z0-9]@[a-z0-9]", unescaped)


@pytest.mark.parametrize(
    "text",
    ["Title\n=====", "a\n\n    indented code", "    code at the start", "\tx", "line\n---\nb", "# h\n## h2"],
)
def test_no_heading_or_code_block_from_a_multi_line_text(text: str) -> None:
    """Line breaks are hard breaks (no line begins a block), ``=`` and ``-`` are escaped, and a code indent
    at the start of a line is dropped in a line of ours."""
    escaped = fmt.md_inline(text)
    assert "\n\n" not in escaped and "\n    " not in escaped and not escaped.startswith("    ")
    assert "\t" not in escaped
    for line in escaped.split("\n"):
        assert not line.startswith(("=", "-", "#")), line


def test_a_target_label_is_text_in_the_chart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(build_mod.DATA_DIR, data)
    targets = data / "targets.csv"
    label = "<a href='https://evil.example'>click</a> <b>bold</b> <span style='font-size:80px'>big</span>"
    text = targets.read_text().replace("Long-term gross margin model ~70%", label.replace('"', ""))
    targets.write_text(text)
    build_mod.build(data, tmp_path / "e.duckdb")
    fig = charts.margins(read_company(tmp_path / "e.duckdb"))
    annotations = [a.text for a in fig.layout.annotations]
    assert figures.plain(label) in annotations
    assert not any("<" in a for a in annotations), annotations


def test_csv_downloads_cannot_run_as_formulas() -> None:
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", None],
            "value": [-7.593, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    safe = tables.spreadsheet_safe(frame)
    assert list(safe["text"])[:6] == [
        '\'=HYPERLINK("https://evil.example")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert safe["text"].iloc[6] == "plain" and pd.isna(safe["text"].iloc[7])
    assert list(safe["value"]) == list(frame["value"]), "numbers stay numbers"


def test_the_data_pages_csv_of_a_hostile_text_is_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(build_mod.DATA_DIR, data)
    commentary = data / "commentary.csv"
    lines = commentary.read_text().splitlines()
    lines[1] = lines[1].replace("Q4 2024 delivered record revenue", '=HYPERLINK(""https://evil.example"")')
    commentary.write_text("\n".join(lines) + "\n")
    db = tmp_path / "e.duckdb"
    build_mod.build(data, db)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    state = store.state()
    csv = store.table_csv(state, "commentary")().decode("utf-8")
    assert "'=HYPERLINK(" in csv and ",=HYPERLINK(" not in csv and '"=HYPERLINK(' not in csv


def test_a_number_too_large_is_refused_at_validation(data_copy: Path) -> None:
    facts = data_copy / "facts.csv"
    rows = facts.read_text().splitlines()
    rows[1] = rows[1].replace(",50.514,", ",1" + "0" * 400 + ",")
    facts.write_text("\n".join(rows) + "\n")
    with pytest.raises(SourceError) as err:
        build_mod.prepare(data_copy)
    assert any(p.file == "facts.csv" and p.line == 2 and "too large" in p.reason for p in err.value.problems)


# --- ingest is all or nothing --------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(build_mod.DATA_DIR, data, ignore=shutil.ignore_patterns("*.duckdb*"))
    db = tmp_path / "db" / "earnings.duckdb"
    build_mod.build(data, db)
    return data, db


ZEPHYR = FIXTURES / "zephyr_2025q1_summary.txt"


def test_an_impossible_date_changes_nothing_and_says_where(workspace: tuple[Path, Path]) -> None:
    data, db = workspace
    before, db_before = snapshot(data), db.read_bytes()
    run = subprocess.run(
        [sys.executable, "-m", "earnings", "ingest", str(ZEPHYR), "--data", str(data), "--db", str(db),
         "--published-on", "2025-02-30"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1
    assert "--published-on: '2025-02-30' is not a day of the calendar" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert snapshot(data) == before and db.read_bytes() == db_before


def test_a_database_folder_that_cannot_be_written_changes_nothing(workspace: tuple[Path, Path], tmp_path) -> None:
    data, _ = workspace
    before = snapshot(data)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    with pytest.raises(IngestError, match="nothing was changed"):
        ingest(ZEPHYR, data, blocker / "earnings.duckdb")
    assert snapshot(data) == before
    assert not any(p.name.startswith(commit.STAGING_PREFIX) for p in data.iterdir())


def _crash_during_commit(data: Path, db: Path, after_moves: int) -> int:
    """Run ingest in a child process that dies (os._exit, as kill -9 would) after ``after_moves`` moves."""
    code = f"""
import os, sys
from earnings.write import commit, ingest
real_replace = os.replace
moves = []
def dying_replace(src, dst):
    if os.path.dirname(str(dst)) == {str(data)!r} and str(dst).endswith(".csv") or str(dst) == {str(db)!r}:
        if len(moves) == {after_moves}:
            os._exit(9)
        moves.append(src)
    real_replace(src, dst)
commit.os.replace = dying_replace
ingest.ingest({str(ZEPHYR)!r}, {str(data)!r}, {str(db)!r})
"""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120).returncode


@pytest.mark.parametrize("after_moves", [0, 2, 5])
def test_a_run_killed_midway_is_finished_by_the_next(workspace: tuple[Path, Path], after_moves: int) -> None:
    data, db = workspace
    assert _crash_during_commit(data, db, after_moves) == 9
    assert (data / commit.JOURNAL).exists(), "the change was committed to the journal before the process died"
    report = ingest(ZEPHYR, data, db)
    assert report.repaired and "stopped midway" in report.repaired
    assert not (data / commit.JOURNAL).exists()
    assert build_mod.built_hash(db) == build_mod.files_hash(data), "data/ and the database agree again"
    assert read_company(db, "ZFDX").value("2025Q1", "revenue") is not None
    assert not [p for p in data.iterdir() if p.name.startswith(".ingest")]


def test_a_build_failure_before_the_commit_changes_nothing(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, db = workspace
    before, db_before = snapshot(data), db.read_bytes()

    def fail(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_mod, "write_database", fail)
    with pytest.raises(IngestError, match="No space left on device; nothing was changed"):
        ingest(ZEPHYR, data, db)
    assert snapshot(data) == before and db.read_bytes() == db_before


def test_a_database_that_does_not_match_data_is_rebuilt(workspace: tuple[Path, Path]) -> None:
    """data/ changed and the build after it never ran (the old failure): re-ingesting is not 'nothing new'."""
    data, db = workspace
    ingest(ZEPHYR, data, db)
    stale = db.parent / "stale.duckdb"
    build_mod.build(build_mod.DATA_DIR, stale)
    os.replace(stale, db)  # the database of before the ingest, beside data/ of after
    assert build_mod.built_hash(db) != build_mod.files_hash(data)
    report = ingest(ZEPHYR, data, db)
    assert not report.added and not report.changed
    assert report.built and "did not match" in (report.repaired or "")
    assert build_mod.built_hash(db) == build_mod.files_hash(data)


def test_a_second_ingest_while_one_runs_is_told_and_changes_nothing(workspace: tuple[Path, Path]) -> None:
    data, db = workspace
    before = snapshot(data)
    holding, release = threading.Event(), threading.Event()

    def first_ingest() -> None:
        with commit.writer(data):
            holding.set()
            release.wait(60)

    other = threading.Thread(target=first_ingest)
    other.start()
    try:
        assert holding.wait(30)
        run = subprocess.run(
            [sys.executable, "-m", "earnings", "ingest", str(ZEPHYR), "--data", str(data), "--db", str(db)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 1 and "another ingest is running on data/" in run.stderr
        assert snapshot(data) == before
    finally:
        release.set()
        other.join()
    assert ingest(ZEPHYR, data, db).built, "once the first is done, the second goes through"


def test_two_ingests_at_once_lose_neither(workspace: tuple[Path, Path]) -> None:
    """Started together, one waits its turn (told to run again) or both land: never one lost silently."""
    data, db = workspace
    docs = [FIXTURES / "zephyr_2025q1_summary.txt", FIXTURES / "zephyr_2025q2_summary.txt"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "earnings", "ingest", str(doc), "--data", str(data), "--db", str(db)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for doc in docs
    ]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    for doc, (code, err) in zip(docs, results):
        if code != 0:
            assert "another ingest is running" in err
            assert ingest(doc, data, db).built
    sources = (data / "sources.csv").read_text()
    assert "zfdx-2025q1-summary" in sources and "zfdx-2025q2-summary" in sources
    assert build_mod.built_hash(db) == build_mod.files_hash(data)


def test_a_ticker_with_a_dot_or_a_dash_ingests(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    for ticker in ("BRK.B", "RDS-A"):
        doc = tmp_path / f"{ticker}.txt"
        doc.write_text(ZEPHYR.read_text().replace("(ZFDX)", f"({ticker})"))
        report = ingest(doc, data, db)
        assert report.built and not report.conflicts
        company = read_company(db, ticker)
        assert company.value("2025Q1", "revenue") is not None
        assert all(s.startswith(ticker.lower().replace(".", "-").replace("-", "-")) for s in company.sources)


def test_errors_name_the_users_file_never_a_working_copy(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = workspace
    doc = tmp_path / "my-summary.txt"
    text = ZEPHYR.read_text()
    huge = "9" * 400
    doc.write_text(text.replace("$22.000", f"${huge}", 1))
    with pytest.raises(SourceError) as err:
        ingest(doc, data, db)
    message = str(err.value)
    assert "my-summary.txt" in message and "data/facts.csv" in message
    assert "too large to be a figure" in message
    assert commit.STAGING_PREFIX not in message and "/tmp" not in message


def test_a_corrupted_labels_file_fails_build_and_check(data_copy: Path) -> None:
    labels = data_copy / "labels.csv"
    labels.write_text(labels.read_text() + "Free cash flow ($USD Millions),fcf,,usd_m\nRevenue 2,revenue,,pct\n")
    with pytest.raises(SourceError) as err:
        build_mod.prepare(data_copy)
    found = {(p.file, p.line) for p in err.value.problems}
    n = len(labels.read_text().splitlines())
    assert ("labels.csv", n - 1) in found and ("labels.csv", n) in found
    run = subprocess.run(
        [sys.executable, "-m", "earnings", "check", "--data", str(data_copy)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and f"labels.csv:{n}: unit 'pct' is wrong for revenue" in run.stderr


# --- bounded work -----------------------------------------------------------------------------------------


def test_a_period_typo_is_refused_and_an_axis_is_bounded(data_copy: Path) -> None:
    facts = data_copy / "facts.csv"
    rows = facts.read_text().splitlines()
    rows[1] = rows[1].replace("ALAB,2023Q4,", "ALAB,2204Q1,")
    facts.write_text("\n".join(rows) + "\n")
    with pytest.raises(SourceError) as err:
        build_mod.prepare(data_copy)
    assert any(p.line == 2 and "'2204Q1' is outside the years" in p.reason for p in err.value.problems)
    axis = periods.quarter_axis(["2024Q4", "2204Q1"])
    assert len(axis) == periods.MAX_AXIS and axis[-1] == "2204Q1"


def test_a_page_number_of_thousands_of_digits_is_a_notice(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARNINGS_DB", str(built_db))
    at = new_app("commentary")
    at.query_params["page"] = "9" * 5000
    at.run()
    assert [e.message for e in at.exception] == []
    assert any("page number" in i.value for i in at.info)
