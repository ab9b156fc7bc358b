"""Figure builders: plain data in, ``plotly.graph_objects`` figure out.

Every clickable point carries ``customdata = [ticker, period, metric, basis]``
so a click resolves to one fact and its commentary. Quarters are a true
quarterly axis: a quarter with no figure keeps its place and shows no bar and
no line across it. Guidance is drawn hatched/hollow and named "guidance", so
it is never mistaken for an actual.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.render import palette

INK, GRID, GREY, ORANGE = palette.INK, palette.GRID, palette.GREY, palette.GUIDANCE
OPEX_COLORS = palette.OPEX_COLORS
FONT = dict(family=palette.FONT_FAMILY, size=15, color=INK)
LABEL_SIZE = 13  # value labels on bars and points; smaller than this they are hidden, never shrunk (uniformtext)
MAX_POINT_LABELS = 12  # quarters with data beyond which points carry no value label (the hover has it)
TICKS = {  # axis ticks in a unit's format: $150M, 74%, $0.30
    "usd_m": dict(tickprefix="$", ticksuffix="M", tickformat=",.0f"),
    "pct": dict(ticksuffix="%", tickformat=".0f"),
    "usd_per_share": dict(tickprefix="$", tickformat=".2f"),
}


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
    """The figure as the browser gets it: margins preset (``preset_margins``), then frozen."""
    return None if fig is None else FrozenFigure(preset_margins(fig))


# --- margins that Plotly does not have to push -------------------------------------------------------------------
# Every axis has automargin, so no label is ever cut. But when a label, title or legend needs more room than the
# layout's margin, Plotly lays the chart out, grows the margin and lays it out again: ~100 ms a chart in the browser.
# preset_margins estimates that room from the figure itself (tick values and format, category labels, titles,
# legend entries) for the main column at desktop widths, so the first layout is the last. Where the estimate is
# short (a phone, a font wider than ours) automargin still makes room, as before.
DESKTOP_WIDTH = 820  # a figure's width in the main column at 1280×720 (980 at 1440×900)
GLYPH_EM = {**dict.fromkeys(",.:;'| ", 0.3), **dict.fromkeys("MW%—", 0.95), **dict.fromkeys("−-+()", 0.6)}


def text_width(text: str, size: float) -> float:
    """A generous width in px of one line of ``text`` at font ``size`` (wider than Inter and its fallbacks)."""
    return size * sum(GLYPH_EM.get(c, 0.72 if c.isupper() else 0.62) for c in text)


def _tick_text(v: float, axis: go.layout.XAxis | go.layout.YAxis) -> str:
    fmt_spec = (axis.tickformat or "").replace("~", "")
    try:
        core = format(v, fmt_spec) if fmt_spec else f"{v:,.0f}" if abs(v) >= 10 else f"{v:.1f}"
    except ValueError:
        core = f"{v:,.2f}"
    return f"{axis.tickprefix or ''}{core}{axis.ticksuffix or ''}"


def _tick_labels(fig: go.Figure, axis: go.layout.XAxis | go.layout.YAxis, letter: str, name: str) -> list[str]:
    """What an axis's tick labels will read, at their longest: its categories, or its range's ends (else its data's,
    padded as autorange pads them) in its tick format."""
    if axis.showticklabels is False:
        return []
    if axis.type == "category" or axis.categoryarray:
        return [str(c) for c in axis.categoryarray or ()]
    if axis.range:
        ends = [float(v) for v in axis.range if isinstance(v, int | float)]
    else:
        ref = name.replace("axis", "")  # xaxis2 -> x2, the name traces use
        values = [
            float(v)
            for t in fig.data
            if (getattr(t, f"{letter}axis", None) or letter) == ref
            for v in _or_empty(getattr(t, letter, None))
            if isinstance(v, int | float)
        ]
        if not values:
            return []
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1
        ends = [lo - pad, hi + pad]
    return [_tick_text(v, axis) for v in ends]


def _or_empty(values: object) -> object:
    """A trace's x or y, or () where it has none (a numpy array has no truth value, so no ``or ()``)."""
    return () if values is None else values


