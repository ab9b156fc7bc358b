"""Build the database from the source files: validate, reconcile, write atomically.

The database is written to a temporary file beside the target and moved into
place with one ``os.replace``. A failed build leaves the previous database
byte-identical; a reader never sees a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from earnings.contract import formulas, periods, schema, vocab
from earnings.sources.problems import Problem
from earnings.sources.reviewed import SourceData, folders, load
from earnings.write import reconcile
from earnings.write.resolve import FIGURE_KEYS, ConflictError, Resolution, resolve

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "earnings.duckdb"
DB_ENV_VAR = "EARNINGS_DB"  # where the dashboard reads; the bundled file when unset


def db_location() -> str:
    """The database the dashboard reads: $EARNINGS_DB (a path or connection string) or the bundled file."""
    return os.environ.get(DB_ENV_VAR) or str(DEFAULT_DB)


def first_build_needed(location: str) -> bool:
    """The dashboard reads the bundled database, it is missing, and data/ can make it (first start)."""
    return Path(location) == DEFAULT_DB and not DEFAULT_DB.exists() and (DATA_DIR / "facts.csv").exists()


@dataclass
class BuildResult:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    checks: list[reconcile.Check] = field(default_factory=list)
    content_hash: str = ""

    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, rows in self.tables.items()}


def content_hash(source: SourceData) -> str:
    """One hash of every source file's bytes: the same files, the same hash (shown on the Data page)."""
    return _hash_files(source.raw)


