"""Guidance: every guided figure up to the quarter in focus and its outlook, scored; ranges against actuals; the
outlook issued with the quarter in focus."""

import streamlit as st

from earnings.contract import periods
from earnings.model import fmt, outlook, scorecard
from earnings.render import charts
from earnings.ui import components as ui

CHART_QUARTERS = 8  # guided quarters in the chart: more would squeeze every panel (the scorecard has all)
ctx = ui.page("guidance", "Guidance")
data = ctx.data
upto = scorecard.window_end(ctx.focus)  # the quarter in focus and the one its outlook guides

st.subheader("Scorecard")
if not data.records("guidance"):
    st.info("No guidance in the sources for this company.")
    st.stop()
ui.scorecard_table(ctx, upto)
later = len(scorecard.records(data)) - len(scorecard.records(data, upto=upto))
if later:
    st.caption(
        f"Guidance for quarters up to {periods.label(upto)}, the outlook issued with the quarter in focus. "
        f"{later} guided {'figure' if later == 1 else 'figures'} for later quarters: choose a later quarter in focus."
    )


@st.fragment
def guidance_chart() -> None:
    view = ui.current_view(ctx)
    selected = (view.period, view.metric, view.basis) if view.metric else None
    st.subheader("Guided ranges (bars) against actuals (dots)")
    window = charts.guided_window(data, upto, CHART_QUARTERS)
    if len(window) > 1 and len(window) < len(charts.guided_window(data, upto, 0)):
        st.caption(
            f"The {len(window)} guided quarters {periods.label(window[0])} to {periods.label(window[-1])}; "
            "every guided figure is in the scorecard above."
        )
    if window:
        ui.cached_chart(ctx, charts.guidance, "guidance_chart", selected=selected, upto=upto, quarters=CHART_QUARTERS)
    else:
        st.caption(f"Nothing was guided for a quarter up to {periods.label(upto)} in the sources.")
    ui.drilldown_panel(ctx, view)


guidance_chart()

if upto:
    st.subheader(f"Outlook for {periods.label(upto)}")
    lines = outlook.lines(data, upto)
    for line in lines:
        st.markdown("- " + fmt.md_escape(line))
    if not lines:
        st.caption(f"No guidance for {periods.label(upto)} in the sources.")
targets = [t for t in data.records("targets") if t["metric"] not in ("revenue_growth_qoq",)]
if targets:
    st.subheader("Longer-range targets")
    for t in targets:
        ui.bullet(f"{t['label']} ({fmt.horizon(t['horizon'])})")
        st.caption("Source: " + fmt.md_inline(ui.source_line(data, t["source_id"], t["section"])))
