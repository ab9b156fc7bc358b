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

from earnings.build import reconcile
from earnings.build.resolve import FIGURE_KEYS, ConflictError, Resolution, resolve
from earnings.contract import formulas, periods, vocab
from earnings.sources.reviewed import Problem, SourceData, load

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


SCHEMA = """
create table meta (key varchar primary key, value varchar not null);
create table companies (ticker varchar primary key, name varchar not null, currency varchar not null,
    fiscal_year_end_month integer not null);
create table sources (source_id varchar primary key, file varchar not null, title varchar not null,
    publisher varchar, published_on date, kind varchar not null, url varchar);
create table facts (ticker varchar not null, period varchar not null, metric varchar not null, basis varchar,
    value double not null, unit varchar not null, qualifier varchar, source_id varchar not null,
    section varchar, excerpt varchar not null, note varchar, fiscal_year integer not null, fiscal_quarter integer,
    decimals integer not null);
create table cross_checks (subject varchar not null, ticker varchar not null, period varchar, metric varchar not null,
    basis varchar, value double, low double, high double, qualifier varchar, decimals integer, agrees boolean not null,
    source_id varchar not null, section varchar, excerpt varchar not null);
create table guidance (ticker varchar not null, metric varchar not null, basis varchar, target_period varchar not null,
    issued_period varchar not null, low double not null, high double not null, qualifier varchar not null,
    actual double, position varchar not null, source_label varchar not null, source_id varchar not null,
    section varchar, excerpt varchar not null, stated_actual double);
create table targets (ticker varchar not null, metric varchar not null, basis varchar, horizon varchar not null,
    low double not null, high double, qualifier varchar not null, label varchar not null, source_id varchar not null,
    section varchar, excerpt varchar not null);
create table commentary (commentary_id varchar primary key, ticker varchar not null, period varchar not null,
    kind varchar not null, speaker varchar, role varchar, topic varchar not null, text varchar not null,
    metrics varchar[] not null, source_id varchar not null, section varchar);
create table themes (ticker varchar not null, topic varchar not null, period varchar not null, text varchar not null,
    trend varchar, metrics varchar[] not null, source_id varchar not null, note varchar);
create table checks (check_id varchar primary key, ticker varchar, period varchar, status varchar not null,
    category varchar not null, detail varchar not null);
"""

COLUMNS = {
    "companies": ["ticker", "name", "currency", "fiscal_year_end_month"],
    "sources": ["source_id", "file", "title", "publisher", "published_on", "kind", "url"],
    "facts": [
        "ticker",
        "period",
        "metric",
        "basis",
        "value",
        "unit",
        "qualifier",
        "source_id",
        "section",
        "excerpt",
        "note",
        "fiscal_year",
        "fiscal_quarter",
        "decimals",
    ],
    "cross_checks": [
        "subject",
        "ticker",
        "period",
        "metric",
        "basis",
        "value",
        "low",
        "high",
        "qualifier",
        "decimals",
        "agrees",
        "source_id",
        "section",
        "excerpt",
    ],
    "guidance": [
        "ticker",
        "metric",
        "basis",
        "target_period",
        "issued_period",
        "low",
        "high",
        "qualifier",
        "actual",
        "position",
        "source_label",
        "source_id",
        "section",
        "excerpt",
        "stated_actual",
    ],
    "targets": [
        "ticker",
        "metric",
        "basis",
        "horizon",
        "low",
        "high",
        "qualifier",
        "label",
        "source_id",
        "section",
        "excerpt",
    ],
    "commentary": [
        "commentary_id",
        "ticker",
        "period",
        "kind",
        "speaker",
        "role",
        "topic",
        "text",
        "metrics",
        "source_id",
        "section",
    ],
    "themes": ["ticker", "topic", "period", "text", "trend", "metrics", "source_id", "note"],
    "checks": ["check_id", "ticker", "period", "status", "category", "detail"],
}


@dataclass
class BuildResult:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    checks: list[reconcile.Check] = field(default_factory=list)
    content_hash: str = ""

    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, rows in self.tables.items()}


def content_hash(source: SourceData) -> str:
    h = hashlib.sha256()
    for name in sorted(source.raw):
        h.update(name.encode() + b"\0" + hashlib.sha256(source.raw[name]).digest())
    return h.hexdigest()


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
        "checks": [c.__dict__ for c in checks],
    }
    return result


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = COLUMNS[table]
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
            con.execute(SCHEMA)
            for table in COLUMNS:
                frame = _frame(table, result.tables.get(table, []))
                if frame.empty:
                    continue
                con.register("incoming", frame)
                cols = ", ".join(COLUMNS[table])
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
