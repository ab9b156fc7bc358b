"""Overview: the quarter in focus at a glance."""

import streamlit as st

from earnings.contract import periods
from earnings.model import cards, fmt, outlook, tables
from earnings.ui import components as ui

ctx = ui.page("overview", "Overview")
data, period = ctx.data, ctx.focus
if period is None:
    st.caption("No reported quarter for this company in the sources yet.")
    st.stop()

KPIS = data.once(cards.headline_figures)
for row in (KPIS[:3], KPIS[3:]):
    for col, (metric, basis, label) in zip(st.columns(3), row):
        with col:
            ui.kpi(ctx, metric, basis, period, label)
st.caption(ui.SPARKLINE_NOTE)

if ctx.view.metric:
    ui.drilldown_panel(ctx, ctx.view)
ui.rest_of_page()

summary = [r for r in data.records("commentary") if r["period"] == period]
nxt = periods.shift_quarter(period, 1)
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Executive summary")
    items = [r for r in summary if r["kind"] == "summary"][:5]
    for r in items:
        ui.bullet(r["text"])
    if not items:
        st.caption("No summary for this quarter in the sources.")
with right:
    lines = outlook.lines(data, nxt)
    st.subheader(f"Outlook for {ctx.data.period_label(nxt)}")
    for line in lines:
        st.markdown("- " + fmt.md_escape(line))
    if not lines:
        st.caption("No guidance for the next quarter in the sources.")

st.subheader(f"Guidance for {ctx.data.period_label(period)}: how it came out")
if not data.guidance_for(period):
    st.caption("No guidance targeted this quarter in the sources.")
else:
    ui.static_table(ctx, tables.guidance_outcome, period, name="guidance-outcome")
st.page_link(
    ui.PAGES["guidance"][0], label="Full guidance scorecard →", query_params=ctx.view.params(with_selection=False)
)

well, wrong = st.columns(2, gap="large")
for col, kind, title in ((well, "went_well", "What went well"), (wrong, "went_wrong", "What went wrong")):
    with col:
        st.subheader(title)
        rows = [r for r in summary if r["kind"] == kind]
        for r in rows:
            ui.bullet(r["text"])
        if not rows:
            st.caption("Nothing in the sources.")
