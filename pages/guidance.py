"""Guidance: every guided figure scored, ranges against actuals, the next quarter's outlook."""

import streamlit as st

from earnings.contract import periods
from earnings.model import fmt, outlook, scorecard, tables
from earnings.render import charts
from earnings.ui import components as ui

CHART_QUARTERS = 8  # guided quarters in the chart: more would squeeze every panel (the scorecard has all)
ctx = ui.page("guidance", "Guidance")
data = ctx.data

st.subheader("Scorecard")
card = data.once(scorecard.rows)
if card.empty:
    st.info("No guidance in the sources for this company.")
    st.stop()
st.dataframe(
    ui.arrow_table(ctx, tables.guidance_scorecard),
    hide_index=True,
    key="scorecard",
    on_select=lambda: ui.select_from_table(ctx, "scorecard", scorecard.figures(data)),
    selection_mode="single-row",
)
st.caption(
    "Select a row (or click a bar or dot below) to see the source and what management said. "
    "Position compares the reported actual with the guided range; distances from the midpoint are derived."
)


@st.fragment
def guidance_chart() -> None:
    view = ui.current_view(ctx)
    selected = (view.period, view.metric, view.basis) if view.metric else None
    st.subheader("Guided ranges (bars) against actuals (dots)")
    upto = periods.shift_quarter(ctx.focus, 1) if ctx.focus else None  # the quarter in focus and its outlook
    window = charts.guided_window(data, upto, CHART_QUARTERS)
    if window and len(window) < len(charts.guided_window(data, None, 0)):
        st.caption(
            f"The {len(window)} guided quarters {periods.label(window[0])} to {periods.label(window[-1])}; "
            "every guided figure is in the scorecard above."
        )
    ui.cached_chart(ctx, charts.guidance, "guidance_chart", selected=selected, upto=upto, quarters=CHART_QUARTERS)
    ui.drilldown_panel(ctx, view)


guidance_chart()

latest = data.latest_quarter()
nxt = periods.shift_quarter(latest, 1) if latest else None
if nxt:
    st.subheader(f"Outlook for {periods.label(nxt)}")
    lines = outlook.lines(data, nxt)
    for line in lines:
        st.markdown("- " + fmt.md_escape(line))
    if not lines:
        st.caption("No guidance for the next quarter in the sources.")
targets = [t for t in data.records("targets") if t["metric"] not in ("revenue_growth_qoq",)]
if targets:
    st.subheader("Longer-range targets")
    for t in targets:
        ui.bullet(f"{t['label']} ({t['horizon'].replace('_', ' ')})")
        st.caption("Source: " + fmt.md_inline(ui.source_line(data, t["source_id"], t["section"])))