def _title_room(axis: go.layout.XAxis | go.layout.YAxis, size: float) -> float:
    return size * 1.3 + 6 if axis.title and axis.title.text else 0


def _legend_rows(fig: go.Figure, width: float) -> int:
    """Rows of a horizontal legend across ``width`` px: one row if every entry fits, else Plotly's grid of columns
    as wide as the widest entry."""
    names = list(dict.fromkeys(t.name for t in fig.data if t.name and t.showlegend is not False))
    size = (fig.layout.legend.font.size if fig.layout.legend.font else None) or 14
    entries = [40 + text_width(name, size) for name in names]
    if sum(entries) <= width:
        return 1
    columns = max(1, int(width // max(entries)))
    return -(-len(entries) // columns)


def preset_margins(fig: go.Figure, width: int = DESKTOP_WIDTH) -> go.Figure:
    """Set the layout's margins (never lower) to hold what automargin would push them to at ``width`` px."""
    lay = fig.layout
    size = (lay.font.size if lay.font else None) or 15
    m = lay.margin
    left, right, top, bottom = m.l or 0, m.r or 0, m.t or 0, m.b or 0
    names = list(lay.to_plotly_json())  # the layout's axes as set (xaxis, xaxis2, ..., yaxis, ...)
    for name in [k for k in names if k.startswith("yaxis")]:
        axis = lay[name]
        labels = _tick_labels(fig, axis, "y", name)
        if labels and axis.side != "right":
            left = max(left, max(text_width(t, size) for t in labels) + _title_room(axis, size) + 12)
    plot_width = width - left - right
    for name in [k for k in names if k.startswith("xaxis")]:
        axis = lay[name]
        labels = _tick_labels(fig, axis, "x", name)
        if not labels:
            continue
        widest = max(text_width(t, size) for t in labels)
        # do the labels stand side by side (at their likely width, not the generous one)? Else Plotly turns them,
        # 30° or 90° by the width: room for both
        upright = axis.type != "category" or len(labels) * (widest * 0.85 + 6) <= plot_width
        bottom = max(bottom, (size * 1.4 + 14 if upright else widest + 20) + _title_room(axis, size))
        # a turned label hangs right of its tick; an upright number at the axis's end, half of it
        right = max(right, widest * 0.8 if not upright else 0 if axis.type == "category" else widest / 2)
    legend = lay.legend
    if lay.showlegend is not False and legend.yref != "container" and (legend.y or 0) >= 1:
        top = max(top, 30 + 21 * _legend_rows(fig, plot_width))
    fig.update_layout(margin=dict(l=round(left), r=round(right), t=round(top), b=round(bottom)))
    return fig


def layout(fig: go.Figure, *, height: int = 420, y_title: str = "", legend: bool = True) -> go.Figure:
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
        separators=".,",
        uniformtext=dict(minsize=LABEL_SIZE - 1, mode="hide"),  # a label that does not fit is hidden, not shrunk
    )
    fig.update_yaxes(gridcolor=GRID, zeroline=True, zerolinecolor=GREY, automargin=True)
    if y_title:
        fig.update_yaxes(title_text=y_title)
    fig.update_xaxes(gridcolor=GRID, automargin=True, linecolor=GRID)
    return fig


def _legend_once(fig: go.Figure, group: str) -> bool:
    """Whether a trace of ``group`` is the first in the legend (one entry per group, however many traces)."""
    return not any(t.legendgroup == group and t.showlegend is not False for t in fig.data)


def _cd(ticker: str, period: str, metric: str, basis: str | None) -> list[str]:
    return [ticker, period, metric, basis or ""]


def _quarter_axis(fig: go.Figure, axis: list[str], present: set[str], row: int | None = None) -> None:
    """Keep every quarter on the axis, in order; a quarter without data is a grey band that says so."""
    labels = [periods.label(p) for p in axis]
    where = dict(row=row, col=1) if row else {}
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=labels, range=[-0.5, len(labels) - 0.5], **where
    )
    gaps = [i for i, p in enumerate(axis) if p not in present]
    for i in gaps:
        _gap(fig, i, row)


def _gap(fig: go.Figure, i: int, row: int | None) -> None:
    """A grey band over the ``i``-th quarter of the axis, with "no data" written up it (it fits a narrow column)."""
    xref, yref = ("x", "y domain") if not row or row == 1 else (f"x{row}", f"y{row} domain")
    fig.add_shape(
        type="rect", xref=xref, yref=yref, x0=i - 0.45, x1=i + 0.45, y0=0, y1=1,
        fillcolor=palette.GAP_FILL, line=dict(width=0), layer="below",
    )  # fmt: skip
    fig.add_annotation(
        x=i, y=0.02, xref=xref, yref=yref, text="no data", showarrow=False, textangle=-90,
        xanchor="center", yanchor="bottom", font=dict(size=12, color=GREY),
    )  # fmt: skip


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
    Guidance has one legend entry, however many traces draw it.
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
            textfont=dict(size=LABEL_SIZE + 1),
            cliponaxis=False,
            marker=dict(color=palette.metric_color("revenue"), line=_selected_line(reported, selected)),
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
                legendgroup="guidance",
                x=[label],
                y=[guide["high"] - guide["low"]],
                base=[guide["low"]],
                marker=dict(
                    color=palette.GUIDANCE_FILL,
                    line=dict(color=ORANGE, width=4 if guide["period"] == selected else 2),
                    pattern=dict(shape=palette.GUIDANCE_PATTERN, fgcolor=ORANGE, size=8),
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
                legendgroup="guidance",
                showlegend=False,
                x=[label],
                y=[mid],
                mode="markers+text",
                marker=dict(symbol=palette.GUIDED_MARK, size=40, color=ORANGE, line=dict(width=4, color=ORANGE)),
                text=[rng],
                textposition="top center",
                textfont=dict(color=ORANGE, size=LABEL_SIZE + 1),
                cliponaxis=False,
                customdata=[_cd(ticker, guide["period"], "revenue", None)],
                hovertemplate="midpoint "
                + fmt.midpoint(guide["low"], guide["high"], "usd_m")
                + "<extra>guidance</extra>",
            )
        )
        present.add(guide["period"])
    if guided:  # one trace for the ranges of every reported quarter, however many
        ranges = [fmt.guidance_range(g["low"], g["high"], "usd_m", g.get("qualifier", "range")) for g in guided]
        fig.add_trace(
            go.Scatter(
                name="Guided range of a reported quarter (not an actual)",
                legendgroup="guidance",
                showlegend=_legend_once(fig, "guidance"),
                x=[periods.label(g["period"]) for g in guided],
                y=[formulas.guidance_midpoint(g["low"], g["high"]) for g in guided],
                mode="markers",
                marker=dict(symbol=palette.GUIDED_MARK, size=40, color=ORANGE, line=dict(width=4, color=ORANGE)),
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
    fig.update_yaxes(range=[0, top * 1.2], **TICKS["usd_m"])
    return layout(fig, y_title="Revenue, $M")


def _fitted_range(values: list[float], *, pad_share: float = 0.18, least: float = 2.0) -> tuple[float, float]:
    """An axis range that fits ``values`` with room for labels above and below; it starts at 0 only when the data
    comes near it (a 77.8% → 74.1% move is not flattened against a 0–100% axis)."""
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * pad_share, least)
    lo, hi = lo - pad, hi + pad
    if 0 < lo < pad * 2:
        lo = 0.0
    return lo, hi


def margins_figure(
    ticker: str,
    axis: list[str],
    series: dict[tuple[str, str | None], dict[str, float]],
    guided: list[dict],
    references: list[dict],
    selected: tuple[str, str, str | None] | None = None,
) -> go.Figure:
    """One panel per margin (gross, operating), each on an axis that fits its data; non-GAAP and GAAP drawn apart
    (solid with filled dots, dashed with hollow diamonds, values on the points); guided midpoints as orange ticks
    under the actuals; the long-term model as a grey dashed line, its label above the panel (never on the data)."""
    metrics = [m for m in ("gross_margin", "operating_margin") if any(k[0] == m for k in series)]
    metrics += [m for m in dict.fromkeys(g["metric"] for g in guided) if m not in metrics]
    metrics = metrics or ["gross_margin"]
    row_of = {m: i + 1 for i, m in enumerate(metrics)}
    refs_of = {m: [r for r in references if r.get("metric", "gross_margin") == m] for m in metrics}
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.2 if len(metrics) > 1 else 0.1)
    labels = [periods.label(p) for p in axis]
    present: set[str] = set()
    shown_guided: set[tuple[str, str]] = set()
    for metric in metrics:
        row = row_of[metric]
        mine = [g for g in guided if g["metric"] == metric]
        if mine:  # drawn first: the actuals' dots stay on top of the guided ticks
            present |= {g["period"] for g in mine}
            fig.add_trace(
                go.Scatter(
                    name="Guided (midpoint; not an actual)",
                    legendgroup="guidance",
                    offsetgroup=mine[0]["basis"] or "non_gaap",  # over the actual it guides
                    showlegend=_legend_once(fig, "guidance"),
                    x=[periods.label(g["period"]) for g in mine],
                    y=[formulas.guidance_midpoint(g["low"], g["high"]) for g in mine],
                    mode="markers",
                    marker=dict(symbol=palette.GUIDED_MARK, size=34, color=ORANGE, line=dict(width=4, color=ORANGE)),
                    error_y=dict(
                        type="data",
                        symmetric=True,
                        array=[(g["high"] - g["low"]) / 2 for g in mine],
                        color=ORANGE,
                        thickness=3,
                        width=14,
                    ),  # fmt: skip
                    customdata=[_cd(ticker, g["period"], g["metric"], g["basis"]) for g in mine],
                    hovertext=[
                        f"Guided {fmt.guidance_range(g['low'], g['high'], 'pct', g['qualifier'])} "
                        f"({vocab.metric_label(g['metric'], g['basis'])}, {periods.label(g['period'])})"
                        for g in mine
                    ],
                    hovertemplate="%{hovertext}<extra>guidance, not an actual</extra>",
                ),
                row=row,
                col=1,
            )
            shown_guided |= {(g["period"], metric) for g in mine}
        for (m, basis), values in series.items():
            if m != metric:
                continue
            dash, width, symbol, size = palette.basis_style(basis)
            color = palette.metric_color(metric)
            ys = [values.get(p) for p in axis]  # None breaks the line: no line across a gap
            present |= set(values)
            label_points = len(values) <= MAX_POINT_LABELS
            group = basis or "non_gaap"
            fig.add_trace(
                go.Scatter(
                    name={"gaap": "GAAP", "non_gaap": "non-GAAP"}.get(group, group),  # the panel names the metric
                    legendgroup=group,
                    offsetgroup=group,  # side by side in the quarter: two equal values never hide each other
                    showlegend=_legend_once(fig, group),
                    x=labels,
                    y=ys,
                    mode="lines+markers+text" if label_points else "lines+markers",
                    connectgaps=False,
                    line=dict(color=color, dash=dash, width=width),
                    marker=dict(
                        symbol=symbol,
                        size=[size + 6 if selected == (p, metric, basis) else size for p in axis],
                        color=color,  # an open symbol is drawn in its line colour, hollow
                        line=dict(width=2.5, color=color if symbol.endswith("-open") else "white"),
                    ),
                    customdata=[_cd(ticker, p, metric, basis) for p in axis],
                    text=[fmt.value(v, "pct") if v is not None else "" for v in ys],
                    textposition="middle right" if basis == "gaap" else "middle left",
                    textfont=dict(size=LABEL_SIZE - 1, color=color),
                    cliponaxis=False,
                    hovertemplate="%{x}: %{text}<extra>" + vocab.metric_label(metric, basis) + "</extra>",
                ),
                row=row,
                col=1,
            )
        values = [v for (m, _), s in series.items() if m == metric for v in s.values()]
        values += [v for g in guided if g["metric"] == metric for v in (g["low"], g["high"])]
        values += [r["value"] for r in refs_of[metric]]
        lo, hi = _fitted_range(values or [0, 100])
        note = "" if lo <= 0 <= hi else " (axis not from 0)"  # said in the panel's title, over the axis
        fig.update_yaxes(range=[lo, hi], ticksuffix="%", tickformat=".0f", row=row, col=1)
        yref = "y domain" if row == 1 else f"y{row} domain"
        xref = "x domain" if row == 1 else f"x{row} domain"
        for i, ref in enumerate(refs_of[metric]):
            fig.add_hline(y=ref["value"], line=dict(color=GREY, dash="dash", width=2), row=row, col=1)
            fig.add_annotation(
                text=plain(ref["label"]), xref=xref, yref=yref, x=0, y=1, xanchor="left", yanchor="bottom",
                yshift=2 + 18 * i, showarrow=False, font=dict(size=11.5, color=palette.MUTED),
            )  # fmt: skip
        fig.add_annotation(
            text=f"{vocab.METRICS[metric].label if metric in vocab.METRICS else metric}, % of revenue{note}",
            xref=xref, yref=yref, x=0, y=1, xanchor="left", yanchor="bottom",
            yshift=4 + 18 * len(refs_of[metric]), showarrow=False, font=dict(size=15, color=INK),
        )  # fmt: skip
    for row in row_of.values():
        _quarter_axis(fig, axis, present, row)
    fig = layout(fig, height=560 if len(metrics) > 1 else 420)
    fig.update_layout(scattermode="group", scattergap=0.55)
    # the legend (two rows where a phone wraps it), then a panel's title and the notes under it
    top = 58 + 22 + 18 * max([len(r) for r in refs_of.values()] or [0])
    fig.update_layout(
        margin=dict(l=10, r=10, t=top, b=10), legend=dict(yref="container", y=1, yanchor="top", x=0, xanchor="left")
    )
    return fig


