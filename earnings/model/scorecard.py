"""The guidance scorecard and the next quarter's outlook, as plain data.

Rows are in one order everywhere (the Guidance page, the Overview's outcome table, the export): by the
guided quarter, oldest first, and within a quarter revenue, margins, opex, EPS (``ORDER``). Distances
from the midpoint and implied growth/margins are derived and labelled so.
"""

from __future__ import annotations

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.read.bundle import CompanyData

POSITION_TEXT = {"above": "▲ above", "within": "● within", "below": "▼ below", "pending": "… pending"}
# the order guided figures are listed in everywhere: revenue, margins, opex, EPS
ORDER = ("revenue", "gross_margin", "operating_margin", "opex_total", "diluted_eps", "diluted_eps_ex_tax_benefit")
BASIS_ORDER = ("non_gaap", None, "gaap")


def basis_of(g: dict) -> str | None:
    """A guidance row's basis: ``None`` for a figure without one, however the table gave it (None, "" or NaN)."""
    b = g.get("basis")
    return b if isinstance(b, str) and b else None


def metric_rank(metric: str, basis: str | None) -> tuple[int, int, str]:
    """Where a (metric, basis) stands in ``ORDER`` (metrics not in it after, by name)."""
    m = ORDER.index(metric) if metric in ORDER else len(ORDER)
    b = BASIS_ORDER.index(basis) if basis in BASIS_ORDER else len(BASIS_ORDER)
    return m, b, metric


def records(data: CompanyData, target_period: str | None = None, upto: str | None = None) -> list[dict]:
    """The guidance rows the scorecard shows, in its order: ``target_period`` alone, or every guided quarter up to
    ``upto`` (all when None)."""
    rows = [
        g
        for g in data.records("guidance")
        if (target_period is None or g["target_period"] == target_period)
        and (upto is None or periods.sort_key(g["target_period"]) <= periods.sort_key(upto))
    ]
    return sorted(rows, key=lambda g: (periods.sort_key(g["target_period"]), *metric_rank(g["metric"], basis_of(g))))


def rows(data: CompanyData, target_period: str | None = None, upto: str | None = None) -> pd.DataFrame:
    """One row per guided figure: range, actual, position, distance from the midpoint, the source's label."""
    out = []
    for g in records(data, target_period, upto):
        unit = vocab.METRIC_UNITS[g["metric"]]
        units, pct = formulas.distance_from_midpoint(g["actual"], g["low"], g["high"])
        out.append(
            {
                "Metric": vocab.metric_label(g["metric"], g["basis"]),
                "Period": periods.label(g["target_period"]),
                "Issued": periods.label(g["issued_period"]),
                "Guided": fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"]),
                "Midpoint": fmt.midpoint(g["low"], g["high"], unit),
                "Actual": fmt.value(g["actual"], unit),
                "Position": POSITION_TEXT[g["position"]],
                "vs mid (derived)": fmt.distance(units, g["low"], g["high"], unit),
                "vs mid % (derived)": fmt.growth(pct),
                "Source says": g["source_label"],
                "metric": g["metric"],
                "basis": basis_of(g),
                "period": g["target_period"],
                "position": g["position"],
            }
        )
    columns = [
        "Metric", "Period", "Issued", "Guided", "Midpoint", "Actual", "Position",
        "vs mid (derived)", "vs mid % (derived)", "Source says", "metric", "basis", "period", "position",
    ]  # fmt: skip
    return pd.DataFrame(out, columns=columns)


def figures(data: CompanyData, upto: str | None = None) -> list[tuple[str, str, str | None]]:
    """The figure each scorecard row scores, as (period, metric, basis), in the rows' order.

    Taken from the guidance records, not from the table: a figure without a basis (revenue) is ``None`` here,
    where a table would hold a NaN."""
    return [(g["target_period"], g["metric"], basis_of(g)) for g in records(data, upto=upto)]


def row_of(data: CompanyData, upto: str | None, selected: tuple[str, str, str | None] | None) -> int | None:
    """The row of the scorecard (up to ``upto``) that scores the selected figure, if it is one of them."""
    if selected is None:
        return None
    found = figures(data, upto)
    return found.index(selected) if selected in found else None


def window_end(focus: str | None) -> str | None:
    """The last guided quarter the Guidance page shows for a quarter in focus: the quarter after it (its outlook)."""
    return periods.shift_quarter(focus, 1) if focus else None
