"""All SQL of the app. Read-only; values only as parameters.

Functions take an open DuckDB connection and return plain data. The app's
caching lives in ``earnings.ui.store``; nothing here imports Streamlit.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from earnings.contract import schema, vocab

CONTRACT_TABLES = schema.CONTRACT_TABLES

# the documents one company's rows cite (a database of many companies holds many documents)
_CITED = " union ".join(f"select source_id from {t} where ticker = $ticker" for t in schema.COMPANY_TABLES)  # noqa: S608 (names from the schema)
SOURCES_OF_COMPANY = (
    "select source_id, file, title, publisher, cast(published_on as varchar) as published_on, kind, url "  # noqa: S608 (names from the schema)
    f"from sources where source_id in ({_CITED})"
)


class SchemaError(Exception):
    """The database is not one this app can read; the message says how to fix it."""


def connect(location: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database at ``location`` that can read nothing else.

    A file (or an ``s3://``/``https://`` URL) is attached to a fresh in-memory instance: DuckDB
    shares one instance per path within a process, and that shared instance keeps serving a file
    that a rebuild has since replaced. A fresh instance always reads the file that is there now.
    ``md:`` (MotherDuck) connection strings are opened directly.

    A database file is data, not code: once it is attached, the connection's access to files and
    the network is switched off and its configuration locked, so a view in the file that reads the
    server's files (``read_text('/etc/…')``) or the network fails instead of answering.
    """
    if location.startswith("md:"):
        # never download an extension on the spot: MotherDuck's must be installed on the host
        con = duckdb.connect(location, read_only=True, config={"autoinstall_known_extensions": False})
        settings = ("set disabled_filesystems = 'LocalFileSystem'",)
    else:
        con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": "//" in location}
        )
        settings = ("set enable_external_access = false",)
    try:
        if not location.startswith("md:"):
            # type duckdb: another kind of file (SQLite, ...) is refused, never opened through an extension
            con.execute("attach ? as earnings (type duckdb, read_only)", [location])
            con.execute("use earnings")
        for setting in settings:
            con.execute(setting)
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def verify_schema(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The meta table, after checking that every contract table is there, as a table of the schema's shape,
    and the schema version."""
    found = con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main'"
    ).fetchall()
    kinds = dict(found)
    views = [t for t in CONTRACT_TABLES if kinds.get(t, "BASE TABLE") != "BASE TABLE"]
    if views:
        raise SchemaError(f"the database defines {', '.join(views)} as a view, not a table: refused")
    missing = [t for t in CONTRACT_TABLES if t not in kinds]
    if "meta" in missing:
        raise SchemaError("the database has no meta table: it was not made by `python -m earnings build`")
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'main'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    if set(schema.TABLES["meta"].stored_columns) - columns.get("meta", set()):
        raise SchemaError("the database's meta table is not the one `python -m earnings build` makes")
    meta = dict(con.execute("select key, value from meta").fetchall())
    version = meta.get("schema_version")
    if version != str(vocab.SCHEMA_VERSION):
        raise SchemaError(f"the database has schema version {version!r}; this app reads version {vocab.SCHEMA_VERSION}")
    if missing:
        raise SchemaError(f"the database lacks table(s): {', '.join(missing)}")
    for table in CONTRACT_TABLES:
        lacking = [c for c in schema.TABLES[table].stored_columns if c not in columns.get(table, set())]
        if lacking:
            raise SchemaError(f"the database's {table} table lacks column(s): {', '.join(lacking)}")
    return {str(k): str(v) for k, v in meta.items()}


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


def content_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    """The content hash of the build ``con`` reads (None when the database has none)."""
    row = con.execute("select value from meta where key = 'content_hash'").fetchone()
    return row[0] if row else None


BUNDLE_TABLES = (
    "facts",
    "guidance",
    "targets",
    "commentary",
    "themes",
    "cross_checks",
    "checks",
    "periods",
    "peers",
    "estimates",
)


def _company_rows(table: str) -> str:
    """The select of one company's rows of ``table`` (the build's own checks, of no company, too)."""
    spec = schema.TABLES[table]
    own_checks = table == "checks"
    columns = ", ".join(c for c in spec.stored_columns if c != "ticker" or own_checks)
    where = "ticker = $1 or ticker is null" if own_checks else "ticker = $1"
    order = f" order by {spec.order_by}" if spec.order_by else ""
    return f"select {columns} from {table} where {where}{order}"  # noqa: S608 (names from the schema, a constant)


COMPANY_SQL = {table: _company_rows(table) for table in BUNDLE_TABLES}


def company_tables(
    con: duckdb.DuckDBPyConnection, ticker: str
) -> tuple[str, str, dict[str, pd.DataFrame], pd.DataFrame] | None:
    """(name, content hash, one frame per table, the documents it cites) of one company; None if unknown."""
    row = con.execute("select name from companies where ticker = ?", [ticker]).fetchone()
    if row is None:
        return None
    frames = {table: con.execute(sql, [ticker]).df() for table, sql in COMPANY_SQL.items()}
    sources = con.execute(SOURCES_OF_COMPANY, {"ticker": ticker}).df()
    return row[0], content_hash(con) or "", frames, sources


def aligned_figures(con: duckdb.DuckDBPyConnection, tickers: list[str], metrics: list[str]) -> pd.DataFrame:
    """Several companies' quarterly figures of ``metrics`` in one query, one row per period, metric and basis
    and one column per company (in the order given) with its value, or None where it has none."""
    rows = con.execute(
        "select period, metric, basis, ticker, value from facts "
        "where list_contains($tickers, ticker) and list_contains($metrics, metric) and fiscal_quarter is not null "
        "order by fiscal_year, fiscal_quarter, metric, basis nulls first",
        {"tickers": list(tickers), "metrics": list(metrics)},
    ).fetchall()
    table: dict[tuple, dict[str, float]] = {}
    for period, metric, basis, ticker, value in rows:
        table.setdefault((period, metric, basis), {})[ticker] = value
    return pd.DataFrame(
        [[*key, *(values.get(t) for t in tickers)] for key, values in table.items()],
        columns=["period", "metric", "basis", *tickers],
        dtype=object,
    )


def company_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per company: ticker, name, fiscal year end month, its latest fiscal quarter with a reported
    revenue (and that quarter's calendar quarter), how many quarters it holds, where its figures come from
    (documents, filings) and the date of its newest source."""
    return con.execute(
        """
        with quarters as (
            select f.ticker, f.period, p.calendar_period, p.end_date from facts f
            join periods p on p.ticker = f.ticker and p.period = f.period
            where f.fiscal_quarter is not null and f.metric = 'revenue'
        ), latest as (
            select ticker, arg_max(period, end_date) as latest_quarter,
                   arg_max(calendar_period, end_date) as latest_calendar, count(distinct period) as quarters
            from quarters group by ticker
        ), cited as (
            select f.ticker, s.kind, s.published_on from facts f join sources s on s.source_id = f.source_id
        ), origin as (
            select ticker,
                   bool_or(list_contains($forms, kind)) as from_filings,
                   bool_or(not list_contains($forms, kind)) as from_documents,
                   max(published_on) as updated
            from cited group by ticker
        )
        select c.ticker, c.name, c.fiscal_year_end_month, l.latest_quarter, l.latest_calendar,
               coalesce(l.quarters, 0) as quarters, coalesce(o.from_documents, false) as from_documents,
               coalesce(o.from_filings, false) as from_filings, o.updated
        from companies c left join latest l using (ticker) left join origin o using (ticker)
        order by c.ticker
        """,
        {"forms": list(vocab.FILING_FORMS)},
    ).df()
