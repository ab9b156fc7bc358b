"""The database at serve time: whatever is (or is not) at EARNINGS_DB, every page explains what is wrong
and how to fix it, without an exception or a traceback; a file replaced while the app serves is
picked up on the next rerun, and a session recovers as soon as a good file is back.

All through AppTest (the app in this process, EARNINGS_DB set per test).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest
from test_sourcefiles import add_column, line_of, set_cell

from earnings.ui import components, store
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
PAGE_IDS = list(components.PAGES)
HASH_RE = re.compile(r"hash ([0-9a-f]{12})")
TRACEBACK_MARKERS = ("Traceback", 'File "', '.py"', "site-packages", "raise ")


# --- helpers shared with test_live_rebuild.py -------------------------------------------------------------


def make_variant_b(data: Path, revenue: str = "150.000") -> Path:
    """A copy of data/ where ALAB's Q4 2024 revenue is ``revenue`` (the other mentions stay as cross-checks)."""
    data.mkdir(parents=True, exist_ok=True)
    for src in build_mod.DATA_DIR.glob("*.csv"):
        shutil.copy2(src, data / src.name)
    path = data / "facts.csv"
    line = line_of(path, period="2024Q4", metric="revenue", section="Financial Results")
    set_cell(path, line, "value", revenue)
    add_column(path, "preferred", {line: "yes"})  # the other sources still say 141.1: this one wins
    return data


def new_app(page_id: str, params: dict | None = None) -> AppTest:
    at = dashboard_app()
    if page_id != "overview":
        at.switch_page(components.PAGES[page_id][0])
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def all_text(at: AppTest) -> list[str]:
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out + [unescape(t) for t in out]


def kpi(at: AppTest, label: str) -> str | None:
    values = [m.value for m in at.metric if m.label == label]
    return values[0] if values else None


def sidebar_hash(at: AppTest) -> str | None:
    found = [m[1] for c in at.sidebar.caption if (m := HASH_RE.search(c.value))]
    return found[0] if found else None


pytestmark = pytest.mark.usefixtures("full_error_details")  # real exception messages


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("good") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


@pytest.fixture(scope="module")
def variant_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_variant_b(tmp_path_factory.mktemp("variant_b") / "data")


# --- bad databases ---------------------------------------------------------------------------------------


def _sql_copy(sql: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, good: Path) -> Path:
        path = folder / "earnings.duckdb"
        shutil.copy2(good, path)
        con = duckdb.connect(str(path))
        try:
            con.execute(sql)
            con.execute("checkpoint")
        finally:
            con.close()
        return path

    return make


def _bytes(data: Callable[[Path], bytes]) -> Callable[[Path, Path], Path]:
    def make(folder: Path, good: Path) -> Path:
        path = folder / "earnings.duckdb"
        path.write_bytes(data(good))
        return path

    return make


def _sqlite(folder: Path, good: Path) -> Path:
    path = folder / "earnings.duckdb"
    con = sqlite3.connect(path)
    con.execute("create table facts (x)")
    con.commit()
    con.close()
    return path


def _directory(folder: Path, good: Path) -> Path:
    path = folder / "earnings.duckdb"
    path.mkdir()
    return path


