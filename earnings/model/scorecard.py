"""The guidance scorecard and the next quarter's outlook, as plain data.

Distances from the midpoint and implied growth/margins are derived and
labelled so.
"""

from __future__ import annotations

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.read.bundle import CompanyData

POSITION_TEXT = {"above": "▲ above", "within": "● within", "below": "▼ below", "pending": "… pending"}


def rows(data: CompanyData, target_period: str | None = None) -> pd.DataFrame:
    """One row per guided figure: range, actual, position, distance from the midpoint, the source's label."""
    out = []
    for g in data.records("guidance"):
        if target_period and g["target_period"] != target_period:
            continue
        unit = vocab.METRIC_UNITS[g["metric"]]
        units, pct = formulas.distance_from_midpoint(g["actual"], g["low"], g["high"])
        out.append(
            {
                "Metric": vocab.metric_label(g["metric"], g["basis"]),
                "Period": periods.label(g["target_period"]),
                "Issued": periods.label(g["issued_period"]),
                "Guided": fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"]),
                "Midpoint": fmt.value(
                    formulas.guidance_midpoint(g["low"], g["high"]), unit, midpoint_decimals(g, unit)
                ),
                "Actual": fmt.value(g["actual"], unit),
                "Position": POSITION_TEXT[g["position"]],
                "vs mid (derived)": fmt.delta(units, unit),
                "vs mid % (derived)": fmt.growth(pct),
                "Source says": g["source_label"],
                "metric": g["metric"],
                "basis": g["basis"],
                "period": g["target_period"],
                "position": g["position"],
            }
        )
    columns = [
        "Metric", "Period", "Issued", "Guided", "Midpoint", "Actual", "Position",
        "vs mid (derived)", "vs mid % (derived)", "Source says", "metric", "basis", "period", "position",
    ]  # fmt: skip
    return pd.DataFrame(out, columns=columns)


def midpoint_decimals(g: dict, unit: str) -> int:
    """One more decimal than the range needs when the midpoint falls between: $0.255, $54.5M."""
    mid = formulas.guidance_midpoint(g["low"], g["high"])
    base = 2 if unit == "usd_per_share" else 0
    return base if round(mid, base) == round(mid, 6) else base + 1


def figures(data: CompanyData) -> list[tuple[str, str, str | None]]:
    """The figure each scorecard row scores, as (period, metric, basis), in the rows' order."""
    return [(g["target_period"], g["metric"], g["basis"]) for g in data.records("guidance")]
