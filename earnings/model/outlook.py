"""A quarter's outlook: each figure guided for it and what the guide implies against the quarter before.

One computation for the Overview's and Guidance page's outlook lines and the briefing's outlook cards.
Everything implied is derived and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.model.changes import Change, change
from earnings.read.bundle import CompanyData

# the order guided figures are listed in: revenue, margins, opex, EPS
ORDER = ("revenue", "gross_margin", "operating_margin", "opex_total", "diluted_eps")


@dataclass(frozen=True)
class Guided:
    """One guided figure for a period, against the reported figure of the quarter before (the base)."""

    metric: str
    basis: str | None
    unit: str
    range_text: str  # "$151–155M", "~74%"
    base_period: str | None
    base: float | None
    midpoint_change: Change | None  # the guide's midpoint against the base (derived)
    implied_growth: tuple[float, float, float] | None  # low, mid, high in percent against the base (derived)
    is_range: bool

    @property
    def label(self) -> str:
        return vocab.metric_label(self.metric, self.basis)

    @property
    def base_text(self) -> str:
        return fmt.value(self.base, self.unit)


def _order(g: dict) -> tuple[int, str]:
    return (ORDER.index(g["metric"]) if g["metric"] in ORDER else len(ORDER), g["basis"] or "")


def guided(data: CompanyData, period: str) -> list[Guided]:
    """Every figure guided for ``period``, in ``ORDER``."""
    base_period = periods.previous_quarter(period) if periods.is_quarter(period) else None
    out = []
    for g in sorted(data.guidance_for(period), key=_order):
        metric, basis = g["metric"], g["basis"]
        unit = vocab.METRIC_UNITS[metric]
        base = data.value(base_period, metric, basis) if base_period else None
        mid = formulas.guidance_midpoint(g["low"], g["high"])
        out.append(
            Guided(
                metric=metric,
                basis=basis,
                unit=unit,
                range_text=fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"]),
                base_period=base_period,
                base=base,
                midpoint_change=change(mid, base, unit),
                implied_growth=formulas.implied_growth(g["low"], g["high"], base) if unit != "pct" else None,
                is_range=g["low"] != g["high"],
            )
        )
    return out


def implied_operating_margin(data: CompanyData, period: str) -> tuple[float, float, float] | None:
    """Non-GAAP operating margin implied by the guided gross margin, opex and revenue (low, mid, high)."""
    g = {(r["metric"], r["basis"]): r for r in data.guidance_for(period)}
    gm, opex, rev = g.get(("gross_margin", "non_gaap")), g.get(("opex_total", "non_gaap")), g.get(("revenue", None))
    if not (gm and opex and rev):
        return None
    return formulas.implied_operating_margin(
        formulas.guidance_midpoint(gm["low"], gm["high"]), opex["low"], opex["high"], rev["low"], rev["high"]
    )


def implied_margin_text(om: tuple[float, float, float]) -> str:
    return f"{fmt.value(om[0], 'pct')}–{fmt.value(om[2], 'pct')} across the ranges"


def lines(data: CompanyData, period: str) -> list[str]:
    """Plain-text lines: each guided figure for ``period`` and what it implies (derived)."""
    out = []
    for g in guided(data, period):
        line = f"{g.label}: {g.range_text}"
        if g.base is not None and g.unit == "pct" and g.midpoint_change is not None:
            line += f" ({g.midpoint_change.text} vs {g.base_text} in {periods.label(g.base_period)}, derived)"
        elif g.base is not None and g.implied_growth:
            low, _, high = g.implied_growth
            line += (
                f" ({fmt.growth(low)} to {fmt.growth(high)} vs {periods.label(g.base_period)}'s {g.base_text}, derived)"
            )
        out.append(line)
    om = implied_operating_margin(data, period)
    if om:
        out.append(
            f"Implied operating margin (non-GAAP): {fmt.value(om[1], 'pct')} at the midpoints, "
            f"{implied_margin_text(om)} (derived from guided gross margin, opex and revenue)"
        )
    return out