# case -> (make the file, words the error must contain)
BAD_DATABASES: dict[str, tuple[Callable[[Path, Path], Path], tuple[str, ...]]] = {
    "missing": (lambda folder, good: folder / "earnings.duckdb", ("does not exist", "python -m earnings build")),
    "empty file": (_bytes(lambda good: b""), ("is empty", "python -m earnings build")),
    "random bytes": (
        _bytes(lambda good: random.Random(6).randbytes(64 * 1024)),
        ("cannot be opened", "not a valid DuckDB", "python -m earnings build"),
    ),
    "a CSV file": (
        _bytes(lambda good: (build_mod.DATA_DIR / "facts.csv").read_bytes()),
        ("cannot be opened", "python -m earnings build"),
    ),
    "a SQLite file": (_sqlite, ("cannot be opened", "not a valid DuckDB", "python -m earnings build")),
    "cut off half way": (
        _bytes(lambda good: good.read_bytes()[: good.stat().st_size // 2]),
        ("cannot be opened", "python -m earnings build"),
    ),
    "a directory": (_directory, ("cannot be opened", "python -m earnings build")),
    "another schema version": (
        _sql_copy("update meta set value = '999' where key = 'schema_version'"),
        ("schema version '999'", "reads version", "python -m earnings build"),
    ),
    "no meta table": (_sql_copy("drop table meta"), ("no meta table", "python -m earnings build")),
    "a table missing": (_sql_copy("drop table themes"), ("lacks table(s): themes", "python -m earnings build")),
    "no companies": (_sql_copy("delete from companies"), ("no company", "python -m earnings build")),
}


@pytest.mark.parametrize("case", list(BAD_DATABASES))
def test_every_page_explains_a_bad_database(
    case: str, good_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, words = BAD_DATABASES[case]
    folder = tmp_path / "served"
    folder.mkdir()
    path = make(folder, good_db)
    monkeypatch.setenv("EARNINGS_DB", str(path))
    for page_id in PAGE_IDS:
        at = new_app(page_id).run()
        where = f"{case} on {page_id}"
        assert [e.message for e in at.exception] == [], where
        assert len(at.error) == 1, f"{where}: one error box, got {[e.value for e in at.error]}"
        message = at.error[0].value
        for w in words:
            assert w in message, f"{where}: {w!r} not in {message!r}"
        shown = all_text(at)
        for marker in TRACEBACK_MARKERS:
            assert not any(marker in t for t in shown), f"{where}: {marker!r} shown"
        assert not any(str(tmp_path) in t for t in shown), f"{where}: the server's path is shown"
        assert not at.metric and not at.get("plotly_chart") and not at.dataframe, f"{where}: data shown"


# --- the file replaced while the app serves -------------------------------------------------------------


def test_a_replaced_file_is_served_on_the_next_rerun(
    tmp_path: Path, variant_b: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build A, serve; build B over it; the same sessions rerun and show B; garbage; gone; A again."""
    db = tmp_path / "earnings.duckdb"
    a = build_mod.build(build_mod.DATA_DIR, db)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    overview = new_app("overview").run()
    revenue = new_app("revenue", {"metric": "revenue", "period": "2024Q4"}).run()
    data = new_app("data").run()

    def check(expect_revenue: str, expect_hash: str) -> None:
        for at in (overview, revenue, data):
            assert [e.message for e in at.exception] == []
            assert not at.error, [e.value for e in at.error]
            assert sidebar_hash(at) == expect_hash[:12]
        assert kpi(overview, "Revenue") == expect_revenue
        assert f"## {expect_revenue}" in [unescape(m.value) for m in revenue.markdown]
        assert [t.value for t in data.text] == [expect_hash]

    check("$141.1M", a.content_hash)

    b = build_mod.build(variant_b, db)  # the CLI's build: a new file moved over the old one
    assert b.content_hash != a.content_hash
    for at in (overview, revenue, data):
        at.run()
    check("$150.0M", b.content_hash)

    garbage = tmp_path / "garbage"
    garbage.write_bytes(random.Random(1).randbytes(4096))
    os.replace(garbage, db)
    for at in (overview, revenue, data):
        at.run()
        assert [e.message for e in at.exception] == []
        assert len(at.error) == 1 and "cannot be opened" in at.error[0].value
        assert not at.metric

    db.unlink()
    for at in (overview, revenue, data):
        at.run()
        assert len(at.error) == 1 and "does not exist" in at.error[0].value

    build_mod.build(build_mod.DATA_DIR, db)  # the same sessions recover on their next rerun
    for at in (overview, revenue, data):
        at.run()
    check("$141.1M", a.content_hash)


def test_a_replacement_between_two_reads_restarts_the_run(
    tmp_path: Path, variant_b: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run saw build A's identity, then had to read figures, and the file was build B by then:
    it starts over, all on B. Without that check the page would show B's revenue under A's hash.
    """
    db = tmp_path / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, db)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = new_app("overview").run()
    assert kpi(at, "Revenue") == "$141.1M"

    real_token = store._token
    stale = [real_token(str(db))]  # the run's first look at the file happened just before the replace
    monkeypatch.setattr(store, "_token", lambda location: stale.pop() if stale else real_token(location))
    b = build_mod.build(variant_b, db)
    store._company.clear()  # ... and the figures were not in the cache yet
    at.run()
    assert [e.message for e in at.exception] == []
    assert not at.error, [e.value for e in at.error]
    assert (kpi(at, "Revenue"), sidebar_hash(at)) == ("$150.0M", b.content_hash[:12])


def test_a_run_reads_one_build_to_the_end(tmp_path: Path, variant_b: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a run has opened the build, a replacement during the run changes nothing in that run."""
    db = tmp_path / "earnings.duckdb"
    a = build_mod.build(build_mod.DATA_DIR, db)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    real_company_data = store.bundle.company_data

    def read_then_rebuild(con, ticker):
        out = real_company_data(con, ticker)
        build_mod.build(variant_b, db)  # a rebuild lands in the middle of the run
        return out

    monkeypatch.setattr(store.bundle, "company_data", read_then_rebuild)
    at = new_app("data").run()  # the Data page reads sources, checks and every table after the figures
    monkeypatch.setattr(store.bundle, "company_data", real_company_data)
    assert [e.message for e in at.exception] == [] and not at.error
    assert sidebar_hash(at) == a.content_hash[:12] and [t.value for t in at.text] == [a.content_hash]
    counts = [unescape(m.value) for m in at.markdown if " checks in all" in unescape(m.value)]
    assert counts and counts[0].startswith("0 fail · 0 warn"), counts  # A's checks, not B's (6 fail · 1 warn)


def test_an_open_session_survives_a_bad_file_and_keeps_its_view(
    tmp_path: Path, good_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view is in the URL: after a bad spell, the same session shows the same drill-down again."""
    db = tmp_path / "earnings.duckdb"
    shutil.copy2(good_db, db)
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = new_app("margins", {"metric": "gross_margin", "basis": "gaap", "period": "2024Q3"}).run()
    heading = "#### Gross margin (GAAP) · Q3 2024"
    assert heading in [unescape(m.value) for m in at.markdown]

    broken = tmp_path / "broken"
    broken.write_bytes(b"")
    os.replace(broken, db)
    at.run()
    assert len(at.error) == 1 and not at.exception

    fixed = tmp_path / "fixed"
    shutil.copy2(good_db, fixed)
    os.replace(fixed, db)
    at.run()
    assert not at.error and not at.exception
    assert heading in [unescape(m.value) for m in at.markdown]
    assert at.query_params.get("metric") == "gross_margin"
