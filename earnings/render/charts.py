"""From a company's data to its charts: the one place that assembles figure inputs.

Pages, the briefing and the export all draw their charts through these
functions, so a chart reads the same everywhere. ``upto`` limits a chart to
what was reported by a quarter (the briefing shows nothing later); ``selected``
outlines the point the URL selects.
"""

from __future__ import annotations

import plotly.graph_objects as go

from earnings.contract import periods, vocab
from earnings.model import derived, ledger, scorecard
from earnings.read.bundle import CompanyData
from earnings.render import figures

OPEX_LINES = vocab.OPEX_LINES
MARGIN_SERIES = vocab.MARGIN_SERIES
BRIEFING_HEIGHT = 350  # with the title, the controls and the numbers above it, a step fits a 1280×720 projector
BRIEFING_WIDTH = 650  # the chart column of a briefing step at 1280×720 (750 at 1440×900)


def upto(values: dict[str, float], period: str | None) -> dict[str, float]:
    """Quarters up to and including ``period`` (all of them when None)."""
    if period is None:
        return dict(values)
    end = periods.quarter_index(period)
    return {p: v for p, v in values.items() if periods.quarter_index(p) <= end}


def next_quarter(period: str) -> str:
    return periods.shift_quarter(period, 1)


def revenue(data: CompanyData, *, last: str | None = None, selected: str | None = None) -> go.Figure:
    """Revenue bars up to ``last`` with the guidance that targeted each quarter, and the next quarter's guided range."""
    values = upto(data.series("revenue"), last)
    end = last or (max(values, key=periods.sort_key) if values else None)
    nxt = next_quarter(end) if end else None
    guide = next(iter(data.guidance_for(nxt, "revenue", None)), None) if nxt else None
    guide_data = dict(guide, period=nxt) if guide else None
    past = [dict(g, period=p) for p in values for g in data.guidance_for(p, "revenue", None)]
    axis = periods.quarter_axis(list(values), extend_to=nxt if guide else None)
    return figures.revenue_figure(data.ticker, axis, values, guide_data, selected=selected, guided=past)


def margin_references(data: CompanyData) -> list[dict]:
    """Long-term model lines from the targets table, labelled as the source puts them."""
    return [
        {"value": t["low"], "label": t["label"], "metric": t["metric"]}
        for t in data.records("targets")
        if t["horizon"] == "long_term" and t["metric"] in ("gross_margin", "operating_margin")
    ]


def margins(
    data: CompanyData, *, last: str | None = None, selected: tuple[str, str, str | None] | None = None
) -> go.Figure:
    series = {key: upto(data.series(*key), last) for key in MARGIN_SERIES}
    series = {k: v for k, v in series.items() if v}
    limit = periods.quarter_index(last) + 1 if last else None
    guided = [
        {**g, "period": g["target_period"]}
        for g in data.records("guidance")
        if g["metric"] in ("gross_margin", "operating_margin")
        and periods.is_quarter(g["target_period"])
        and (limit is None or periods.quarter_index(g["target_period"]) <= limit)
    ]
    axis = periods.quarter_axis([p for s in series.values() for p in s] + [g["period"] for g in guided])
    return figures.margins_figure(data.ticker, axis, series, guided, margin_references(data), selected)


def opex(data: CompanyData, *, last: str | None = None, selected: tuple[str, str] | None = None) -> go.Figure:
    lines = {m: upto(data.series(m, "gaap"), last) for m in OPEX_LINES}
    total = upto(data.series("opex_total", "gaap"), last)
    share = upto(data.once(derived.opex_share_of_revenue), last)
    axis = periods.quarter_axis([p for s in lines.values() for p in s] + list(total))
    return figures.opex_figure(data.ticker, axis, lines, share, selected)


def guidance_rows(data: CompanyData, metrics: tuple[str, ...] | None = None, basis: str | None = "any") -> list[dict]:
    rows = data.records("guidance")
    return [r for r in rows if (metrics is None or r["metric"] in metrics) and (basis == "any" or r["basis"] == basis)]


