"""A figure as a card: its value, the change against an earlier quarter or its guidance, a line under it.

One definition for the overview's KPI cards, the briefing's big numbers and the export's cards.
Every change is derived and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.model.changes import Change, change
from earnings.read.bundle import CompanyData


@dataclass
class Card:
    """One big number (an st.metric or an HTML card) and the line under it."""

    label: str
    value: str
    delta: str | None = None
    delta_description: str | None = None
    direction: int = 0  # +1 up, −1 down, 0 none
    favourable: bool | None = None  # colour: True green, False red, None grey
    note: str | None = None
    guided: bool = False  # a guided figure (never an actual): drawn apart from actuals wherever cards are shown

    @property
    def arrow(self) -> str:
        return {1: "up", -1: "down"}.get(self.direction, "off")

    @property
    def color(self) -> str:
        return {True: "green", False: "red"}.get(self.favourable, "gray")


def favourable(metric: str, size: float) -> bool | None:
    """Whether a change of ``size`` is good news for ``metric`` (None: neither, or no change)."""
    better = vocab.METRICS[metric].higher_is_better if metric in vocab.METRICS else None
    if better is None or size == 0:
        return None
    return (size > 0) == better


def with_delta(card: Card, metric: str, found: Change | None, description: str) -> Card:
    """``card`` with ``found`` as its delta (no delta when the change is unknown)."""
    if found is not None:
        card.delta, card.delta_description = found.text, description
        card.direction = found.direction
        card.favourable = favourable(metric, found.size)
    return card


def quarter_card(data: CompanyData, period: str, metric: str, basis: str | None, label: str) -> Card:
    """A reported figure with its change vs the prior quarter (delta) and a year ago (note), both derived.

    A fiscal year's card has the figure alone."""
    unit = vocab.METRIC_UNITS[metric]
    v = data.value(period, metric, basis)
    card = Card(label, fmt.value(v, unit))
    if not periods.is_quarter(period):
        return card
    prev, year_ago = periods.previous_quarter(period), periods.year_ago_quarter(period)
    q = change(v, data.value(prev, metric, basis), unit)
    with_delta(card, metric, q, f"vs {data.period_label(prev)} (derived)")  # short: a card's line is never cut
    yoy = change(v, data.value(year_ago, metric, basis), unit)
    if yoy is not None:
        card.note = f"y/y vs {data.period_label(year_ago)}: {yoy.text} (derived)"
    return card


def guided_card(data: CompanyData, period: str, metric: str, basis: str | None, label: str) -> Card:
    """The figure against the guidance that targeted this quarter; without guidance, ``quarter_card``."""
    guided = data.guidance_for(period, metric, basis)
    actual = data.value(period, metric, basis)
    if not guided or actual is None:
        return quarter_card(data, period, metric, basis, label)
    g = guided[0]
    unit = vocab.METRIC_UNITS[metric]
    units, _ = formulas.distance_from_midpoint(actual, g["low"], g["high"])
    card = Card(label, fmt.value(actual, unit))
    distance = fmt.distance(units, g["low"], g["high"], unit)
    with_delta(card, metric, Change(distance, units), "vs guidance midpoint (derived)")
    position = vocab.POSITION_WORDS.get(formulas.guidance_position(actual, g["low"], g["high"]), "")
    rng = fmt.guidance_range(g["low"], g["high"], unit, g["qualifier"])
    mid = f" (midpoint {fmt.midpoint(g['low'], g['high'], unit)})" if g["low"] != g["high"] else ""
    card.note = f"Guided {rng}{mid} with {periods.label(g['issued_period'])}: {position}"
    return card


def headline_figures(data: CompanyData) -> list[tuple[str, str | None, str]]:
    """The headline's (metric, basis, label), in order: a non-GAAP figure the company does not report (one known
    from its filings alone) is its GAAP figure instead, labelled so."""
    out = []
    for metric, basis, label in vocab.HEADLINE:
        if basis == "non_gaap" and not data.series(metric, "non_gaap") and data.series(metric, "gaap"):
            basis, label = "gaap", vocab.metric_label(metric, "gaap")
        out.append((metric, basis, label))
    return out


def headline(data: CompanyData, period: str) -> list[Card]:
    """The quarter's headline figures, in the order the overview and the briefing show them."""
    return [quarter_card(data, period, m, b, label) for m, b, label in data.once(headline_figures)]
