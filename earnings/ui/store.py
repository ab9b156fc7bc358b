"""Where the app gets its data: the database location, read-only access, caching.

The one place that combines Streamlit caching with DuckDB. Cached values are
keyed on the database file's identity (path, size, mtime), so a rebuild,
which replaces the file in one step, is served on the next rerun without a
restart, and two builds are never mixed in one answer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from earnings import build, queries

ENV_VAR = "EARNINGS_DB"


class Replaced(Exception):
    """The database file was replaced while a run was reading it."""


@dataclass(frozen=True)
class DbState:
    ok: bool
    path: str
    token: tuple
    meta: dict
    problem: str = ""
    fix: str = ""


def db_location() -> str:
    return os.environ.get(ENV_VAR) or str(build.DEFAULT_DB)


def shown_location(location: str) -> str:
    """The location as shown to viewers: relative to the app for the bundled file, never a secret."""
    try:
        return str(Path(location).resolve().relative_to(build.ROOT))
    except ValueError:
        pass
    if "://" in location or location.startswith("md:"):
        return location.split("?", 1)[0]  # a connection string's options may hold tokens
    return Path(location).name


def _token(location: str) -> tuple:
    """The identity of the database: changes whenever the file is replaced."""
    try:
        s = os.stat(location)
    except OSError:
        return (location, None)
    return (location, s.st_size, s.st_mtime_ns, s.st_ino)


def _read(location: str, fn, *args):
    """Run ``fn(con, *args)`` on a fresh read-only connection; retry once if a rebuild raced us."""
    last: Exception | None = None
    for _ in range(2):
        try:
            con = queries.connect(location)
        except duckdb.Error as e:
            last = e
            continue
        try:
            return fn(con, *args)
        except duckdb.Error as e:
            last = e
        finally:
            con.close()
    raise last  # type: ignore[misc]


@st.cache_resource(max_entries=8, show_spinner=False)
def _state(token: tuple) -> DbState:
    location = token[0]
    is_file = not (location.startswith("md:") or "://" in location)
    if is_file and token[1] is None:
        return DbState(
            False,
            location,
            token,
            {},
            "The database file does not exist.",
            "Run `python -m earnings build` to create it from the files in data/.",
        )
    if is_file and token[1] == 0:
        return DbState(
            False, location, token, {}, "The database file is empty.", "Run `python -m earnings build` to rebuild it."
        )
    try:
        meta = _read(location, queries.verify_schema)
    except queries.SchemaError as e:
        return DbState(
            False,
            location,
            token,
            {},
            f"The database cannot be used: {e}.",
            "Run `python -m earnings build` with this version of the app to rebuild it.",
        )
    except (duckdb.Error, OSError) as e:
        first = str(e).splitlines()[0][:160] if str(e) else type(e).__name__
        return DbState(
            False,
            location,
            token,
            {},
            f"The database cannot be opened ({first}).",
            "Check that it is a DuckDB file made by `python -m earnings build`, or rebuild it.",
        )
    return DbState(True, location, token, meta)


def state() -> DbState:
    """The database as it is now; builds the bundled one on first start if it is missing."""
    location = db_location()
    token = _token(location)
    if token[1] is None and Path(location) == build.DEFAULT_DB and (build.DATA_DIR / "facts.csv").exists():
        _first_build()
        token = _token(location)
    return _state(token)


def _first_build() -> None:
    try:
        with st.spinner("Building the database from data/ (first start)…"):
            build.build()
    except Exception:  # noqa: BLE001 - the page reports the missing database below
        pass


@st.cache_resource(max_entries=8, show_spinner=False)
def _companies(token: tuple):
    return _read(token[0], queries.companies)


def companies(db: DbState):
    return _companies(db.token)


@st.cache_resource(max_entries=64, show_spinner=False)
def _company(token: tuple, ticker: str) -> queries.CompanyData | None:
    return _read(token[0], queries.company_data, ticker)


def company(db: DbState, ticker: str) -> queries.CompanyData | None:
    """Everything about one company, from the same build as ``db``. Shared by all sessions: read-only."""
    data = _company(db.token, ticker)
    if data is not None and data.content_hash != db.meta.get("content_hash"):
        _company.clear()
        _state.clear()
        raise Replaced
    return data


@st.cache_resource(max_entries=8, show_spinner=False)
def _sources(token: tuple):
    return _read(token[0], queries.sources)


def sources(db: DbState):
    return _sources(db.token)


@st.cache_resource(max_entries=8, show_spinner=False)
def _checks(token: tuple):
    return _read(token[0], queries.checks)


def checks(db: DbState):
    return _checks(db.token)


@st.cache_data(max_entries=32, show_spinner=False)
def _table_csv(token: tuple, table: str) -> bytes:
    return _read(token[0], queries.whole_table, table).to_csv(index=False).encode("utf-8")


def table_csv(db: DbState, table: str) -> bytes:
    return _table_csv(db.token, table)