def opex_figure(
    ticker: str,
    axis: list[str],
    lines: dict[str, dict[str, float]],
    share_of_revenue: dict[str, float],
    selected: tuple[str, str] | None = None,
) -> go.Figure:
    """GAAP R&D, S&M and G&A stacked per quarter; above them, opex as a share of revenue (derived: dotted, hollow)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.28, 0.72], vertical_spacing=0.06)
    labels = [periods.label(p) for p in axis]
    dash, width, symbol, size = palette.DERIVED
    color = palette.metric_color("opex_total")
    fig.add_trace(
        go.Scatter(
            name="Total GAAP opex, % of revenue (derived)",
            x=labels,
            y=[share_of_revenue.get(p) for p in axis],  # None breaks the line at a gap
            mode="lines+markers+text",
            connectgaps=False,
            line=dict(color=color, width=width, dash=dash),
            marker=dict(size=size, symbol=symbol, color=color, line=dict(width=2.5, color=color)),
            text=[fmt.value(share_of_revenue.get(p), "pct") if p in share_of_revenue else "" for p in axis],
            textposition="top center",
            textfont=dict(color=color, size=LABEL_SIZE - 1),
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
        if not reported:
            continue
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
                textfont=dict(size=LABEL_SIZE),
                insidetextanchor="middle",
                hovertemplate="%{x}: %{text}<extra>" + vocab.metric_label(metric, "gaap") + "</extra>",
            ),
            row=2,
            col=1,
        )
    fig = layout(fig, height=520)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, range=[-0.5, len(labels) - 0.5])
    for i, p in enumerate(axis):
        if p not in present:
            _gap(fig, i, 2)
    shares = [v for v in share_of_revenue.values() if v is not None]
    top = max([*shares, 10])
    fig.update_yaxes(row=1, col=1, range=[0, top * 1.45], **TICKS["pct"])  # the line's name says % of revenue
    fig.update_yaxes(row=2, col=1, title_text="GAAP opex, $M", **TICKS["usd_m"])
    return fig


def range_vs_actual_figure(
    ticker: str, rows: list[dict], selected: tuple[str, str, str | None] | None = None, panel_titles: bool = True
) -> go.Figure:
    """Guided ranges (bars) against actuals (dots), one panel per guided metric, in the rows' order.

    ``rows``: dicts with metric, basis, target_period, low, high, qualifier, actual; with ``consensus`` (and its
    ``provider``, ``ledger.with_consensus``) a tick for the consensus.
    An approximate guide ("~75%") is a point, drawn as a tick, never as a range.
    """
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["metric"], r["basis"] or None), []).append(r)
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
        guided = [r for r in items if r["low"] is not None]
        ranges = [r for r in guided if r["high"] > r["low"]]
        points = [r for r in guided if r["high"] <= r["low"]]
        # one actual and one consensus per quarter, however often it was guided
        done = list({r["target_period"]: r for r in items if r["actual"] is not None}.values())
        expected = list({r["target_period"]: r for r in items if r.get("consensus") is not None}.values())
        pending = [r for r in guided if r["actual"] is None]

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
                        pattern=dict(shape=palette.GUIDANCE_PATTERN, fgcolor=ORANGE, size=8),
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
                    textfont=dict(color=ORANGE, size=LABEL_SIZE),
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
                    textfont=dict(size=LABEL_SIZE + 1),
                    cliponaxis=False,
                    customdata=custom(done),
                    hovertemplate="%{y} actual %{text}<extra></extra>",
                    showlegend=once("actual"),
                    legendgroup="actual",
                ),
                row=i,
                col=1,
            )
        if expected:
            fig.add_trace(
                go.Scatter(
                    name="Consensus",
                    y=[periods.label(r["target_period"]) for r in expected],
                    x=[r["consensus"] for r in expected],
                    mode="markers",
                    marker=dict(
                        symbol="line-ns-open",
                        size=26,
                        color=palette.CONSENSUS,
                        line=dict(width=3, color=palette.CONSENSUS),
                    ),  # fmt: skip
                    text=[f"{fmt.value(r['consensus'], unit)} ({r['provider']})" for r in expected],  # fmt: skip
                    customdata=custom(expected),
                    hovertemplate="%{y} consensus %{text}<extra></extra>",
                    showlegend=once("consensus"),
                    legendgroup="consensus",
                ),
                row=i,
                col=1,
            )
        if pending:
            fig.add_trace(
                go.Scatter(
                    name="Pending",
                    y=[periods.label(r["target_period"]) for r in pending],
                    x=[r["high"] for r in pending],
                    mode="text",
                    text=["  pending: not reported yet" for _ in pending],
                    textposition="middle right",
                    textfont=dict(size=LABEL_SIZE, color=palette.MUTED),
                    cliponaxis=False,
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=i,
                col=1,
            )
        numbers = [r["low"] for r in guided] + [r["high"] for r in guided] + [r["actual"] for r in done]
        numbers += [r["consensus"] for r in expected]
        lo, hi = min(numbers), max(numbers)
        pad = (hi - lo) * 0.35 or abs(hi) * 0.1 or 1
        ticks = dict(TICKS.get(unit, {}))
        if unit == "pct" and hi - lo < 5:
            ticks["tickformat"] = ".1f"
        fig.update_xaxes(range=[lo - pad, hi + pad * 1.8], row=i, col=1, gridcolor=GRID, nticks=5, **ticks)
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=ys, row=i, col=1)
    fig = layout(fig, height=max(260, 170 * n), legend=True)
    fig.update_layout(
        barmode="overlay",
        margin=dict(l=10, r=10, t=80 if panel_titles else 50, b=10),
        legend=dict(yref="container", y=1, yanchor="top", x=0, xanchor="left"),  # above the first panel's title
    )
    return fig


@dataclass(frozen=True)
class SparkBar:
    value: float
    colour: str  # by its change on the quarter before: green better, red worse, grey with none to compare
    text: str  # the quarter, its value and that change, as a hover would say it


@dataclass(frozen=True)
class Sparkline:
    """A card's sparkline as drawn: every quarter of the axis in order (``labels``), a bar for each quarter with
    a figure, the y range (the zero line always in it)."""

    title: str
    labels: tuple[str, ...]
    bars: dict[str, SparkBar]
    low: float
    high: float

    @property
    def gaps(self) -> list[str]:
        """Quarters on the axis without a figure: a grey dash on the zero line."""
        return [p for p in self.labels if p not in self.bars]


def sparkline(axis: list[str], values: dict[str, float], metric: str, basis: str | None, unit: str) -> Sparkline:
    """A card's sparkline: a bar per quarter, coloured by the change on the quarter before (green better, red worse,
    grey with no quarter before), the zero line drawn, a quarter without data a grey dash on it."""
    better = vocab.METRICS[metric].higher_is_better if metric in vocab.METRICS else None
    bars = {}
    for p in axis:
        if p not in values:
            continue
        prev = periods.previous_quarter(p)
        before = values.get(prev)
        if before is None:
            colour, change_text = palette.FLAT, f"no figure for {periods.label(prev)} to compare"
        else:
            d = values[p] - before
            colour = palette.change_color(None if better is None or d == 0 else (d > 0) == better)
            change_text = f"{fmt.delta(d, unit)} on {periods.label(prev)} (derived)"
        bars[periods.label(p)] = SparkBar(values[p], colour, f"{periods.label(p)}: {fmt.value(values[p], unit)}; "
                                          f"{change_text}")  # fmt: skip
    shown = [b.value for b in bars.values()]
    lo, hi = min([0.0, *shown]), max([0.0, *shown])
    pad = (hi - lo) * 0.08 or 1
    title = f"{vocab.metric_label(metric, basis)}, {periods.label(axis[0])} to {periods.label(axis[-1])}"
    return Sparkline(
        title, tuple(periods.label(p) for p in axis), bars, lo - pad if lo < 0 else 0, hi + pad if hi > 0 else 0
    )


SPARK_W, SPARK_H, SPARK_PAD = 300, 72, 2  # drawn to the card's width; the height follows (72 px at 300 px)
SPARK_GAP = 0.25  # of each quarter's slot, between bars


def sparkline_svg(spark: Sparkline) -> str:
    """The sparkline as a small SVG image: no script, no text but its titles (escaped), cheap for the browser to
    draw (six Plotly charts on the Overview took about 300 ms of a first paint)."""
    n = len(spark.labels)
    slot = SPARK_W / n
    span = (spark.high - spark.low) or 1

    def y(v: float) -> float:
        return SPARK_PAD + (spark.high - v) / span * (SPARK_H - 2 * SPARK_PAD)

    zero = y(0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_W}" height="{SPARK_H}" '
        f'viewBox="0 0 {SPARK_W} {SPARK_H}" preserveAspectRatio="none" role="img">',
        f"<title>{html.escape(spark.title)}</title>",
    ]
    for i, label in enumerate(spark.labels):
        x = i * slot
        bar = spark.bars.get(label)
        if bar is None:  # no figure: a grey dash on the zero line
            w = min(12.0, slot * 0.8)
            parts.append(
                f'<line x1="{x + (slot - w) / 2:.2f}" x2="{x + (slot + w) / 2:.2f}" y1="{zero:.2f}" y2="{zero:.2f}" '
                f'stroke="{GREY}" stroke-width="3" vector-effect="non-scaling-stroke">'
                f"<title>{html.escape(label)}: no data in the sources</title></line>"
            )
            continue
        top, bottom = sorted((y(bar.value), zero))
        parts.append(
            f'<rect x="{x + slot * SPARK_GAP / 2:.2f}" y="{top:.2f}" width="{slot * (1 - SPARK_GAP):.2f}" '
            f'height="{bottom - top:.2f}" fill="{bar.colour}"><title>{html.escape(bar.text)}</title></rect>'
        )
    parts.append(
        f'<line x1="0" x2="{SPARK_W}" y1="{zero:.2f}" y2="{zero:.2f}" stroke="{INK}" stroke-width="1" '
        'vector-effect="non-scaling-stroke"/>'
    )
    return "".join(parts) + "</svg>"
