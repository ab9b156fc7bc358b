"""Revenue: quarterly revenue on a true quarterly axis, next quarter's guidance, growth, fiscal year."""

import streamlit as st

from earnings.contract import formulas, periods
from earnings.model import fmt
from earnings.ui import components as ui

ctx = ui.page("revenue", "Revenue")
data = ctx.data


@st.fragment
def revenue_chart() -> None:
    view = ui.current_view(ctx)
    selected = view.period if view.metric == "revenue" else None
    ui.cached_chart(ctx, "revenue", "revenue_chart", selected=selected)
    ui.drilldown_panel(ctx, view)


revenue_chart()

st.subheader("Growth and the fiscal year")


def stated(period: str, metric: str) -> str:
    """A stated growth rate as precisely as the source wrote it."""
    f = data.fact(period, metric)
    return fmt.growth(f["value"], f["decimals"]) if f else fmt.MISSING


def growth_rows() -> list[dict]:
    revenue = data.series("revenue")
    rows = []
    for p in sorted(revenue, key=periods.sort_key):
        _, qoq = formulas.change_vs(revenue, p, 1)
        _, yoy = formulas.change_vs(revenue, p, 4)
        rows.append(
            {
                "Quarter": periods.label(p),
                "Revenue": fmt.value(revenue[p], "usd_m"),
                "q/q (derived)": fmt.growth(qoq),
                "y/y (derived)": fmt.growth(yoy),
                "Stated q/q": stated(p, "revenue_growth_qoq"),
                "Stated y/y": stated(p, "revenue_growth_yoy"),
            }
        )
    return rows


st.table(ui.arrow_table(ctx, "revenue_growth", growth_rows), hide_index=True)
st.caption("Growth is derived only where the comparison quarter is in the sources; — means it is not.")

years = [
    y
    for y in sorted({periods.fiscal_year(p) for p in data.periods() if p.endswith("FY")})
    if data.value(f"{y}FY", "revenue") is not None
]


def fiscal_year_cards(year: int) -> None:
    fy = data.value(f"{year}FY", "revenue")
    cols = st.columns(3)
    cols[0].metric(f"Revenue FY {year} (reported)", fmt.value(fy, "usd_m"), border=True)
    fy_growth = data.value(f"{year}FY", "revenue_growth_yoy")
    cols[1].metric(f"FY {year} growth y/y (stated)", fmt.growth(fy_growth, 0), border=True)
    q = {n: data.value(f"{year}Q{n}", "revenue") for n in range(1, 5)}
    if q[1] is None and q[2] is None:
        h1 = formulas.implied_first_half(fy, q[3], q[4])
        cols[2].metric(
            f"H1 {year} implied (derived)",
            fmt.value(h1, "usd_m"),
            border=True,
            help="FY revenue minus Q3 and Q4 revenue: derived, not reported.",
        )
        if h1 is not None:
            st.caption(
                fmt.md_escape(
                    f"Derived: FY {year} {fmt.value(fy, 'usd_m')} − Q3 {fmt.value(q[3], 'usd_m')} − Q4 "
                    f"{fmt.value(q[4], 'usd_m')} = {fmt.value(h1, 'usd_m')} for Q1 + Q2 together."
                )
            )


def fiscal_year_rows() -> list[dict]:
    return [
        {
            "Fiscal year": f"FY {y}",
            "Revenue (reported)": fmt.value(data.value(f"{y}FY", "revenue"), "usd_m"),
            "Growth y/y (stated)": stated(f"{y}FY", "revenue_growth_yoy"),
        }
        for y in reversed(years)
    ]


if years:
    # the cards: the fiscal year of the quarter in focus (else the latest); every year in one table below
    focus_year = periods.fiscal_year(ctx.focus) if ctx.focus else None
    shown_year = focus_year if focus_year in years else years[-1]
    fiscal_year_cards(shown_year)
    if len(years) > 1:
        st.table(ui.arrow_table(ctx, "fiscal_years", fiscal_year_rows), hide_index=True)
        st.caption(f"Every fiscal year in the sources; the cards show FY {shown_year}.")
