"""All SQL of the app. Read-only; values only as parameters.

Functions take an open DuckDB connection and return plain data. The app's
caching lives in ``earnings.ui.store``; nothing here imports Streamlit.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from earnings.contract import periods, vocab

CONTRACT_TABLES = (
    "companies",
    "sources",
    "facts",
    "cross_checks",
    "guidance",
    "targets",
    "commentary",
    "themes",
    "checks",
    "meta",
)


# the documents one company's rows cite (a database of many companies holds many documents)
SOURCES_OF_COMPANY = """
select source_id, file, title, publisher, cast(published_on as varchar) as published_on, kind, url
from sources where source_id in (
    select source_id from facts where ticker = $ticker
    union select source_id from cross_checks where ticker = $ticker
    union select source_id from guidance where ticker = $ticker
    union select source_id from targets where ticker = $ticker
    union select source_id from commentary where ticker = $ticker
    union select source_id from themes where ticker = $ticker
)
"""


class SchemaError(Exception):
    """The database is not one this app can read; the message says how to fix it."""


def connect(location: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database at ``location``; the app never writes.

    A file (or an ``s3://``/``https://`` URL) is attached to a fresh in-memory
    instance: DuckDB shares one instance per path within a process, and that
    shared instance keeps serving a file that a rebuild has since replaced. A
    fresh instance always reads the file that is there now. ``md:`` (MotherDuck)
    connection strings are opened directly.
    """
    if location.startswith("md:"):
        return duckdb.connect(location, read_only=True)
    con = duckdb.connect()
    try:
        # type duckdb: another kind of file (SQLite, ...) is refused, never opened through an extension
        # that DuckDB would download on the spot
        con.execute("attach ? as earnings (type duckdb, read_only)", [location])
        con.execute("use earnings")
    except BaseException:
        con.close()
        raise
    return con


