"""The guidance scorecard and the next quarter's outlook, as plain data.

Distances from the midpoint and implied growth/margins are derived and
labelled so.
"""

from __future__ import annotations

import pandas as pd

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.read.queries import CompanyData

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


def outlook(data: CompanyData, period: str) -> list[str]:
    """Plain-text lines: each guided figure for ``period`` and what it implies (derived)."""
    guided = {(g["metric"], g["basis"]): g for g in data.guidance_for(period)}
    lines = []
    for (metric, basis), g in guided.items():
        unit = vocab.METRIC_UNITS[metric]
        line = f"{vocab.metric_label(metric, basis)}: {fmt.guidance_range(g['low'], g['high'], unit, g['qualifier'])}"
        base_period = periods.previous_quarter(period) if periods.is_quarter(period) else None
        base = data.value(base_period, metric, basis) if base_period else None
        if unit == "pct" and base is not None:
            mid = formulas.guidance_midpoint(g["low"], g["high"])
            line += f" ({fmt.points(mid - base)} vs {fmt.value(base, unit)} in {periods.label(base_period)}, derived)"
        elif base is not None:
            implied = formulas.implied_growth(g["low"], g["high"], base)
            if implied:
                line += (
                    f" ({fmt.growth(implied[0])} to {fmt.growth(implied[2])} vs {periods.label(base_period)}'s "
                    f"{fmt.value(base, unit)}, derived)"
                )
        lines.append(line)
    om = implied_operating_margin(data, period)
    if om:
        lines.append(
            f"Implied operating margin (non-GAAP): {fmt.value(om[1], 'pct')} at the midpoints, "
            f"{fmt.value(om[0], 'pct')}–{fmt.value(om[2], 'pct')} across the ranges (derived from guided gross margin, opex and revenue)"
        )
    return lines


def implied_operating_margin(data: CompanyData, period: str) -> tuple[float, float, float] | None:
    g = {(r["metric"], r["basis"]): r for r in data.guidance_for(period)}
    gm, opex, rev = g.get(("gross_margin", "non_gaap")), g.get(("opex_total", "non_gaap")), g.get(("revenue", None))
    if not (gm and opex and rev):
        return None
    return formulas.implied_operating_margin(
        formulas.guidance_midpoint(gm["low"], gm["high"]), opex["low"], opex["high"], rev["low"], rev["high"]
    )
