"""Ingest: summary documents and fact/guidance tables merged into data/, then built.

The seed summary (../shared/seeds/000_…txt) must reproduce what the curated
data/ holds for it; a fictional second company (tests/fixtures/zephyr_*) is
ingested beside it. Every bad file leaves data/ and the database byte-identical
and names the line.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from earnings import cli
from earnings.contract import formulas
from earnings.read import bundle, queries
from earnings.sources.problems import SourceError
from earnings.write.database import DATA_DIR, build
from earnings.write.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = "000_06467fc4fb2a96c0.txt"
SEED_SOURCE = "alab-2024q4-summary"
CONTRACT_CHECKER = ROOT.parent / "shared" / "tools" / "check_contract.py"
Q1_DOC = FIXTURES / "zephyr_2025q1_summary.txt"
Q2_DOC = FIXTURES / "zephyr_2025q2_summary.txt"
FACTS_TABLE = FIXTURES / "zephyr_facts.csv"
GUIDANCE_TABLE = FIXTURES / "zephyr_guidance.csv"


# --- helpers ---------------------------------------------------------------------------------------


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder, by name (a stray temporary file shows up as a new name)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """``python -m earnings ...`` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def line_of(text: str, start: str) -> int:
    """The number of the first line that starts with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def fetch(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def company(db: Path, ticker: str) -> bundle.CompanyData:
    con = queries.connect(str(db))
    try:
        data = bundle.company_data(con, ticker)
    finally:
        con.close()
    assert data is not None, f"{ticker} not in the database"
    return data


def check_contract(db: Path) -> None:
    """The shared contract checker passes on ``db`` (when the checker is there)."""
    if not CONTRACT_CHECKER.exists():
        return
    done = subprocess.run(
        [sys.executable, str(CONTRACT_CHECKER), str(db)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def labels_only(tmp_path: Path) -> Path:
    """A data folder holding only labels.csv."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    shutil.copy2(DATA_DIR / "labels.csv", folder / "labels.csv")
    return folder


@pytest.fixture
def built(data_copy: Path) -> tuple[Path, Path]:
    """A copy of data/ and its database, built in the same folder."""
    db = data_copy / "earnings.duckdb"
    build(data_copy, db)
    return data_copy, db


@pytest.fixture
def zephyr(built: tuple[Path, Path]) -> tuple[Path, Path]:
    """The copy of data/ with both fictional summaries ingested (Q1, then Q2) and built."""
    data, db = built
    ingest(Q1_DOC, data, db)
    ingest(Q2_DOC, data, db)
    return data, db


# --- the seed: round trip ------------------------------------------------------------------------


@pytest.mark.seeds
def test_seed_round_trip_reproduces_the_curated_rows(seeds_dir: Path, labels_only: Path) -> None:
    db = labels_only / "earnings.duckdb"
    report = ingest(seeds_dir / SEED, labels_only, db)
    assert report.built and not report.conflicts

    def curated(table: str) -> list[dict[str, str]]:
        return rows(DATA_DIR / f"{table}.csv")

    def got(table: str) -> list[dict[str, str]]:
        return rows(labels_only / f"{table}.csv")

    # figures of the two tables of the document
    def fact(r: dict) -> tuple:
        return (r["ticker"], r["period"], r["metric"], r["basis"], r["value"], r["unit"], r["qualifier"], r["section"], r["excerpt"])  # fmt: skip

    want = sorted(
        fact(r)
        for r in curated("facts")
        if r["source_id"] == SEED_SOURCE and r["section"] in ("Financial Results", "Guidance Changes")
    )
    assert len(want) == 49
    assert sorted(fact(r) for r in got("facts")) == want

    # every guidance row of the Guidance Changes table, every column
    want_guidance = [r for r in curated("guidance") if r["section"] == "Guidance Changes"]
    assert len(want_guidance) == 8
    cols = list(want_guidance[0])
    assert sorted(tuple(r[c] for c in cols) for r in got("guidance")) == sorted(
        tuple(r[c] for c in cols) for r in want_guidance
    )

    # quotes and bullets
    def comment(r: dict) -> tuple:
        return (r["commentary_id"], r["kind"], r["speaker"], r["text"], r["section"])

    want_comments = sorted(comment(r) for r in curated("commentary") if r["source_id"] == SEED_SOURCE)
    assert len(want_comments) == 27
    assert sorted(comment(r) for r in got("commentary")) == want_comments

    def theme(r: dict) -> tuple:
        return (r["topic"], r["period"], r["text"], r["trend"])

    assert sorted(theme(r) for r in got("themes")) == sorted(theme(r) for r in curated("themes"))

    assert got("companies") == curated("companies")
    assert got("sources") == [r for r in curated("sources") if r["source_id"] == SEED_SOURCE]
    check_contract(db)


