"""Percentiles and summaries of timings (pure functions, no server)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between closest ranks; None when empty.

    The same definition as ``numpy.percentile``'s default ("linear"): with n sorted values the rank is
    ``(n - 1) * q / 100``, interpolated between its two neighbours.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    xs = sorted(values)
    if not xs:
        return None
    rank = (len(xs) - 1) * q / 100
    lo, hi = math.floor(rank), math.ceil(rank)
    return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """n, median (p50), p95 and max of a list of timings."""
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else None,
    }


def ratio(value: float | None, floor: float | None) -> float | None:
    """value / floor, or None when either is missing or the floor is zero."""
    if value is None or not floor:
        return None
    return value / floor
