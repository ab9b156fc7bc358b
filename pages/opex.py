"""Opex: GAAP R&D, S&M and G&A per quarter, opex as a share of revenue, non-GAAP opex against guidance."""

import streamlit as st

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.render import charts
from earnings.ui import components as ui

ctx = ui.page("opex", "Opex")
data = ctx.data
LINES = charts.OPEX_LINES


@st.fragment
def opex_charts() -> None:
    view = ui.current_view(ctx)
    st.subheader("GAAP operating expenses")
    selected = (view.period, view.metric) if view.basis == "gaap" else None
    ui.cached_chart(ctx, "opex", "opex_chart", selected=selected)
    st.subheader("Non-GAAP opex against guidance")
    sel = (view.period, view.metric, view.basis) if view.metric == "opex_total" else None
    if charts.guidance_rows(data, ("opex_total",), "non_gaap"):
        opts = dict(metrics=("opex_total",), basis="non_gaap", selected=sel, panel_titles=False)
        ui.cached_chart(ctx, "guidance", "opex_guidance_chart", **opts)
    else:
        st.caption("No non-GAAP opex guidance in the sources.")
    ui.drilldown_panel(ctx, view)


opex_charts()

st.subheader("Opex by quarter")


def opex_rows() -> list[dict]:
    quarters = [
        p
        for p in data.quarters()
        if any(data.value(p, m, b) is not None for m in (*LINES, "opex_total") for b in ("gaap", "non_gaap"))
    ]
    table = []
    for metric, basis in [(m, "gaap") for m in LINES] + [("opex_total", "gaap"), ("opex_total", "non_gaap")]:
        row = {"Line": vocab.metric_label(metric, basis)}
        for p in quarters:
            row[periods.label(p)] = fmt.value(data.value(p, metric, basis), "usd_m")
        table.append(row)
    share_row = {"Line": "GAAP opex, % of revenue (derived)"}
    for p in quarters:
        share_row[periods.label(p)] = fmt.value(
            formulas.share_of(data.value(p, "opex_total", "gaap"), data.value(p, "revenue")), "pct"
        )
    table.append(share_row)
    return table


st.table(ui.arrow_table(ctx, "opex_by_quarter", opex_rows), hide_index=True)