@pytest.mark.seeds
def test_reingesting_the_seed_into_the_curated_data_changes_nothing(
    seeds_dir: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    data, db = built
    before = snapshot(data)
    report = ingest(seeds_dir / SEED, data, db)
    assert report.added == {}
    assert report.changed == []
    assert not report.built and not report.conflicts
    assert report.unchanged["facts"] == 49 and report.unchanged["commentary"] == 27
    assert snapshot(data) == before, "data/ and the database are byte-identical"

    code, out, _ = run_cli(capsys, "ingest", seeds_dir / SEED, "--data", data, "--db", db)
    assert code == 0
    assert "nothing new: data/ and the database are unchanged" in out
    assert snapshot(data) == before


@pytest.mark.seeds
def test_second_ingest_of_the_seed_changes_nothing(seeds_dir: Path, labels_only: Path) -> None:
    db = labels_only / "earnings.duckdb"
    ingest(seeds_dir / SEED, labels_only, db)
    before = snapshot(labels_only)
    report = ingest(seeds_dir / SEED, labels_only, db)
    assert (report.added, report.changed, report.built) == ({}, [], False)
    assert snapshot(labels_only) == before


@pytest.mark.seeds
def test_the_parser_flags_what_needs_judgement_on_the_seed(seeds_dir: Path, labels_only: Path) -> None:
    report = ingest(seeds_dir / SEED, labels_only, labels_only / "earnings.duckdb", dry_run=True)
    flags = {f.line: f.reason for f in report.flags}
    assert all(f.file == SEED for f in report.flags)
    assert len(report.flags) == len(flags) == 9, "\n".join(map(str, report.flags))
    # the Diluted EPS (GAAP) row: two values for three quarters
    assert "Diluted EPS (GAAP)" in flags[34] and "2 values for 3 quarters" in flags[34]
    assert "read as Q3 2024, Q4 2024" in flags[34]
    # the four actuals against guidance given a quarter earlier
    for line in (53, 54, 55, 56):
        assert "Q4 2024: the previous guidance is taken as issued with Q3 2024 results" in flags[line]
    # themes rows whose cell boundaries are not certain (empty cells; a name or a half-year inside a cell)
    for line, topic in (
        (66, "Aries/Taurus product performance"),
        (68, "CXL (Leo) ramp"),
        (70, "Supply chain/inventory"),
        (71, "UALink (industry standard)"),
    ):
        assert flags[line].startswith(f"theme {topic!r}: cell boundaries uncertain"), flags[line]
    assert "read as (empty) | (empty) | Inventory rebuilt" in flags[70]
    assert "read as (empty) | Joined Board; promoting member | Spec near end of Q1" in flags[71]


# --- the fictional company -----------------------------------------------------------------------


def test_fictional_company_two_quarters(built: tuple[Path, Path]) -> None:
    data, db = built
    alab_before = [r for r in rows(data / "facts.csv") if r["ticker"] == "ALAB"]
    first = ingest(Q1_DOC, data, db)
    second = ingest(Q2_DOC, data, db)
    assert first.built and second.built and not first.conflicts and not second.conflicts
    assert first.added == {"companies": 1, "sources": 1, "facts": 48, "guidance": 8, "commentary": 16, "themes": 10}
    assert second.added == {"sources": 1, "facts": 34, "guidance": 6, "commentary": 12, "themes": 4}
    assert second.changed == [], "the Q2 summary restates Q1 figures and themes without changing them"

    # the parser's flags: exactly the judgement calls in the fixtures
    assert sorted(f.line for f in first.flags) == [32, 51, 52, 53, 54, 66]
    assert "Diluted EPS (GAAP)' has 2 values for 3 quarters: read as Q4 2024, Q1 2025" in first.flags[0].reason
    assert "theme 'Supply chain': cell boundaries uncertain" in first.flags[-1].reason
    assert sorted(f.line for f in second.flags) == [48, 49, 50, 51, 60]
    assert "theme 'Pricing': cell boundaries uncertain, read as (empty) |" in second.flags[-1].reason

    assert [r[0] for r in fetch(db, "select ticker from companies order by ticker")] == ["ALAB", "ZFDX"]
    assert fetch(db, "select name, fiscal_year_end_month from companies where ticker = 'ZFDX'") == [
        ("Zephyr Fictional Devices, Inc.", 12)
    ]
    alab_after = [r for r in rows(data / "facts.csv") if r["ticker"] == "ALAB"]
    assert "preferred" not in alab_after[0], "no empty column is added: the diff shows only new rows"
    assert alab_after == alab_before

    zf = company(db, "ZFDX")
    assert zf.quarters() == ["2024Q1", "2024Q4", "2025Q1", "2025Q2"]
    assert zf.value("2025Q1", "revenue") == 22.0
    assert zf.value("2025Q2", "revenue") == 24.76
    assert zf.value("2024Q1", "operating_margin", "gaap") == -14.0
    assert zf.value("2024Q1", "diluted_eps", "gaap") is None, "the empty cell stays empty"
    assert zf.value("2025Q1", "opex_total", "non_gaap") == 10.56, "from the Guidance Changes actual"

    # the Q1 summary's guidance for Q2 gets its actual and position from the Q2 summary's figures
    q2_guidance = {
        (r[0], r[1]): r[2:]
        for r in fetch(
            db,
            "select metric, basis, actual, position, source_id from guidance "
            "where ticker = 'ZFDX' and target_period = '2025Q2' and issued_period = '2025Q1'",
        )
    }
    # the Q2 summary reports how that guidance came out, so its mention is the one shown (label "Beat" etc.)
    assert q2_guidance == {
        ("revenue", None): (24.76, "above", "zfdx-2025q2-summary"),
        ("gross_margin", "non_gaap"): (62.0, "within", "zfdx-2025q2-summary"),
        ("opex_total", "non_gaap"): (10.65, "below", "zfdx-2025q2-summary"),
        ("diluted_eps", "non_gaap"): (0.08, "within", "zfdx-2025q2-summary"),
    }
    # the Q1 summary's initiating mention of that guidance is kept as a cross-check that agrees
    assert fetch(
        db,
        "select count(*), bool_and(agrees) from cross_checks where subject = 'guidance' and ticker = 'ZFDX' "
        "and source_id = 'zfdx-2025q1-summary'",
    ) == [(4, True)]
    assert fetch(
        db, "select low, high, position from guidance where ticker = 'ZFDX' and target_period = '2025Q3' "
        "and metric = 'revenue'",
    ) == [(26.0, 27.0, "pending")]  # fmt: skip

    # growth only where the comparison quarter is in the data (no 2024Q2 or 2024Q3)
    revenue = zf.series("revenue")
    assert sorted(formulas.growth_series(revenue, 1)) == ["2025Q1", "2025Q2"]
    assert sorted(formulas.growth_series(revenue, 4)) == ["2025Q1"]
    assert formulas.change_vs(revenue, "2024Q4", 1) == ("2024Q3", None)
    assert round(formulas.growth_series(revenue, 1)["2025Q2"], 2) == 12.55

    check_contract(db)


def test_fictional_figures_reconcile(zephyr: tuple[Path, Path]) -> None:
    """Opex lines add up, margins reconcile, EPS and net income agree in sign, stated actuals agree."""
    _, db = zephyr
    checks = fetch(db, "select check_id, status, detail from checks where ticker = 'ZFDX'")
    by_kind: dict[str, list[str]] = {}
    for check_id, status, _ in checks:
        by_kind.setdefault(check_id.split(":")[0], []).append(status)
    assert by_kind["opex_sum"] == ["pass"] * 4
    assert by_kind["margin_identity"] == ["pass"] * 6
    assert set(by_kind["eps_sign"]) == {"pass"} and len(by_kind["eps_sign"]) == 7
    assert set(by_kind["cross_check"]) == {"pass"}
    stated = [d for cid, _, d in checks if cid.startswith("guidance:") and "stated actual" in d]
    # the Q1 summary's actuals for Q1 guidance, and the Q2 summary's for the guidance the Q1 summary initiated
    assert len(stated) == 8 and all("agrees" in d and "DISAGREES" not in d for d in stated)


def test_every_check_of_the_fictional_company_passes(zephyr: tuple[Path, Path]) -> None:
    _, db = zephyr
    failing = fetch(db, "select check_id, detail from checks where ticker = 'ZFDX' and status = 'fail'")
    assert failing == []


def test_reingesting_either_summary_changes_nothing(zephyr: tuple[Path, Path]) -> None:
    data, db = zephyr
    before = snapshot(data)
    for doc in (Q1_DOC, Q2_DOC, Q1_DOC):
        report = ingest(doc, data, db)
        assert (report.added, report.changed, report.built) == ({}, [], False), doc.name
    assert snapshot(data) == before


# --- tables of facts and guidance --------------------------------------------------------------------


def test_fact_and_guidance_tables(zephyr: tuple[Path, Path]) -> None:
    data, db = zephyr
    facts = ingest(FACTS_TABLE, data, db)
    assert facts.added == {"sources": 1, "facts": 5} and facts.built and not facts.flags
    source = [r for r in rows(data / "sources.csv") if r["source_id"] == "zfdx-2025q2-press-release"]
    assert source == [
        {
            "source_id": "zfdx-2025q2-press-release",
            "file": "zephyr_facts.csv",
            "title": "Table zephyr_facts.csv",
            "publisher": "",
            "published_on": "",
            "kind": "table",
            "url": "",
        }
    ]
    added = [r for r in rows(data / "facts.csv") if r["source_id"] == "zfdx-2025q2-press-release"]
    assert [(r["period"], r["metric"], r["value"], r["section"]) for r in added][:2] == [
        ("2025Q2", "revenue", "24.76", "table zephyr_facts.csv"),
        ("2025Q2", "revenue_growth_qoq", "12.5", "table zephyr_facts.csv"),
    ]
    # the table's revenue agrees with the summary's and is kept as a cross-check
    assert fetch(
        db,
        "select value, agrees from cross_checks where source_id = 'zfdx-2025q2-press-release' and metric = 'revenue'",
    ) == [(24.76, True)]
    assert fetch(db, "select status from checks where check_id = 'stated_growth:ZFDX:2025Q2:revenue_growth_qoq'") == [
        ("pass",)
    ]

    guidance = ingest(GUIDANCE_TABLE, data, db)
    assert guidance.added == {"guidance": 3} and guidance.built, "the source is known by now"
    header = next(csv.reader(open(data / "guidance.csv", encoding="utf-8")))
    assert "actual" not in header and "position" not in header
    row = next(r for r in rows(data / "guidance.csv") if r["metric"] == "operating_margin")
    assert (row["stated_actual"], row["source_id"]) == ("19.0", "zfdx-2025q2-press-release")
    # the table says "within"; the position is recomputed from the actual (19.0 above 17–18)
    assert fetch(
        db,
        "select low, high, actual, stated_actual, position from guidance "
        "where ticker = 'ZFDX' and metric = 'operating_margin'",
    ) == [(17.0, 18.0, 19.0, 19.0, "above")]
    assert fetch(
        db,
        "select position from guidance where ticker = 'ZFDX' and metric = 'gross_margin' and basis = 'gaap'",
    ) == [("pending",)]
    check_contract(db)

    before = snapshot(data)
    for table in (FACTS_TABLE, GUIDANCE_TABLE):
        again = ingest(table, data, db)
        assert (again.added, again.changed, again.built) == ({}, [], False), table.name
    assert snapshot(data) == before


def test_a_table_cannot_add_a_company(built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data, db = built
    before = snapshot(data)
    code, _, err = run_cli(capsys, "ingest", FACTS_TABLE, "--data", data, "--db", db)
    assert code == 1
    assert "zephyr_facts.csv:2: ticker: 'ZFDX' is not in companies.csv" in err
    assert snapshot(data) == before


# --- conflicts -------------------------------------------------------------------------------------


def test_a_conflicting_figure_is_kept_and_blocks_the_build_until_one_is_preferred(
    tmp_path: Path, zephyr: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    data, db = zephyr
    press = tmp_path / "zephyr_q1_press.csv"
    press.write_text(
        "ticker,period,metric,basis,value,unit,source_id,excerpt\n"
        "ZFDX,2025Q1,revenue,,21.9,usd_m,zfdx-2025q1-press-release,First-quarter revenue was $21.9 million.\n",
        encoding="utf-8",
    )
    db_before = db.read_bytes()
    code, out, _ = run_cli(capsys, "ingest", press, "--data", data, "--db", db)
    assert code == 1
    assert "CONFLICTS (1): both mentions are kept" in out
    [conflict] = [line.strip() for line in out.splitlines() if "conflict on ZFDX 2025Q1 revenue" in line]
    assert conflict.startswith("facts.csv:")
    assert "21.9 (zfdx-2025q1-press-release) vs 22 on line" in conflict and "(zfdx-2025q1-summary)" in conflict
    assert db.read_bytes() == db_before, "the database is not rebuilt"

    mentions = {
        (r["source_id"], r["section"]): r["value"]
        for r in rows(data / "facts.csv")
        if (r["ticker"], r["period"], r["metric"]) == ("ZFDX", "2025Q1", "revenue")
    }
    assert mentions == {
        ("zfdx-2025q1-summary", "Financial Results"): "22.000",
        ("zfdx-2025q1-summary", "Guidance Changes"): "22.0",
        ("zfdx-2025q2-summary", "Financial Results"): "22.000",
        ("zfdx-2025q1-press-release", "table zephyr_q1_press.csv"): "21.9",
    }
    code, _, err = run_cli(capsys, "build", "--data", data, "--db", db)
    assert code == 1 and "conflict on ZFDX 2025Q1 revenue" in err
    assert db.read_bytes() == db_before

    # the curator marks the press release's figure preferred: the build goes through with it
    with open(data / "facts.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, facts = list(reader.fieldnames or []), list(reader)
    assert "preferred" in header
    for r in facts:
        if r["source_id"] == "zfdx-2025q1-press-release":
            r["preferred"] = "yes"
    with open(data / "facts.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(facts)
    code, out, _ = run_cli(capsys, "build", "--data", data, "--db", db)
    assert code == 0, out
    assert company(db, "ZFDX").value("2025Q1", "revenue") == 21.9
    assert fetch(
        db,
        "select count(*), bool_or(agrees) from cross_checks where ticker = 'ZFDX' and period = '2025Q1' "
        "and metric = 'revenue'",
    ) == [(3, False)], "the other mentions are kept as cross-checks that disagree"


# --- bad files -------------------------------------------------------------------------------------

Q1_TEXT = Q1_DOC.read_text(encoding="utf-8")
Q1_LINES = Q1_TEXT.splitlines(keepends=True)
FR_HEADER = "MetricQ1 2024Q4 2024Q1 2025\n"
FACTS_HEADER = "ticker,period,metric,basis,value,unit,source_id,excerpt\n"


def _cut_after(start: str) -> str:
    return "".join(Q1_LINES[: line_of(Q1_TEXT, start)])


def _without_first_results_header() -> str:
    i = Q1_LINES.index(FR_HEADER)
    return "".join(Q1_LINES[:i] + Q1_LINES[i + 1 :])


BAD_FILES = {
    # name: (file name, content, line, words in the message)
    "not this layout": ("memo.txt", "Quarterly memo\n\nRevenue was fine.\n", 1, "no title line"),
    "truncated inside Financial Results": (
        "cut.txt",
        _cut_after("Net Income ($USD Millions, GAAP)"),
        line_of(Q1_TEXT, "Net Income ($USD Millions, GAAP)"),
        "inside 'Financial Results': it looks truncated",
    ),
    "truncated inside a row": (
        "cut.txt",
        _cut_after("Operating Margin % (GAAP)") + "Net Income ($USD Millions, GAAP)($2.150) $1.1",
        line_of(Q1_TEXT, "Net Income ($USD Millions, GAAP)"),
        "it looks truncated",
    ),
    "truncated after the title": (
        "cut.txt",
        _cut_after("Zephyr Fictional Devices"),
        line_of(Q1_TEXT, "Zephyr Fictional Devices"),
        "the document looks truncated",
    ),
    "unknown row label": (
        "label.txt",
        Q1_TEXT.replace("Interest Income ($USD Millions)$0.210", "Widget Count (Units)$0.210"),
        line_of(Q1_TEXT, "Interest Income"),
        "unknown row label 'Widget Count': add it to data/labels.csv",
    ),
    "a row before its header": (
        "header.txt",
        _without_first_results_header(),
        line_of(Q1_TEXT, "Revenue ($USD Millions)$"),
        "a Financial Results row before any header row",
    ),
    "not a number": (
        "number.txt",
        Q1_TEXT.replace("$12.500 $20.250", "$12.5x $20.250"),
        line_of(Q1_TEXT, "Revenue ($USD Millions)$"),
        "cannot read 'x $20.250 $22.000' as a value",
    ),
    "a range from high to low": (
        "range.txt",
        Q1_TEXT.replace("Q2 2025N/A$23.5–$24.5", "Q2 2025N/A$24.5–$23.5"),
        line_of(Q1_TEXT, "Revenue ($USD Millions)Q2 2025"),
        "the range 24.5–23.5 runs high to low",
    ),
    "guidance for a past quarter": (
        "past.txt",
        Q1_TEXT.replace("Revenue ($USD Millions)Q2 2025N/A", "Revenue ($USD Millions)Q4 2024N/A"),
        line_of(Q1_TEXT, "Revenue ($USD Millions)Q2 2025"),
        "the target quarter has passed",
    ),
    "bytes that are not UTF-8": (
        "latin1.txt",
        "".join(Q1_LINES[:12]).encode("utf-8")
        + "Caf\u00e9 bullet\n".encode("latin-1")
        + "".join(Q1_LINES[12:]).encode(),
        13,
        "not UTF-8",
    ),
    "an empty file": ("empty.txt", "", 1, "the file is empty"),
    "a CSV without its header": (
        "facts.csv",
        "ZFDX,2025Q1,revenue,,21.9,usd_m,zfdx-pr,Revenue was $21.9 million.\n",
        1,
        "missing header: expected the columns ticker,period,metric",
    ),
    "a CSV with an unknown column": (
        "facts.csv",
        FACTS_HEADER.replace("excerpt", "excerpt,colour") + "ALAB,2024Q4,revenue,,141.1,usd_m,alab-pr,x,red\n",
        1,
        "unknown column(s): colour",
    ),
    "a CSV row with too few fields": (
        "facts.csv",
        FACTS_HEADER + "ALAB,2024Q4,revenue,,141.1,usd_m,alab-pr,x\nALAB,2024Q3,revenue,,113.1,usd_m\n",
        3,
        "6 fields where the header has 8",
    ),
    "a CSV with an unknown metric": (
        "facts.csv",
        FACTS_HEADER + "ALAB,2024Q4,revenue,,141.1,usd_m,alab-pr,x\nALAB,2024Q4,widgets,,5,usd_m,alab-pr,y\n",
        3,
        "metric: unknown metric 'widgets'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_changes_nothing_and_names_the_line(
    case: str, tmp_path: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    data, db = built
    name, content, line, words = BAD_FILES[case]
    path = tmp_path / "incoming" / name
    path.parent.mkdir()
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = snapshot(data)
    code, out, err = run_cli(capsys, "ingest", path, "--data", data, "--db", db)
    assert code == 1
    assert "nothing was written" in err
    assert f"{name}:{line}: " in err, err
    assert words in err, err
    assert out == ""
    assert snapshot(data) == before, "data/ and the database are byte-identical"


def test_a_complete_document_is_not_taken_for_a_truncated_one(labels_only: Path) -> None:
    """Every section is there: no truncation error and no missing-section flag."""
    report = ingest(Q1_DOC, labels_only, labels_only / "earnings.duckdb", dry_run=True)
    assert not [f for f in report.flags if "section" in f.reason]


# --- extending the label table -------------------------------------------------------------------------


def test_a_new_row_label_is_accepted_once_added_to_labels_csv(tmp_path: Path, built: tuple[Path, Path]) -> None:
    data, db = built
    doc = tmp_path / "zephyr_net_revenue.txt"
    doc.write_text(Q1_TEXT.replace("Revenue ($USD Millions)$12.500", "Net Revenue ($USD Millions)$12.500"), "utf-8")
    before = snapshot(data)
    with pytest.raises(SourceError) as err:
        ingest(doc, data, db)
    [problem] = err.value.problems
    assert (problem.file, problem.line) == (doc.name, line_of(Q1_TEXT, "Revenue ($USD Millions)$"))
    assert "unknown row label 'Net Revenue'" in problem.reason and "data/labels.csv" in problem.reason
    assert snapshot(data) == before

    with open(data / "labels.csv", "a", encoding="utf-8", newline="") as f:
        f.write("Net Revenue ($USD Millions),revenue,,usd_m\n")
    report = ingest(doc, data, db)
    assert report.built and report.added["facts"] == 48
    assert company(db, "ZFDX").value("2025Q1", "revenue") == 22.0
    excerpts = {r["excerpt"] for r in rows(data / "facts.csv") if r["ticker"] == "ZFDX" and r["metric"] == "revenue"}
    assert "Net Revenue ($USD Millions)$12.500 $20.250 $22.000" in excerpts


# --- dry run ----------------------------------------------------------------------------------------------


def test_dry_run_writes_nothing(built: tuple[Path, Path], labels_only: Path) -> None:
    data, db = built
    before = snapshot(data)
    report = ingest(Q1_DOC, data, db, dry_run=True)
    assert report.added["facts"] == 48 and not report.built
    assert snapshot(data) == before

    fresh_db = labels_only / "earnings.duckdb"
    report = ingest(Q1_DOC, labels_only, fresh_db, dry_run=True)
    assert report.added["companies"] == 1
    assert [p.name for p in labels_only.iterdir()] == ["labels.csv"], "no table and no database created"


def test_the_command_line_entry_point(built: tuple[Path, Path]) -> None:
    """``python -m earnings ingest`` as a user runs it: a dry run, then the real ingest."""
    data, db = built
    before = snapshot(data)
    base = [sys.executable, "-m", "earnings", "ingest", str(Q1_DOC), "--data", str(data), "--db", str(db)]
    dry = subprocess.run([*base, "--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert dry.returncode == 0, dry.stderr
    assert "added: companies 1, sources 1, facts 48" in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert snapshot(data) == before

    source = ["--title", "Zephyr Q1 2025 (fictional)", "--publisher", "Fixture Press", "--published-on", "2025-05-01"]
    done = subprocess.run(
        [*base, *source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"built {db}" in done.stdout
    assert "zephyr_2025q1_summary.txt:32: row 'Diluted EPS (GAAP)' has 2 values for 3 quarters" in done.stdout
    [(title, publisher, published_on)] = fetch(
        db,
        "select title, publisher, cast(published_on as varchar) from sources where source_id = 'zfdx-2025q1-summary'",
    )
    assert (title, publisher, published_on) == ("Zephyr Q1 2025 (fictional)", "Fixture Press", "2025-05-01")
