"""The Compare page's charts: one line per company over calendar quarters, each point the company's own fiscal
quarter (named in its hover) and clickable into that company's drill-down.

A colour and a marker shape are a company (``palette.company_style``), fixed by its place in the chosen list. A
derived point (growth, the index, a filing's fourth quarter taken as the year less nine months) is hollow and
says "derived" in its hover; a line of derived figures is dotted. Gaps stay gaps: a quarter a company has no
figure for breaks its line.
"""

from __future__ import annotations

import plotly.graph_objects as go

from earnings.contract import periods, vocab
from earnings.model import compare, fmt
from earnings.model.compare import Series
from earnings.read.bundle import CompanyData
from earnings.render import palette
from earnings.render.figures import layout, plain

HEIGHT = 380


def lines(
    series: list[Series],
    quarters: list[str],
    *,
    metric: str,
    unit: str,
    title: str,
    selected: tuple[str, str, str] | None = None,
    all_derived: bool = False,
    texts: list[list[str]] | None = None,
) -> go.Figure:
    """One line per company over ``quarters`` (calendar); ``selected``: (ticker, fiscal period, metric) outlined.
    ``texts``: each company's value text per quarter (default: the value in ``unit``)."""
    labels = [periods.label(q) for q in quarters]
    fig = go.Figure()
    for i, s in enumerate(series):
        color, symbol = palette.company_style(i)
        ys = [s.values.get(q) for q in quarters]
        shown = texts[i] if texts else [fmt.value(v, unit) for v in ys]
        fiscal = [s.fiscal.get(q, "") for q in quarters]
        derived = [q in s.derived for q in quarters]
        hover = [
            plain(f"{s.ticker}: {s.labels[q]}{' (derived)' if d else ''}") if q in s.labels else ""
            for q, d in zip(quarters, derived)
        ]
        fig.add_trace(
            go.Scatter(
                name=plain(f"{s.ticker} · {s.name}"),
                x=labels,
                y=ys,
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=color, width=3, dash="dot" if all_derived else "solid"),
                marker=dict(
                    symbol=[f"{symbol}-open" if d else symbol for d in derived],
                    size=[16 if selected == (s.ticker, f, metric) else 11 for f in fiscal],
                    color=color,
                    line=dict(
                        width=[4 if selected == (s.ticker, f, metric) else 2 for f in fiscal],
                        color=[palette.INK if selected == (s.ticker, f, metric) else color for f in fiscal],
                    ),
                ),  # fmt: skip
                customdata=[[s.ticker, f, metric, s.bases.get(q) or ""] for f, q in zip(fiscal, quarters)],
                text=shown,
                hovertext=hover,
                hovertemplate="%{hovertext}<br>%{text}<extra></extra>",
            )
        )
    layout(fig, height=HEIGHT)
    fig.update_layout(title=dict(text=plain(title), font=dict(size=16), y=0.98, yanchor="top"),
                      margin=dict(l=10, r=10, t=86, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0))  # fmt: skip
    fig.update_yaxes(ticksuffix="%" if unit == "pct" else "")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title_text="calendar quarter")
    return fig


def growth(companies: list[CompanyData], *, quarter: str, selected: tuple | None = None) -> go.Figure:
    quarters = compare.chart_quarters(quarter)
    series = [compare.series(d, quarters, compare.revenue_growth_yoy) for d in companies]
    return lines(series, quarters, metric="revenue", unit="pct", selected=selected, all_derived=True,
                 title="Revenue growth y/y (derived)")  # fmt: skip


def margin(companies: list[CompanyData], *, quarter: str, metric: str, selected: tuple | None = None) -> go.Figure:
    """Gross or operating margin: GAAP where the company reports it, else non-GAAP (the hover says which)."""
    quarters = compare.chart_quarters(quarter)
    series = [compare.series(d, quarters, compare.best_margin(metric)) for d in companies]
    for s in series:
        for q in s.labels:
            s.labels[q] += f" ({'GAAP' if s.bases.get(q) == 'gaap' else 'non-GAAP'})"
    return lines(series, quarters, metric=metric, unit="pct", selected=selected,
                 title=f"{vocab.METRICS[metric].label} (GAAP, else non-GAAP)")  # fmt: skip


def indexed(companies: list[CompanyData], *, quarter: str, selected: tuple | None = None) -> go.Figure | None:
    """Revenue indexed to 100 at the first calendar quarter every company has; None when they share none."""
    quarters = compare.chart_quarters(quarter)
    series, base = compare.indexed_revenue(companies, quarters)
    if base is None:
        return None
    texts = [[fmt.MISSING if s.values.get(q) is None else f"{s.values[q]:.0f}" for q in quarters] for s in series]
    fig = lines(series, quarters, metric="revenue", unit="", selected=selected, all_derived=True, texts=texts,
                title=f"Revenue indexed, {periods.label(base)} = 100 (derived)")  # fmt: skip
    fig.add_hline(y=100, line=dict(color=palette.GREY, dash="dash", width=1))
    return fig


CHARTS = (  # key, builder, options: the page's charts in order
    ("compare_growth", growth, {}),
    ("compare_gross", margin, {"metric": "gross_margin"}),
    ("compare_operating", margin, {"metric": "operating_margin"}),
    ("compare_indexed", indexed, {}),
)
