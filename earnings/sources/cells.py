"""Reading one cell of a source table: each column kind has a parser that returns the typed value or
raises ValueError with a reason a person can act on. The schema (``earnings.contract.schema``) says
which kind each column is.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable

from earnings.contract import periods, vocab
from earnings.contract.schema import Column

_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)  # the Data page links to it: never javascript:
# digits in groups of three split by a space, apostrophe or underscore: 1 234.5, 1'234.5, 1_234.5
_GROUPED_RE = re.compile(r"^-?\d{1,3}([ '’_\u00a0\u202f]\d{3})+([.,]\d+)?$")

MAX_NUMBER = 1e15  # larger than any figure in $M, %, $/share or millions of shares

# what a reference must be one of: the tickers of companies.csv, the ids of sources.csv (None: not checked)
Known = dict[str, set[str] | None]


def parse_number(text: str) -> float:
    s = text.strip()
    if _NUMBER_RE.match(s):
        value = float(s)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise ValueError(f"{s[:20]}… has {len(s.lstrip('-').split('.')[0])} digits: too large to be a figure")
        return value
    if not s:
        raise ValueError("is empty: a number is required")
    if "," in s or _GROUPED_RE.match(s):
        raise ValueError(f"{text!r} has a thousands separator: write plain digits, e.g. 1234.5")
    if any(c in s for c in "$€£¥"):
        raise ValueError(f"{text!r} has a currency sign: write the number alone (its unit, e.g. usd_m, says it)")
    if "%" in s:
        raise ValueError(f"{text!r} has a percent sign: write the number alone (its unit, pct, says it)")
    if s.startswith("(") and s.endswith(")"):
        raise ValueError(f"{text!r} uses parentheses: write a negative number as -{s[1:-1]}")
    raise ValueError(f"{text!r} is not a number")


def decimals(text: str) -> int:
    """How many digits a number was written with after the point."""
    s = text.strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


def _int(s: str, col: Column, known: Known) -> int:
    if not s.isdigit():
        raise ValueError(f"{s!r} is not a whole number")
    return int(s)


def _matching(pattern: re.Pattern, reason: str) -> Callable[[str, Column, Known], str]:
    def parse(s: str, col: Column, known: Known) -> str:
        if not pattern.match(s):
            raise ValueError(f"{s!r} {reason}")
        return s

    return parse


def _date(s: str, col: Column, known: Known) -> str:
    if _DATE_RE.match(s):
        try:
            datetime.date.fromisoformat(s)
            return s
        except ValueError:
            raise ValueError(f"{s!r} is not a day of the calendar") from None
    raise ValueError(f"{s!r} is not a date like 2025-02-12")


def _plausible(s: str) -> str:
    """A well-formed period a source can speak of (a typo such as 2204Q1 would draw centuries of quarters)."""
    this_year = datetime.date.today().year
    if not periods.plausible(s, this_year):
        raise ValueError(
            f"{s!r} is outside the years a source can speak of ({periods.EARLIEST_YEAR} to "
            f"{this_year + periods.PLAUSIBLE_AHEAD}): a typo?"
        )
    return s


def _period(s: str, col: Column, known: Known) -> str:
    if not periods.is_period(s):
        raise ValueError(f"{s!r} is not a period like 2024Q4 or 2024FY")
    return _plausible(s)


def _horizon(s: str, col: Column, known: Known) -> str:
    if s == "long_term":
        return s
    if not periods.is_period(s):
        raise ValueError(f"{s!r} is not a period like 2025FY or 'long_term'")
    return _plausible(s)


def _reference(what: str, pattern: re.Pattern, shape: str, defined_in: str, check: bool):
    """A ticker or source id: its shape, and (``check``) that the file defining them has it."""

    def parse(s: str, col: Column, known: Known) -> str:
        if not pattern.match(s):
            raise ValueError(f"{s!r} is not a {shape}")
        if check and known.get(what) is not None and s not in known[what]:
            raise ValueError(f"{s!r} is not in {defined_in}")
        return s

    return parse


def _one_of(allowed: Callable[[Column], tuple[str, ...] | dict], reason: Callable[[str, Column], str]):
    def parse(s: str, col: Column, known: Known) -> str:
        if s not in allowed(col):
            raise ValueError(reason(s, col))
        return s

    return parse


def _flag(s: str, col: Column, known: Known) -> bool:
    if s.lower() not in ("yes", "no"):
        raise ValueError(f"{s!r} is not yes or no (or empty: no)")
    return s.lower() == "yes"


_CALENDAR_RE = re.compile(r"^\d{4}(Q[1-4])?$")


def _metrics(s: str, col: Column, known: Known) -> list[str]:
    items = [m.strip() for m in s.split(";") if m.strip()]
    unknown = [m for m in items if m not in vocab.METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r} in the list: known metrics are {', '.join(vocab.METRICS)}")
    return items


PARSERS: dict[str, Callable[[str, Column, Known], object]] = {
    "text": lambda s, col, known: s,
    "number": lambda s, col, known: parse_number(s),
    "int": _int,
    "url": _matching(_URL_RE, "is not a web address: write it in full, starting with https://"),
    "date": _date,
    "period": _period,
    "horizon": _horizon,
    "ticker": _reference("ticker", vocab.TICKER_RE, "ticker (capital letters and digits)", "companies.csv", True),
    "new_ticker": _reference("ticker", vocab.TICKER_RE, "ticker (capital letters and digits)", "companies.csv", False),
    "source_id": _reference(
        "source_id", vocab.SOURCE_ID_RE, "source id (lower-case letters, digits, - and _)", "sources.csv", True
    ),
    "new_source_id": _reference(
        "source_id", vocab.SOURCE_ID_RE, "source id (lower-case letters, digits, - and _)", "sources.csv", False
    ),
    "metric": _one_of(
        lambda col: vocab.METRICS, lambda s, col: f"unknown metric {s!r}: known metrics are {', '.join(vocab.METRICS)}"
    ),
    "metrics": _metrics,
    "flag": _flag,
    "calendar": _matching(_CALENDAR_RE, "is not a calendar quarter like 2024Q4 or a year like 2024"),
    "basis": _one_of(
        lambda col: vocab.BASES, lambda s, col: f"unknown basis {s!r}: use gaap, non_gaap or leave it empty"
    ),
    "unit": _one_of(lambda col: vocab.UNITS, lambda s, col: f"unknown unit {s!r}: use one of {', '.join(vocab.UNITS)}"),
    "choice": _one_of(lambda col: col.choices, lambda s, col: f"{s!r} is not one of {', '.join(col.choices)}"),
}


def parse_cell(col: Column, raw: str, known: Known) -> object:
    """Typed value of one cell, or raise ValueError(reason)."""
    s = raw.strip()
    if not s:
        if col.required:
            raise ValueError("is empty: a value is required")
        return {"metrics": [], "flag": False}.get(col.kind)
    return PARSERS[col.kind](s, col, known)


def check_row(table: str, row: dict) -> list[str]:
    """Rules across the cells of one row."""
    reasons = []
    if table in ("facts", "labels", "estimates") and row.get("metric") and row.get("unit"):
        want = vocab.METRIC_UNITS[row["metric"]]
        if row["unit"] != want:
            reasons.append(f"unit {row['unit']!r} is wrong for {row['metric']}: its unit is {want}")
    if table in ("guidance", "targets") and row.get("low") is not None and row.get("high") is not None:
        if row["low"] > row["high"]:
            reasons.append(f"low {row['low']:g} is above high {row['high']:g}")
        if row.get("qualifier") == "approx" and row["low"] != row["high"]:
            reasons.append("an approx value has low = high (write ~75% as 75,75)")
    if table == "guidance" and row.get("target_period") and row.get("issued_period"):
        if periods.sort_key(row["issued_period"]) > periods.sort_key(row["target_period"]):
            reasons.append(f"issued_period {row['issued_period']} is after target_period {row['target_period']}")
    if table == "companies" and row.get("fiscal_year_end_month") is not None:
        if not 1 <= row["fiscal_year_end_month"] <= 12:
            reasons.append("fiscal_year_end_month must be 1 to 12")
    return reasons