def has_guidance(data: CompanyData, metrics: tuple[str, ...] | None, basis: str | None, upto: str | None) -> bool:
    """Whether ``guidance(data, metrics=..., basis=..., upto=...)`` has anything to draw (without drawing it)."""
    end = periods.sort_key(upto) if upto else None
    return any(end is None or periods.sort_key(r["target_period"]) <= end for r in guidance_rows(data, metrics, basis))


def guided_window(data: CompanyData, upto: str | None, quarters: int) -> list[str]:
    """The last ``quarters`` guided periods up to and including ``upto`` (every one up to it when fewer), oldest
    first; nothing guided later is in it. ``upto`` None: the last ``quarters``; ``quarters`` 0: all of them."""
    guided = sorted({r["target_period"] for r in data.records("guidance")}, key=periods.sort_key)
    if upto is not None:
        guided = [p for p in guided if periods.sort_key(p) <= periods.sort_key(upto)]
    return guided[-quarters:] if quarters else guided


def guidance(
    data: CompanyData,
    *,
    metrics: tuple[str, ...] | None = None,
    basis: str | None = "any",
    selected: tuple[str, str, str | None] | None = None,
    panel_titles: bool = True,
    upto: str | None = None,
    quarters: int = 0,
) -> go.Figure | None:
    """Guided ranges against actuals; None when there is no guidance to draw.

    ``upto``/``quarters``: only the ``guided_window`` of ``quarters`` periods up to ``upto`` (0: every period).
    """
    wanted = {id(r) for r in guidance_rows(data, metrics, basis)}
    rows = [r for r in scorecard.records(data, upto=upto) if id(r) in wanted]  # in the scorecard's order
    if quarters:
        shown = set(guided_window(data, upto, quarters))
        rows = [r for r in rows if r["target_period"] in shown]
    if not rows:
        return None
    rows = ledger.with_consensus(data, rows)
    return figures.range_vs_actual_figure(data.ticker, rows, selected, panel_titles=panel_titles)


def sparkline(data: CompanyData, metric: str, basis: str | None = None) -> str:
    """A KPI card's sparkline (an SVG image): every quarter of the figure, coloured by its change on the quarter
    before."""
    return figures.sparkline_svg(sparkline_bars(data, metric, basis))


def sparkline_bars(data: CompanyData, metric: str, basis: str | None = None) -> figures.Sparkline:
    """What a KPI card's sparkline draws."""
    values = data.series(metric, basis)
    axis = periods.quarter_axis(list(values))
    return figures.sparkline(axis, values, metric, basis, vocab.METRIC_UNITS[metric])


PAGE_CHARTS = (revenue, margins, opex, guidance)  # what the chart pages draw (serve builds each once at start)


# --- the briefing: the pages' charts as of the quarter in focus ---------------------------------------


def briefing_revenue(data: CompanyData, period: str) -> go.Figure:
    """Revenue bars up to the quarter (outlined), the guidance that targeted it, next quarter's guided range."""
    return revenue(data, last=period, selected=period).update_layout(height=BRIEFING_HEIGHT, margin_r=60)


def briefing_margins(data: CompanyData, period: str) -> go.Figure:
    return margins(data, last=period, selected=(period, "gross_margin", "non_gaap")).update_layout(
        height=BRIEFING_HEIGHT
    )


def briefing_opex(data: CompanyData, period: str) -> go.Figure:
    return opex(data, last=period).update_layout(height=BRIEFING_HEIGHT)


BRIEFING_FIGURES = {"revenue": briefing_revenue, "margins": briefing_margins, "opex": briefing_opex}


def briefing(data: CompanyData, *, step: str, period: str) -> go.Figure:
    """The chart of a briefing step (model.briefing.CHART_STEPS) for the quarter ``period``, its margins preset for
    the briefing's narrower column."""
    return figures.preset_margins(BRIEFING_FIGURES[step](data, period), width=BRIEFING_WIDTH)
