"""How every derived figure is computed: pure functions, one definition for the build's reconciliations
and for the pages.

Everything here is *derived* from reported figures. Callers show the result
marked as derived (see ``Derived``), never as a reported number.
"""

from __future__ import annotations

from dataclasses import dataclass

from earnings.contract.periods import is_quarter, shift_quarter


@dataclass(frozen=True)
class Derived:
    """A figure computed from reported ones, with how it was computed."""

    value: float
    unit: str
    formula: str  # e.g. "FY 2024 − Q3 2024 − Q4 2024"
    inputs: tuple[tuple[str, float], ...] = ()


# --- growth ------------------------------------------------------------------


def growth_pct(current: float | None, previous: float | None) -> float | None:
    """Percent change, or None when either side is missing or the base is 0 or negative."""
    if current is None or previous is None or previous <= 0:
        return None
    return (current / previous - 1.0) * 100.0


def change_vs(values: dict[str, float], period: str, lag: int) -> tuple[str, float | None]:
    """Growth of ``period`` against the quarter ``lag`` quarters earlier.

    Returns the compared period and the growth in percent, None when that
    quarter has no figure (never across a gap).
    """
    other = shift_quarter(period, -lag)
    return other, growth_pct(values.get(period), values.get(other))


def growth_series(values: dict[str, float], lag: int) -> dict[str, float]:
    """Growth per quarter where the comparison quarter exists."""
    out = {}
    for period in values:
        if not is_quarter(period):
            continue
        _, g = change_vs(values, period, lag)
        if g is not None:
            out[period] = g
    return out


def point_change(current: float | None, previous: float | None) -> float | None:
    """Difference in units (percentage points for margins)."""
    if current is None or previous is None:
        return None
    return current - previous


# --- guidance ----------------------------------------------------------------


def guidance_midpoint(low: float, high: float) -> float:
    return (low + high) / 2.0


def guidance_position(actual: float | None, low: float, high: float) -> str:
    """'above', 'within', 'below' the range, or 'pending' without an actual."""
    if actual is None:
        return "pending"
    # a tiny tolerance absorbs float noise, not rounding of reported figures
    eps = 1e-9 * max(1.0, abs(high))
    if actual > high + eps:
        return "above"
    if actual < low - eps:
        return "below"
    return "within"


def distance_from_midpoint(actual: float | None, low: float, high: float) -> tuple[float | None, float | None]:
    """(actual − midpoint in units, the same as a percent of the midpoint)."""
    if actual is None:
        return None, None
    mid = guidance_midpoint(low, high)
    units = actual - mid
    pct = units / abs(mid) * 100.0 if mid else None
    return units, pct


def position_in_range(actual: float | None, low: float, high: float) -> float | None:
    """Where the actual sits: 0 at the low end, 1 at the high end, beyond outside."""
    if actual is None:
        return None
    if high == low:
        return 0.5 if actual == low else (float("inf") if actual > high else float("-inf"))
    return (actual - low) / (high - low)


def implied_growth(low: float, high: float, base: float | None) -> tuple[float, float, float] | None:
    """Growth (low, mid, high) in percent that a guided range implies over ``base``."""
    if base is None or base <= 0:
        return None
    g = [growth_pct(v, base) for v in (low, guidance_midpoint(low, high), high)]
    return g[0], g[1], g[2]  # type: ignore[return-value]


def implied_operating_margin(
    gross_margin_pct: float, opex_low: float, opex_high: float, revenue_low: float, revenue_high: float
) -> tuple[float, float, float]:
    """Operating margin implied by guided gross margin, opex and revenue.

    Low end pairs the highest opex with the lowest revenue; high end the
    opposite; mid uses the midpoints.
    """
    low = gross_margin_pct - opex_high / revenue_low * 100.0
    mid = (
        gross_margin_pct - guidance_midpoint(opex_low, opex_high) / guidance_midpoint(revenue_low, revenue_high) * 100.0
    )
    high = gross_margin_pct - opex_low / revenue_high * 100.0
    return low, mid, high


# --- shares and remainders ---------------------------------------------------


def share_of(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * 100.0


def implied_remainder(total: float | None, parts: list[float | None]) -> float | None:
    """Total minus the parts, or None if anything is missing."""
    if total is None or any(p is None for p in parts):
        return None
    return total - sum(parts)  # type: ignore[arg-type]


def implied_first_half(fy: float | None, q3: float | None, q4: float | None) -> float | None:
    """First-half revenue implied by the fiscal year minus Q3 and Q4."""
    return implied_remainder(fy, [q3, q4])


def operating_margin_identity(gross_margin_pct: float, opex: float, revenue: float) -> float:
    """Operating margin as gross margin minus opex over revenue, in percent."""
    return gross_margin_pct - opex / revenue * 100.0