def verify_schema(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The meta table, after checking the tables and the schema version."""
    have = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'main'"
        ).fetchall()
    }
    missing = [t for t in CONTRACT_TABLES if t not in have]
    if "meta" in missing:
        raise SchemaError("the database has no meta table: it was not made by `python -m earnings build`")
    meta = dict(con.execute("select key, value from meta").fetchall())
    version = meta.get("schema_version")
    if version != str(vocab.SCHEMA_VERSION):
        raise SchemaError(f"the database has schema version {version!r}; this app reads version {vocab.SCHEMA_VERSION}")
    if missing:
        raise SchemaError(f"the database lacks table(s): {', '.join(missing)}")
    return meta


def companies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("select ticker, name, currency, fiscal_year_end_month from companies order by ticker").df()


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "select source_id, file, title, publisher, published_on, kind, url from sources order by source_id"
    ).df()


def checks(con: duckdb.DuckDBPyConnection, ticker: str | None = None) -> pd.DataFrame:
    """Every check of the build; with ``ticker``, that company's and those of no company."""
    sql = "select check_id, ticker, period, status, category, detail from checks"
    if ticker is None:
        return con.execute(sql + " order by category, check_id").df()
    return con.execute(sql + " where ticker = ? or ticker is null order by category, check_id", [ticker]).df()


def whole_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Every row of one contract table, for download."""
    if table not in CONTRACT_TABLES:
        raise ValueError(f"unknown table {table!r}")
    return con.execute(f"select * from {table}").df()  # noqa: S608 (name checked against a constant list)


def _made_once(method):
    """A bundle's derived list or dict, computed once per arguments (a bundle never changes); each caller
    gets its own shallow copy, so changing it cannot reach the shared one."""

    @functools.wraps(method)
    def shared(self, *args):
        return copy.copy(self.memo((method.__name__, *args), lambda: method(self, *args)))

    return shared


@dataclass
class CompanyData:
    """Everything the pages show for one company, loaded in one go."""

    ticker: str
    name: str
    facts: pd.DataFrame
    guidance: pd.DataFrame
    targets: pd.DataFrame
    commentary: pd.DataFrame
    themes: pd.DataFrame
    cross_checks: pd.DataFrame
    content_hash: str = ""  # the build this was read from: a page never mixes two builds
    sources: dict[str, dict] = field(default_factory=dict)
    index: dict[tuple[str, str, str | None], dict] = field(default_factory=dict)
    _derived: dict[tuple, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {(r["period"], r["metric"], r["basis"]): r for r in self.facts.to_dict("records")}

    # --- facts ---------------------------------------------------------------
    def fact(self, period: str, metric: str, basis: str | None = None) -> dict | None:
        return self.index.get((period, metric, basis))

    def value(self, period: str, metric: str, basis: str | None = None) -> float | None:
        row = self.fact(period, metric, basis)
        return None if row is None else row["value"]

    def memo(self, key: tuple, compute):
        """``compute()`` once per bundle (a bundle is shared by every session and never changes); read-only."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def records(self, table: str) -> list[dict]:
        """The rows of ``commentary``, ``themes``, ``guidance``, ``targets``, … as dicts, made once; read-only."""
        return self.memo(("records", table), lambda: getattr(self, table).to_dict("records"))

    @_made_once
    def series(self, metric: str, basis: str | None = None) -> dict[str, float]:
        """Quarterly values of one metric, by period."""
        return {
            p: r["value"] for (p, m, b), r in self.index.items() if m == metric and b == basis and periods.is_quarter(p)
        }

    @_made_once
    def quarters(self) -> list[str]:
        """Quarters that have at least one figure, oldest first."""
        return sorted({p for (p, _, _) in self.index if periods.is_quarter(p)}, key=periods.sort_key)

    @_made_once
    def periods(self) -> list[str]:
        """Every period with a figure, guidance or commentary, oldest first."""
        ps = {p for (p, _, _) in self.index}
        ps |= set(self.guidance["target_period"]) | set(self.commentary["period"]) | set(self.themes["period"])
        return sorted(ps, key=periods.sort_key)

    def latest_quarter(self) -> str | None:
        q = self.quarters()
        return q[-1] if q else None

    @_made_once
    def bases(self, metric: str) -> list[str | None]:
        found = {b for (_, m, b) in self.index if m == metric}
        found |= {b for m, b in zip(self.guidance["metric"], self.guidance["basis"]) if m == metric}
        return sorted(found, key=lambda b: {"non_gaap": 0, "gaap": 1}.get(b, 2))

    @_made_once
    def metrics(self) -> list[str]:
        """Every metric the company's figures, guidance, targets or commentary speak of."""
        found = {m for (_, m, _) in self.index} | set(self.guidance["metric"]) | set(self.targets["metric"])
        for frame in (self.commentary, self.themes):
            for ms in frame["metrics"]:
                found |= set(ms or [])
        return [m for m in vocab.METRICS if m in found]

    def source(self, source_id: str) -> dict:
        return self.sources.get(source_id, {"source_id": source_id, "title": source_id})

    # --- guidance --------------------------------------------------------------
    def guidance_for(self, period: str, metric: str | None = None, basis: str | None = None) -> list[dict]:
        rows = [g for g in self.records("guidance") if g["target_period"] == period]
        if metric is not None:
            rows = [r for r in rows if r["metric"] == metric and r["basis"] == basis]
        return rows


def _none(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN/NA -> None, so missing stays missing (never 0) in plain Python; list columns as lists."""
    out = frame.astype(object).where(frame.notna(), None)
    for col in ("metrics",):
        if col in out:
            out[col] = [list(v) if v is not None else [] for v in out[col]]
    return out


def company_data(con: duckdb.DuckDBPyConnection, ticker: str) -> CompanyData | None:
    row = con.execute("select ticker, name from companies where ticker = ?", [ticker]).fetchone()
    if row is None:
        return None

    def q(sql: str) -> pd.DataFrame:
        return _none(con.execute(sql, [ticker]).df())

    src = con.execute(SOURCES_OF_COMPANY, {"ticker": ticker}).df()
    content_hash = con.execute("select value from meta where key = 'content_hash'").fetchone()
    return CompanyData(
        ticker=row[0],
        name=row[1],
        content_hash=content_hash[0] if content_hash else "",
        facts=q(
            "select period, metric, basis, value, unit, qualifier, source_id, section, excerpt, note, decimals "
            "from facts where ticker = ? order by fiscal_year, coalesce(fiscal_quarter, 5), metric, basis"
        ),
        guidance=q(
            "select metric, basis, target_period, issued_period, low, high, qualifier, actual, position, "
            "source_label, source_id, section, excerpt, stated_actual from guidance where ticker = ? "
            "order by target_period, metric, basis"
        ),
        targets=q(
            "select metric, basis, horizon, low, high, qualifier, label, source_id, section, excerpt "
            "from targets where ticker = ? order by horizon, metric"
        ),
        commentary=q(
            "select commentary_id, period, kind, speaker, role, topic, text, metrics, source_id, section "
            "from commentary where ticker = ? order by rowid"
        ),
        themes=q(
            "select topic, period, text, trend, metrics, source_id, note from themes where ticker = ? order by rowid"
        ),
        cross_checks=q(
            "select subject, period, metric, basis, value, low, high, qualifier, decimals, agrees, source_id, section, excerpt "
            "from cross_checks where ticker = ?"
        ),
        sources={r["source_id"]: r for r in _none(src).to_dict("records")},
    )
