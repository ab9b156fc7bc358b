"""Guidance: every guided figure scored, ranges against actuals, the next quarter's outlook."""

import streamlit as st

from earnings import analytics, fmt, scorecard, vocab
from earnings.ui import components as ui

ctx = ui.page("guidance", "Guidance")
data = ctx.data

st.subheader("Scorecard")
card = data.memo(("scorecard",), lambda: scorecard.rows(data))
if card.empty:
    st.info("No guidance in the sources for this company.")
    st.stop()
st.dataframe(
    ui.arrow_table(ctx, "scorecard", lambda: card.drop(columns=["Issued", "metric", "basis", "period", "position"])),
    hide_index=True,
    key="scorecard",
    on_select=lambda: ui.select_from_table(ctx, "scorecard", card.to_dict("records")),
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
    ui.cached_chart(ctx, "guidance", "guidance_chart", selected=selected)
    ui.drilldown_panel(ctx, view)


guidance_chart()

latest = data.latest_quarter()
nxt = analytics.shift_quarter(latest, 1) if latest else None
if nxt:
    st.subheader(f"Outlook for {vocab.period_label(nxt)}")
    lines = scorecard.outlook(data, nxt)
    for line in lines:
        st.markdown("- " + fmt.md_escape(line))
    if not lines:
        st.caption("No guidance for the next quarter in the sources.")
targets = [t for t in data.records("targets") if t["metric"] not in ("revenue_growth_qoq",)]
if targets:
    st.subheader("Longer-range targets")
    for t in targets:
        st.markdown("- " + fmt.md_escape(f"{t['label']} ({t['horizon'].replace('_', ' ')})"))
        st.caption("Source: " + fmt.md_escape(ui.source_line(data, t["source_id"], t["section"])))
