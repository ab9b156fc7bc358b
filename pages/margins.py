"""Margins: GAAP and non-GAAP gross and operating margins, guided points, the long-term model."""

import streamlit as st

from earnings.model import fmt, tables
from earnings.render import charts
from earnings.ui import components as ui

ctx = ui.page("margins", "Margins")
data = ctx.data


@st.fragment
def margins_chart() -> None:
    view = ui.current_view(ctx)
    selected = (view.period, view.metric, view.basis) if view.metric in ("gross_margin", "operating_margin") else None
    ui.cached_chart(ctx, charts.margins, "margins_chart", selected=selected)
    ui.drilldown_panel(ctx, view)


margins_chart()
ui.rest_of_page()

st.subheader("Margins by quarter")
ui.static_table(ctx, tables.margins_by_quarter, name="margins")
for p in [p for p in data.periods() if p.endswith("FY")]:
    v = data.value(p, "gross_margin", "non_gaap")
    if v is not None:
        st.caption(
            fmt.md_escape(f"{ctx.data.period_label(p)} gross margin (non-GAAP, reported): {fmt.value(v, 'pct')}")
        )
for t in data.records("targets"):
    if t["horizon"] == "long_term":
        st.caption(fmt.md_inline(f"Long-term model: {t['label']} — “{t['excerpt']}”"))
