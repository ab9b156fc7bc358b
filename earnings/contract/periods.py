"""Periods: the ids every table uses (``2024Q4``, ``2024FY``) and the arithmetic on them.

A period is a company's fiscal period, named as the company names it. Quarters
are numbered so they can be subtracted; an axis of quarters keeps every quarter
between the first and the last, gaps included.
"""

from __future__ import annotations

import re

PERIOD_RE = re.compile(r"^(\d{4})(Q[1-4]|FY)$")


def is_period(text: str) -> bool:
    return bool(PERIOD_RE.match(text))


def is_quarter(period: str) -> bool:
    m = PERIOD_RE.match(period)
    return bool(m) and m.group(2) != "FY"


def label(period: str) -> str:
    """'2024Q4' -> 'Q4 2024', '2024FY' -> 'FY 2024'."""
    m = PERIOD_RE.match(period)
    if not m:
        return period
    return f"{m.group(2)} {m.group(1)}"


def sort_key(period: str) -> tuple[int, int]:
    """Order periods: quarters of a year, then the year itself."""
    m = PERIOD_RE.match(period)
    if not m:
        return (0, 0)
    return (int(m.group(1)), 5 if m.group(2) == "FY" else int(m.group(2)[1]))


def fiscal_year(period: str) -> int:
    m = PERIOD_RE.match(period)
    if not m:
        raise ValueError(f"{period!r} is not a period")
    return int(m.group(1))


EARLIEST_YEAR = 1950  # no company's reported quarter is older; a period before is a typo


PLAUSIBLE_AHEAD = 6  # years after this one that guidance and targets may speak of


def plausible(period: str, now_year: int, horizon: int = PLAUSIBLE_AHEAD) -> bool:
    """A period a source can speak of: from 1950 to ``horizon`` years after this one (guidance and targets look
    ahead; ``2204Q1`` beside ``2024Q4`` is a typo)."""
    return EARLIEST_YEAR <= fiscal_year(period) <= now_year + horizon


def quarter_index(period: str) -> int:
    """A running number for a quarter, so quarters can be subtracted."""
    m = PERIOD_RE.match(period)
    if not m or m.group(2) == "FY":
        raise ValueError(f"{period!r} is not a quarter")
    return int(m.group(1)) * 4 + int(m.group(2)[1]) - 1


def quarter_from_index(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def shift_quarter(period: str, quarters: int) -> str:
    return quarter_from_index(quarter_index(period) + quarters)


def previous_quarter(period: str) -> str:
    return shift_quarter(period, -1)


def year_ago_quarter(period: str) -> str:
    return shift_quarter(period, -4)


MAX_AXIS = 80  # quarters a chart draws at most (20 years): a typo in a period cannot make a chart of centuries


def quarter_axis(quarters: list[str], extend_to: str | None = None, limit: int = MAX_AXIS) -> list[str]:
    """Every quarter from the first to the last given (and ``extend_to``), gaps included; the latest
    ``limit`` of them when there are more."""
    found = [p for p in quarters if is_quarter(p)]
    if extend_to and is_quarter(extend_to):
        found.append(extend_to)
    if not found:
        return []
    idx = [quarter_index(p) for p in found]
    last = max(idx)
    return [quarter_from_index(i) for i in range(max(min(idx), last - limit + 1), last + 1)]
