"""Opex: GAAP R&D, S&M and G&A per quarter, opex as a share of revenue, non-GAAP opex against guidance."""

import streamlit as st

from earnings import analytics, figures, fmt, vocab
from earnings.ui import components as ui

ctx = ui.page("opex", "Opex")
data = ctx.data
LINES = ("opex_rd", "opex_sm", "opex_ga")


@st.fragment
def opex_charts() -> None:
    view = ui.current_view(ctx)
    lines = {m: data.series(m, "gaap") for m in LINES}
    total = data.series("opex_total", "gaap")
    revenue = data.series("revenue")
    share = {p: analytics.share_of(v, revenue.get(p)) for p, v in total.items()}
    share = {p: v for p, v in share.items() if v is not None}
    axis = analytics.quarter_axis([p for s in lines.values() for p in s] + list(total))
    selected = (view.period, view.metric) if view.basis == "gaap" else None
    st.subheader("GAAP operating expenses")
    ui.chart(ctx, figures.opex_figure(data.ticker, axis, lines, share, selected), "opex_chart")
    st.subheader("Non-GAAP opex against guidance")
    rows = [g for g in data.guidance.to_dict("records") if g["metric"] == "opex_total" and g["basis"] == "non_gaap"]
    if rows:
        sel = (view.period, view.metric, view.basis) if view.metric == "opex_total" else None
        ui.chart(ctx, figures.range_vs_actual_figure(data.ticker, rows, sel), "opex_guidance_chart")
    else:
        st.caption("No opex guidance in the sources.")
    ui.drilldown_panel(ctx, view)


opex_charts()

st.subheader("Opex by quarter")
quarters = [
    p
    for p in data.quarters()
    if any(data.value(p, m, b) is not None for m in (*LINES, "opex_total") for b in ("gaap", "non_gaap"))
]
table = []
for metric, basis in [(m, "gaap") for m in LINES] + [("opex_total", "gaap"), ("opex_total", "non_gaap")]:
    row = {"Line": vocab.metric_label(metric, basis)}
    for p in quarters:
        row[vocab.period_label(p)] = fmt.value(data.value(p, metric, basis), "usd_m")
    table.append(row)
share_row = {"Line": "GAAP opex, % of revenue (derived)"}
for p in quarters:
    share_row[vocab.period_label(p)] = fmt.value(
        analytics.share_of(data.value(p, "opex_total", "gaap"), data.value(p, "revenue")), "pct"
    )
table.append(share_row)
st.dataframe(table, hide_index=True)