def _hash_files(raw: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(raw):
        h.update(name.encode() + b"\0" + hashlib.sha256(raw[name]).digest())
    return h.hexdigest()


def files_hash(data_dir: Path) -> str:
    """The content hash the source files in ``data_dir`` would build to, read without validating them."""
    files = [prefix + schema.TABLES[t].file for folder, prefix in folders(data_dir) for t in schema.SOURCE_FILES]
    return _hash_files({f: (data_dir / f).read_bytes() for f in files if (data_dir / f).exists()})


def built_hash(db_path: Path) -> str | None:
    """The content hash the database at ``db_path`` was built from (None: no database, or not one of ours)."""
    if not Path(db_path).is_file():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select value from meta where key = 'content_hash'").fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    return row[0] if row else None


def _period_parts(period: str) -> tuple[int, int | None]:
    year = periods.fiscal_year(period)
    return year, (int(period[-1]) if periods.is_quarter(period) else None)


def prepare(data_dir: Path = DATA_DIR) -> BuildResult:
    """Validate and reconcile the source files; raise SourceError on any problem."""
    source = load(data_dir)
    resolved: dict[str, Resolution] = {t: resolve(t, source.rows(t)) for t in FIGURE_KEYS}
    conflicts: list[Problem] = [p for r in resolved.values() for p in r.conflicts]
    if conflicts:
        raise ConflictError(conflicts)

    facts = []
    for f in resolved["facts"].primary:
        year, quarter = _period_parts(f["period"])
        facts.append({**f, "fiscal_year": year, "fiscal_quarter": quarter, "decimals": f["_value_decimals"]})
    index = reconcile.FactIndex(facts)

    guidance = []
    for g in resolved["guidance"].primary:
        actual = index.value(g["ticker"], g["target_period"], g["metric"], g["basis"])
        guidance.append({**g, "actual": actual, "position": formulas.guidance_position(actual, g["low"], g["high"])})

    cross = {t: r.cross_checks for t, r in resolved.items()}
    checks = reconcile.run_all(facts, guidance, resolved["targets"].primary, cross)
    cross["facts"] = cross["facts"] + source.rows("history")  # a figure's earlier values, from earlier filings

    cross_rows = []
    for table, rows in cross.items():
        for c in rows:
            cross_rows.append(
                {
                    "subject": table,
                    "ticker": c["ticker"],
                    "period": c.get("period") or c.get("target_period") or c.get("horizon"),
                    "metric": c["metric"],
                    "basis": c["basis"],
                    "value": c.get("value"),
                    "low": c.get("low"),
                    "qualifier": c.get("qualifier"),
                    "decimals": c.get("_value_decimals", c.get("_low_decimals")),
                    "high": c.get("high"),
                    "agrees": c["agrees"],
                    "source_id": c["source_id"],
                    "section": c.get("section"),
                    "excerpt": c["excerpt"],
                }
            )

    known = {c["ticker"] for c in source.rows("companies")}
    checks += [
        reconcile.Check(f"peer:{r['ticker']}:{r['peer']}", r["ticker"], None, "skip", "peers",
                        f"{r['peer']}, a peer of {r['ticker']}, is not in the data: left out of its comparisons")
        for r in source.rows("peers") if r["peer"] not in known
    ]  # fmt: skip
    result = BuildResult(content_hash=content_hash(source), checks=checks)
    result.tables = {
        "companies": source.rows("companies"),
        "sources": source.rows("sources"),
        "facts": facts,
        "cross_checks": cross_rows,
        "guidance": guidance,
        "targets": resolved["targets"].primary,
        "commentary": source.rows("commentary"),
        "themes": source.rows("themes"),
        "peers": [r for r in source.rows("peers") if r["peer"] in known],
        "estimates": source.rows("estimates"),
        "periods": _periods(
            source,
            [
                facts,
                guidance,
                resolved["targets"].primary,
                cross_rows,
                source.rows("commentary"),
                source.rows("themes"),
            ],
        ),  # fmt: skip
        "checks": [c.__dict__ for c in checks],
    }
    return result


def _periods(source: SourceData, tables: list[list[dict]]) -> list[dict]:
    """A row of ``periods`` for every (ticker, period) any table uses: as the filings date it where they do
    (``periods.csv``), else from the company's fiscal year end month (quarters ending on month ends)."""
    dated = {(r["ticker"], r["period"]): r for r in source.rows("periods")}
    year_end = {r["ticker"]: r["fiscal_year_end_month"] for r in source.rows("companies")}
    used: set[tuple[str, str]] = set(dated)
    for rows in tables:
        for column in ("period", "target_period", "issued_period", "horizon"):
            used |= {(r["ticker"], r[column]) for r in rows if r.get(column) and periods.is_period(r[column])}
    out = []
    for ticker, period in sorted(used, key=lambda k: (k[0], periods.sort_key(k[1]))):
        row = dated.get((ticker, period))
        if row is None:
            start, end = periods.nominal_dates(period, year_end.get(ticker, 12))
            row = {"start_date": start.isoformat(), "end_date": end.isoformat()}
            row["calendar_period"] = periods.calendar_period(start, end, not periods.is_quarter(period))
        out.append({**row, "ticker": ticker, "period": period})
    return out


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = list(schema.TABLES[table].stored_columns)
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def write_database(result: BuildResult, db_path: Path) -> None:
    """Write every table to a temporary file, then move it over ``db_path`` in one step."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.tmp", dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # duckdb creates the file itself
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(schema.ddl())
            for table in schema.CONTRACT_TABLES:
                if table == "meta":
                    continue
                frame = _frame(table, result.tables.get(table, []))
                if frame.empty:
                    continue
                con.register("incoming", frame)
                cols = ", ".join(schema.TABLES[table].stored_columns)
                con.execute(f"insert into {table} ({cols}) select {cols} from incoming")  # noqa: S608 (table and column names are constants)
                con.unregister("incoming")
            meta = {
                "schema_version": str(vocab.SCHEMA_VERSION),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "content_hash": result.content_hash,
            }
            con.executemany("insert into meta values (?, ?)", list(meta.items()))
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, db_path)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def build(data_dir: Path = DATA_DIR, db_path: Path = DEFAULT_DB) -> BuildResult:
    result = prepare(data_dir)
    write_database(result, db_path)
    return result
