"""Figure builders: plain data in, ``plotly.graph_objects`` figure out.

Every clickable point carries ``customdata = [ticker, period, metric, basis]``
so a click resolves to one fact and its commentary. Quarters are a true
quarterly axis: a quarter with no figure keeps its place and shows no bar and
no line across it. Guidance is drawn hatched/hollow and named "guidance", so
it is never mistaken for an actual.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.render import palette

INK, GRID, GREY, BLUE, TEAL, ORANGE = (
    palette.INK,
    palette.GRID,
    palette.GREY,
    palette.BLUE,
    palette.TEAL,
    palette.ORANGE,
)
OPEX_COLORS = palette.OPEX_COLORS
FONT = dict(family=palette.FONT_FAMILY, size=16, color=INK)


# No plotly template: applying one deep-copies it into every figure (a third of a figure's build
# time); the few styles we use are set directly below.
pio.templates.default = None


class FrozenFigure(go.Figure):
    """A finished figure that is shared and never changed again: its ``to_dict`` is computed once.

    ``st.plotly_chart`` calls ``to_dict`` on every run, and plotly's ``to_dict`` deep-copies every
    trace (the per-point ``customdata`` lists above all) and walks the copy for arrays: about 15 ms
    for a 40-quarter chart, on every rerun of every viewer. A frozen figure pays that once.
    The dict it returns is shared too: read it, never modify it.
    """

    def __init__(self, fig: go.Figure) -> None:
        super().__init__(fig)
        self._frozen_dict = super().to_dict()

    def to_dict(self) -> dict:
        return self._frozen_dict


def plain(text: str) -> str:
    """Text from the data as Plotly shows it: Plotly reads a subset of HTML in every text (<b>, <a href>,
    <span style>, <br>), so ``&``, ``<`` and ``>`` go in as entities and show as the characters they are."""
    return html.escape(str(text), quote=False)


def freeze(fig: go.Figure | None) -> FrozenFigure | None:
    return None if fig is None else FrozenFigure(fig)


def _layout(fig: go.Figure, *, height: int = 420, y_title: str = "", legend: bool = True) -> go.Figure:
    fig.update_layout(
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        hovermode="closest",
        clickmode="event+select",
        dragmode=False,
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=14)),
        hoverlabel=dict(font_size=15),
        bargap=0.35,
    )
    fig.update_yaxes(title_text=y_title, gridcolor=GRID, zeroline=True, zerolinecolor=GREY, automargin=True)
    fig.update_xaxes(gridcolor=GRID, automargin=True, linecolor=GRID)
    return fig


def _cd(ticker: str, period: str, metric: str, basis: str | None) -> list[str]:
    return [ticker, period, metric, basis or ""]


def _quarter_axis(fig: go.Figure, axis: list[str], present: set[str]) -> None:
    """Keep every quarter on the axis, in order; say 'no data' under empty ones."""
    labels = [periods.label(p) for p in axis]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, range=[-0.5, len(labels) - 0.5])
    for p in axis:
        if p not in present:
            fig.add_annotation(
                x=periods.label(p),
                y=0,
                yref="paper",
                yanchor="bottom",
                text="no data",
                showarrow=False,
                font=dict(size=13, color=GREY),
            )


def _selected_line(points: list[str], selected: str | None) -> dict:
    return dict(width=[4 if p == selected else 0 for p in points], color=INK)


def revenue_figure(
    ticker: str,
    axis: list[str],
    revenue: dict[str, float],
    guide: dict | None = None,
    selected: str | None = None,
    guided: list[dict] | None = None,
) -> go.Figure:
    """Quarterly revenue bars; next quarter's guided range hatched, with its midpoint.

    ``guided`` (optional): guidance that targeted reported quarters (dicts with period,
    low, high, qualifier), drawn as an orange range marker over that quarter's bar.
    """
    fig = go.Figure()
    reported = [p for p in axis if p in revenue]
    fig.add_trace(
        go.Bar(
            name="Revenue (reported)",
            x=[periods.label(p) for p in reported],
            y=[revenue[p] for p in reported],
            text=[fmt.value(revenue[p], "usd_m") for p in reported],
            textposition="outside",
            cliponaxis=False,
            marker=dict(color=BLUE, line=_selected_line(reported, selected)),
            customdata=[_cd(ticker, p, "revenue", None) for p in reported],
            hovertemplate="%{x}: %{text}<extra>reported revenue</extra>",
        )
    )
    present = set(reported)
    if guide:
        label = periods.label(guide["period"])
        mid = formulas.guidance_midpoint(guide["low"], guide["high"])
        rng = fmt.guidance_range(guide["low"], guide["high"], "usd_m", guide.get("qualifier", "range"))
        fig.add_trace(
            go.Bar(
                name=f"{label} guidance (not an actual)",
                x=[label],
                y=[guide["high"] - guide["low"]],
                base=[guide["low"]],
                marker=dict(
                    color=palette.GUIDANCE_FILL,
                    line=dict(color=ORANGE, width=4 if guide["period"] == selected else 2),
                    pattern=dict(shape="/", fgcolor=ORANGE, size=8),
                ),
                customdata=[_cd(ticker, guide["period"], "revenue", None)],
                text=[rng],
                hovertemplate="%{x} guidance: %{text}<extra>guided range</extra>",
                textposition="none",
            )
        )
        fig.add_trace(
            go.Scatter(
                name="Guidance midpoint",
                x=[label],
                y=[mid],
                mode="markers+text",
                marker=dict(symbol="line-ew-open", size=40, color=ORANGE, line=dict(width=4, color=ORANGE)),
                text=[f"guide {rng}"],
                textposition="top center",
                textfont=dict(color=ORANGE, size=14),
                cliponaxis=False,
                customdata=[_cd(ticker, guide["period"], "revenue", None)],
                hovertemplate="midpoint " + fmt.value(mid, "usd_m") + "<extra>guidance</extra>",
            )
        )
        present.add(guide["period"])
    if guided:  # one trace (one legend entry) for the ranges of every reported quarter, however many
        ranges = [fmt.guidance_range(g["low"], g["high"], "usd_m", g.get("qualifier", "range")) for g in guided]
        fig.add_trace(
            go.Scatter(
                name="Guided range of a reported quarter (not an actual)",
                x=[periods.label(g["period"]) for g in guided],
                y=[formulas.guidance_midpoint(g["low"], g["high"]) for g in guided],
                mode="markers",
                marker=dict(symbol="line-ew-open", size=40, color=ORANGE, line=dict(width=4, color=ORANGE)),
                error_y=dict(
                    type="data",
                    symmetric=True,
                    array=[(g["high"] - g["low"]) / 2 for g in guided],
                    color=ORANGE,
                    thickness=3,
                    width=20,
                ),
                customdata=[_cd(ticker, g["period"], "revenue", None) for g in guided],
                hovertext=[f"{periods.label(g['period'])} guided {r}" for g, r in zip(guided, ranges)],
                hovertemplate="%{hovertext}<extra>guidance, not an actual</extra>",
            )
        )
    _quarter_axis(fig, axis, present)
    top = max([*revenue.values(), guide["high"] if guide else 0, 1])
    fig.update_yaxes(range=[0, top * 1.18], tickprefix="$", ticksuffix="M")
    return _layout(fig, y_title="Revenue, $M")


def margins_figure(
    ticker: str,
    axis: list[str],
    series: dict[tuple[str, str | None], dict[str, float]],
    guided: list[dict],
    references: list[dict],
    selected: tuple[str, str, str | None] | None = None,
) -> go.Figure:
    """Gross and operating margins per basis; guided points hollow; long-term model as reference lines."""
    fig = go.Figure()
    styles = {
        ("gross_margin", "non_gaap"): (BLUE, "solid"),
        ("gross_margin", "gaap"): (BLUE, "dot"),
        ("operating_margin", "non_gaap"): (TEAL, "solid"),
        ("operating_margin", "gaap"): (TEAL, "dot"),
    }
    labels = [periods.label(p) for p in axis]
    present: set[str] = set()
    for (metric, basis), values in series.items():
        color, dash = styles.get((metric, basis), (GREY, "solid"))
        ys = [values.get(p) for p in axis]  # None breaks the line: no line across a gap
        present |= set(values)
        sizes = [16 if selected == (p, metric, basis) else 10 for p in axis]
        fig.add_trace(
            go.Scatter(
                name=vocab.metric_label(metric, basis),
                x=labels,
                y=ys,
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=color, dash=dash, width=3),
                marker=dict(size=sizes, color=color, line=dict(width=2, color="white")),
                customdata=[_cd(ticker, p, metric, basis) for p in axis],
                text=[fmt.value(v, "pct") for v in ys],
                hovertemplate="%{x}: %{text}<extra>" + vocab.metric_label(metric, basis) + "</extra>",
            )
        )
    if guided:  # one trace (one legend entry) for every guided point, however many quarters
        present |= {g["period"] for g in guided}
        fig.add_trace(
            go.Scatter(
                name="Guided margin (midpoint; not an actual)",
                x=[periods.label(g["period"]) for g in guided],
                y=[formulas.guidance_midpoint(g["low"], g["high"]) for g in guided],
                mode="markers",
                marker=dict(symbol="diamond-open", size=18, color=ORANGE, line=dict(width=3, color=ORANGE)),
                customdata=[_cd(ticker, g["period"], g["metric"], g["basis"]) for g in guided],
                hovertext=[
                    f"Guided {fmt.guidance_range(g['low'], g['high'], 'pct', g['qualifier'])} "
                    f"({vocab.metric_label(g['metric'], g['basis'])}, {periods.label(g['period'])})"
                    for g in guided
                ],
                hovertemplate="%{hovertext}<extra>guidance, not an actual</extra>",
            )
        )
    for ref in references:
        fig.add_hline(
            y=ref["value"],
            line=dict(color=GREY, dash="dash", width=2),
            annotation=dict(text=plain(ref["label"]), font=dict(size=14, color=INK), bgcolor="rgba(255,255,255,0.85)"),
            annotation_position="bottom left",
        )
    _quarter_axis(fig, axis, present)
    values = [v for s in series.values() for v in s.values()] + [r["value"] for r in references]
    lo = min([0, *values])
    fig.update_yaxes(range=[lo - 5 if lo < 0 else 0, 100], ticksuffix="%")
    return _layout(fig, y_title="Margin, % of revenue", height=460)


def opex_figure(
    ticker: str,
    axis: list[str],
    lines: dict[str, dict[str, float]],
    share_of_revenue: dict[str, float],
    selected: tuple[str, str] | None = None,
) -> go.Figure:
    """GAAP R&D, S&M and G&A stacked per quarter; above them, opex as a share of revenue (derived)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.28, 0.72], vertical_spacing=0.06)
    labels = [periods.label(p) for p in axis]
    fig.add_trace(
        go.Scatter(
            name="Total GAAP opex, % of revenue (derived)",
            x=labels,
            y=[share_of_revenue.get(p) for p in axis],  # None breaks the line at a gap
            mode="lines+markers+text",
            connectgaps=False,
            line=dict(color=ORANGE, width=3, dash="dot"),
            marker=dict(size=10, color=ORANGE),
            text=[fmt.value(share_of_revenue.get(p), "pct") for p in axis],
            textposition="top center",
            textfont=dict(color=ORANGE),
            cliponaxis=False,
            customdata=[_cd(ticker, p, "opex_total", "gaap") for p in axis],
            hovertemplate="%{x}: %{text} of revenue<extra>derived</extra>",
        ),
        row=1,
        col=1,
    )
    present: set[str] = set()
    for metric, values in lines.items():
        reported = [p for p in axis if p in values]
        present |= set(reported)
        fig.add_trace(
            go.Bar(
                name=vocab.metric_label(metric, "gaap"),
                x=[periods.label(p) for p in reported],
                y=[values[p] for p in reported],
                marker=dict(
                    color=OPEX_COLORS.get(metric, GREY),
                    line=dict(width=[4 if selected == (p, metric) else 0 for p in reported], color=INK),
                ),
                customdata=[_cd(ticker, p, metric, "gaap") for p in reported],
                text=[fmt.value(values[p], "usd_m") for p in reported],
                textposition="inside",
                hovertemplate="%{x}: %{text}<extra>" + vocab.metric_label(metric, "gaap") + "</extra>",
            ),
            row=2,
            col=1,
        )
    fig = _layout(fig, height=520)
    fig.update_layout(barmode="stack", uniformtext=dict(minsize=12, mode="hide"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, range=[-0.5, len(labels) - 0.5])
    for p in axis:
        if p not in present:
            fig.add_annotation(
                x=periods.label(p), y=0, xref="x2", yref="y2", yanchor="bottom", text="no data",
                showarrow=False, font=dict(size=13, color=GREY),
            )  # fmt: skip
    shares = [v for v in share_of_revenue.values() if v is not None]
    fig.update_yaxes(row=1, col=1, title_text="% of revenue", ticksuffix="%", range=[0, max([*shares, 50]) * 1.35])
    fig.update_yaxes(row=2, col=1, title_text="GAAP opex, $M", tickprefix="$", ticksuffix="M")
    return fig


def range_vs_actual_figure(
    ticker: str, rows: list[dict], selected: tuple[str, str, str | None] | None = None, panel_titles: bool = True
) -> go.Figure:
    """Guided ranges (bars) against actuals (dots), one panel per guided metric.

    ``rows``: dicts with metric, basis, target_period, low, high, qualifier, actual.
    An approximate guide ("~75%") is a point, drawn as a tick, never as a range.
    """
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["metric"], r["basis"]), []).append(r)
    n = max(len(groups), 1)
    fig = make_subplots(
        rows=n,
        cols=1,
        subplot_titles=[vocab.metric_label(m, b) for (m, b) in groups] if panel_titles else None,
        vertical_spacing=0.55 / n if n > 1 else 0.1,
    )
    legend_done: set[str] = set()

    def once(name: str) -> bool:
        first = name not in legend_done
        legend_done.add(name)
        return first

    for i, ((metric, basis), items) in enumerate(groups.items(), start=1):
        unit = vocab.METRIC_UNITS[metric]
        items = sorted(items, key=lambda r: periods.sort_key(r["target_period"]))
        ys = [periods.label(r["target_period"]) for r in items]
        ranges = [r for r in items if r["high"] > r["low"]]
        points = [r for r in items if r["high"] <= r["low"]]
        done = [r for r in items if r["actual"] is not None]

        def widths(subset: list[dict], metric: str = metric, basis: str | None = basis) -> list[int]:
            return [4 if selected == (r["target_period"], metric, basis) else 2 for r in subset]

        def labels(subset: list[dict], unit: str = unit) -> list[str]:
            return [fmt.guidance_range(r["low"], r["high"], unit, r["qualifier"]) for r in subset]

        def custom(subset: list[dict], metric: str = metric, basis: str | None = basis) -> list[list[str]]:
            return [_cd(ticker, r["target_period"], metric, basis) for r in subset]

        if ranges:
            fig.add_trace(
                go.Bar(
                    name="Guided range",
                    orientation="h",
                    y=[periods.label(r["target_period"]) for r in ranges],
                    x=[r["high"] - r["low"] for r in ranges],
                    base=[r["low"] for r in ranges],
                    marker=dict(
                        color=palette.GUIDANCE_FILL_STRONG,
                        line=dict(color=ORANGE, width=widths(ranges)),
                        pattern=dict(shape="/", fgcolor=ORANGE, size=8),
                    ),
                    customdata=custom(ranges),
                    text=labels(ranges),
                    textposition="none",
                    hovertemplate="%{y} guided %{text}<extra></extra>",
                    showlegend=once("range"),
                    legendgroup="range",
                ),
                row=i,
                col=1,
            )
        if points:
            fig.add_trace(
                go.Scatter(
                    name="Guided point (approx.)",
                    y=[periods.label(r["target_period"]) for r in points],
                    x=[r["low"] for r in points],
                    mode="markers+text",
                    marker=dict(
                        symbol="line-ns-open", size=30, color=ORANGE, line=dict(width=widths(points), color=ORANGE)
                    ),
                    text=labels(points),
                    textposition="top center",
                    textfont=dict(color=ORANGE, size=14),
                    cliponaxis=False,
                    customdata=custom(points),
                    hovertemplate="%{y} guided %{text}<extra></extra>",
                    showlegend=once("point"),
                    legendgroup="point",
                ),
                row=i,
                col=1,
            )
        if done:
            fig.add_trace(
                go.Scatter(
                    name="Actual",
                    y=[periods.label(r["target_period"]) for r in done],
                    x=[r["actual"] for r in done],
                    mode="markers+text",
                    marker=dict(size=16, color=INK, symbol="circle"),
                    text=[fmt.value(r["actual"], unit) for r in done],
                    textposition="middle right",
                    customdata=custom(done),
                    hovertemplate="%{y} actual %{text}<extra></extra>",
                    showlegend=once("actual"),
                    legendgroup="actual",
                ),
                row=i,
                col=1,
            )
        lo = min([r["low"] for r in items] + [r["actual"] for r in done])
        hi = max([r["high"] for r in items] + [r["actual"] for r in done])
        pad = (hi - lo) * 0.35 or abs(hi) * 0.1 or 1
        prefix, suffix = {"usd_m": ("$", "M"), "pct": ("", "%"), "usd_per_share": ("$", "")}.get(unit, ("", ""))
        fig.update_xaxes(
            range=[lo - pad, hi + pad * 1.6], row=i, col=1, gridcolor=GRID, tickprefix=prefix, ticksuffix=suffix
        )
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=ys, row=i, col=1)
    fig = _layout(fig, height=max(260, 170 * n), legend=True)
    fig.update_layout(barmode="overlay", margin=dict(l=10, r=10, t=90 if panel_titles else 50, b=10))
    return fig
