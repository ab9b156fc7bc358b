"""Periods: the ids every table uses (``2024Q4``, ``2024FY``) and the arithmetic on them.

A period is a company's fiscal period, named as the company names it. Quarters
are numbered so they can be subtracted; an axis of quarters keeps every quarter
between the first and the last, gaps included.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

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


def fiscal_label(period: str) -> str:
    """'2025Q4' -> 'Q4 FY2025', '2025FY' -> 'FY2025': a fiscal period, named so it is not taken for a calendar one."""
    m = PERIOD_RE.match(period)
    if not m:
        return period
    return f"FY{m.group(1)}" if m.group(2) == "FY" else f"{m.group(2)} FY{m.group(1)}"


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


# --- dates: what a fiscal period covers, and the calendar quarter it stands for --------------------------


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def nominal_dates(period: str, fiscal_year_end_month: int) -> tuple[date, date]:
    """(first day, last day) of a fiscal period whose year ends on the last day of ``fiscal_year_end_month``,
    the fiscal year named by the calendar year it ends in (a company's filings give exact dates instead)."""
    year = fiscal_year(period)
    year_end = _month_end(year, fiscal_year_end_month)
    if not is_quarter(period):
        start = _month_end(year - 1, fiscal_year_end_month) + timedelta(days=1)
        return start, year_end
    back = 3 * (4 - int(period[-1]))  # months from the quarter's end to the year's end
    month = (year_end.month - back - 1) % 12 + 1
    end_year = year_end.year - (1 if year_end.month - back < 1 else 0)
    end = _month_end(end_year, month)
    start_month = (month - 4) % 12 + 1  # the month before the quarter's first
    start_year = end_year - (1 if month - 3 < 1 else 0)
    return _month_end(start_year, start_month) + timedelta(days=1), end


def calendar_period(start: date, end: date, year: bool = False) -> str:
    """The calendar quarter ("2024Q4"), or with ``year`` the calendar year ("2024"), the span ``start``–``end``
    overlaps most by days; a tie goes to the earlier."""
    best: tuple[int, str] = (-1, "")
    for y in range(start.year, end.year + 1):
        spans = [(f"{y}", date(y, 1, 1), date(y, 12, 31))] if year else [
            (f"{y}Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q)) for q in (1, 2, 3, 4)
        ]  # fmt: skip
        for label, first, last in spans:
            overlap = (min(end, last) - max(start, first)).days + 1
            if overlap > best[0]:
                best = (overlap, label)
    return best[1]
