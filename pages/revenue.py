"""Revenue: quarterly revenue on a true quarterly axis, next quarter's guidance, growth, fiscal year."""

import streamlit as st

from earnings.contract import periods
from earnings.model import fmt, tables
from earnings.render import charts
from earnings.ui import components as ui

ctx = ui.page("revenue", "Revenue")
data = ctx.data


@st.fragment
def revenue_chart() -> None:
    view = ui.current_view(ctx)
    selected = view.period if view.metric == "revenue" else None
    ui.cached_chart(ctx, charts.revenue, "revenue_chart", selected=selected)
    ui.drilldown_panel(ctx, view)


revenue_chart()
ui.rest_of_page()

st.subheader("Growth and the fiscal year")
ui.static_table(ctx, tables.revenue_growth, name="revenue-growth")
st.caption("Growth is derived only where the comparison quarter is in the sources; — means it is not.")

years = data.once(tables.revenue_years)
if years:
    # the cards: the fiscal year of the quarter in focus (else the latest); every year in one table below
    focus_year = periods.fiscal_year(ctx.focus) if ctx.focus else None
    shown_year = focus_year if focus_year in years else years[-1]
    year_cards, derivation = tables.fiscal_year_cards(data, shown_year)
    for col, card in zip(st.columns(3), year_cards):
        col.metric(card.label, card.value, border=True, help=card.note)
    if derivation:
        st.caption(fmt.md_escape(derivation))
    if len(years) > 1:
        ui.static_table(ctx, tables.fiscal_years, name="fiscal-years")
        st.caption(f"Every fiscal year in the sources; the cards show FY {shown_year}.")
