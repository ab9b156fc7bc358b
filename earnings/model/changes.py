"""The change of a figure between two periods, as one text everywhere: growth in percent, margins in
points, and the change in units where a percentage means nothing (a loss or zero before).

Every change is derived; callers label it so.
"""

from __future__ import annotations

from dataclasses import dataclass

from earnings.contract import formulas
from earnings.model import fmt


@dataclass(frozen=True)
class Change:
    text: str  # "+24.8%", "−3.7 pp", "+$32.3M"
    size: float  # signed, in the text's terms (percent, points or units)

    @property
    def direction(self) -> int:
        """+1 up, −1 down, 0 unchanged."""
        return fmt.signed_sign(self.size)


def change(current: float | None, previous: float | None, unit: str) -> Change | None:
    """How ``current`` compares with ``previous``; None when either is missing."""
    if current is None or previous is None:
        return None
    if unit == "pct":
        d = current - previous
        return Change(fmt.points(d), d)
    g = formulas.growth_pct(current, previous)
    if g is None:  # a loss or zero before: the change in units
        d = current - previous
        return Change(fmt.delta(d, unit), d)
    return Change(fmt.growth(g), g)
