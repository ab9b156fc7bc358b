"""Where the app gets its data: the database location, read-only access, caching.

The one place that combines Streamlit caching with DuckDB. The database's
state is cached on the file's identity (path, size, mtime, inode), so a
rebuild, which replaces the file in one step, is served on the next rerun
without a restart. Everything read from it is cached on the build's content
hash and read on one connection per page run (see ``_pinned``), so two builds
are never mixed in one answer or on one page, however often the file is replaced.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from earnings.model import tables
from earnings.read import bundle, queries
from earnings.read import location as location_mod
from earnings.render import export
from earnings.render.figures import FrozenFigure, freeze
from earnings.write import database as build

ENV_VAR = build.DB_ENV_VAR
T = TypeVar("T")


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
    # this page run's connection to the build, opened on its first read the cache cannot answer (``_pinned``)
    pin: list = field(default_factory=list, compare=False, repr=False)


def db_location() -> str:
    return build.db_location()


def shown_location(location: str) -> str:
    """The location as shown to viewers: relative to the app for the bundled file, never a secret."""
    return location_mod.shown(location, build.ROOT)


def _token(location: str) -> tuple:
    """The identity of the database: changes whenever the file is replaced."""
    try:
        s = os.stat(location)
    except OSError:
        return (location, None)
    return (location, s.st_size, s.st_mtime_ns, s.st_ino, s.st_mode)


def _read(location: str, fn: Callable[..., T], *args: object) -> T:
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


def _key(db: DbState) -> tuple:
    """What reads are cached on: the build (its content hash), which is what the cached value comes from."""
    return (db.path, db.meta.get("content_hash"))


def _of_one_build(fn: Callable[..., T]) -> Callable[..., T]:
    """A read on the run's pinned connection: any failure to read it (a file copied over the live one byte by
    byte, cut off, replaced) is ``Replaced``, and the run starts over on what is there now."""

    @functools.wraps(fn)
    def read(*args: object) -> T:
        try:
            return fn(*args)
        except (duckdb.Error, OSError) as e:
            raise Replaced from e

    return read


def _pinned(db: DbState) -> duckdb.DuckDBPyConnection:
    """This page run's connection to the build ``db`` describes; Replaced if the file is another build now.

    Opened on the run's first read the cache cannot answer and kept for the rest of the run: an
    attached file is read to the end even after a rebuild has replaced it, so every read of one run
    comes from one build, and a run is never restarted by a rebuild after that point.
    """
    if not db.pin:
        try:
            con = queries.connect(db.path)
        except duckdb.Error:
            raise Replaced from None  # it was readable when the run began: something else is there now
        try:
            built = queries.content_hash(con)
        except duckdb.Error:
            built = None
        if built is None or built != db.meta.get("content_hash"):
            con.close()
            raise Replaced
        db.pin.append(con)
    return db.pin[0]


def _rerun_if_replaced(fn: Callable[..., T], *args: object) -> T:
    """For reads after ``setup()``: a replaced file starts the page run over, on the new build."""
    try:
        return fn(*args)
    except Replaced:
        st.rerun()


@st.cache_resource(max_entries=8, show_spinner=False)
def _state(token: tuple) -> DbState:
    location = token[0]
    problem = location_mod.file_problem(location)
    if problem is not None:
        fix = {
            location_mod.MISSING: "Run `python -m earnings build` to create it from the files in data/.",
            location_mod.EMPTY: "Run `python -m earnings build` to rebuild it.",
        }.get(problem, "Point EARNINGS_DB at a DuckDB file made by `python -m earnings build`, or rebuild it.")
        return DbState(False, location, token, {}, problem, fix)
    try:
        meta = _read(location, queries.verify_schema)
    except queries.SchemaError as e:
        return DbState(
            False,
            location,
            token,
            {},
            f"The database cannot be used: {location_mod.scrub(str(e), location, build.ROOT)}.",
            "Run `python -m earnings build` with this version of the app to rebuild it.",
        )
    except (duckdb.Error, OSError) as e:
        text = location_mod.scrub(str(e), location, build.ROOT)  # DuckDB names the location: never shown as is
        first = text.splitlines()[0][:160] if text else type(e).__name__
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
    if token[1] is None and build.first_build_needed(location):
        _first_build()
        token = _token(location)
    return dataclasses.replace(_state(token), pin=[])  # shared state, this run's own connection


def _first_build() -> None:
    try:
        with st.spinner("Building the database from data/ (first start)…"):
            build.build()
    except Exception:  # the page reports the missing database below
        pass


@st.cache_resource(max_entries=8, show_spinner=False)
@_of_one_build
def _companies(key: tuple, _db: DbState) -> tuple[tuple[str, ...], dict[str, str]]:
    frame = queries.companies(_pinned(_db))
    return tuple(frame["ticker"]), dict(zip(frame["ticker"], frame["name"]))


def companies(db: DbState) -> tuple[list[str], dict[str, str]]:
    """(tickers in order, ticker -> name) of the build; shared by all sessions: read-only."""
    tickers, names = _companies(_key(db), db)
    return list(tickers), names


@st.cache_resource(max_entries=64, show_spinner=False)
@_of_one_build
def _company(key: tuple, ticker: str, _db: DbState) -> bundle.CompanyData | None:
    return bundle.company_data(_pinned(_db), ticker)


def company(db: DbState, ticker: str) -> bundle.CompanyData | None:
    """Everything about one company, from the same build as ``db``. Shared by all sessions: read-only."""
    data = _company(_key(db), ticker, db)
    if data is not None and data.content_hash != db.meta.get("content_hash"):
        _company.clear()
        _state.clear()
        raise Replaced
    return data


@st.cache_resource(max_entries=8, show_spinner=False)
@_of_one_build
def _sources(key: tuple, _db: DbState) -> pd.DataFrame:
    return queries.sources(_pinned(_db))


def sources(db: DbState) -> pd.DataFrame:
    return _rerun_if_replaced(_sources, _key(db), db)


@st.cache_resource(max_entries=16, show_spinner=False)
@_of_one_build
def _read_once(key: tuple, name: str, _fn: Callable, _db: DbState) -> object:
    return _fn(_pinned(_db))


def read_once(db: DbState, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """``fn(con)`` on the build ``db`` describes, read once per build and shared by all sessions: read-only."""
    return _rerun_if_replaced(_read_once, _key(db), f"{fn.__module__}.{fn.__qualname__}", fn, db)


def _csv_of_build(con: duckdb.DuckDBPyConnection, table: str, content_hash: str) -> bytes:
    if queries.content_hash(con) != content_hash:
        raise Replaced  # the file is another build now: the download fails rather than mixing builds
    return tables.csv_bytes(queries.whole_table(con, table))


@st.cache_resource(max_entries=16, show_spinner=False)
def _table_csv(key: tuple, table: str) -> bytes:
    return _read(key[0], _csv_of_build, table, key[1])


def table_csv(db: DbState, table: str) -> Callable[[], bytes]:
    """A callable giving one table as CSV: the work is done only when someone downloads it."""
    return partial(_table_csv, _key(db), table)


@st.cache_data(max_entries=8, show_spinner=False)
def briefing_html(token: tuple, ticker: str, period: str) -> bytes:
    """The quarter's briefing as one self-contained HTML file (earnings.export), from the build ``token`` names.

    Read on one fresh connection, so the file never mixes two builds. Called lazily, when the
    download button is clicked (Streamlit runs it off the script thread).
    """
    return _read(token[0], export.export_from_connection, ticker, period).encode("utf-8")


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure(
    key: tuple, ticker: str, name: str, options: tuple, _builder: Callable, _db: DbState
) -> FrozenFigure | None:
    return freeze(_builder(_company(key, ticker, _db), **dict(options)))


@st.cache_resource(max_entries=128, show_spinner=False)
def _of_build(key: tuple, name: str, options: tuple, _fn: Callable, _db: DbState) -> Any:
    return _fn(_db, **dict(options))


def of_build(db: DbState, fn: Callable[..., T], **options) -> T:
    """``fn(db, **options)`` once per build and options (e.g. a page of a list read with ``read_once``), shared by
    all sessions: read, never change it."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _rerun_if_replaced(_of_build, _key(db), name, tuple(sorted(options.items())), fn, db)


@st.cache_resource(max_entries=256, show_spinner=False)
def _of_several(key: tuple, tickers: tuple[str, ...], name: str, options: tuple, _fn: Callable, _db: DbState) -> Any:
    companies = [d for d in (_company(key, t, _db) for t in tickers) if d is not None]
    return _fn(companies, **dict(options))


def of_several(db: DbState, tickers: list[str], fn: Callable[..., T], **options) -> T:
    """``fn([data of each ticker], **options)`` once per build, companies and options, shared by all sessions:
    read, never change it."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _rerun_if_replaced(_of_several, _key(db), tuple(tickers), name, tuple(sorted(options.items())), fn, db)


def figure(db: DbState, ticker: str, builder: Callable[..., go.Figure | None], **options) -> FrozenFigure | None:
    """``builder(data, **options)`` for ``ticker``, built once per build, company and options, shared by all sessions.

    Building a figure costs tens of milliseconds of plotly validation; a rerun that shows the
    same chart again costs nothing. The figure is shared: never modify it.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _figure(_key(db), ticker, name, tuple(sorted(options.items())), builder, db)
