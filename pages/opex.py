"""Opex: GAAP R&D, S&M and G&A per quarter, opex as a share of revenue, non-GAAP opex against guidance."""

import streamlit as st

from earnings.model import scorecard, tables
from earnings.render import charts
from earnings.ui import components as ui

ctx = ui.page("opex", "Opex")
data = ctx.data


@st.fragment
def opex_charts() -> None:
    view = ui.current_view(ctx)
    st.subheader("GAAP operating expenses")
    selected = (view.period, view.metric) if view.basis == "gaap" else None
    ui.cached_chart(ctx, charts.opex, "opex_chart", selected=selected)
    st.subheader("Non-GAAP opex against guidance")
    sel = (view.period, view.metric, view.basis) if view.metric == "opex_total" else None
    upto = scorecard.window_end(ctx.focus)  # as on the Guidance page: up to the outlook of the quarter in focus
    opts = dict(metrics=("opex_total",), basis="non_gaap", selected=sel, panel_titles=False, upto=upto)
    if charts.has_guidance(data, ("opex_total",), "non_gaap", upto):
        ui.cached_chart(ctx, charts.guidance, "opex_guidance_chart", **opts)
    else:
        st.caption("No non-GAAP opex guidance in the sources.")
    ui.drilldown_panel(ctx, view)


opex_charts()
ui.rest_of_page()

st.subheader("Opex by quarter")
ui.static_table(ctx, tables.opex_by_quarter, name="opex")
