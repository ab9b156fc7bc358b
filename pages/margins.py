"""Margins: GAAP and non-GAAP gross and operating margins, guided points, the long-term model."""

import streamlit as st

from earnings.contract import formulas, periods, vocab
from earnings.model import fmt
from earnings.render import charts
from earnings.ui import components as ui

ctx = ui.page("margins", "Margins")
data = ctx.data


@st.fragment
def margins_chart() -> None:
    view = ui.current_view(ctx)
    selected = (view.period, view.metric, view.basis) if view.metric in ("gross_margin", "operating_margin") else None
    ui.cached_chart(ctx, "margins", "margins_chart", selected=selected)
    ui.drilldown_panel(ctx, view)


margins_chart()

st.subheader("Margins by quarter")


def margin_rows() -> list[dict]:
    quarters = data.quarters()
    table = []
    for metric, basis in charts.MARGIN_SERIES:
        row = {"Margin": vocab.metric_label(metric, basis)}
        for p in quarters:
            row[periods.label(p)] = fmt.value(data.value(p, metric, basis), "pct")
        if quarters:
            last = quarters[-1]
            row["q/q change (derived)"] = fmt.points(
                formulas.point_change(
                    data.value(last, metric, basis), data.value(periods.previous_quarter(last), metric, basis)
                )
            )
        table.append(row)
    return table


st.table(ui.arrow_table(ctx, "margins_by_quarter", margin_rows), hide_index=True)
fy = [p for p in data.periods() if p.endswith("FY")]
for p in fy:
    v = data.value(p, "gross_margin", "non_gaap")
    if v is not None:
        st.caption(fmt.md_escape(f"{periods.label(p)} gross margin (non-GAAP, reported): {fmt.value(v, 'pct')}"))
for t in data.records("targets"):
    if t["horizon"] == "long_term":
        st.caption(fmt.md_escape(f"Long-term model: {t['label']} — “{t['excerpt']}”"))
