"""Compare: companies side by side on the same calendar quarter; every point and cell drills into its company."""

import streamlit as st

from earnings.model import compare, fmt, tables
from earnings.ui import components as ui
from earnings.ui import several

ctx = ui.page("compare", "Compare")
cmp = several.comparison(ctx)
if cmp.notices:
    st.info(fmt.md_escape(" ".join(cmp.notices)), icon="ℹ️")

left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    several.choose_companies(cmp)
with right:
    if cmp.quarter is not None:
        several.choose_quarter(cmp)
if cmp.quarter is None:
    st.info("None of these companies has a reported quarter in the sources yet.")
    st.stop()
st.caption(fmt.md_escape(compare.ALIGNMENT))

st.subheader(fmt.md_escape(f"{compare.calendar_label(cmp.quarter)}: each company's own quarter"))
table = several.table(cmp)
if table.reasons:
    n = len(table.reasons)
    with st.expander(f"Why some cells show — ({n} {'reason' if n == 1 else 'reasons'})"):
        for line in table.reasons:
            st.text(line)
ui.csv_button(
    lambda: tables.csv_bytes(table.texts), file=f"compare-{'-'.join(cmp.tickers)}-{cmp.quarter}.csv", name="compare"
)
st.caption("Click a cell or a point: that company's figure opens below, with its source passage or filing.")

view = ctx.view
if view.metric and view.ticker in cmp.tickers:
    ui.drilldown_panel(ctx, view, name_company=True)
st.caption(fmt.md_escape(compare.CHARTS_NOTE))
several.charts(cmp)
