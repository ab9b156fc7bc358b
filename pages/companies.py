"""Companies: every company in the data, searchable and a page at a time, with links to its pages and to compare it."""

import streamlit as st

from earnings.model import companies, fmt, tables, urlstate
from earnings.ui import components as ui
from earnings.ui import several, urlsync

ctx = ui.page("companies", "Companies")
params = urlsync.current()
query = (urlstate.raw_value(params, "q") or "")[: companies.MAX_QUERY]
st.session_state["companies_q"] = query


def search() -> None:
    urlsync.update({"q": st.session_state["companies_q"].strip()[: companies.MAX_QUERY], "page": None})


st.text_input("Search", key="companies_q", on_change=search, placeholder="A ticker or part of a name",
              max_chars=companies.MAX_QUERY)  # fmt: skip
listed = several.list_page(ctx.db, query, urlstate.raw_value(params, "page"), ctx.data.ticker)
page = listed.page
if listed.notice:
    st.info(listed.notice, icon="ℹ️")
st.caption(fmt.md_escape(page.line(len(listed.found))))
if listed.shown is None:
    st.info("No company's ticker or name contains that.")
    st.stop()

st.dataframe(
    listed.shown,
    hide_index=True,
    column_order=[
        "Ticker",
        "Company",
        "Pages",
        "Compare",
        *[c for c in page.rows.columns if c not in ("Ticker", "Company")],
    ],
    column_config={
        "Ticker": st.column_config.TextColumn(pinned=True, width="small"),
        "Pages": st.column_config.LinkColumn(display_text="Its pages →", width="small"),
        "Compare": st.column_config.LinkColumn(display_text="Compare →", width="small"),
    },
    height="auto",
)
ui.csv_button(lambda: tables.csv_bytes(listed.found), file="companies.csv", name="companies")
if page.pages > 1:
    back, _, ahead = st.columns([1, 3, 1])
    with back:
        st.button("← Previous page", disabled=page.number == 1, on_click=urlsync.update,
                  args=({"page": str(page.number - 1) if page.number > 2 else None},))  # fmt: skip
    with ahead:
        st.button("Next page →", disabled=page.number == page.pages, on_click=urlsync.update,
                  args=({"page": str(page.number + 1)},))  # fmt: skip
