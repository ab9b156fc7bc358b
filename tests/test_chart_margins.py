"""figures.preset_margins: the margins a chart is sent with hold its labels, titles and legend, so the browser
lays it out once (tests/browser/test_chart_margins.py checks that in Chromium); these are the rules it follows."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from conftest import read_company

from earnings.render import charts, figures

QUARTERS = [f"Q{q} {y}" for y in range(2018, 2026) for q in range(1, 5)]  # 32 labels: too many to stand upright


def bars(labels: list[str], values: list[float], **axis) -> go.Figure:
    fig = go.Figure(go.Bar(x=labels, y=values, name="Revenue"))
    fig = figures.layout(fig, y_title="Revenue, $M")
    fig.update_xaxes(type="category", categoryarray=labels)
    fig.update_yaxes(range=[0, max(values) * 1.2], **figures.TICKS["usd_m"], **axis)
    return fig


def margins(fig: go.Figure) -> tuple[int, int, int, int]:
    m = figures.preset_margins(fig).layout.margin
    return m.l, m.r, m.t, m.b


def test_wider_tick_labels_get_a_wider_left_margin() -> None:
    small = margins(bars(["Q1 2024", "Q2 2024"], [140, 150]))  # "$180M"
    large = margins(bars(["Q1 2024", "Q2 2024"], [2400, 2500]))  # "$3,000M"
    assert large[0] > small[0] > 10


def test_labels_too_many_to_stand_upright_get_room_to_turn() -> None:
    few = margins(bars(QUARTERS[:8], [1.0] * 8))
    many = margins(bars(QUARTERS, [1.0] * 32))
    assert many[3] > few[3] + 20  # below the plot: a turned label's length
    assert many[1] > few[1]  # and on the right, where a label turned 30° hangs


def test_a_legend_that_wraps_gets_its_rows_above_the_plot() -> None:
    one = bars(["Q1 2024"], [1.0])
    several = bars(["Q1 2024"], [1.0])
    for i in range(6):
        several.add_trace(go.Scatter(x=["Q1 2024"], y=[1.0], name=f"A long legend entry, number {i}"))
    assert margins(several)[2] > margins(one)[2] >= 40


def test_a_narrower_column_wraps_the_legend_into_more_rows() -> None:
    fig = bars(["Q1 2024"], [1.0])
    for i in range(4):
        fig.add_trace(go.Scatter(x=["Q1 2024"], y=[1.0], name=f"Operating expense line {i} (GAAP)"))
    wide = margins(go.Figure(fig))[2]
    narrow = figures.preset_margins(go.Figure(fig), width=500).layout.margin.t
    assert narrow > wide


def test_a_margin_the_figure_sets_is_never_lowered(built_db: Path) -> None:
    data = read_company(built_db)
    fig = charts.briefing(data, step="revenue", period="2024Q4")
    assert fig.layout.margin.r == 60  # the briefing keeps room for its next-quarter label
    fig.update_layout(margin=dict(l=300, b=200))
    assert margins(fig)[0] == 300 and margins(fig)[3] == 200


def test_a_chart_without_labels_or_legend_keeps_its_margins() -> None:
    bare = go.Figure(go.Bar(x=["Q1 2024", "Q2 2024"], y=[1, 2]))
    bare.update_layout(showlegend=False, margin=dict(l=0, r=0, t=2, b=2))
    bare.update_xaxes(showticklabels=False)
    bare.update_yaxes(showticklabels=False)
    assert margins(bare) == (0, 0, 2, 2)


def test_frozen_figures_are_sent_with_preset_margins(built_db: Path) -> None:
    data = read_company(built_db)
    fig = charts.revenue(data)
    frozen = figures.freeze(charts.revenue(data))
    assert frozen.to_dict()["layout"]["margin"] == dict(zip("lrtb", margins(fig), strict=True))
    assert frozen.to_dict()["layout"]["margin"]["l"] > 40


def test_numpy_data_is_read_like_lists() -> None:
    """A trace's values as plotly keeps them from pandas or numpy: arrays, which have no truth value."""
    import numpy as np

    def fig(ys):
        return go.Figure(go.Scatter(x=["Q1 2024", "Q2 2024"], y=ys)).update_yaxes(automargin=True, ticksuffix="%")

    assert margins(fig(np.array([10.0, 2500.0]))) == margins(fig([10.0, 2500.0]))
