"""The per-company bundle: everything the pages show for one company, read in one go.

A bundle is read once per build and company and shared by every session: it never
changes after it is made. Missing values are ``None`` (never 0 or NaN) and every
``metrics`` cell is a list of metric ids.
"""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb
import pandas as pd

from earnings.contract import periods, vocab
from earnings.read import queries

T = TypeVar("T")
CHECK_COLUMNS = ["check_id", "ticker", "period", "status", "category", "detail"]
DATE_COLUMNS = ["period", "start_date", "end_date", "calendar_period"]
ESTIMATE_COLUMNS = ["period", "metric", "basis", "value", "unit", "provider", "as_of", "source_id", "excerpt"]


def metric_list(value: object) -> list[str]:
    """A ``metrics`` cell (a list, an array, "a;b" text or None) as a list of metric ids."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [m for m in (s.strip() for s in value.split(";")) if m]
    return [str(m) for m in value]  # type: ignore[union-attr]


def _made_once(method: Callable[..., T]) -> Callable[..., T]:
    """A bundle's own derived list or dict, computed once per arguments; each caller gets its own shallow
    copy, so changing it cannot reach the shared one."""

    @functools.wraps(method)
    def shared(self: CompanyData, *args: object) -> T:
        key = ("made_once", method.__name__, *args)
        if key not in self._derived:
            self._derived[key] = method(self, *args)
        return copy.copy(self._derived[key])

    return shared


def _fiscal_is_calendar(data: CompanyData) -> bool:
    """Whether every quarter the company has dates for is the calendar quarter of the same name."""
    quarters = [r for r in data.dates.to_dict("records") if periods.is_quarter(r["period"])]
    return all(r["calendar_period"] == r["period"] for r in quarters)


@dataclass
class CompanyData:
    """Everything the pages show for one company."""

    ticker: str
    name: str
    facts: pd.DataFrame
    guidance: pd.DataFrame
    targets: pd.DataFrame
    commentary: pd.DataFrame
    themes: pd.DataFrame
    cross_checks: pd.DataFrame
    checks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHECK_COLUMNS))
    # what each period covers: period, start_date, end_date, calendar_period (the table ``periods``)
    dates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DATE_COLUMNS))
    peers: list[str] = field(default_factory=list)  # its default comparison set, in order
    estimates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ESTIMATE_COLUMNS))
    content_hash: str = ""  # the build this was read from: a page never mixes two builds
    sources: dict[str, dict] = field(default_factory=dict)
    index: dict[tuple[str, str, str | None], dict] = field(default_factory=dict)
    _derived: dict[tuple, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {(r["period"], r["metric"], r["basis"]): r for r in self.facts.to_dict("records")}
        for frame in (self.commentary, self.themes):
            if "metrics" in frame:
                frame["metrics"] = [metric_list(v) for v in frame["metrics"]]

    def once(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self, *args)`` computed once per bundle and shared by every session: read, never change it.

        The function (a module-level function, never a lambda) and its arguments are the key.
        """
        if getattr(fn, "__name__", "<lambda>") == "<lambda>":
            raise TypeError("once() takes a named function: a lambda would be a new key on every call")
        key = (fn, *args)
        if key not in self._derived:
            self._derived[key] = fn(self, *args)
        return self._derived[key]  # type: ignore[return-value]

    # --- facts ---------------------------------------------------------------
    def fact(self, period: str, metric: str, basis: str | None = None) -> dict | None:
        return self.index.get((period, metric, basis))

    def value(self, period: str, metric: str, basis: str | None = None) -> float | None:
        row = self.fact(period, metric, basis)
        return None if row is None else row["value"]

    def records(self, table: str) -> list[dict]:
        """The rows of ``commentary``, ``themes``, ``guidance``, ``targets``, … as dicts, made once; read-only."""
        key = ("records", table)
        if key not in self._derived:
            self._derived[key] = getattr(self, table).to_dict("records")
        return self._derived[key]  # type: ignore[return-value]

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
                found |= set(ms)
        return [m for m in vocab.METRICS if m in found]

    def source(self, source_id: str) -> dict:
        return self.sources.get(source_id, {"source_id": source_id, "title": source_id})

    # --- what a period covers ----------------------------------------------------
    def period_dates(self, period: str) -> dict | None:
        """``start_date``, ``end_date`` (dates) and ``calendar_period`` of one of the company's periods."""
        key = ("period_dates",)
        if key not in self._derived:
            self._derived[key] = {
                r["period"]: {**r, "start_date": _day(r["start_date"]), "end_date": _day(r["end_date"])}
                for r in self.dates.to_dict("records")
            }
        return self._derived[key].get(period)  # type: ignore[union-attr]

    def calendar_period(self, period: str) -> str | None:
        """The calendar quarter (or year) the fiscal period overlaps most, e.g. ``2024Q4``."""
        found = self.period_dates(period)
        return found["calendar_period"] if found else None

    def period_label(self, period: str) -> str:
        """A short name: "Q4 2024" where the fiscal quarter is the calendar one, else "Q4 FY2025" (never taken for
        a calendar quarter it is not)."""
        calendar = self.calendar_period(period)
        if calendar is None:  # a period without dates (a quarter guided, not reported): as the company's others
            same = self.once(_fiscal_is_calendar)
        else:
            same = calendar == period or (not periods.is_quarter(period) and period.startswith(calendar))
        return periods.label(period) if same else periods.fiscal_label(period)

    def fiscal_label(self, period: str) -> str:
        """How the company names the period, and when it ended: "Q4 FY2025, ended 26 Jan 2025"."""
        label = periods.fiscal_label(period)
        found = self.period_dates(period)
        if not found or found["end_date"] is None:
            return label
        end = found["end_date"]
        return f"{label}, ended {end.day} {end:%b %Y}"

    # --- guidance --------------------------------------------------------------
    def guidance_for(self, period: str, metric: str | None = None, basis: str | None = None) -> list[dict]:
        rows = [g for g in self.records("guidance") if g["target_period"] == period]
        if metric is not None:
            rows = [r for r in rows if r["metric"] == metric and r["basis"] == basis]
        return rows


def _day(value: object) -> datetime.date | None:
    """A date as the database gives it (a date, a pandas Timestamp, or None) as a plain date."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime.datetime) else value  # type: ignore[return-value]


def _none(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN/NA -> None, so missing stays missing (never 0) in plain Python."""
    return frame.astype(object).where(frame.notna(), None)


def company_data(con: duckdb.DuckDBPyConnection, ticker: str) -> CompanyData | None:
    """One company's bundle, read on ``con``; None when the database has no such company."""
    tables = queries.company_tables(con, ticker)
    if tables is None:
        return None
    name, content_hash, frames, sources = tables
    frames = {table: _none(frame) for table, frame in frames.items()}
    return CompanyData(
        ticker=ticker,
        name=name,
        content_hash=content_hash,
        sources={r["source_id"]: r for r in _none(sources).to_dict("records")},
        dates=frames.pop("periods"),
        peers=list(frames.pop("peers")["peer"]),
        **frames,
    )
